//! Sessions: a random 256-bit token in an HttpOnly cookie; the database keeps
//! only its SHA-256, so a leaked database holds no usable cookies.
//!
//! Handlers ask for [`CurrentUser`] (signed in, or a redirect to the sign-in
//! page for GET and 401 otherwise) or [`MaybeUser`] (never rejects).
//!
//! Expiry: a session ends after [`IDLE_SECS`] without use and, regardless of
//! use, [`ABSOLUTE_SECS`] after sign-in. Use is recorded at most once per
//! [`TOUCH_EVERY_SECS`], so reading pages does not write on every request.

use crate::credentials::{random_token, token_hash, well_formed_token};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

pub const COOKIE: &str = "devpath_session";
/// Idle timeout: 7 days.
pub const IDLE_SECS: i64 = 7 * 24 * 3600;
/// Absolute lifetime: 30 days.
pub const ABSOLUTE_SECS: i64 = 30 * 24 * 3600;
/// Record activity at most once a minute per session.
pub const TOUCH_EVERY_SECS: i64 = 60;

/// The signed-in user of this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub is_admin: bool,
    /// Whether the address was confirmed through a link sent to it.
    pub email_verified: bool,
    /// The stored session id (the hash of the cookie token), e.g. to end the
    /// user's other sessions but keep this one.
    pub session_id: String,
}

/// The signed-in user, if any. Never rejects.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

/// Cached in the request extensions so several extractors query once.
#[derive(Clone)]
struct Resolved(Option<CurrentUser>);

/// The raw session token from the request's cookies.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| well_formed_token(v))
}

/// A 303 to `to` that also sets (or clears) the session cookie.
pub fn see_other_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<CurrentUser>, Response> {
    if let Some(Resolved(u)) = parts.extensions.get::<Resolved>() {
        return Ok(u.clone());
    }
    let user = match token_from(&parts.headers) {
        None => None,
        Some(token) => {
            let id = token_hash(&token);
            if let Some(user) = state.cache.session(&id) {
                parts.extensions.insert(Resolved(Some(user.clone())));
                return Ok(Some(user));
            }
            let found = state.store.session_with_user(&id).await.map_err(|e| {
                tracing::error!(error = %e, "session lookup failed");
                crate::AppError::from(e).into_response()
            })?;
            let now = state.clock.now();
            match found {
                Some((s, u)) if s.expires_at > now && s.last_seen_at + IDLE_SECS > now => {
                    if now - s.last_seen_at >= TOUCH_EVERY_SECS {
                        if let Err(e) = state.store.touch_session(&id, now).await {
                            tracing::warn!(error = %e, "cannot record session activity");
                        }
                    }
                    let user = CurrentUser {
                        id: u.id,
                        email: u.email,
                        is_admin: u.is_admin,
                        email_verified: u.email_verified_at.is_some(),
                        session_id: id.clone(),
                    };
                    state.cache.put_session(&id, &user);
                    Some(user)
                }
                Some(_) => {
                    // Expired: remove it now rather than wait for housekeeping.
                    let _ = state.store.delete_session(&id).await;
                    None
                }
                None => None,
            }
        }
    };
    parts.extensions.insert(Resolved(user.clone()));
    Ok(user)
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        Ok(MaybeUser(resolve(parts, state).await?))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match resolve(parts, state).await? {
            Some(u) => Ok(u),
            None if parts.method == Method::GET || parts.method == Method::HEAD => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                Err(Redirect::to(&format!("/signin?next={}", url_encode(next))).into_response())
            }
            None => Err((
                StatusCode::UNAUTHORIZED,
                [(header::CACHE_CONTROL, "no-store")],
                "Please sign in first.",
            )
                .into_response()),
        }
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Starts a session for `user_id`: ends the browser's previous session (if
/// any; a new id on every sign-in defeats session fixation), stores the new
/// one and returns the `Set-Cookie` value.
pub async fn start(
    state: &AppState,
    request_headers: &HeaderMap,
    user_id: i64,
) -> Result<HeaderValue, crate::AppError> {
    if let Some(old) = token_from(request_headers) {
        state.store.delete_session(&token_hash(&old)).await?;
    }
    let token = random_token();
    let now = state.clock.now();
    let user_agent = request_headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect::<String>());
    state
        .store
        .create_session(
            &token_hash(&token),
            user_id,
            now,
            now + ABSOLUTE_SECS,
            user_agent.as_deref(),
        )
        .await?;
    // Opportunistic housekeeping, about once per 50 sign-ins.
    if token.as_bytes()[0] == b'0' && token.as_bytes()[1] < b'4' {
        let _ = state
            .store
            .delete_expired_sessions(now, now - IDLE_SECS)
            .await;
        let _ = state.store.prune_login_attempts(now - 24 * 3600).await;
    }
    Ok(cookie(state, &token, ABSOLUTE_SECS))
}

/// Ends the request's session (if any) and returns the `Set-Cookie` value
/// that removes the cookie.
pub async fn end(state: &AppState, request_headers: &HeaderMap) -> HeaderValue {
    if let Some(token) = token_from(request_headers) {
        if let Err(e) = state.store.delete_session(&token_hash(&token)).await {
            tracing::warn!(error = %e, "cannot delete session");
        }
    }
    clear_cookie(state)
}

fn secure(state: &AppState) -> &'static str {
    if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

fn cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        secure(state)
    ))
    .expect("hex token is a valid header value")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}",
        secure(state)
    ))
    .expect("valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_well_formed_tokens() {
        let t = "a".repeat(64);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("theme=dark; {COOKIE}={t}")).unwrap(),
        );
        assert_eq!(token_from(&h), Some(t));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("devpath_session=garbage"),
        );
        assert_eq!(token_from(&h), None);
    }

    #[test]
    fn encodes_next() {
        assert_eq!(url_encode("/a b?x=1&y"), "/a%20b%3Fx%3D1%26y");
    }
}
