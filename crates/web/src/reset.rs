//! Password reset by email: `/forgot` sends a single-use link valid for one
//! hour, `/reset/<token>` sets a new password and ends every session.
//!
//! `/forgot` answers the same whether or not the account exists and whether
//! or not its address is confirmed, and sends the email in the background,
//! so neither the words nor the timing tell. Mail goes only to confirmed
//! addresses: a link sent to an address nobody proved is theirs would hand
//! the account to whoever typed it at sign-up.

use crate::credentials::{self, token_hash, Email, Password};
use crate::frame::{private_page, viewer_message, Header, Layout};
use crate::limits::{self, ClientIp, PerAddress};
use crate::session::{self, CurrentUser, MaybeUser};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

/// Reset links work for one hour.
pub const RESET_TTL_SECS: i64 = 3600;
/// At most this many reset emails per account per hour (against mail bombing);
/// further requests get the same answer but send nothing.
pub const MAX_RESET_EMAILS_PER_HOUR: i64 = 3;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/forgot", get(forgot_page).post(forgot))
        .route("/reset/{token}", get(reset_page).post(reset))
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

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

fn forgot_form(status: StatusCode, error: Option<String>, email: &str) -> Response {
    private_page(
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
        Some(u) if u.email_verified_at.is_none() => {
            tracing::info!(
                user_id = u.id,
                "password reset asked for an unconfirmed address: nothing sent"
            );
            None
        }
        Some(u)
            if state
                .store
                .login_failures(&throttle_key, now - 3600)
                .await?
                .0
                >= MAX_RESET_EMAILS_PER_HOUR =>
        {
            tracing::warn!(user_id = u.id, "password reset emails throttled");
            None
        }
        found => found,
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
    Ok(viewer_message(
        StatusCode::OK,
        viewer.as_ref(),
        "Check your email",
        &format!(
            "If an account with a confirmed address exists for {email}, we have sent it a link to choose a new password. The link works once, for one hour."
        ),
        ("/signin", "Back to sign in"),
    ))
}

fn invalid_link(viewer: Option<&CurrentUser>) -> Response {
    viewer_message(
        StatusCode::BAD_REQUEST,
        viewer,
        "This link is invalid or has expired",
        "Password reset links work once, for one hour. Request a new one and use the latest email.",
        ("/forgot", "Request a new link"),
    )
}

fn reset_form(status: StatusCode, token: &str, error: Option<String>) -> Response {
    private_page(
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

async fn reset_page(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !credentials::well_formed_token(&token)
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
    if !credentials::well_formed_token(&token) {
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
    let password = match Password::for_account(&form.password, &user.email) {
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
    Ok(session::see_other_with_cookie(
        "/signin?notice=reset",
        session::clear_cookie(&state),
    ))
}
