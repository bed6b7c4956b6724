//! Graded quizzes: a lesson's quiz as a form, answers checked on the server,
//! every attempt stored, and the result (right or wrong, the correct choices,
//! the explanations, last and best score) shown only after a submission.
//!
//! Before a learner has answered, nothing on the page says which choices are
//! correct: [`QuizView::form`] builds its choices without that knowledge.

use crate::learner::SignedIn;
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use devpath_content::{Lesson, Path, Question, Quiz};
use devpath_store::quizzes::{Answer, Attempt, AttemptScore};

pub fn router() -> Router<AppState> {
    Router::new().route("/quiz/{path}/{lesson}", post(submit))
}

/// Form field of a question: `q.<id>`, one value per chosen choice index.
const FIELD_PREFIX: &str = "q.";
/// Sent by quiz.js to get the graded section instead of a redirect.
const FRAGMENT_HEADER: &str = "x-quiz-fragment";

/// Why a submission cannot be graded.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GradeError {
    #[error("this quiz has no question `{0}`")]
    UnknownQuestion(String),
    #[error("question `{0}`: `{1}` is not one of its choices")]
    BadChoice(String, String),
    #[error("question `{0}` takes one answer")]
    OneAnswer(String),
}

/// Grades a submission: a question is right when exactly its correct choices
/// were chosen. Unanswered questions count as wrong; fields that do not name
/// a question of this quiz, or choices out of range, refuse the submission.
pub fn grade(quiz: &Quiz, fields: &[(String, String)]) -> Result<Vec<Answer>, GradeError> {
    let mut chosen: Vec<Vec<usize>> = vec![Vec::new(); quiz.questions.len()];
    for (key, value) in fields {
        let Some(id) = key.strip_prefix(FIELD_PREFIX) else {
            continue;
        };
        let (i, q) = quiz
            .questions
            .iter()
            .enumerate()
            .find(|(_, q)| q.id == id)
            .ok_or_else(|| GradeError::UnknownQuestion(id.to_string()))?;
        let c: usize = value
            .parse()
            .ok()
            .filter(|&c| c < q.choices_html.len())
            .ok_or_else(|| GradeError::BadChoice(id.to_string(), value.clone()))?;
        if !chosen[i].contains(&c) {
            chosen[i].push(c);
        }
        if chosen[i].len() > 1 && q.correct.len() == 1 {
            return Err(GradeError::OneAnswer(id.to_string()));
        }
    }
    Ok(quiz
        .questions
        .iter()
        .zip(chosen)
        .map(|(q, mut c)| {
            c.sort_unstable();
            Answer {
                question_id: q.id.clone(),
                correct: c == q.correct,
                chosen: c,
            }
        })
        .collect())
}

/// One question as the page shows it. Without an attempt (the form), no
/// choice is marked correct: this is the one place that decides whether the
/// answer reaches the page.
fn question_view<'a>(q: &'a Question, attempt: Option<&Attempt>) -> QuestionView<'a> {
    let answer = attempt.map(|a| a.answers.iter().find(|x| x.question_id == q.id));
    let chosen: &[usize] = answer.flatten().map_or(&[], |a| &a.chosen);
    QuestionView {
        question: q,
        multi: q.correct.len() > 1,
        choices: q
            .choices_html
            .iter()
            .enumerate()
            .map(|(index, html)| ChoiceView {
                index,
                html,
                chosen: chosen.contains(&index),
                correct: attempt.is_some() && q.correct.contains(&index),
            })
            .collect(),
        right: answer.map(|a| a.is_some_and(|a| a.correct)),
    }
}

/// Last and best score of a learner's attempts at one quiz.
pub struct Scores {
    pub attempts: usize,
    pub last: (i64, i64),
    pub best: (i64, i64),
}

impl Scores {
    pub fn of(attempts: &[AttemptScore]) -> Option<Scores> {
        let last = attempts.last()?;
        let best = attempts
            .iter()
            .max_by(|a, b| {
                (a.correct * b.total.max(1))
                    .cmp(&(b.correct * a.total.max(1)))
                    .then(b.id.cmp(&a.id))
            })
            .unwrap_or(last);
        Some(Scores {
            attempts: attempts.len(),
            last: (last.correct, last.total),
            best: (best.correct, best.total),
        })
    }
}

pub struct ChoiceView<'a> {
    pub index: usize,
    pub html: &'a str,
    pub chosen: bool,
    /// Always false in a form: only a graded view knows the answer.
    pub correct: bool,
}

pub struct QuestionView<'a> {
    pub question: &'a Question,
    /// Checkboxes instead of radio buttons.
    pub multi: bool,
    pub choices: Vec<ChoiceView<'a>>,
    /// Whether the learner's last answer was right; `None` in a form.
    pub right: Option<bool>,
}

impl QuestionView<'_> {
    pub fn is_right(&self) -> bool {
        self.right == Some(true)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuizMode {
    /// No quiz on this page (none written, or the lesson is locked).
    Hidden,
    /// A visitor: the quiz is for signed-in learners.
    SignIn,
    /// Questions to answer, without answers or explanations.
    Form,
    /// The learner's last attempt, graded and explained.
    Graded,
}

/// The quiz section of a lesson page.
pub struct QuizView<'a> {
    pub mode: QuizMode,
    pub count: usize,
    pub action: String,
    pub retry_url: String,
    pub questions: Vec<QuestionView<'a>>,
    pub scores: Option<Scores>,
    pub js: &'static str,
}

impl<'a> QuizView<'a> {
    fn base(mode: QuizMode, path: &Path, lesson: &Lesson) -> QuizView<'a> {
        QuizView {
            mode,
            count: lesson.quiz.as_ref().map_or(0, |q| q.questions.len()),
            action: format!("/quiz/{}/{}", path.slug, lesson.slug),
            retry_url: format!("{}?quiz=retry#quiz", crate::links::lesson_url(path, lesson)),
            questions: Vec::new(),
            scores: None,
            js: crate::assets::url("quiz.js"),
        }
    }

    pub fn hidden(path: &Path, lesson: &Lesson) -> QuizView<'a> {
        QuizView::base(QuizMode::Hidden, path, lesson)
    }

    /// For a visitor who may read the lesson: a prompt to sign in.
    pub fn sign_in(path: &Path, lesson: &Lesson) -> QuizView<'a> {
        let mode = if lesson.quiz.is_some() {
            QuizMode::SignIn
        } else {
            QuizMode::Hidden
        };
        QuizView::base(mode, path, lesson)
    }

    /// The questions to answer. The choices are built without the quiz's
    /// `correct` list, so the page cannot give the answer away.
    pub fn form(path: &Path, lesson: &'a Lesson, scores: Option<Scores>) -> QuizView<'a> {
        QuizView::with_questions(QuizMode::Form, path, lesson, scores, None)
    }

    /// The learner's last attempt, graded. Questions added since that
    /// attempt show as unanswered.
    pub fn graded(
        path: &Path,
        lesson: &'a Lesson,
        attempt: &Attempt,
        scores: Option<Scores>,
    ) -> QuizView<'a> {
        QuizView::with_questions(QuizMode::Graded, path, lesson, scores, Some(attempt))
    }

    fn with_questions(
        mode: QuizMode,
        path: &Path,
        lesson: &'a Lesson,
        scores: Option<Scores>,
        attempt: Option<&Attempt>,
    ) -> QuizView<'a> {
        let Some(quiz) = &lesson.quiz else {
            return QuizView::hidden(path, lesson);
        };
        let mut view = QuizView::base(mode, path, lesson);
        view.scores = scores;
        view.questions = quiz
            .questions
            .iter()
            .map(|q| question_view(q, attempt))
            .collect();
        view
    }

    pub fn is_visible(&self) -> bool {
        self.mode != QuizMode::Hidden
    }
    pub fn is_sign_in(&self) -> bool {
        self.mode == QuizMode::SignIn
    }
    pub fn is_form(&self) -> bool {
        self.mode == QuizMode::Form
    }
}

/// The quiz section for a signed-in learner who may read the lesson: their
/// last attempt graded, or the form when they have none or asked to retry.
pub async fn for_learner<'a>(
    state: &AppState,
    user_id: i64,
    path: &Path,
    lesson: &'a Lesson,
    retry: bool,
) -> Result<QuizView<'a>, AppError> {
    if lesson.quiz.is_none() {
        return Ok(QuizView::hidden(path, lesson));
    }
    let scores = state
        .store
        .quiz_scores(user_id, &path.slug, &lesson.slug)
        .await?;
    let scores = Scores::of(&scores);
    if retry || scores.is_none() {
        return Ok(QuizView::form(path, lesson, scores));
    }
    match state
        .store
        .last_quiz_attempt(user_id, &path.slug, &lesson.slug)
        .await?
    {
        Some(attempt) => Ok(QuizView::graded(path, lesson, &attempt, scores)),
        None => Ok(QuizView::form(path, lesson, scores)),
    }
}

#[derive(Template)]
#[template(path = "quiz_fragment.html")]
struct QuizFragment<'a> {
    quiz: QuizView<'a>,
}

async fn submit(
    State(state): State<AppState>,
    learner: SignedIn,
    UrlPath((path_slug, lesson_slug)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = state.catalog.path(&path_slug).ok_or(AppError::NotFound)?;
    let lesson = path.lesson(&lesson_slug).ok_or(AppError::NotFound)?;
    let quiz = lesson.quiz.as_ref().ok_or(AppError::NotFound)?;
    if !learner.can_read(lesson) {
        return Err(AppError::Forbidden(
            "This lesson's quiz needs a trial or a plan.".into(),
        ));
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let answers = grade(quiz, &fields).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let user = &learner.user;
    state
        .store
        .record_quiz_attempt(user.id, &path.slug, &lesson.slug, &answers, learner.now)
        .await?;
    if headers.contains_key(FRAGMENT_HEADER) {
        let view = for_learner(&state, user.id, path, lesson, false).await?;
        let html = QuizFragment { quiz: view }.render()?;
        return Ok((
            StatusCode::OK,
            [(axum::http::header::CACHE_CONTROL, "private, no-store")],
            Html(html),
        )
            .into_response());
    }
    Ok(Redirect::to(&format!("{}#quiz", crate::links::lesson_url(path, lesson))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiz() -> Quiz {
        let q = |id: &str, n: usize, correct: &[usize]| Question {
            id: id.into(),
            prompt_html: format!("{id}?"),
            choices_html: (0..n).map(|i| format!("c{i}")).collect(),
            correct: correct.to_vec(),
            explanation_html: "because".into(),
            line: 1,
        };
        Quiz {
            questions: vec![q("single", 3, &[1]), q("multi", 4, &[0, 2])],
        }
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn right(answers: &[Answer]) -> Vec<bool> {
        answers.iter().map(|a| a.correct).collect()
    }

    #[test]
    fn single_and_multi_answers_are_graded_exactly() {
        let q = quiz();
        let all_right = grade(
            &q,
            &fields(&[("q.single", "1"), ("q.multi", "2"), ("q.multi", "0")]),
        )
        .unwrap();
        assert_eq!(right(&all_right), [true, true]);
        assert_eq!(all_right[1].chosen, [0, 2]);
        let wrong = grade(
            &q,
            &fields(&[
                ("q.single", "0"),
                ("q.multi", "0"),
                ("q.multi", "1"),
                ("q.multi", "2"),
            ]),
        )
        .unwrap();
        assert_eq!(right(&wrong), [false, false]);
    }

    #[test]
    fn partial_and_missing_answers_are_wrong() {
        let q = quiz();
        let partial = grade(&q, &fields(&[("q.single", "1"), ("q.multi", "2")])).unwrap();
        assert_eq!(right(&partial), [true, false]);
        let none = grade(&q, &[]).unwrap();
        assert_eq!(right(&none), [false, false]);
        assert!(none.iter().all(|a| a.chosen.is_empty()));
    }

    #[test]
    fn unknown_questions_and_bad_choices_are_refused() {
        let q = quiz();
        assert_eq!(
            grade(&q, &fields(&[("q.nope", "0")])),
            Err(GradeError::UnknownQuestion("nope".into()))
        );
        assert_eq!(
            grade(&q, &fields(&[("q.single", "3")])),
            Err(GradeError::BadChoice("single".into(), "3".into()))
        );
        assert_eq!(
            grade(&q, &fields(&[("q.single", "x")])),
            Err(GradeError::BadChoice("single".into(), "x".into()))
        );
        assert_eq!(
            grade(&q, &fields(&[("q.single", "0"), ("q.single", "1")])),
            Err(GradeError::OneAnswer("single".into()))
        );
        // Other fields are not questions and are ignored.
        assert!(grade(&q, &fields(&[("submit", "yes")])).is_ok());
    }

    #[test]
    fn best_score_is_the_highest_ratio_and_last_is_the_latest() {
        let s = |id, correct, total| AttemptScore {
            id,
            path_slug: "p".into(),
            lesson_slug: "l".into(),
            correct,
            total,
            created_at: id,
        };
        let scores = Scores::of(&[s(1, 2, 7), s(2, 6, 7), s(3, 4, 7)]).unwrap();
        assert_eq!(
            (scores.attempts, scores.last, scores.best),
            (3, (4, 7), (6, 7))
        );
        assert!(Scores::of(&[]).is_none());
    }
}
