//! One error type for handlers, turned into a response in one place.

use crate::cached::Cached;
use crate::frame::{message, Header, Layout, BROKEN_PAGE};
use askama::Template;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::sync::OnceLock;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The request is understood but not allowed (e.g. a locked lesson).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request is malformed; the message says what to change.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error(transparent)]
    Store(#[from] devpath_store::StoreError),
    #[error("configuration: {0}")]
    Config(String),
    /// Too much password hashing at once; the client should retry shortly.
    #[error("busy")]
    Busy,
}

impl From<crate::credentials::Busy> for AppError {
    fn from(_: crate::credentials::Busy) -> AppError {
        AppError::Busy
    }
}

/// Seconds a client is asked to wait after a storage fault.
pub const RETRY_AFTER_SECS: &str = "30";

#[derive(Template)]
#[template(path = "unavailable.html")]
struct UnavailableTemplate {
    layout: Layout,
}

/// The 503 page: rendered once, so it needs neither the database nor the disk.
fn unavailable_page() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        UnavailableTemplate {
            layout: Layout::new(
                "Temporarily unavailable — devpath",
                "Storage is failing; please try again shortly.",
                Header::default(),
            ),
        }
        .render()
        .unwrap_or_else(|_| "<h1>Temporarily unavailable</h1>".into())
    })
}

/// 503 with `Retry-After` and the friendly page.
pub fn unavailable_response() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, RETRY_AFTER_SECS),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Html(unavailable_page()),
    )
        .into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => not_found_response(),
            AppError::Forbidden(m) => refused(StatusCode::FORBIDDEN, "Not available", &m),
            AppError::BadRequest(m) => refused(
                StatusCode::BAD_REQUEST,
                "That request could not be used",
                &m,
            ),
            AppError::Busy => {
                let mut res = refused(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Busy for a moment",
                    "Many people are signing in at once. Please try again in a few seconds.",
                );
                res.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("2"));
                res
            }
            AppError::Store(e) if e.is_unavailable() => {
                // The cause (e.g. "database or disk is full") is in `e`.
                tracing::error!(error = %e, "storage unavailable, answering 503");
                unavailable_response()
            }
            other => {
                tracing::error!(error = %other, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, Html(BROKEN_PAGE)).into_response()
            }
        }
    }
}

/// A short page for a refused request, with a way back. Errors carry no
/// learner context, so the header shows no one signed in.
fn refused(status: StatusCode, heading: &str, text: &str) -> Response {
    message(
        Header::default(),
        status,
        heading,
        text,
        ("/", "Back to the paths"),
    )
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundTemplate {
    layout: Layout,
}

/// The 404 page, rendered once.
fn not_found_page() -> &'static Cached {
    static NOT_FOUND: OnceLock<Cached> = OnceLock::new();
    NOT_FOUND.get_or_init(|| {
        let html = NotFoundTemplate {
            layout: Layout::new(
                "Page not found",
                "This page does not exist.",
                Header::default(),
            ),
        }
        .render()
        .unwrap_or_else(|_| "<h1>Page not found</h1>".into());
        Cached::new(html, "text/html; charset=utf-8", "no-store")
    })
}

pub fn not_found_response() -> Response {
    not_found_page().respond(&HeaderMap::new(), StatusCode::NOT_FOUND)
}

/// The router's fallback: every unknown URL.
pub async fn not_found(headers: HeaderMap) -> Response {
    not_found_page().respond(&headers, StatusCode::NOT_FOUND)
}
