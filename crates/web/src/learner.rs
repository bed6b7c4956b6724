//! The per-request learner context: who is reading (if anyone), what they
//! may read, what they have completed, and the page frame that follows from
//! it. Loaded once per request through the short-lived session cache
//! (viewcache.rs); every page handler takes a [`Learner`] (anyone) or a
//! [`SignedIn`] (redirected to sign in otherwise).

use crate::entitlements::Entitlements;
use crate::frame::{Header, Layout};
use crate::session::{CurrentUser, MaybeUser};
use crate::{AppError, AppState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use devpath_content::{Lesson, Path};
use devpath_store::billing::BillingState;
use devpath_store::progress::Completion;
use std::collections::HashSet;
use std::sync::Arc;

/// Anyone reading a page: a visitor or a signed-in learner.
pub struct Learner {
    pub user: Option<CurrentUser>,
    /// The request's time, from the app's clock.
    pub now: i64,
    /// Empty for visitors.
    pub billing: BillingState,
    pub ent: Entitlements,
    /// Most recent first; empty for visitors.
    pub completions: Vec<Completion>,
    done: HashSet<(String, String)>,
}

/// A signed-in learner: the extractor redirects a GET to the sign-in page
/// and answers 401 to anything else.
pub struct SignedIn {
    pub user: CurrentUser,
    pub learner: Learner,
}

impl std::ops::Deref for SignedIn {
    type Target = Learner;

    fn deref(&self) -> &Learner {
        &self.learner
    }
}

impl Learner {
    /// A visitor with these entitlements (also how the anonymous pages are
    /// rendered at start-up).
    pub fn visitor(now: i64, ent: Entitlements) -> Learner {
        Learner {
            user: None,
            now,
            billing: BillingState::default(),
            ent,
            completions: Vec::new(),
            done: HashSet::new(),
        }
    }

    /// The context of `user` (or of a visitor), reading the billing state
    /// and completions through the session cache.
    pub async fn load(state: &AppState, user: Option<CurrentUser>) -> Result<Learner, AppError> {
        let now = state.clock.now();
        let cfg = &state.config.billing;
        let Some(user) = user else {
            return Ok(Learner::visitor(
                now,
                Entitlements::visitor(now, cfg.mode, cfg.offer_window()),
            ));
        };
        let data = match state.cache.viewer(user.id) {
            Some(data) => data,
            None => {
                let billing = state.store.billing_state(user.id).await?;
                let completions = state.store.completions(user.id).await?;
                let data = Arc::new((billing, completions));
                state.cache.put_viewer(user.id, data.clone());
                data
            }
        };
        let (billing, completions) = (data.0.clone(), data.1.clone());
        let ent = Entitlements::learner(now, &billing, cfg.mode, cfg.offer_window());
        let done = completions
            .iter()
            .map(|c| (c.path_slug.clone(), c.lesson_slug.clone()))
            .collect();
        Ok(Learner {
            user: Some(user),
            now,
            billing,
            ent,
            completions,
            done,
        })
    }

    /// The banner and header this learner's pages show.
    pub fn header(&self) -> Header {
        Header::of(self.user.as_ref(), self.ent.offer)
    }

    /// A page frame for this learner.
    pub fn layout(&self, title: impl Into<String>, description: impl Into<String>) -> Layout {
        Layout::new(title, description, self.header())
    }

    /// A short message page for this learner.
    pub fn message(
        &self,
        status: axum::http::StatusCode,
        heading: &str,
        text: &str,
        link: (&str, &str),
    ) -> Response {
        crate::frame::message(self.header(), status, heading, text, link)
    }

    pub fn can_read(&self, lesson: &Lesson) -> bool {
        self.ent.can_read(lesson)
    }

    pub fn is_done(&self, path: &str, lesson: &str) -> bool {
        self.done.contains(&(path.to_string(), lesson.to_string()))
    }

    pub fn done_in(&self, path: &Path) -> usize {
        path.lessons
            .iter()
            .filter(|l| self.is_done(&path.slug, &l.slug))
            .count()
    }

    /// The next unfinished lesson after the most recently completed one in
    /// `path` (wrapping to the start); the first lesson when nothing is
    /// done yet; `None` when everything is.
    pub fn continue_lesson<'a>(&self, path: &'a Path) -> Option<&'a Lesson> {
        let start = self
            .completions
            .iter()
            .find(|c| c.path_slug == path.slug)
            .and_then(|c| path.lessons.iter().position(|l| l.slug == c.lesson_slug))
            .map_or(0, |i| i + 1);
        let n = path.lessons.len();
        (0..n)
            .map(|k| &path.lessons[(start + k) % n])
            .find(|l| !self.is_done(&path.slug, &l.slug))
    }

    /// The plan state in words.
    pub fn plan_state(&self) -> String {
        self.ent.describe(&self.billing)
    }
}

impl FromRequestParts<AppState> for Learner {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        Learner::load(state, user)
            .await
            .map_err(IntoResponse::into_response)
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let learner = Learner::load(state, Some(user.clone()))
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(SignedIn { user, learner })
    }
}
