//! The account page: email, member since, change password, delete account.
//! The plan (trial / subscription) section is marked in `account.html` and
//! in [`AccountTemplate`].

use crate::frame::{private_page, Layout};
use crate::learner::SignedIn;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/account", get(account_page))
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountTemplate {
    pub layout: Layout,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub email: String,
    /// When the address was confirmed, as a date; `None` until then.
    pub email_confirmed: Option<String>,
    pub member_since: String,
    pub is_admin: bool,
    /// The rendered plan section (billing::account_plan_html).
    pub plan_html: String,
}

#[derive(Deserialize)]
struct AccountQuery {
    notice: Option<String>,
}

async fn account_page(
    State(state): State<AppState>,
    learner: SignedIn,
    Query(q): Query<AccountQuery>,
) -> Result<Response, AppError> {
    // Only fixed messages, chosen by key: nothing from the URL is reflected.
    let notice = match q.notice.as_deref() {
        Some("password") => Some(
            "Your password has been changed. Your other devices have been signed out.".to_string(),
        ),
        _ => None,
    };
    render(&state, &learner, StatusCode::OK, None, notice).await
}

/// The account page with an optional error (e.g. a wrong password in the
/// delete form) or notice.
pub async fn render(
    state: &AppState,
    learner: &SignedIn,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let record = state
        .store
        .user_by_id(learner.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(private_page(
        status,
        AccountTemplate {
            layout: learner.layout("Your account — devpath", "Your devpath account."),
            error,
            notice,
            email: record.email,
            email_confirmed: record.email_verified_at.map(crate::time::long_date),
            member_since: crate::time::long_date(record.created_at),
            is_admin: record.is_admin,
            plan_html: crate::billing::account_plan_html(state, learner)?,
        },
    ))
}
