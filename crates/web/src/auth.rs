//! Sign-up, sign-in (rate-limited), sign-out, password change and account
//! deletion. Password reset by email is in `reset`, address confirmation in
//! `verify`.
//!
//! Account enumeration: a failed sign-in says "Email or password is
//! incorrect" whether or not the account exists, and an unknown email still
//! costs one Argon2 verification (against a dummy hash), so timing does not
//! tell them apart either. `/forgot` (in `reset`) answers the same either
//! way and sends the email in the background. Sign-up with a taken address does say so
//! ("an account with this email already exists"): telling people why they
//! cannot sign up is worth more than hiding which addresses have accounts,
//! which an attacker could learn from sign-up anyway; sign-up hashes the
//! password before looking, so it takes as long either way.

use crate::credentials::{Email, Password};
use crate::entitlements::TRIAL_DAYS;
use crate::frame::{private_page, viewer_message, Header, Layout};
use crate::learner::SignedIn;
use crate::limits::{self, ClientIp, PerAddress, Verdict};
use crate::session::{self, CurrentUser, MaybeUser};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use devpath_store::StoreError;
use serde::Deserialize;

const BAD_CREDENTIALS: &str = "Email or password is incorrect.";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(signup_page).post(signup))
        .route("/signin", get(signin_page).post(signin))
        .route("/signout", post(signout))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
        .route("/account/delete", post(delete_account))
}

// --- templates -------------------------------------------------------------

#[derive(Template)]
#[template(path = "auth/signup.html")]
struct SignupTemplate {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
    email: String,
}

#[derive(Template)]
#[template(path = "auth/signin.html")]
struct SigninTemplate {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
    email: String,
    next: String,
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordTemplate {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
}

/// Only local paths, so `?next=` cannot send people to another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/dashboard".to_string(),
    }
}

// --- sign-up ---------------------------------------------------------------

#[derive(Deserialize)]
struct CredentialsForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

fn signup_form(status: StatusCode, error: Option<String>, email: &str) -> Response {
    private_page(
        status,
        SignupTemplate {
            layout: Layout::new(
                "Create your account — devpath",
                format!("Create a devpath account and start your {TRIAL_DAYS}-day free trial."),
                Header::default(),
            ),
            error,
            notice: None,
            email: email.trim().to_string(),
        },
    )
}

async fn signup_page(MaybeUser(user): MaybeUser) -> Response {
    if user.is_some() {
        return Redirect::to("/dashboard").into_response();
    }
    signup_form(StatusCode::OK, None, "")
}

async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<CredentialsForm>,
) -> Result<Response, AppError> {
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(msg) => {
            return Ok(signup_form(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
                &form.email,
            ))
        }
    };
    let password = match Password::parse(&form.password, Some(&email)) {
        Ok(p) => p,
        Err(msg) => {
            return Ok(signup_form(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
                &form.email,
            ))
        }
    };
    // Counted before the expensive hash, for well-formed requests only.
    if let Some(wait_secs) =
        limits::per_address(&state, PerAddress::SignUp, &ip, state.clock.now()).await?
    {
        let res = signup_form(
            StatusCode::TOO_MANY_REQUESTS,
            Some(limits::busy_address_message("new accounts", wait_secs)),
            &form.email,
        );
        return Ok(limits::with_retry_after(res, wait_secs));
    }
    let hash = state.hashing.hash_password(&password).await?;
    let user = match state
        .store
        .create_user(email.as_str(), &hash, false, state.clock.now())
        .await
    {
        Ok(u) => u,
        Err(StoreError::Conflict(_)) => {
            return Ok(signup_form(
                StatusCode::CONFLICT,
                Some(
                    "An account with this email already exists. Sign in, or reset your password if you have forgotten it."
                        .into(),
                ),
                &form.email,
            ))
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(user_id = user.id, "account created");
    if crate::trial_memory::restore(&state, user.id, email.as_str()).await? {
        tracing::info!(
            user_id = user.id,
            "trial of a deleted account with this email restored"
        );
    }
    // The account exists whatever happens to the mail: a learner whose
    // link did not go out asks for another from the banner.
    if let Err(e) = crate::verify::send_link(&state, user.id, email.as_str()).await {
        tracing::error!(user_id = user.id, error = %e, "cannot store the confirmation link");
    }
    let cookie = session::start(&state, &headers, user.id).await?;
    Ok(session::see_other_with_cookie(
        "/dashboard?welcome=1",
        cookie,
    ))
}

// --- sign-in ---------------------------------------------------------------

#[derive(Deserialize)]
struct SigninQuery {
    next: Option<String>,
    notice: Option<String>,
}

fn signin_form(
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
    email: &str,
    next: &str,
) -> Response {
    private_page(
        status,
        SigninTemplate {
            layout: Layout::new(
                "Sign in — devpath",
                "Sign in to devpath.",
                Header::default(),
            ),
            error,
            notice,
            email: email.trim().to_string(),
            next: next.to_string(),
        },
    )
}

async fn signin_page(MaybeUser(user): MaybeUser, Query(q): Query<SigninQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    if user.is_some() {
        return Redirect::to(&next).into_response();
    }
    let notice = match q.notice.as_deref() {
        Some("reset") => {
            Some("Your password has been changed. Sign in with your new password.".to_string())
        }
        Some("deleted") => Some("Your account has been deleted.".to_string()),
        _ => None,
    };
    signin_form(StatusCode::OK, None, notice, "", &next)
}

async fn signin(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<CredentialsForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(msg) => {
            return Ok(signin_form(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
                None,
                &form.email,
                &next,
            ))
        }
    };
    let attempt = match limits::attempt(&state, email.as_str(), &ip, state.clock.now()).await? {
        Verdict::Allowed(attempt) => attempt,
        Verdict::Limited { wait_secs } => {
            let res = signin_form(
                StatusCode::TOO_MANY_REQUESTS,
                Some(limits::wait_message("failed sign-in attempts", wait_secs)),
                None,
                &form.email,
                &next,
            );
            return Ok(limits::with_retry_after(res, wait_secs));
        }
    };
    let found = state.store.credentials_by_email(email.as_str()).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let ok = state.hashing.verify_password(&form.password, hash).await?;
    match user {
        Some(user) if ok => {
            attempt.succeeded(&state).await?;
            let cookie = session::start(&state, &headers, user.id).await?;
            tracing::info!(user_id = user.id, "signed in");
            Ok(session::see_other_with_cookie(&next, cookie))
        }
        // Already counted by `limits::attempt`.
        _ => Ok(signin_form(
            StatusCode::UNAUTHORIZED,
            Some(BAD_CREDENTIALS.into()),
            None,
            &form.email,
            &next,
        )),
    }
}

async fn signout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let cookie = session::end(&state, &headers).await;
    session::see_other_with_cookie("/", cookie)
}

// --- change password -------------------------------------------------------

#[derive(Deserialize)]
struct ChangePasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

fn password_form(status: StatusCode, user: &CurrentUser, error: Option<String>) -> Response {
    private_page(
        status,
        PasswordTemplate {
            layout: Layout::new(
                "Change password — devpath",
                "Change your password.",
                Header::of(Some(user), false),
            ),
            error,
            notice: None,
        },
    )
}

async fn password_page(user: CurrentUser) -> Response {
    password_form(StatusCode::OK, &user, None)
}

async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Form(form): Form<ChangePasswordForm>,
) -> Result<Response, AppError> {
    // Wrong current passwords count with the sign-in failures.
    let attempt = match limits::attempt(&state, &user.email, &ip, state.clock.now()).await? {
        Verdict::Allowed(attempt) => attempt,
        Verdict::Limited { wait_secs } => {
            let res = password_form(
                StatusCode::TOO_MANY_REQUESTS,
                &user,
                Some(limits::wait_message("wrong passwords", wait_secs)),
            );
            return Ok(limits::with_retry_after(res, wait_secs));
        }
    };
    let hash = state.store.password_hash(user.id).await?;
    if !state
        .hashing
        .verify_password(&form.current_password, hash)
        .await?
    {
        return Ok(password_form(
            StatusCode::UNPROCESSABLE_ENTITY,
            &user,
            Some("Your current password is incorrect.".into()),
        ));
    }
    attempt.succeeded(&state).await?;
    let new = match Password::for_account(&form.new_password, &user.email) {
        Ok(p) => p,
        Err(msg) => {
            return Ok(password_form(
                StatusCode::UNPROCESSABLE_ENTITY,
                &user,
                Some(msg),
            ))
        }
    };
    let hash = state.hashing.hash_password(&new).await?;
    state.store.set_password_hash(user.id, &hash).await?;
    let ended = state
        .store
        .delete_user_sessions(user.id, Some(&user.session_id))
        .await?;
    state
        .store
        .audit(
            Some(user.id),
            Some(user.id),
            "account.password_changed",
            &format!("{ended} other session(s) ended"),
        )
        .await?;
    Ok(Redirect::to("/account?notice=password").into_response())
}

// --- delete account --------------------------------------------------------

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    password: String,
}

async fn delete_account(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    learner: SignedIn,
    headers: HeaderMap,
    Form(form): Form<DeleteForm>,
) -> Result<Response, AppError> {
    let user = &learner.user;
    // Wrong passwords count with the sign-in failures.
    let attempt = match limits::attempt(&state, &user.email, &ip, state.clock.now()).await? {
        Verdict::Allowed(attempt) => attempt,
        Verdict::Limited { wait_secs } => {
            let res = crate::account::render(
                &state,
                &learner,
                StatusCode::TOO_MANY_REQUESTS,
                Some(limits::wait_message("wrong passwords", wait_secs)),
                None,
            )
            .await?;
            return Ok(limits::with_retry_after(res, wait_secs));
        }
    };
    let hash = state.store.password_hash(user.id).await?;
    if !state.hashing.verify_password(&form.password, hash).await? {
        return crate::account::render(
            &state,
            &learner,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Your password is incorrect, so your account was not deleted.".into()),
            None,
        )
        .await;
    }
    attempt.succeeded(&state).await?;
    // First, so a crash between the two leaves the trial remembered.
    crate::trial_memory::remember(&state, user.id, &user.email).await?;
    state.store.delete_user(user.id).await?;
    // After the delete, so no personal data is kept: just the former id.
    state
        .store
        .audit(
            None,
            None,
            "account.deleted",
            &format!("user #{} deleted their account", user.id),
        )
        .await?;
    tracing::info!(user_id = user.id, "account deleted");
    let cookie = session::end(&state, &headers).await;
    let mut res = viewer_message(
        StatusCode::OK,
        None,
        "Your account has been deleted",
        "Your email, password, sessions and progress have been removed. Thank you for learning with devpath.",
        ("/", "Back to the home page"),
    );
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("/paths/x?y=1")), "/paths/x?y=1");
        for bad in [
            "//evil.com",
            "https://evil.com",
            "/\\evil.com",
            "",
            "javascript:x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/dashboard", "{bad}");
        }
        assert_eq!(safe_next(None), "/dashboard");
    }
}
