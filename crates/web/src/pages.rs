//! Catalog pages: home, path, lesson and 404. Anonymous pages are rendered
//! once at start-up and served from memory.

use crate::cached::Cached;
use crate::entitlements::{BillingMode, Entitlements, PathCard};
use crate::frame::Layout;
use crate::learner::Learner;
use crate::links::lesson_url;
use crate::money::money;
use crate::quiz::QuizView;
use crate::{AppError, AppState, WebConfig};
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use devpath_content::{Catalog, Lesson, Module, Path};
use std::collections::BTreeMap;

const HTML: &str = "text/html; charset=utf-8";
/// Anonymous pages may be stored but must be revalidated (cheap, thanks to the ETag).
const PAGE_CACHE: &str = "public, no-cache";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/paths/{path}", get(path_page))
        .route("/paths/{path}/lessons/{lesson}", get(lesson_page))
}

/// One lesson row as catalog pages show it.
pub struct LessonRow<'a> {
    pub lesson: &'a Lesson,
    pub url: String,
    /// Completed by the viewer.
    pub done: bool,
}

pub struct ModuleGroup<'a> {
    pub module: &'a Module,
    pub number: usize,
    pub lessons: Vec<LessonRow<'a>>,
    pub minutes: u32,
    /// Lessons of the module the viewer completed.
    pub done: usize,
}

pub fn module_groups<'a>(path: &'a Path, learner: &Learner) -> Vec<ModuleGroup<'a>> {
    path.modules
        .iter()
        .enumerate()
        .map(|(i, module)| {
            let lessons: Vec<LessonRow> = path
                .module_lessons(i)
                .map(|lesson| LessonRow {
                    lesson,
                    url: lesson_url(path, lesson),
                    done: learner.is_done(&path.slug, &lesson.slug),
                })
                .collect();
            let minutes = lessons.iter().map(|r| r.lesson.minutes).sum();
            let done = lessons.iter().filter(|r| r.done).count();
            ModuleGroup {
                module,
                number: i + 1,
                lessons,
                minutes,
                done,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate<'a> {
    layout: Layout,
    paths: Vec<&'a Path>,
    /// "Continue where you left off": (path title, lesson title, url).
    resume: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "path.html")]
struct PathTemplate<'a> {
    layout: Layout,
    path: &'a Path,
    groups: Vec<ModuleGroup<'a>>,
    first_url: String,
    signed_in: bool,
    done: usize,
    percent: usize,
    continue_url: Option<String>,
    continue_title: String,
    card: PathCard,
}

#[derive(Template)]
#[template(path = "lesson.html")]
struct LessonTemplate<'a> {
    layout: Layout,
    path: &'a Path,
    module: &'a Module,
    lesson: &'a Lesson,
    total: usize,
    prev: Option<LessonRow<'a>>,
    next: Option<LessonRow<'a>>,
    /// The lab player, for lessons with `lab = "..."` (see labs.rs).
    lab_panel: Option<String>,
    /// The body and quiz are withheld: the paywall is shown instead.
    locked: bool,
    paywall: Paywall,
    signed_in: bool,
    completed: bool,
    quiz: crate::quiz::QuizView<'a>,
    /// The learner's note and bookmark; `None` for visitors and locked lessons.
    note: Option<NoteBox>,
}

/// The notes form at the end of a lesson a learner can read.
struct NoteBox {
    action: String,
    bookmarked: bool,
    text: String,
    max: usize,
}

/// Every anonymous page, rendered once, with and without the offer banner
/// (which one is served follows the offer window). Locked lessons are
/// rendered with the paywall: their body and quiz are not in the cache.
pub struct PageCache {
    with_offer: Variant,
    without_offer: Variant,
}

struct Variant {
    home: Cached,
    paths: BTreeMap<String, Cached>,
    lessons: BTreeMap<(String, String), Cached>,
}

impl PageCache {
    pub fn build(catalog: &Catalog, config: &WebConfig) -> Result<PageCache, AppError> {
        // The two variants differ only by the offer; build them side by side.
        let (with_offer, without_offer) = std::thread::scope(|scope| {
            let with = scope.spawn(|| Variant::build(catalog, config, true));
            let without = Variant::build(catalog, config, false);
            let with = with.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            (with, without)
        });
        Ok(PageCache {
            with_offer: with_offer?,
            without_offer: without_offer?,
        })
    }

    fn variant(&self, state: &AppState) -> &Variant {
        if state.config.billing.offer_running(state.clock.now()) {
            &self.with_offer
        } else {
            &self.without_offer
        }
    }
}

impl Variant {
    fn build(catalog: &Catalog, config: &WebConfig, offer: bool) -> Result<Variant, AppError> {
        let mode = config.billing.mode;
        // Time matters to visitors only through the offer, fixed per variant.
        let visitor = Learner::visitor(
            0,
            Entitlements {
                offer,
                ..Entitlements::visitor(0, mode, Default::default())
            },
        );
        let home = render_home(catalog, &visitor)?;
        let mut paths = BTreeMap::new();
        let mut lessons = BTreeMap::new();
        for path in &catalog.paths {
            paths.insert(
                path.slug.clone(),
                Cached::new(render_path(path, &visitor)?, HTML, PAGE_CACHE),
            );
            for lesson in &path.lessons {
                lessons.insert(
                    (path.slug.clone(), lesson.slug.clone()),
                    Cached::new(
                        render_lesson(config, path, lesson, &visitor, None, None)?,
                        HTML,
                        PAGE_CACHE,
                    ),
                );
            }
        }
        crate::error::not_found_response();
        Ok(Variant {
            home: Cached::new(home, HTML, PAGE_CACHE),
            paths,
            lessons,
        })
    }
}

const HOME_TITLE: &str = "devpath — learn systems engineering";
const HOME_DESCRIPTION: &str = "Original lessons and labs you can break on purpose.";

/// What a locked lesson shows instead of its body.
pub struct Paywall {
    pub mode: BillingMode,
    pub signed_in: bool,
    pub can_trial: bool,
    pub trial_ended: bool,
    pub offer: bool,
    pub annual_offer: String,
    pub annual: String,
}

impl Paywall {
    pub fn new(cfg: &crate::BillingConfig, ent: &Entitlements) -> Paywall {
        Paywall {
            mode: cfg.mode,
            signed_in: ent.signed_in,
            can_trial: ent.can_start_trial,
            trial_ended: ent.trial_ended,
            offer: ent.offer,
            annual_offer: money(cfg.annual_first_year(), &cfg.currency),
            annual: money(cfg.price_annual, &cfg.currency),
        }
    }
}

fn render_home(catalog: &Catalog, learner: &Learner) -> Result<String, AppError> {
    let resume = catalog
        .paths
        .iter()
        .filter(|p| learner.done_in(p) > 0)
        .filter_map(|p| {
            learner
                .continue_lesson(p)
                .map(|l| (p.title.clone(), l.title.clone(), lesson_url(p, l)))
        })
        .collect();
    Ok(HomeTemplate {
        layout: learner.layout(HOME_TITLE, HOME_DESCRIPTION),
        paths: catalog.paths.iter().collect(),
        resume,
    }
    .render()?)
}

fn render_path(path: &Path, learner: &Learner) -> Result<String, AppError> {
    let done = learner.done_in(path);
    let next = learner.user.as_ref().and(learner.continue_lesson(path));
    Ok(PathTemplate {
        layout: learner.layout(format!("{} — devpath", path.title), path.tagline.clone()),
        path,
        groups: module_groups(path, learner),
        first_url: path
            .lessons
            .first()
            .map(|l| lesson_url(path, l))
            .unwrap_or_default(),
        signed_in: learner.user.is_some(),
        done,
        percent: crate::progress::percent(done, path.lessons.len()),
        continue_url: next.map(|l| lesson_url(path, l)),
        continue_title: next.map(|l| l.title.clone()).unwrap_or_default(),
        card: learner.ent.path_card(),
    }
    .render()?)
}

/// `quiz` is the learner's quiz section; `None` gives what a visitor sees
/// (an invitation to sign in on readable lessons, nothing on locked ones).
fn render_lesson<'a>(
    config: &WebConfig,
    path: &'a Path,
    lesson: &'a Lesson,
    learner: &Learner,
    quiz: Option<QuizView<'a>>,
    note: Option<Option<devpath_store::notes::LessonNote>>,
) -> Result<String, AppError> {
    let (prev, next) = path.neighbours(lesson);
    let can_read = learner.can_read(lesson);
    let quiz = match quiz {
        Some(q) if can_read => q,
        _ if can_read && learner.user.is_none() => QuizView::sign_in(path, lesson),
        _ => QuizView::hidden(path, lesson),
    };
    let row = |l: &'a Lesson| LessonRow {
        lesson: l,
        url: lesson_url(path, l),
        done: false,
    };
    Ok(LessonTemplate {
        layout: learner.layout(
            format!("{} — {} — devpath", lesson.title, path.title),
            lesson.summary.clone(),
        ),
        path,
        module: &path.modules[lesson.module],
        lesson,
        total: path.lessons.len(),
        prev: prev.map(row),
        next: next.map(row),
        lab_panel: if can_read {
            crate::labs::lesson_panel(lesson.lab.as_deref())
        } else {
            None
        },
        locked: !can_read && lesson.body.is_some(),
        paywall: Paywall::new(&config.billing, &learner.ent),
        signed_in: learner.user.is_some(),
        completed: learner.is_done(&path.slug, &lesson.slug),
        quiz,
        note: note
            .filter(|_| can_read && lesson.is_ready())
            .map(|n| NoteBox {
                action: format!("/notes/{}/{}", path.slug, lesson.slug),
                bookmarked: n.as_ref().is_some_and(|n| n.bookmarked),
                text: n.map(|n| n.note).unwrap_or_default(),
                max: crate::notes::MAX_NOTE_CHARS,
            }),
    }
    .render()?)
}

/// A page rendered for one signed-in viewer: never stored by caches.
fn private(html: String) -> Response {
    ([(header::CACHE_CONTROL, "private, no-store")], Html(html)).into_response()
}

async fn home(
    State(state): State<AppState>,
    learner: Learner,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    match learner.user {
        None => Ok(state
            .pages
            .variant(&state)
            .home
            .respond(&headers, StatusCode::OK)),
        Some(_) => Ok(private(render_home(&state.catalog, &learner)?)),
    }
}

async fn path_page(
    State(state): State<AppState>,
    learner: Learner,
    UrlPath(slug): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let path = state.catalog.path(&slug).ok_or(AppError::NotFound)?;
    match learner.user {
        None => {
            let page = state
                .pages
                .variant(&state)
                .paths
                .get(&slug)
                .ok_or(AppError::NotFound)?;
            Ok(page.respond(&headers, StatusCode::OK))
        }
        Some(_) => Ok(private(render_path(path, &learner)?)),
    }
}

#[derive(serde::Deserialize)]
struct LessonQuery {
    /// `retry`: show the quiz form again instead of the last graded attempt.
    quiz: Option<String>,
}

async fn lesson_page(
    State(state): State<AppState>,
    learner: Learner,
    UrlPath((path_slug, lesson_slug)): UrlPath<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<LessonQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let path = state.catalog.path(&path_slug).ok_or(AppError::NotFound)?;
    let lesson = path.lesson(&lesson_slug).ok_or(AppError::NotFound)?;
    let Some(user) = &learner.user else {
        let page = state
            .pages
            .variant(&state)
            .lessons
            .get(&(path_slug, lesson_slug))
            .ok_or(AppError::NotFound)?;
        return Ok(page.respond(&headers, StatusCode::OK));
    };
    let (quiz, note) = if learner.can_read(lesson) {
        let retry = query.quiz.as_deref() == Some("retry");
        let quiz = crate::quiz::for_learner(&state, user.id, path, lesson, retry).await?;
        let note = state
            .store
            .lesson_note(user.id, &path.slug, &lesson.slug)
            .await?;
        (Some(quiz), Some(note))
    } else {
        (None, None)
    };
    Ok(private(render_lesson(
        &state.config,
        path,
        lesson,
        &learner,
        quiz,
        note,
    )?))
}
