//! Learner progress: marking lessons complete, progress bars, "continue
//! where you left off", the dashboard (lessons, time invested, streak) and
//! the per-viewer state the catalog pages render with.
//!
//! Progress is kept whatever happens to the plan: it survives the end of a
//! trial, plan changes and cancellations (only deleting the account removes it).

use crate::entitlements::BillingMode;
use crate::learner::SignedIn;
use crate::time::{day_of, DAY};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use devpath_content::Path;
use devpath_store::quizzes::AttemptScore;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/progress/{path}/{lesson}/complete", post(complete))
        .route("/progress/{path}/{lesson}/uncomplete", post(uncomplete))
}

/// Consecutive days with a completion, ending today or yesterday (so the
/// streak is not lost before the learner has had a chance today).
pub fn streak(days_desc: &[String], today: i64) -> u32 {
    let today_s = day_of(today);
    let yesterday = day_of(today - DAY);
    let mut expected = match days_desc.first() {
        Some(d) if *d == today_s => today,
        Some(d) if *d == yesterday => today - DAY,
        _ => return 0,
    };
    let mut n = 0;
    for d in days_desc {
        if *d == day_of(expected) {
            n += 1;
            expected -= DAY;
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
    layout: crate::frame::Layout,
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
    mode: BillingMode,
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
    viewer: SignedIn,
    axum::extract::Query(q): axum::extract::Query<DashboardQuery>,
) -> Result<Response, AppError> {
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
                continue_url: next.map(|l| crate::links::lesson_url(p, l)),
                continue_title: next.map(|l| l.title.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let days = state.store.activity_days(viewer.user.id).await?;
    let page = DashboardTemplate {
        layout: viewer.layout("Dashboard — devpath", "Your progress."),
        paths_started: paths.iter().filter(|p| p.done > 0).count(),
        paths,
        lessons_completed,
        minutes,
        hours_text: format!("{}h {:02}m", minutes / 60, minutes % 60),
        streak: streak(&days, viewer.now),
        can_trial: viewer.ent.can_start_trial,
        days_left: viewer.ent.trial_days_left(),
        plan_state: viewer.plan_state(),
        full: viewer.ent.full,
        mode: viewer.ent.mode,
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
    learner: SignedIn,
    path_slug: String,
    lesson_slug: String,
    done: bool,
) -> Result<Response, AppError> {
    let path = state.catalog.path(&path_slug).ok_or(AppError::NotFound)?;
    let lesson = path.lesson(&lesson_slug).ok_or(AppError::NotFound)?;
    if !learner.can_read(lesson) {
        return Err(AppError::Forbidden(
            "This lesson needs a trial or a plan.".into(),
        ));
    }
    let user = &learner.user;
    if done {
        let t = learner.now;
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
        crate::links::lesson_url(path, lesson)
    ))
    .into_response())
}

async fn complete(
    State(state): State<AppState>,
    learner: SignedIn,
    UrlPath((path, lesson)): UrlPath<(String, String)>,
) -> Result<Response, AppError> {
    set_complete(state, learner, path, lesson, true).await
}

async fn uncomplete(
    State(state): State<AppState>,
    learner: SignedIn,
    UrlPath((path, lesson)): UrlPath<(String, String)>,
) -> Result<Response, AppError> {
    set_complete(state, learner, path, lesson, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streak_counts_consecutive_days() {
        let day = DAY;
        let today = 100 * day + 5;
        let d = |n: i64| day_of(today - n * day);
        assert_eq!(streak(&[], today), 0);
        assert_eq!(streak(&[d(0), d(1), d(2), d(4)], today), 3);
        assert_eq!(streak(&[d(1), d(2)], today), 2);
        assert_eq!(streak(&[d(2), d(3)], today), 0);
    }
}
