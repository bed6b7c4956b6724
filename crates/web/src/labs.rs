//! Interactive labs: the JSON API (`/api/labs...`) that runs a simulation
//! and returns its frames, and the pages that host the lab player
//! (`/labs`, `/labs/{lab}` and the panel embedded in lessons).
//!
//! The run endpoint returns exactly `serde_json::to_vec(&devpath_labs::run(spec))`,
//! the same bytes `devpath lab run ... --json` prints. Which lessons a lab
//! belongs to comes from the lessons' front matter (`lab = "<slug>"`), read
//! here from the catalog: the labs crate knows nothing of lessons.
//!
//! The player is `assets/lab.js` plus one drawing module per lab,
//! `assets/labs/<slug>.js`, which the panel names in `data-lab-module`.

use crate::frame::Layout;
use crate::learner::Learner;
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use devpath_content::Catalog;
use devpath_labs::{Action, LabInfo, RunSpec};
use serde::Serialize;
use std::sync::LazyLock;
use tokio::sync::Semaphore;

const JSON: &str = "application/json";

/// The lab pages and the API.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/labs", get(index_page))
        .route("/labs/{lab}", get(lab_page))
        .route("/api/labs", get(list))
        .route("/api/labs/{lab}", get(one))
        .merge(run_router())
}

/// `POST /api/labs/run` alone: it needs no state (used by the benchmark).
pub fn run_router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/api/labs/run", post(run))
}

/// A JSON error body: `{"error": "..."}`.
fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    let body = serde_json::json!({ "error": message.to_string() });
    json_response(status, serde_json::to_vec(&body).unwrap_or_default())
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn to_json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// A lab as the API describes it: its `LabInfo` and the lessons it is part of.
#[derive(Serialize)]
struct LabJson<'a> {
    #[serde(flatten)]
    info: &'a LabInfo,
    /// Slugs of the lessons whose front matter names this lab.
    lessons: Vec<&'a str>,
}

fn lab_json<'a>(catalog: &'a Catalog, info: &'a LabInfo) -> LabJson<'a> {
    LabJson {
        info,
        lessons: lessons_of(catalog, &info.slug)
            .map(|(_, lesson)| lesson.slug.as_str())
            .collect(),
    }
}

async fn list(State(state): State<AppState>) -> Response {
    let labs = devpath_labs::labs();
    let json: Vec<LabJson> = labs.iter().map(|i| lab_json(&state.catalog, i)).collect();
    to_json(&json)
}

async fn one(State(state): State<AppState>, UrlPath(slug): UrlPath<String>) -> Response {
    match devpath_labs::lab(&slug) {
        Some(info) => to_json(&lab_json(&state.catalog, &info)),
        None => error(StatusCode::NOT_FOUND, format!("unknown lab `{slug}`")),
    }
}

/// Simulations are CPU-bound: run at most this many at once.
static RUNS: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
    )
});

async fn run(headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(b) => b,
        // Too large (413) or unreadable: keep the status, answer in JSON.
        Err(rejection) => return error(rejection.status(), rejection.body_text()),
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(JSON));
    if !is_json {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected a JSON body with `Content-Type: application/json`",
        );
    }
    let spec: RunSpec = match serde_json::from_slice(&body) {
        Ok(spec) => spec,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("invalid run spec: {e}")),
    };
    let Ok(_permit) = RUNS.acquire().await else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    };
    let result = tokio::task::spawn_blocking(move || {
        devpath_labs::run(&spec).map(|run| {
            // Frames average a few hundred bytes to a few KiB of JSON.
            let mut body = Vec::with_capacity(64 + run.frames.len() * 1024);
            let written = serde_json::to_writer(&mut body, &run).map(|()| body);
            // Freeing thousands of JSON trees takes milliseconds: do it
            // after the response is on its way.
            tokio::task::spawn_blocking(move || drop(run));
            written
        })
    })
    .await;
    match result {
        Ok(Ok(Ok(bytes))) => json_response(StatusCode::OK, bytes),
        Ok(Err(lab_error)) => error(StatusCode::UNPROCESSABLE_ENTITY, lab_error),
        Ok(Ok(Err(e))) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => {
            tracing::error!(error = %e, "lab run panicked");
            error(StatusCode::INTERNAL_SERVER_ERROR, "the simulation failed")
        }
    }
}

/// A lesson a lab belongs to, with its URL.
pub struct LessonLink {
    pub title: String,
    pub url: String,
}

/// The lessons whose front matter says `lab = "<slug>"`, in catalog order:
/// the one place that decides which lessons a lab belongs to.
fn lessons_of<'a>(
    catalog: &'a Catalog,
    slug: &'a str,
) -> impl Iterator<Item = (&'a devpath_content::Path, &'a devpath_content::Lesson)> + 'a {
    catalog.paths.iter().flat_map(move |path| {
        path.lessons
            .iter()
            .filter(move |l| l.lab.as_deref() == Some(slug))
            .map(move |l| (path, l))
    })
}

fn lesson_links(catalog: &Catalog, info: &LabInfo) -> Vec<LessonLink> {
    lessons_of(catalog, &info.slug)
        .map(|(path, lesson)| LessonLink {
            title: lesson.title.clone(),
            url: crate::links::lesson_url(path, lesson),
        })
        .collect()
}

struct LabCard {
    info: LabInfo,
    lessons: Vec<LessonLink>,
}

#[derive(Template)]
#[template(path = "labs_index.html")]
struct IndexTemplate {
    layout: Layout,
    labs: Vec<LabCard>,
    lab_css: &'static str,
}

/// The player: everything a page needs to host one lab.
#[derive(Template)]
#[template(path = "lab_panel.html")]
pub struct PanelTemplate {
    pub info: LabInfo,
    /// `{"info": ..., "spec": ...}`, escaped for a `<script type="application/json">`.
    pub config_json: String,
    /// The explanation of the first frame, shown before the script runs.
    pub first_explain: String,
    /// Full lab page (true) or the panel inside a lesson (false).
    pub full: bool,
    /// Link to the full lab page with this run.
    pub full_url: String,
    /// A problem with the run in the URL, shown above the player.
    pub notice: Option<String>,
    pub lab_js: &'static str,
    /// This lab's drawing module, `assets/labs/<slug>.js`, which lab.js imports.
    pub lab_module: &'static str,
    pub lab_css: &'static str,
}

#[derive(Template)]
#[template(path = "lab.html")]
struct LabTemplate {
    layout: Layout,
    info: LabInfo,
    panel_html: String,
    lessons: Vec<LessonLink>,
}

/// JSON safe to put between `<script type="application/json">` tags.
fn script_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The query string form of a run: `seed=7&nodes=5&a=1500:crash:n2`.
pub fn spec_query(spec: &RunSpec) -> String {
    fn enc(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~:,".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    let mut parts = vec![format!("seed={}", spec.seed)];
    for (k, v) in &spec.params {
        parts.push(format!("{}={}", enc(k), enc(v)));
    }
    if let Some(steps) = spec.steps {
        parts.push(format!("steps={steps}"));
    }
    for a in &spec.actions {
        parts.push(format!("a={}", enc(&a.to_string())));
    }
    parts.join("&")
}

/// Reads a run from query pairs. Unknown keys and bad values are reported
/// (the page then starts from the lab's defaults).
pub fn spec_from_query(info: &LabInfo, pairs: &[(String, String)]) -> Result<RunSpec, String> {
    let mut spec = default_spec(info);
    for (k, v) in pairs {
        match k.as_str() {
            "seed" => {
                spec.seed = v
                    .parse()
                    .map_err(|_| format!("seed `{v}` is not a whole number"))?
            }
            "steps" => {
                spec.steps = Some(
                    v.parse()
                        .map_err(|_| format!("steps `{v}` is not a whole number"))?,
                )
            }
            "a" => spec
                .actions
                .push(v.parse::<Action>().map_err(|e| e.to_string())?),
            name if info.params.iter().any(|p| p.name == name) => {
                spec.params.insert(name.to_string(), v.clone());
            }
            other => return Err(format!("unknown parameter `{other}`")),
        }
    }
    spec.validate(info).map_err(|e| e.to_string())?;
    Ok(spec)
}

fn default_spec(info: &LabInfo) -> RunSpec {
    RunSpec {
        lab: info.slug.clone(),
        seed: 1,
        params: Default::default(),
        actions: vec![],
        steps: None,
    }
}

/// The player for `info` starting from `spec`.
pub fn panel(info: LabInfo, spec: &RunSpec, full: bool, notice: Option<String>) -> PanelTemplate {
    let first_explain = devpath_labs::run(&RunSpec {
        steps: Some(1),
        ..spec.clone()
    })
    .ok()
    .and_then(|r| r.frames.into_iter().next())
    .map(|f| f.explain)
    .unwrap_or_default();
    let config_json = script_json(&serde_json::json!({ "info": &info, "spec": spec }));
    PanelTemplate {
        full_url: format!("/labs/{}?{}", info.slug, spec_query(spec)),
        lab_module: lab_module(&info.slug),
        info,
        config_json,
        first_explain,
        full,
        notice,
        lab_js: crate::assets::url("lab.js"),
        lab_css: crate::assets::url("lab.css"),
    }
}

/// The URL of a lab's drawing module: `assets/labs/<slug>.js`, picked up
/// by the asset table with no list to edit.
fn lab_module(slug: &str) -> &'static str {
    crate::assets::url(&format!("labs/{slug}.js"))
}

/// The lab panel a lesson with `lab = "..."` shows after its body, as HTML
/// (rendered once per lab: lesson pages may be rendered per request).
pub fn lesson_panel(lab: Option<&str>) -> Option<String> {
    static PANELS: LazyLock<std::collections::BTreeMap<String, String>> = LazyLock::new(|| {
        devpath_labs::labs()
            .into_iter()
            .filter_map(|info| {
                let spec = default_spec(&info);
                let slug = info.slug.clone();
                let html = panel(info, &spec, false, None).render().ok()?;
                Some((slug, html))
            })
            .collect()
    });
    PANELS.get(lab?).cloned()
}

/// A page showing a signed-in learner's header is theirs alone.
fn cache_control(learner: &Learner) -> &'static str {
    if learner.user.is_some() {
        "private, no-store"
    } else {
        "no-cache"
    }
}

async fn index_page(State(state): State<AppState>, learner: Learner) -> Result<Response, AppError> {
    let labs = devpath_labs::labs()
        .into_iter()
        .map(|info| LabCard {
            lessons: lesson_links(&state.catalog, &info),
            info,
        })
        .collect();
    let html = IndexTemplate {
        layout: learner.layout(
            "Interactive labs — devpath",
            "Deterministic simulations you can break on purpose: Raft, clocks, consistent hashing, rate limiting, circuit breakers, Bloom filters and HyperLogLog.",
        ),
        labs,
        lab_css: crate::assets::url("lab.css"),
    }
    .render()?;
    Ok((
        [(header::CACHE_CONTROL, cache_control(&learner))],
        Html(html),
    )
        .into_response())
}

async fn lab_page(
    State(state): State<AppState>,
    learner: Learner,
    UrlPath(slug): UrlPath<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let info = devpath_labs::lab(&slug).ok_or(AppError::NotFound)?;
    let (spec, notice) = match spec_from_query(&info, &pairs) {
        Ok(spec) => (spec, None),
        Err(e) => (
            default_spec(&info),
            Some(format!(
                "The run in this link could not be loaded ({e}); showing the default run."
            )),
        ),
    };
    let lessons = lesson_links(&state.catalog, &info);
    let layout = learner.layout(format!("{} lab — devpath", info.title), info.summary);
    let panel_html = panel(info.clone(), &spec, true, notice).render()?;
    let html = LabTemplate {
        layout,
        info,
        panel_html,
        lessons,
    }
    .render()?;
    Ok((
        [(header::CACHE_CONTROL, cache_control(&learner))],
        Html(html),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trip() {
        let info = devpath_labs::lab("raft").unwrap();
        let pairs: Vec<(String, String)> = vec![
            ("seed".into(), "7".into()),
            ("nodes".into(), "3".into()),
            ("a".into(), "1500:crash:n2".into()),
            ("a".into(), "1600:partition:n1,n2|n3".into()),
        ];
        let spec = spec_from_query(&info, &pairs).unwrap();
        assert_eq!(spec.seed, 7);
        assert_eq!(spec.actions.len(), 2);
        assert_eq!(
            spec_query(&spec),
            "seed=7&nodes=3&a=1500:crash:n2&a=1600:partition:n1,n2%7Cn3"
        );
        assert!(spec_from_query(&info, &[("bogus".into(), "1".into())]).is_err());
        assert!(spec_from_query(&info, &[("a".into(), "x:crash".into())]).is_err());
    }

    #[test]
    fn every_lab_has_a_drawing_module() {
        for info in devpath_labs::labs() {
            assert!(
                crate::assets::find(&format!("labs/{}.js", info.slug)).is_some(),
                "lab `{}` has no crates/web/assets/labs/{}.js",
                info.slug,
                info.slug
            );
            assert!(lab_module(&info.slug).starts_with(&format!("/assets/labs/{}.", info.slug)));
        }
    }

    #[test]
    fn script_json_cannot_close_the_tag() {
        assert_eq!(script_json(&"</script>"), "\"\\u003c/script\\u003e\"");
    }
}
