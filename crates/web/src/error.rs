//! One error type for handlers, turned into a response in one place.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
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
