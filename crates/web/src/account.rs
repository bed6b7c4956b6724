//! The account page: email, member since, change password, delete account.
//! The plan (trial / subscription) section is marked in `account.html` and
//! in [`AccountTemplate`].

use crate::auth::page;
use crate::layout::Layout;
use crate::session::CurrentUser;
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
    user: CurrentUser,
    Query(q): Query<AccountQuery>,
) -> Result<Response, AppError> {
    // Only fixed messages, chosen by key: nothing from the URL is reflected.
    let notice = match q.notice.as_deref() {
        Some("password") => Some(
            "Your password has been changed. Your other devices have been signed out.".to_string(),
        ),
        _ => None,
    };
    render(&state, &user, StatusCode::OK, None, notice).await
}

/// The account page with an optional error (e.g. a wrong password in the
/// delete form) or notice.
pub async fn render(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let record = state
        .store
        .user_by_id(user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(page(
        status,
        AccountTemplate {
            layout: Layout::signed_in("Your account — devpath", "Your devpath account.", user),
            error,
            notice,
            email: record.email,
            member_since: format_date(record.created_at),
            is_admin: record.is_admin,
            plan_html: crate::billing::account_plan_html(state, user.id).await?,
        },
    ))
}

/// `27 November 2026` (UTC) from unix seconds.
pub fn format_date(unix: i64) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    // Howard Hinnant's days-to-civil algorithm.
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{day} {} {year}", MONTHS[(month - 1) as usize])
}

#[cfg(test)]
mod tests {
    use super::format_date;

    #[test]
    fn dates() {
        assert_eq!(format_date(0), "1 January 1970");
        assert_eq!(format_date(1_795_737_600 + 86_399), "27 November 2026");
        assert_eq!(format_date(951_782_400), "29 February 2000");
    }
}
