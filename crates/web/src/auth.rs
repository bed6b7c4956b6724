//! Sign-up, sign-in (rate-limited), sign-out, password change, password
//! reset by email, and account deletion.
//!
//! Account enumeration: a failed sign-in says "Email or password is
//! incorrect" whether or not the account exists, and an unknown email still
//! costs one Argon2 verification (against a dummy hash), so timing does not
//! tell them apart either. `/forgot` answers the same either way and sends
//! the email in the background. Sign-up with a taken address does say so
//! ("an account with this email already exists"): telling people why they
//! cannot sign up is worth more than hiding which addresses have accounts,
//! which an attacker could learn from sign-up anyway; sign-up hashes the
//! password before looking, so it takes as long either way.

use crate::credentials::{self, token_hash, Email, Password};
use crate::entitlements::TRIAL_DAYS;
use crate::frame::{Header, Layout};
use crate::learner::SignedIn;
use crate::session::{self, CurrentUser, MaybeUser};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use devpath_store::StoreError;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

use crate::limits::{self, PerAddress, Verdict};
/// Reset links work for one hour.
pub const RESET_TTL_SECS: i64 = 3600;
/// At most this many reset emails per account per hour (against mail bombing);
/// further requests get the same answer but send nothing.
pub const MAX_RESET_EMAILS_PER_HOUR: i64 = 3;

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
        .route("/forgot", get(forgot_page).post(forgot))
        .route("/reset/{token}", get(reset_page).post(reset))
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
#[template(path = "auth/forgot.html")]
struct ForgotTemplate {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
    email: String,
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetTemplate {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
    token: String,
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordTemplate {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
}

/// Renders a private, never-cached page.
pub(crate) fn page(status: StatusCode, t: impl Template) -> Response {
    match t.render() {
        Ok(body) => (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

fn message(
    status: StatusCode,
    viewer: Option<&CurrentUser>,
    heading: &str,
    text: &str,
    link: (&str, &str),
) -> Response {
    crate::frame::message(Header::of(viewer, false), status, heading, text, link)
}

fn see_other_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
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

// --- client address --------------------------------------------------------

/// The client's IP address: the socket peer, or with `trust_proxy` the
/// right-most `X-Forwarded-For` entry (the one our own proxy appended; the
/// ones to its left are whatever the client sent and cannot be trusted).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.trust_proxy {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return Ok(ClientIp(ip.to_string()));
            }
        }
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
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
    page(
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
    let cookie = session::start(&state, &headers, user.id).await?;
    Ok(see_other_with_cookie("/dashboard?welcome=1", cookie))
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
    page(
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
            Ok(see_other_with_cookie(&next, cookie))
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
    see_other_with_cookie("/", cookie)
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
    page(
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
    let email = Email::parse(&user.email).ok();
    let new = match Password::parse(&form.new_password, email.as_ref()) {
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
    let mut res = message(
        StatusCode::OK,
        None,
        "Your account has been deleted",
        "Your email, password, sessions and progress have been removed. Thank you for learning with devpath.",
        ("/", "Back to the home page"),
    );
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(res)
}

// --- password reset --------------------------------------------------------

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

fn forgot_form(status: StatusCode, error: Option<String>, email: &str) -> Response {
    page(
        status,
        ForgotTemplate {
            layout: Layout::new(
                "Reset your password — devpath",
                "Reset your devpath password.",
                Header::default(),
            ),
            error,
            notice: None,
            email: email.trim().to_string(),
        },
    )
}

async fn forgot_page() -> Response {
    forgot_form(StatusCode::OK, None, "")
}

async fn forgot(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    MaybeUser(viewer): MaybeUser,
    Form(form): Form<EmailForm>,
) -> Result<Response, AppError> {
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(msg) => {
            return Ok(forgot_form(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
                &form.email,
            ))
        }
    };
    let now = state.clock.now();
    if let Some(wait_secs) = limits::per_address(&state, PerAddress::ResetRequest, &ip, now).await?
    {
        let res = forgot_form(
            StatusCode::TOO_MANY_REQUESTS,
            Some(limits::busy_address_message("reset requests", wait_secs)),
            &form.email,
        );
        return Ok(limits::with_retry_after(res, wait_secs));
    }
    let throttle_key = format!("reset:{email}");
    let user = match state.store.user_by_email(email.as_str()).await? {
        Some(u)
            if state
                .store
                .login_failures(&throttle_key, now - 3600)
                .await?
                .0
                < MAX_RESET_EMAILS_PER_HOUR =>
        {
            Some(u)
        }
        Some(u) => {
            tracing::warn!(user_id = u.id, "password reset emails throttled");
            None
        }
        None => None,
    };
    if let Some(user) = user {
        state.store.record_login_failure(&throttle_key, now).await?;
        let token = credentials::random_token();
        state
            .store
            .create_password_reset(&token_hash(&token), user.id, now, now + RESET_TTL_SECS)
            .await?;
        let link = format!(
            "{}/reset/{token}",
            state.config.public_url.trim_end_matches('/')
        );
        let text = format!(
            "Hello,\n\nSomeone (hopefully you) asked to reset the password of your devpath account.\n\
             Open this link within one hour to choose a new password:\n\n{link}\n\n\
             The link works once. If you did not ask for this, ignore this email: your password stays the same.\n\n\
             -- devpath\n"
        );
        let mailer = state.mailer.clone();
        let to = user.email.clone();
        // In the background, so the answer takes as long whether or not the account exists.
        tokio::spawn(async move {
            if let Err(e) = mailer.send(&to, "Reset your devpath password", &text).await {
                tracing::error!(error = %e, "cannot send the password reset email");
            }
        });
    }
    Ok(message(
        StatusCode::OK,
        viewer.as_ref(),
        "Check your email",
        &format!(
            "If an account exists for {email}, we have sent it a link to choose a new password. The link works once, for one hour."
        ),
        ("/signin", "Back to sign in"),
    ))
}

fn invalid_link(viewer: Option<&CurrentUser>) -> Response {
    message(
        StatusCode::BAD_REQUEST,
        viewer,
        "This link is invalid or has expired",
        "Password reset links work once, for one hour. Request a new one and use the latest email.",
        ("/forgot", "Request a new link"),
    )
}

fn reset_form(status: StatusCode, token: &str, error: Option<String>) -> Response {
    page(
        status,
        ResetTemplate {
            layout: Layout::new(
                "Choose a new password — devpath",
                "Choose a new password.",
                Header::default(),
            ),
            error,
            notice: None,
            token: token.to_string(),
        },
    )
}

fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn reset_page(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !well_formed(&token)
        || state
            .store
            .password_reset_user(&token_hash(&token), state.clock.now())
            .await?
            .is_none()
    {
        return Ok(invalid_link(viewer.as_ref()));
    }
    Ok(reset_form(StatusCode::OK, &token, None))
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
}

async fn reset(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    if !well_formed(&token) {
        return Ok(invalid_link(viewer.as_ref()));
    }
    let hashed_token = token_hash(&token);
    let Some(user_id) = state
        .store
        .password_reset_user(&hashed_token, state.clock.now())
        .await?
    else {
        return Ok(invalid_link(viewer.as_ref()));
    };
    let Some(user) = state.store.user_by_id(user_id).await? else {
        return Ok(invalid_link(viewer.as_ref()));
    };
    let email = Email::parse(&user.email).ok();
    let password = match Password::parse(&form.password, email.as_ref()) {
        Ok(p) => p,
        Err(msg) => {
            return Ok(reset_form(
                StatusCode::UNPROCESSABLE_ENTITY,
                &token,
                Some(msg),
            ))
        }
    };
    let hash = state.hashing.hash_password(&password).await?;
    // Single use, atomically: of two concurrent submissions only one gets here.
    if state
        .store
        .consume_password_reset(&hashed_token, state.clock.now())
        .await?
        != Some(user.id)
    {
        return Ok(invalid_link(viewer.as_ref()));
    }
    state.store.set_password_hash(user.id, &hash).await?;
    let ended = state.store.delete_user_sessions(user.id, None).await?;
    // Not signed in here, so the write middleware cannot know whose cached
    // sessions to drop: every session of the account ends now.
    crate::viewcache::forget_learner(&state, Some(user.id)).await;
    state
        .store
        .clear_login_failures(&limits::account_key(&user.email))
        .await?;
    state
        .store
        .audit(
            Some(user.id),
            Some(user.id),
            "account.password_reset",
            &format!("{ended} session(s) ended"),
        )
        .await?;
    tracing::info!(user_id = user.id, "password reset");
    Ok(see_other_with_cookie(
        "/signin?notice=reset",
        session::clear_cookie(&state),
    ))
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
