//! Email verification: sign-up mails a single-use link to the new address;
//! `/verify/<token>` shows a button that confirms it (a POST, so a mail
//! scanner that fetches the link confirms nothing); `/verify/resend` mails
//! a new link. An unconfirmed learner reads as usual but sees a banner
//! (drawn by the frame from `Viewer::email_verified`), and password-reset
//! mail goes only to confirmed addresses (see `reset`).

use crate::credentials::{self, token_hash};
use crate::frame::{private_page, viewer_message, Header, Layout};
use crate::session::{CurrentUser, MaybeUser};
use crate::time::DAY;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

/// Confirmation links work for two days.
pub const VERIFY_TTL_SECS: i64 = 2 * DAY;
/// At most this many links per account per hour, sign-up's included
/// (against mail bombing); further requests are told to wait.
pub const MAX_VERIFY_EMAILS_PER_HOUR: i64 = 3;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verify/resend", post(resend))
        .route("/verify/{token}", get(confirm_page).post(confirm))
}

#[derive(Template)]
#[template(path = "auth/verify.html")]
struct VerifyTemplate {
    layout: Layout,
    email: String,
    token: String,
}

fn throttle_key(user_id: i64) -> String {
    format!("verify:{user_id}")
}

/// Stores a new link for `user_id` and mails it to `email` in the
/// background. Counts against the hourly limit.
pub async fn send_link(state: &AppState, user_id: i64, email: &str) -> Result<(), AppError> {
    let now = state.clock.now();
    let token = credentials::random_token();
    state
        .store
        .create_email_verification(&token_hash(&token), user_id, now, now + VERIFY_TTL_SECS)
        .await?;
    state
        .store
        .record_login_failure(&throttle_key(user_id), now)
        .await?;
    let link = format!(
        "{}/verify/{token}",
        state.config.public_url.trim_end_matches('/')
    );
    let text = format!(
        "Hello,\n\nWelcome to devpath. Open this link within two days to confirm that this address is yours:\n\n{link}\n\n\
         Once it is confirmed, we can send you a password reset link if you ever need one.\n\
         If you did not create a devpath account, ignore this email.\n\n\
         -- devpath\n"
    );
    let mailer = state.mailer.clone();
    let to = email.to_string();
    tokio::spawn(async move {
        if let Err(e) = mailer.send(&to, "Confirm your devpath email", &text).await {
            tracing::error!(error = %e, "cannot send the confirmation email");
        }
    });
    Ok(())
}

fn invalid_link(viewer: Option<&CurrentUser>) -> Response {
    let link = match viewer {
        Some(_) => ("/account", "Go to your account"),
        None => ("/signin", "Sign in"),
    };
    viewer_message(
        StatusCode::BAD_REQUEST,
        viewer,
        "This link is invalid or has expired",
        "Confirmation links work once, for two days. Sign in and use \"Send a new link\" at the top of any page, then open the latest email.",
        link,
    )
}

async fn confirm_page(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !credentials::well_formed_token(&token) {
        return Ok(invalid_link(viewer.as_ref()));
    }
    let user_id = state
        .store
        .email_verification_user(&token_hash(&token), state.clock.now())
        .await?;
    let Some(user) = (match user_id {
        Some(id) => state.store.user_by_id(id).await?,
        None => None,
    }) else {
        return Ok(invalid_link(viewer.as_ref()));
    };
    Ok(private_page(
        StatusCode::OK,
        VerifyTemplate {
            layout: Layout::new(
                "Confirm your email — devpath",
                "Confirm your devpath email address.",
                Header::of(viewer.as_ref(), false),
            ),
            email: user.email,
            token,
        },
    ))
}

async fn confirm(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !credentials::well_formed_token(&token) {
        return Ok(invalid_link(viewer.as_ref()));
    }
    // Single use, atomically: of two concurrent confirmations one gets here.
    let Some(user_id) = state
        .store
        .verify_email(&token_hash(&token), state.clock.now())
        .await?
    else {
        return Ok(invalid_link(viewer.as_ref()));
    };
    // The link may be opened signed out or by another account's browser:
    // drop the owner's cached sessions so every page sees the change.
    crate::viewcache::forget_learner(&state, Some(user_id)).await;
    state
        .store
        .clear_login_failures(&throttle_key(user_id))
        .await?;
    state
        .store
        .audit(Some(user_id), Some(user_id), "account.email_verified", "")
        .await?;
    tracing::info!(user_id, "email address confirmed");
    let viewer = viewer.map(|mut v| {
        v.email_verified |= v.id == user_id;
        v
    });
    let link = match viewer {
        Some(_) => ("/dashboard", "Go to your dashboard"),
        None => ("/signin", "Sign in"),
    };
    Ok(viewer_message(
        StatusCode::OK,
        viewer.as_ref(),
        "Your email is confirmed",
        "Thank you. If you ever forget your password, we can now send a reset link to this address.",
        link,
    ))
}

async fn resend(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    if user.email_verified {
        return Ok(viewer_message(
            StatusCode::OK,
            Some(&user),
            "Your email is already confirmed",
            "There is nothing more to do.",
            ("/account", "Go to your account"),
        ));
    }
    let now = state.clock.now();
    let (sent, oldest) = state
        .store
        .login_failures(&throttle_key(user.id), now - 3600)
        .await?;
    if sent >= MAX_VERIFY_EMAILS_PER_HOUR {
        let wait_secs = oldest.map_or(3600, |t| (t + 3600 - now).max(1));
        let res = viewer_message(
            StatusCode::TOO_MANY_REQUESTS,
            Some(&user),
            "Please check your inbox",
            &format!(
                "We have sent {sent} confirmation links in the last hour, and the latest one works. You can ask for another in {}.",
                crate::limits::minutes(wait_secs)
            ),
            ("/account", "Go to your account"),
        );
        return Ok(crate::limits::with_retry_after(res, wait_secs));
    }
    send_link(&state, user.id, &user.email).await?;
    Ok(viewer_message(
        StatusCode::OK,
        Some(&user),
        "Check your email",
        &format!(
            "We have sent a new confirmation link to {}. It works once, for two days.",
            user.email
        ),
        ("/dashboard", "Go to your dashboard"),
    ))
}
