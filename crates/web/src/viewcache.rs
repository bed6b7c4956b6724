//! A short-lived, in-process cache of what a signed-in page needs from the
//! database: the session's user, and the user's billing state and
//! completions. Without it a signed-in page costs five queries.
//!
//! Staleness is bounded two ways. Every state-changing request (any POST,
//! PUT, PATCH or DELETE: sign-out, progress, trial, webhook, admin grant...)
//! empties the cache on the server that handled it, so a learner always sees
//! their own changes at once. Changes made through another app server (when
//! several share PostgreSQL) are seen once an entry is `ttl` old (one second
//! by default; `0` turns the cache off).

use crate::session::CurrentUser;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use devpath_store::billing::{BillingState, Completion};
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

    pub fn clear(&self) {
        self.sessions.clear();
        self.viewers.clear();
    }
}

/// Middleware: a state-changing request empties the cache before and after
/// it runs (after, so a read racing the write cannot leave stale data behind).
pub async fn invalidate_on_write(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes {
        state.cache.clear();
    }
    let res = next.run(req).await;
    if writes {
        state.cache.clear();
    }
    res
}
