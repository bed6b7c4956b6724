//! Catalog pages: home, path, lesson and 404. Anonymous pages are rendered
//! once at start-up and served from memory.

use crate::cached::Cached;
use crate::layout::Layout;
use crate::progress::{Paywall, Viewer};
use crate::quiz::QuizView;
use crate::session::MaybeUser;
use crate::{AppError, AppState, WebConfig};
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use devpath_content::{Catalog, Lesson, Module, Path};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const HTML: &str = "text/html; charset=utf-8";
/// Anonymous pages may be stored but must be revalidated (cheap, thanks to the ETag).
const PAGE_CACHE: &str = "public, no-cache";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/paths/{path}", get(path_page))
        .route("/paths/{path}/lessons/{lesson}", get(lesson_page))
}

pub fn lesson_url(path: &Path, lesson: &Lesson) -> String {
    format!("/paths/{}/lessons/{}", path.slug, lesson.slug)
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

pub fn module_groups<'a>(path: &'a Path, viewer: Option<&Viewer>) -> Vec<ModuleGroup<'a>> {
    path.modules
        .iter()
        .enumerate()
        .map(|(i, module)| {
            let lessons: Vec<LessonRow> = path
                .module_lessons(i)
                .map(|lesson| LessonRow {
                    lesson,
                    url: lesson_url(path, lesson),
                    done: viewer.is_some_and(|v| v.is_done(&path.slug, &lesson.slug)),
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
    /// The trial card: `signup`, `start`, `days` or `none`.
    card: &'static str,
    days_left: i64,
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

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundTemplate {
    layout: Layout,
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

static NOT_FOUND: OnceLock<Cached> = OnceLock::new();

fn not_found_page() -> &'static Cached {
    NOT_FOUND.get_or_init(|| {
        let html = NotFoundTemplate {
            layout: Layout::new("Page not found", "This page does not exist."),
        }
        .render()
        .unwrap_or_else(|_| "<h1>Page not found</h1>".into());
        Cached::new(html, HTML, "no-store")
    })
}

pub fn not_found_response() -> Response {
    not_found_page().respond(&HeaderMap::new(), StatusCode::NOT_FOUND)
}

pub async fn not_found(headers: HeaderMap) -> Response {
    not_found_page().respond(&headers, StatusCode::NOT_FOUND)
}

impl PageCache {
    pub fn build(catalog: &Catalog, config: &WebConfig) -> Result<PageCache, AppError> {
        Ok(PageCache {
            with_offer: Variant::build(catalog, config, true)?,
            without_offer: Variant::build(catalog, config, false)?,
        })
    }

    fn variant(&self, state: &AppState) -> &Variant {
        if state.config.billing.offer_running(crate::billing::now()) {
            &self.with_offer
        } else {
            &self.without_offer
        }
    }
}

fn anonymous_layout(
    title: impl Into<String>,
    description: impl Into<String>,
    offer: bool,
) -> Layout {
    let mut l = Layout::new(title, description);
    l.offer = offer;
    l
}

impl Variant {
    fn build(catalog: &Catalog, config: &WebConfig, offer: bool) -> Result<Variant, AppError> {
        let home = render_home(catalog, home_layout(offer), None)?;
        let mut paths = BTreeMap::new();
        let mut lessons = BTreeMap::new();
        for path in &catalog.paths {
            paths.insert(
                path.slug.clone(),
                Cached::new(
                    render_path(config, path, path_layout(path, offer), None)?,
                    HTML,
                    PAGE_CACHE,
                ),
            );
            for lesson in &path.lessons {
                lessons.insert(
                    (path.slug.clone(), lesson.slug.clone()),
                    Cached::new(
                        render_lesson(
                            config,
                            path,
                            lesson,
                            lesson_layout(path, lesson, offer),
                            None,
                            None,
                            None,
                        )?,
                        HTML,
                        PAGE_CACHE,
                    ),
                );
            }
        }
        not_found_page();
        Ok(Variant {
            home: Cached::new(home, HTML, PAGE_CACHE),
            paths,
            lessons,
        })
    }
}

const HOME_TITLE: &str = "devpath — learn systems engineering";
const HOME_DESCRIPTION: &str = "Original lessons and labs you can break on purpose.";

fn home_layout(offer: bool) -> Layout {
    anonymous_layout(HOME_TITLE, HOME_DESCRIPTION, offer)
}

fn path_layout(path: &Path, offer: bool) -> Layout {
    anonymous_layout(
        format!("{} — devpath", path.title),
        path.tagline.clone(),
        offer,
    )
}

fn lesson_layout(path: &Path, lesson: &Lesson, offer: bool) -> Layout {
    anonymous_layout(
        format!("{} — {} — devpath", lesson.title, path.title),
        lesson.summary.clone(),
        offer,
    )
}

/// The viewer's layout: the banner follows the offer window, and the
/// header knows who is signed in.
fn viewer_layout(state: &AppState, base: Layout, viewer: &Viewer) -> Layout {
    crate::billing::layout(state, base.title, base.description, Some(&viewer.user))
}

fn render_home(
    catalog: &Catalog,
    layout: Layout,
    viewer: Option<&Viewer>,
) -> Result<String, AppError> {
    let resume = match viewer {
        Some(v) => catalog
            .paths
            .iter()
            .filter(|p| v.done_in(p) > 0)
            .filter_map(|p| {
                v.continue_lesson(p)
                    .map(|l| (p.title.clone(), l.title.clone(), lesson_url(p, l)))
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(HomeTemplate {
        layout,
        paths: catalog.paths.iter().collect(),
        resume,
    }
    .render()?)
}

fn render_path(
    config: &WebConfig,
    path: &Path,
    layout: Layout,
    viewer: Option<&Viewer>,
) -> Result<String, AppError> {
    let mode = config.billing.mode;
    let done = viewer.map_or(0, |v| v.done_in(path));
    let next = viewer.and_then(|v| v.continue_lesson(path));
    let (card, days_left) = match viewer {
        None if mode == crate::access::BillingMode::Open => ("none", 0),
        None => ("signup", 0),
        Some(v) => match v.trial_days_left() {
            Some(d) => ("days", d),
            None if v.can_start_trial(mode) => ("start", 0),
            None => ("none", 0),
        },
    };
    Ok(PathTemplate {
        layout,
        path,
        groups: module_groups(path, viewer),
        first_url: path
            .lessons
            .first()
            .map(|l| lesson_url(path, l))
            .unwrap_or_default(),
        signed_in: viewer.is_some(),
        done,
        percent: crate::progress::percent(done, path.lessons.len()),
        continue_url: next.map(|l| lesson_url(path, l)),
        continue_title: next.map(|l| l.title.clone()).unwrap_or_default(),
        card,
        days_left,
    }
    .render()?)
}

/// `quiz` is the learner's quiz section; `None` gives what a visitor sees
/// (an invitation to sign in on readable lessons, nothing on locked ones).
fn render_lesson<'a>(
    config: &WebConfig,
    path: &'a Path,
    lesson: &'a Lesson,
    layout: Layout,
    viewer: Option<&Viewer>,
    quiz: Option<QuizView<'a>>,
    note: Option<Option<devpath_store::notes::LessonNote>>,
) -> Result<String, AppError> {
    let (prev, next) = path.neighbours(lesson);
    let can_read = can_read(lesson, viewer);
    let quiz = match quiz {
        Some(q) if can_read => q,
        _ if can_read && viewer.is_none() => QuizView::sign_in(path, lesson),
        _ => QuizView::hidden(path, lesson),
    };
    let offer = layout.offer;
    Ok(LessonTemplate {
        layout,
        path,
        module: &path.modules[lesson.module],
        lesson,
        total: path.lessons.len(),
        prev: prev.map(|l| LessonRow {
            lesson: l,
            url: lesson_url(path, l),
            done: false,
        }),
        next: next.map(|l| LessonRow {
            lesson: l,
            url: lesson_url(path, l),
            done: false,
        }),
        lab_panel: if can_read {
            crate::labs::lesson_panel(lesson.lab.as_deref())
        } else {
            None
        },
        locked: !can_read && lesson.body.is_some(),
        paywall: Paywall::new(&config.billing, viewer, offer),
        signed_in: viewer.is_some(),
        completed: viewer.is_some_and(|v| v.is_done(&path.slug, &lesson.slug)),
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

fn can_read(lesson: &Lesson, viewer: Option<&Viewer>) -> bool {
    match viewer {
        Some(v) => crate::access::can_read(&v.access, lesson),
        None => lesson.free_preview,
    }
}

/// A page rendered for one signed-in viewer: never stored by caches.
fn private(html: String) -> Response {
    ([(header::CACHE_CONTROL, "private, no-store")], Html(html)).into_response()
}

async fn home(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    match user {
        None => Ok(state
            .pages
            .variant(&state)
            .home
            .respond(&headers, StatusCode::OK)),
        Some(u) => {
            let v = Viewer::load(&state, u).await?;
            let layout = viewer_layout(&state, home_layout(false), &v);
            Ok(private(render_home(&state.catalog, layout, Some(&v))?))
        }
    }
}

async fn path_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    UrlPath(slug): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let path = state.catalog.path(&slug).ok_or(AppError::NotFound)?;
    match user {
        None => {
            let page = state
                .pages
                .variant(&state)
                .paths
                .get(&slug)
                .ok_or(AppError::NotFound)?;
            Ok(page.respond(&headers, StatusCode::OK))
        }
        Some(u) => {
            let v = Viewer::load(&state, u).await?;
            let layout = viewer_layout(&state, path_layout(path, false), &v);
            Ok(private(render_path(&state.config, path, layout, Some(&v))?))
        }
    }
}

#[derive(serde::Deserialize)]
struct LessonQuery {
    /// `retry`: show the quiz form again instead of the last graded attempt.
    quiz: Option<String>,
}

async fn lesson_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    UrlPath((path_slug, lesson_slug)): UrlPath<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<LessonQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let path = state.catalog.path(&path_slug).ok_or(AppError::NotFound)?;
    let lesson = path.lesson(&lesson_slug).ok_or(AppError::NotFound)?;
    match user {
        None => {
            let page = state
                .pages
                .variant(&state)
                .lessons
                .get(&(path_slug, lesson_slug))
                .ok_or(AppError::NotFound)?;
            Ok(page.respond(&headers, StatusCode::OK))
        }
        Some(u) => {
            let v = Viewer::load(&state, u).await?;
            let layout = viewer_layout(&state, lesson_layout(path, lesson, false), &v);
            let (quiz, note) = if can_read(lesson, Some(&v)) {
                let retry = query.quiz.as_deref() == Some("retry");
                let quiz = crate::quiz::for_learner(&state, v.user.id, path, lesson, retry).await?;
                let note = state
                    .store
                    .lesson_note(v.user.id, &path.slug, &lesson.slug)
                    .await?;
                (Some(quiz), Some(note))
            } else {
                (None, None)
            };
            Ok(private(render_lesson(
                &state.config,
                path,
                lesson,
                layout,
                Some(&v),
                quiz,
                note,
            )?))
        }
    }
}
