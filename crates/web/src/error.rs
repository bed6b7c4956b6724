//! One error type for handlers, turned into a response in one place.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

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
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => crate::pages::not_found_response(),
            AppError::Forbidden(m) => message(StatusCode::FORBIDDEN, "Not available", &m),
            AppError::BadRequest(m) => message(
                StatusCode::BAD_REQUEST,
                "That request could not be used",
                &m,
            ),
            other => {
                tracing::error!(error = %other, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<!doctype html><title>Error</title><h1>Something went wrong</h1><p>The error has been logged. Please try again.</p>"),
                )
                    .into_response()
            }
        }
    }
}

/// A short page for a refused request, with a way back.
fn message(status: StatusCode, heading: &str, text: &str) -> Response {
    use askama::Template;
    let page = crate::billing::MessageTemplate {
        layout: crate::layout::Layout::new(format!("{heading} — devpath"), heading),
        heading: heading.into(),
        message: text.into(),
        link: "/".into(),
        link_text: "Back to the paths".into(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, text.to_string()).into_response(),
    }
}
