//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the
//! database accepts a write too), for load balancers and orchestrators.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let lessons = state.catalog.lesson_count();
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(
                json!({ "status": "ready", "database": state.store.engine(), "lessons": lessons }),
            ),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            let error = if e.is_unavailable() {
                "database unreachable or not accepting writes"
            } else {
                "database error"
            };
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "status": "unavailable", "database": state.store.engine(), "error": error }),
                ),
            )
        }
    }
}
