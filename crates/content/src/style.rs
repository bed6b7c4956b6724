//! The measurable parts of `docs/lesson-style.md`, checked for every written
//! lesson by `devpath content check`.
//!
//! Kept apart from [`crate::load`]: a lesson that breaks the style guide is
//! still valid content (the server can serve it, tests can use short
//! fixtures), but it is not ready to publish.

use crate::load::Problem;
use crate::model::{Catalog, Lesson};
use crate::source::Source;

pub const MIN_WORDS: usize = 1_800;
pub const MAX_WORDS: usize = 3_000;
pub const MIN_QUESTIONS: usize = 5;
pub const MAX_QUESTIONS: usize = 8;
pub const MAX_CALLOUTS: usize = 4;
/// The words a question with several correct choices must contain.
pub const MULTI_MARK: &str = "Select all that apply";

/// A `##` section the style guide requires, in order, with the heading
/// names it may take (matched case-insensitively as a prefix or, where
/// marked, anywhere in the heading).
struct Section {
    name: &'static str,
    prefixes: &'static [&'static str],
    contains: &'static [&'static str],
}

const SECTIONS: &[Section] = &[
    Section {
        name: "Why it matters",
        prefixes: &["why it matters", "why "],
        contains: &[],
    },
    Section {
        name: "Worked example",
        prefixes: &["worked example", "a worked example", "example:", "hands-on"],
        contains: &["worked example"],
    },
    Section {
        name: "Trade-offs and failure modes",
        prefixes: &[],
        contains: &["trade-off", "tradeoff", "failure mode", "pitfall"],
    },
    Section {
        name: "How real systems do it",
        prefixes: &["how real systems", "in production"],
        contains: &["real systems", "real-world", "real world"],
    },
    Section {
        name: "Key takeaways",
        prefixes: &[],
        contains: &["takeaway"],
    },
    Section {
        name: "Further reading",
        prefixes: &["further reading", "references", "sources"],
        contains: &[],
    },
];

impl Section {
    fn matches(&self, title: &str) -> bool {
        let t = title.to_lowercase();
        self.prefixes.iter().any(|p| t.starts_with(p))
            || self.contains.iter().any(|c| t.contains(c))
    }
}

/// Style problems of every written lesson in `catalog`, sorted.
pub fn check_style(source: &Source, catalog: &Catalog) -> Vec<Problem> {
    let mut problems = Vec::new();
    for path in &catalog.paths {
        for lesson in path.lessons.iter().filter(|l| l.is_ready()) {
            check_lesson(lesson, &mut |line, message| {
                problems.push(Problem {
                    file: source.display(&lesson.file),
                    line,
                    message,
                })
            });
        }
    }
    problems.sort();
    problems
}

fn check_lesson(lesson: &Lesson, report: &mut dyn FnMut(usize, String)) {
    let Some(body) = &lesson.body else { return };
    let first = body.toc.first().map_or(1, |t| t.line);
    if !(MIN_WORDS..=MAX_WORDS).contains(&body.words) {
        report(
            first,
            format!(
                "style: {} words of prose; a lesson has {MIN_WORDS} to {MAX_WORDS} (code, diagrams and the quiz not counted)",
                body.words
            ),
        );
    }
    if body.diagrams == 0 {
        report(
            first,
            "style: no diagram; add at least one ```svgbob block with a caption".into(),
        );
    }
    let callouts = body.html.matches("<aside class=\"callout").count();
    if callouts > MAX_CALLOUTS {
        report(
            first,
            format!("style: {callouts} callouts; use at most {MAX_CALLOUTS}"),
        );
    }

    // Required sections, found among the `##` headings, in order.
    let h2: Vec<_> = body.toc.iter().filter(|t| t.level == 2).collect();
    let mut last: Option<(usize, &str)> = None;
    for section in SECTIONS {
        match h2.iter().position(|t| section.matches(&t.title)) {
            None => report(
                first,
                format!(
                    "style: no `## {}` section (found: {})",
                    section.name,
                    h2.iter()
                        .map(|t| t.title.as_str())
                        .collect::<Vec<_>>()
                        .join(" / ")
                ),
            ),
            Some(i) => {
                if let Some((prev, prev_name)) = last {
                    if i < prev {
                        report(
                            h2[i].line,
                            format!(
                                "style: `## {}` must come after `## {prev_name}`",
                                h2[i].title
                            ),
                        );
                    }
                }
                last = Some((i, section.name));
            }
        }
    }
    let why = h2.iter().position(|t| SECTIONS[0].matches(&t.title));
    let example = h2.iter().position(|t| SECTIONS[1].matches(&t.title));
    if let (Some(w), Some(e)) = (why, example) {
        if e == w + 1 {
            report(
                h2[e].line,
                "style: the mechanics need at least one `##` section between `Why it matters` and the worked example".into(),
            );
        }
    }

    match &lesson.quiz {
        None => report(
            first,
            format!(
                "style: no quiz; add {MIN_QUESTIONS} to {MAX_QUESTIONS} questions after `+++ quiz`"
            ),
        ),
        Some(quiz) => {
            let n = quiz.questions.len();
            if !(MIN_QUESTIONS..=MAX_QUESTIONS).contains(&n) {
                report(
                    quiz.questions[0].line,
                    format!("style: the quiz has {n} question(s); it needs {MIN_QUESTIONS} to {MAX_QUESTIONS}"),
                );
            }
            for (i, q) in quiz.questions.iter().enumerate() {
                let marked = q
                    .prompt_html
                    .to_lowercase()
                    .contains(&MULTI_MARK.to_lowercase());
                let multi = q.correct.len() > 1;
                if multi && !marked {
                    report(
                        q.line,
                        format!(
                            "style: quiz question {} has {} correct choices; say \"{MULTI_MARK}.\" in its prompt",
                            i + 1,
                            q.correct.len()
                        ),
                    );
                } else if marked && !multi {
                    report(
                        q.line,
                        format!(
                            "style: quiz question {} says \"{MULTI_MARK}\" but has one correct choice",
                            i + 1
                        ),
                    );
                }
            }
        }
    }
}
