//! `/admin`: learners with their plan state, and granting or revoking full
//! access. Only administrators; anyone else gets a 404. Every change is
//! written to the audit log.

use crate::entitlements::{BillingMode, Entitlements};
use crate::learner::SignedIn;
use crate::session::CurrentUser;
use crate::time::day_of;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_page))
        .route("/admin/users/{id}/grant", post(grant))
        .route("/admin/users/{id}/revoke", post(revoke))
}

struct Row {
    id: i64,
    email: String,
    joined: String,
    is_admin: bool,
    plan: String,
    granted: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminTemplate {
    layout: crate::frame::Layout,
    rows: Vec<Row>,
    total: i64,
    q: String,
    mode: BillingMode,
}

#[derive(Deserialize)]
struct AdminQuery {
    q: Option<String>,
}

fn require_admin(user: &CurrentUser) -> Result<(), AppError> {
    if user.is_admin {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn admin_page(
    State(state): State<AppState>,
    admin: SignedIn,
    Query(query): Query<AdminQuery>,
) -> Result<Response, AppError> {
    require_admin(&admin.user)?;
    let q = query.q.unwrap_or_default();
    let search = Some(q.trim()).filter(|s| !s.is_empty());
    let users = state.store.list_users(search, 200, 0).await?;
    let total = state.store.count_users().await?;
    let cfg = &state.config.billing;
    let mode = cfg.mode;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let mut billing = state.store.billing_states(&ids).await?;
    let mut rows = Vec::with_capacity(users.len());
    for u in users {
        let b = billing.remove(&u.id).unwrap_or_default();
        rows.push(Row {
            id: u.id,
            email: u.email,
            joined: day_of(u.created_at),
            is_admin: u.is_admin,
            plan: Entitlements::learner(admin.now, &b, mode, cfg.offer_window()).describe(&b),
            granted: b.grant.is_some(),
        });
    }
    let page = AdminTemplate {
        layout: admin.layout("Admin — devpath", "Learners and access."),
        rows,
        total,
        q,
        mode,
    };
    Ok((
        [(header::CACHE_CONTROL, "private, no-store")],
        Html(page.render()?),
    )
        .into_response())
}

async fn grant(
    State(state): State<AppState>,
    user: CurrentUser,
    UrlPath(id): UrlPath<i64>,
) -> Result<Response, AppError> {
    change_access(&state, &user, id, true).await
}

async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    UrlPath(id): UrlPath<i64>,
) -> Result<Response, AppError> {
    change_access(&state, &user, id, false).await
}

/// Grants or revokes a learner's access, recording the change in the audit
/// log when it changed anything.
async fn change_access(
    state: &AppState,
    admin: &CurrentUser,
    id: i64,
    grant: bool,
) -> Result<Response, AppError> {
    require_admin(admin)?;
    let target = state
        .store
        .user_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (changed, action) = if grant {
        (
            state
                .store
                .grant_access(target.id, admin.id, state.clock.now())
                .await?,
            "access.grant",
        )
    } else {
        (
            state
                .store
                .revoke_access(target.id, state.clock.now())
                .await?,
            "access.revoke",
        )
    };
    if changed {
        crate::viewcache::forget_learner(state, Some(target.id)).await;
        state
            .store
            .audit(Some(admin.id), Some(target.id), action, &target.email)
            .await?;
    }
    Ok(Redirect::to("/admin").into_response())
}
