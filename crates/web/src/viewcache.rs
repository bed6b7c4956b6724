//! A short-lived, in-process cache of what a signed-in page needs from the
//! database: the session's user, and the user's billing state and
//! completions. Without it a signed-in page costs five queries.
//!
//! Staleness is bounded two ways. A request that changes a learner's state
//! drops that learner's entries, and only theirs, on the server that
//! handled it: the signed-in learner's own writes (sign-out, progress,
//! trial, password, notes...) through [`invalidate_on_write`], and changes
//! to someone else (a webhook, an administrator's grant, a password reset by
//! email) by the handler that makes them. A lab run changes no one's state
//! and drops nothing. Each such drop is also announced to the other app
//! servers sharing the database ([`forget_learner`]; `NOTIFY` on
//! PostgreSQL), which drop theirs at once ([`follow_other_servers`]); should
//! an announcement be missed (the listening connection broke), an entry is
//! still at most `ttl` old (one second by default; `0` turns the cache off).

use crate::session::{CurrentUser, MaybeUser};
use crate::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use devpath_store::billing::BillingState;
use devpath_store::progress::Completion;
use devpath_store::Change;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries kept at most per map; past that the map is emptied (forged or
/// rotating cookies cannot grow memory without bound).
const MAX_ENTRIES: usize = 50_000;

pub type ViewerData = Arc<(BillingState, Vec<Completion>)>;

struct Map<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Map<K, V> {
    fn new() -> Self {
        Map {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, k: &K, ttl: Duration) -> Option<V> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(k)
            .filter(|(at, _)| at.elapsed() < ttl)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, k: K, v: V) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(k, (Instant::now(), v));
    }

    fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn retain(&self, keep: impl Fn(&K, &V) -> bool) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|k, (_, v)| keep(k, v));
    }
}

pub struct ViewCache {
    ttl: Duration,
    sessions: Map<String, CurrentUser>,
    viewers: Map<i64, ViewerData>,
}

impl ViewCache {
    pub fn new(ttl: Duration) -> ViewCache {
        ViewCache {
            ttl,
            sessions: Map::new(),
            viewers: Map::new(),
        }
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    pub fn session(&self, id: &str) -> Option<CurrentUser> {
        self.enabled()
            .then(|| self.sessions.get(&id.to_string(), self.ttl))
            .flatten()
    }

    pub fn put_session(&self, id: &str, user: &CurrentUser) {
        if self.enabled() {
            self.sessions.put(id.to_string(), user.clone());
        }
    }

    pub fn viewer(&self, user_id: i64) -> Option<ViewerData> {
        self.enabled()
            .then(|| self.viewers.get(&user_id, self.ttl))
            .flatten()
    }

    pub fn put_viewer(&self, user_id: i64, data: ViewerData) {
        if self.enabled() {
            self.viewers.put(user_id, data);
        }
    }

    /// Drops everything cached about one learner: their billing state and
    /// completions, and every session of theirs.
    pub fn forget_learner(&self, user_id: i64) {
        self.viewers.retain(|id, _| *id != user_id);
        self.sessions.retain(|_, u| u.id != user_id);
    }

    /// Drops every learner's billing state and completions (sessions stay).
    pub fn forget_all_learners(&self) {
        self.viewers.clear();
    }

    /// Drops everything: sessions too.
    pub fn forget_everything(&self) {
        self.viewers.clear();
        self.sessions.clear();
    }
}

/// Drops what this server cached about a learner, and tells the other app
/// servers to do the same (`None`: about every learner).
pub async fn forget_learner(state: &AppState, user_id: Option<i64>) {
    let change = match user_id {
        Some(id) => {
            state.cache.forget_learner(id);
            Change::Learner(id)
        }
        None => {
            state.cache.forget_all_learners();
            Change::Everyone
        }
    };
    // Not fatal: the other servers' entries expire after `ttl` anyway.
    if let Err(e) = state.store.announce(change).await {
        tracing::warn!(error = %e, "cannot tell the other servers about a change");
    }
}

/// Applies the other servers' announcements to this server's cache, for as
/// long as the server runs. Returns at once where the database has no
/// announcements (SQLite: one server) or the cache is off.
pub async fn follow_other_servers(state: AppState) {
    if !state.cache.enabled() {
        return;
    }
    let mut feed = loop {
        match state.store.follow().await {
            Ok(Some(feed)) => break feed,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for other servers' changes; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    loop {
        match feed.next().await {
            Change::Learner(id) => state.cache.forget_learner(id),
            Change::Everyone => state.cache.forget_all_learners(),
            Change::Lost => state.cache.forget_everything(),
        }
    }
}

/// Requests that change no learner's state: a lab run is a pure function
/// of its description.
fn changes_no_one(path: &str) -> bool {
    path.starts_with("/api/labs/")
}

/// Middleware: a state-changing request from a signed-in learner drops
/// that learner's entries before and after it runs (after, so a read racing
/// the write cannot leave stale data behind). The session is resolved once
/// and kept in the request for the handler.
pub async fn invalidate_on_write(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && !changes_no_one(req.uri().path());
    if !writes {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let user = match MaybeUser::from_request_parts(&mut parts, &state).await {
        Ok(MaybeUser(user)) => user.map(|u| u.id),
        Err(res) => return res,
    };
    if let Some(id) = user {
        state.cache.forget_learner(id);
    }
    let res = next.run(Request::from_parts(parts, body)).await;
    if let Some(id) = user {
        forget_learner(&state, Some(id)).await;
    }
    res
}
