//! Catalog pages: home, path, lesson and 404. Anonymous pages are rendered
//! once at start-up and served from memory.

use crate::cached::Cached;
use crate::layout::Layout;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
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
}

pub struct ModuleGroup<'a> {
    pub module: &'a Module,
    pub number: usize,
    pub lessons: Vec<LessonRow<'a>>,
    pub minutes: u32,
}

pub fn module_groups(path: &Path) -> Vec<ModuleGroup<'_>> {
    path.modules
        .iter()
        .enumerate()
        .map(|(i, module)| {
            let lessons: Vec<LessonRow> = path
                .module_lessons(i)
                .map(|lesson| LessonRow {
                    lesson,
                    url: lesson_url(path, lesson),
                })
                .collect();
            let minutes = lessons.iter().map(|r| r.lesson.minutes).sum();
            ModuleGroup {
                module,
                number: i + 1,
                lessons,
                minutes,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate<'a> {
    layout: Layout,
    paths: Vec<&'a Path>,
}

#[derive(Template)]
#[template(path = "path.html")]
struct PathTemplate<'a> {
    layout: Layout,
    path: &'a Path,
    groups: Vec<ModuleGroup<'a>>,
    first_url: String,
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
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundTemplate {
    layout: Layout,
}

/// Every anonymous page, rendered once.
pub struct PageCache {
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
    pub fn build(catalog: &Catalog) -> Result<PageCache, AppError> {
        let home = HomeTemplate {
            layout: Layout::new(
                "devpath — learn systems engineering",
                "Original lessons and labs you can break on purpose.",
            ),
            paths: catalog.paths.iter().collect(),
        }
        .render()?;
        let mut paths = BTreeMap::new();
        let mut lessons = BTreeMap::new();
        for path in &catalog.paths {
            paths.insert(
                path.slug.clone(),
                Cached::new(render_path(path)?, HTML, PAGE_CACHE),
            );
            for lesson in &path.lessons {
                lessons.insert(
                    (path.slug.clone(), lesson.slug.clone()),
                    Cached::new(render_lesson(path, lesson)?, HTML, PAGE_CACHE),
                );
            }
        }
        not_found_page();
        Ok(PageCache {
            home: Cached::new(home, HTML, PAGE_CACHE),
            paths,
            lessons,
        })
    }
}

fn render_path(path: &Path) -> Result<String, AppError> {
    Ok(PathTemplate {
        layout: Layout::new(format!("{} — devpath", path.title), path.tagline.clone()),
        path,
        groups: module_groups(path),
        first_url: path
            .lessons
            .first()
            .map(|l| lesson_url(path, l))
            .unwrap_or_default(),
    }
    .render()?)
}

fn render_lesson(path: &Path, lesson: &Lesson) -> Result<String, AppError> {
    let (prev, next) = path.neighbours(lesson);
    Ok(LessonTemplate {
        layout: Layout::new(
            format!("{} — {} — devpath", lesson.title, path.title),
            lesson.summary.clone(),
        ),
        path,
        module: &path.modules[lesson.module],
        lesson,
        total: path.lessons.len(),
        prev: prev.map(|l| LessonRow {
            lesson: l,
            url: lesson_url(path, l),
        }),
        next: next.map(|l| LessonRow {
            lesson: l,
            url: lesson_url(path, l),
        }),
    }
    .render()?)
}

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    state.pages.home.respond(&headers, StatusCode::OK)
}

async fn path_page(
    State(state): State<AppState>,
    UrlPath(slug): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let page = state.pages.paths.get(&slug).ok_or(AppError::NotFound)?;
    Ok(page.respond(&headers, StatusCode::OK))
}

async fn lesson_page(
    State(state): State<AppState>,
    UrlPath((path, lesson)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let page = state
        .pages
        .lessons
        .get(&(path, lesson))
        .ok_or(AppError::NotFound)?;
    Ok(page.respond(&headers, StatusCode::OK).into_response())
}
