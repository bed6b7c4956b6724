//! Learner progress: marking lessons complete, progress bars, "continue
//! where you left off", the dashboard (lessons, time invested, streak) and
//! the per-viewer state the catalog pages render with.
//!
//! Progress is kept whatever happens to the plan: it survives the end of a
//! trial, plan changes and cancellations (only deleting the account removes it).

use crate::access::{self, Access, BillingMode, Reason};
use crate::billing::{self, day_of, now};
use crate::session::CurrentUser;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use devpath_content::{Lesson, Path};
use devpath_store::billing::{BillingState, Completion};
use devpath_store::quizzes::AttemptScore;
use std::collections::HashSet;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/progress/{path}/{lesson}/complete", post(complete))
        .route("/progress/{path}/{lesson}/uncomplete", post(uncomplete))
}

/// What a signed-in viewer's pages depend on.
pub struct Viewer {
    pub user: CurrentUser,
    pub billing: BillingState,
    pub access: Access,
    /// Most recent first.
    pub completions: Vec<Completion>,
    pub done: HashSet<(String, String)>,
}

impl Viewer {
    pub async fn load(state: &AppState, user: CurrentUser) -> Result<Viewer, AppError> {
        let data = match state.cache.viewer(user.id) {
            Some(data) => data,
            None => {
                let billing = state.store.billing_state(user.id).await?;
                let completions = state.store.completions(user.id).await?;
                let data = std::sync::Arc::new((billing, completions));
                state.cache.put_viewer(user.id, data.clone());
                data
            }
        };
        let (billing, completions) = (data.0.clone(), data.1.clone());
        let access = access::access_for(now(), &billing, state.config.billing.mode);
        let done = completions
            .iter()
            .map(|c| (c.path_slug.clone(), c.lesson_slug.clone()))
            .collect();
        Ok(Viewer {
            user,
            billing,
            access,
            completions,
            done,
        })
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

    /// Whether the learner may start the free trial now.
    pub fn can_start_trial(&self, mode: BillingMode) -> bool {
        mode != BillingMode::Open
            && self.billing.trial.is_none()
            && self.billing.subscription.is_none()
            && !self.access.full
    }

    pub fn trial_days_left(&self) -> Option<i64> {
        match self.access.reason {
            Reason::Trial { days_left } => Some(days_left),
            _ => None,
        }
    }
}

/// What a locked lesson shows instead of its body.
pub struct Paywall {
    /// `none`, `stripe` or `open`.
    pub mode: &'static str,
    pub signed_in: bool,
    pub can_trial: bool,
    pub trial_ended: bool,
    pub offer: bool,
    pub annual_offer: String,
    pub annual: String,
}

impl Paywall {
    pub fn new(cfg: &billing::BillingConfig, viewer: Option<&Viewer>, offer: bool) -> Paywall {
        Paywall {
            mode: cfg.mode.as_str(),
            signed_in: viewer.is_some(),
            can_trial: viewer.is_none_or(|v| v.can_start_trial(cfg.mode)),
            trial_ended: viewer.is_some_and(|v| v.billing.trial.is_some() && !v.access.full),
            offer,
            annual_offer: billing::money(cfg.annual_first_year(), &cfg.currency),
            annual: billing::money(cfg.price_annual, &cfg.currency),
        }
    }
}

/// Consecutive days with a completion, ending today or yesterday (so the
/// streak is not lost before the learner has had a chance today).
pub fn streak(days_desc: &[String], today: i64) -> u32 {
    let today_s = day_of(today);
    let yesterday = day_of(today - 86_400);
    let mut expected = match days_desc.first() {
        Some(d) if *d == today_s => today,
        Some(d) if *d == yesterday => today - 86_400,
        _ => return 0,
    };
    let mut n = 0;
    for d in days_desc {
        if *d == day_of(expected) {
            n += 1;
            expected -= 86_400;
        } else {
            break;
        }
    }
    n
}

/// Quiz accuracy of one module: questions right on the learner's latest
/// attempt at each of its quizzes.
struct ModuleAccuracy<'a> {
    title: &'a str,
    right: i64,
    total: i64,
    percent: i64,
}

struct PathSummary<'a> {
    path: &'a Path,
    accuracy: Vec<ModuleAccuracy<'a>>,
    done: usize,
    total: usize,
    percent: usize,
    continue_url: Option<String>,
    continue_title: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardTemplate<'a> {
    layout: crate::layout::Layout,
    paths: Vec<PathSummary<'a>>,
    paths_started: usize,
    lessons_completed: usize,
    minutes: u32,
    hours_text: String,
    streak: u32,
    can_trial: bool,
    days_left: Option<i64>,
    plan_state: String,
    full: bool,
    mode: &'static str,
    /// Back from Stripe Checkout (the webhook may still be on its way).
    checkout_done: bool,
}

/// Per module of `path`, the share of questions answered right on the
/// latest attempt at each quiz; modules with no attempt are left out.
fn module_accuracy<'a>(path: &'a Path, latest: &[AttemptScore]) -> Vec<ModuleAccuracy<'a>> {
    path.modules
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let (right, total) = latest
                .iter()
                .filter(|a| a.path_slug == path.slug)
                .filter(|a| path.lesson(&a.lesson_slug).is_some_and(|l| l.module == i))
                .fold((0, 0), |(r, t), a| (r + a.correct, t + a.total));
            (total > 0).then(|| ModuleAccuracy {
                title: &m.title,
                right,
                total,
                percent: right * 100 / total,
            })
        })
        .collect()
}

pub fn percent(done: usize, total: usize) -> usize {
    (done * 100).checked_div(total).unwrap_or(0)
}

#[derive(serde::Deserialize)]
struct DashboardQuery {
    checkout: Option<String>,
}

async fn dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<DashboardQuery>,
) -> Result<Response, AppError> {
    let viewer = Viewer::load(&state, user).await?;
    let t = now();
    let mut minutes = 0u32;
    let mut lessons_completed = 0usize;
    for c in &viewer.completions {
        if let Some(l) = state
            .catalog
            .path(&c.path_slug)
            .and_then(|p| p.lesson(&c.lesson_slug))
        {
            minutes += l.minutes;
            lessons_completed += 1;
        }
    }
    let latest = state.store.latest_quiz_scores(viewer.user.id).await?;
    let paths: Vec<PathSummary> = state
        .catalog
        .paths
        .iter()
        .map(|p| {
            let done = viewer.done_in(p);
            let next = viewer.continue_lesson(p);
            PathSummary {
                accuracy: module_accuracy(p, &latest),
                path: p,
                done,
                total: p.lessons.len(),
                percent: percent(done, p.lessons.len()),
                continue_url: next.map(|l| crate::pages::lesson_url(p, l)),
                continue_title: next.map(|l| l.title.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let days = state.store.activity_days(viewer.user.id).await?;
    let mode = state.config.billing.mode;
    let page = DashboardTemplate {
        layout: billing::layout(
            &state,
            "Dashboard — devpath",
            "Your progress.",
            Some(&viewer.user),
        ),
        paths_started: paths.iter().filter(|p| p.done > 0).count(),
        paths,
        lessons_completed,
        minutes,
        hours_text: format!("{}h {:02}m", minutes / 60, minutes % 60),
        streak: streak(&days, t),
        can_trial: viewer.can_start_trial(mode),
        days_left: viewer.trial_days_left(),
        plan_state: access::describe(t, &viewer.billing, mode),
        full: viewer.access.full,
        mode: mode.as_str(),
        checkout_done: q.checkout.as_deref() == Some("success"),
    };
    Ok((
        [(axum::http::header::CACHE_CONTROL, "private, no-store")],
        Html(page.render()?),
    )
        .into_response())
}

async fn set_complete(
    state: AppState,
    user: CurrentUser,
    path_slug: String,
    lesson_slug: String,
    done: bool,
) -> Result<Response, AppError> {
    let path = state.catalog.path(&path_slug).ok_or(AppError::NotFound)?;
    let lesson = path.lesson(&lesson_slug).ok_or(AppError::NotFound)?;
    let billing = state.store.billing_state(user.id).await?;
    let a = access::access_for(now(), &billing, state.config.billing.mode);
    if !access::can_read(&a, lesson) {
        return Ok((
            StatusCode::FORBIDDEN,
            "This lesson needs a trial or a plan.",
        )
            .into_response());
    }
    if done {
        let t = now();
        state
            .store
            .complete_lesson(user.id, &path.slug, &lesson.slug, t, &day_of(t))
            .await?;
    } else {
        state
            .store
            .uncomplete_lesson(user.id, &path.slug, &lesson.slug)
            .await?;
    }
    Ok(Redirect::to(&format!(
        "{}#progress",
        crate::pages::lesson_url(path, lesson)
    ))
    .into_response())
}

async fn complete(
    State(state): State<AppState>,
    user: CurrentUser,
    UrlPath((path, lesson)): UrlPath<(String, String)>,
) -> Result<Response, AppError> {
    set_complete(state, user, path, lesson, true).await
}

async fn uncomplete(
    State(state): State<AppState>,
    user: CurrentUser,
    UrlPath((path, lesson)): UrlPath<(String, String)>,
) -> Result<Response, AppError> {
    set_complete(state, user, path, lesson, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streak_counts_consecutive_days() {
        let day = 86_400;
        let today = 100 * day + 5;
        let d = |n: i64| day_of(today - n * day);
        assert_eq!(streak(&[], today), 0);
        assert_eq!(streak(&[d(0), d(1), d(2), d(4)], today), 3);
        assert_eq!(streak(&[d(1), d(2)], today), 2);
        assert_eq!(streak(&[d(2), d(3)], today), 0);
    }
}
