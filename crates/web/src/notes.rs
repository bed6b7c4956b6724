//! Private notes and bookmarks: a learner may bookmark a lesson they can
//! read and keep a plain-text note on it; `/notes` lists them. Notes are
//! shown escaped (askama escapes by default) and go with the account.

use crate::learner::SignedIn;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use devpath_store::notes::LessonNote;

/// Longest note kept, in characters.
pub const MAX_NOTE_CHARS: usize = 4_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notes", get(list))
        .route("/notes/{path}/{lesson}", post(save))
}

#[derive(serde::Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
    /// Present (any value) when the bookmark box is ticked.
    bookmark: Option<String>,
}

async fn save(
    State(state): State<AppState>,
    learner: SignedIn,
    UrlPath((path_slug, lesson_slug)): UrlPath<(String, String)>,
    Form(form): Form<NoteForm>,
) -> Result<Response, AppError> {
    let path = state.catalog.path(&path_slug).ok_or(AppError::NotFound)?;
    let lesson = path.lesson(&lesson_slug).ok_or(AppError::NotFound)?;
    if !lesson.is_ready() || !learner.can_read(lesson) {
        return Err(AppError::Forbidden(
            "Notes can be kept on lessons you can read.".into(),
        ));
    }
    let note = form.note.trim();
    let chars = note.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(AppError::BadRequest(format!(
            "A note holds at most {MAX_NOTE_CHARS} characters; this one has {chars}. Nothing was saved."
        )));
    }
    state
        .store
        .save_lesson_note(
            learner.user.id,
            &path.slug,
            &lesson.slug,
            form.bookmark.is_some(),
            note,
            learner.now,
        )
        .await?;
    Ok(Redirect::to(&format!("{}#notes", crate::links::lesson_url(path, lesson))).into_response())
}

struct NoteRow<'a> {
    title: &'a str,
    url: String,
    module: &'a str,
    note: &'a LessonNote,
}

#[derive(Template)]
#[template(path = "notes.html")]
struct NotesTemplate<'a> {
    layout: crate::frame::Layout,
    rows: Vec<NoteRow<'a>>,
}

async fn list(State(state): State<AppState>, learner: SignedIn) -> Result<Response, AppError> {
    let notes = state.store.lesson_notes(learner.user.id).await?;
    let rows = notes
        .iter()
        .filter_map(|n| {
            let path = state.catalog.path(&n.path_slug)?;
            let lesson = path.lesson(&n.lesson_slug)?;
            Some(NoteRow {
                title: &lesson.title,
                url: crate::links::lesson_url(path, lesson),
                module: &path.modules[lesson.module].title,
                note: n,
            })
        })
        .collect();
    let page = NotesTemplate {
        layout: learner.layout("Notes — devpath", "Your notes and bookmarks."),
        rows,
    };
    Ok((
        [(axum::http::header::CACHE_CONTROL, "private, no-store")],
        Html(page.render()?),
    )
        .into_response())
}
