//! Reads a [`Source`], validates every file and renders the lessons.
//!
//! Validation never stops at the first problem: authors get the whole list,
//! each naming a file and a line, in a stable order.

use crate::model::{Catalog, Lesson, Module, Path, Question, Quiz, Status};
use crate::render::Renderer;
use crate::source::Source;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// One content problem, shown as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Every problem found in a source; the error type of [`load`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        write!(f, "{} problem(s) in content", self.0.len())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestDef {
    title: String,
    tagline: String,
    highlights: Vec<String>,
    #[serde(default)]
    order: i64,
    #[serde(default)]
    modules: Vec<ModuleDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleDef {
    slug: String,
    title: String,
    #[serde(default)]
    summary: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    slug: String,
    title: String,
    summary: String,
    minutes: u32,
    module: String,
    order: u32,
    #[serde(default)]
    free_preview: bool,
    #[serde(default)]
    status: StatusDef,
    #[serde(default)]
    lab: Option<String>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum StatusDef {
    #[default]
    Published,
    Draft,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuizDef {
    #[serde(default)]
    questions: Vec<QuestionDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionDef {
    #[serde(default)]
    id: String,
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    choices: Vec<String>,
    #[serde(default)]
    correct: Vec<usize>,
    #[serde(default)]
    explanation: String,
}

/// Collects problems for one file.
struct Report<'a> {
    file: String,
    out: &'a mut Vec<Problem>,
}

impl Report<'_> {
    fn at(&mut self, line: usize, message: impl Into<String>) {
        self.out.push(Problem {
            file: self.file.clone(),
            line,
            message: message.into(),
        });
    }
}

/// The parts of a lesson file, with the line each part starts on (1-based).
struct Split<'a> {
    front: &'a str,
    front_line: usize,
    body: &'a str,
    body_line: usize,
    quiz: Option<(&'a str, usize)>,
}

/// Byte offset of the start of each line.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn split<'t>(text: &'t str, report: &mut Report) -> Option<Split<'t>> {
    let starts = line_starts(text);
    let line_text = |i: usize| -> &str {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        text[starts[i]..end].trim_end()
    };
    let n = starts.len();
    if n == 0 || line_text(0) != "+++" {
        report.at(
            1,
            "a lesson must start with a `+++` line opening its TOML front matter",
        );
        return None;
    }
    let Some(close) = (1..n).find(|&i| line_text(i) == "+++") else {
        report.at(1, "front matter is not closed: add a `+++` line after it");
        return None;
    };
    let front = &text[starts[1]..starts[close]];
    let after = starts.get(close + 1).copied().unwrap_or(text.len());
    let quiz_open = (close + 1..n).find(|&i| line_text(i) == "+++ quiz");
    let (body_end, quiz) = match quiz_open {
        None => (text.len(), None),
        Some(q) => {
            let Some(qc) = (q + 1..n).find(|&i| line_text(i) == "+++") else {
                report.at(q + 1, "quiz is not closed: add a `+++` line after it");
                return None;
            };
            if let Some(extra) = (qc + 1..n).find(|&i| !line_text(i).is_empty()) {
                report.at(
                    extra + 1,
                    "nothing may follow the quiz; move this text above `+++ quiz`",
                );
            }
            let qstart = starts.get(q + 1).copied().unwrap_or(text.len());
            (starts[q], Some((&text[qstart..starts[qc]], q + 2)))
        }
    };
    Some(Split {
        front,
        front_line: 2,
        body: &text[after.min(body_end)..body_end],
        body_line: close + 2,
        quiz,
    })
}

/// Line (1-based) of a TOML error, from its byte span within `text`.
fn toml_error_line(err: &toml::de::Error, text: &str, first_line: usize) -> usize {
    let offset = err.span().map(|s| s.start).unwrap_or(0).min(text.len());
    first_line + text[..offset].matches('\n').count()
}

fn toml_message(err: &toml::de::Error) -> String {
    // The parser gives some syntax errors (a lone carriage return) no words.
    match err.message().trim() {
        "" => "invalid TOML syntax at this line (look for a stray character, such as a carriage return not followed by a line feed)".to_string(),
        m => m.to_string(),
    }
}

/// Line of `key = ...` within a TOML fragment, or its first line.
fn key_line(text: &str, first_line: usize, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(first_line, |i| first_line + i)
}

/// Line of the `n`th line that starts with `header` (0-based n).
fn nth_header_line(text: &str, first_line: usize, header: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .nth(n)
        .map_or(first_line, |(i, _)| first_line + i)
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

struct RawLesson {
    rel: String,
    front: FrontMatter,
    front_text: String,
    front_line: usize,
    lesson: Lesson,
}

/// Loads, validates and renders everything in `source`. `labs` lists the lab
/// slugs that lessons may embed.
pub fn load(source: &Source, labs: &[&str]) -> Result<Catalog, Problems> {
    let renderer = Renderer::shared();
    let mut problems = Vec::new();
    let mut manifests: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut lesson_files: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();

    for (rel, text) in &source.files {
        let parts: Vec<&str> = rel.split('/').collect();
        match parts.as_slice() {
            [path, "path.toml"] => {
                manifests.insert(path.to_string(), (rel.clone(), text.clone()));
            }
            [path, "lessons", name] if name.ends_with(".md") => {
                lesson_files
                    .entry(path.to_string())
                    .or_default()
                    .push((rel.clone(), text.clone()));
            }
            _ => problems.push(Problem {
                file: source.display(rel),
                line: 1,
                message: "unexpected file: content is `<path>/path.toml` and `<path>/lessons/NNN-slug.md`".into(),
            }),
        }
    }
    for (path, files) in &lesson_files {
        if !manifests.contains_key(path) {
            for (rel, _) in files {
                problems.push(Problem {
                    file: source.display(rel),
                    line: 1,
                    message: format!("path `{path}` has no `{path}/path.toml` manifest"),
                });
            }
        }
    }

    let mut paths = Vec::new();
    for (slug, (rel, text)) in &manifests {
        let files = lesson_files.remove(slug).unwrap_or_default();
        if let Some(p) = load_path(
            source,
            slug,
            rel,
            text,
            &files,
            labs,
            renderer,
            &mut problems,
        ) {
            paths.push(p);
        }
    }

    check_site_links(source, &paths, &mut problems);
    if problems.is_empty() {
        paths.sort_by(|a, b| (a.order, &a.slug).cmp(&(b.order, &b.slug)));
        Ok(Catalog { paths })
    } else {
        problems.sort();
        problems.dedup();
        Err(Problems(problems))
    }
}

#[allow(clippy::too_many_arguments)]
fn load_path(
    source: &Source,
    slug: &str,
    rel: &str,
    text: &str,
    files: &[(String, String)],
    labs: &[&str],
    renderer: &Renderer,
    problems: &mut Vec<Problem>,
) -> Option<Path> {
    let mut report = Report {
        file: source.display(rel),
        out: problems,
    };
    if !valid_slug(slug) {
        report.at(
            1,
            format!("path folder `{slug}` is not a valid slug (lowercase letters, digits, `-`)"),
        );
    }
    let manifest: ManifestDef = match toml::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            report.at(toml_error_line(&e, text, 1), toml_message(&e));
            return None;
        }
    };
    if manifest.title.trim().is_empty() {
        report.at(key_line(text, 1, "title"), "`title` is empty");
    }
    if manifest.highlights.len() != 3 {
        report.at(
            key_line(text, 1, "highlights"),
            format!(
                "`highlights` must list exactly 3 items, found {}",
                manifest.highlights.len()
            ),
        );
    }
    if manifest.modules.is_empty() {
        report.at(1, "the path has no `[[modules]]`");
    }
    let mut module_index = BTreeMap::new();
    for (i, m) in manifest.modules.iter().enumerate() {
        let line = nth_header_line(text, 1, "[[modules]]", i);
        if !valid_slug(&m.slug) {
            report.at(
                line,
                format!("module slug `{}` is not a valid slug", m.slug),
            );
        }
        if m.title.trim().is_empty() {
            report.at(line, format!("module `{}` has an empty title", m.slug));
        }
        if module_index.insert(m.slug.clone(), i).is_some() {
            report.at(line, format!("duplicate module slug `{}`", m.slug));
        }
    }

    let raw = load_lessons(source, files, &module_index, labs, renderer, report.out);

    check_path_order(source, rel, text, &manifest, &raw, report.out);

    let modules = manifest
        .modules
        .into_iter()
        .map(|m| Module {
            slug: m.slug,
            title: m.title,
            summary: m.summary,
        })
        .collect();
    Some(Path::new(
        slug.to_string(),
        manifest.title,
        manifest.tagline,
        manifest.highlights,
        manifest.order,
        modules,
        raw.into_iter().map(|r| r.lesson).collect(),
    ))
}

/// Loads and renders the lessons on every core: highlighting and diagrams
/// are most of start-up. The lessons keep their file order, and the problems
/// are sorted by the caller, so the result is the same as one by one.
fn load_lessons(
    source: &Source,
    files: &[(String, String)],
    module_index: &BTreeMap<String, usize>,
    labs: &[&str],
    renderer: &Renderer,
    problems: &mut Vec<Problem>,
) -> Vec<RawLesson> {
    let load = |chunk: &[(String, String)]| {
        let mut found = Vec::new();
        let lessons: Vec<RawLesson> = chunk
            .iter()
            .filter_map(|(rel, text)| {
                let mut r = Report {
                    file: source.display(rel),
                    out: &mut found,
                };
                load_lesson(rel, text, module_index, labs, renderer, &mut r)
            })
            .collect();
        (lessons, found)
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Small chunks balance the load: lessons differ a lot in diagrams and code.
    let size = files.len().div_ceil(cores * 4).max(1);
    let chunks: Vec<&[(String, String)]> = files.chunks(size).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<RawLesson>, Vec<Problem>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores.min(chunks.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(chunk) = chunks.get(i) else { break };
                        let (lessons, found) = load(chunk);
                        out.push((i, lessons, found));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|(i, _, _)| *i);
    let mut raw = Vec::with_capacity(files.len());
    for (_, lessons, found) in done {
        raw.extend(lessons);
        problems.extend(found);
    }
    raw
}

/// Checks across lessons: unique slugs and orders, no gaps, modules contiguous
/// and in manifest order, no empty module.
fn check_path_order(
    source: &Source,
    manifest_rel: &str,
    manifest_text: &str,
    manifest: &ManifestDef,
    raw: &[RawLesson],
    problems: &mut Vec<Problem>,
) {
    let mut by_slug: BTreeMap<&str, &RawLesson> = BTreeMap::new();
    let mut by_order: BTreeMap<u32, &RawLesson> = BTreeMap::new();
    for r in raw {
        let at = |key: &str| key_line(&r.front_text, r.front_line, key);
        if let Some(other) = by_slug.insert(&r.front.slug, r) {
            problems.push(Problem {
                file: source.display(&r.rel),
                line: at("slug"),
                message: format!(
                    "duplicate slug `{}` (also in {})",
                    r.front.slug,
                    file_name(&other.rel)
                ),
            });
        }
        if let Some(other) = by_order.insert(r.front.order, r) {
            problems.push(Problem {
                file: source.display(&r.rel),
                line: at("order"),
                message: format!(
                    "duplicate order {} (also in {})",
                    r.front.order,
                    file_name(&other.rel)
                ),
            });
        }
    }
    let manifest_file = source.display(manifest_rel);
    let count = by_order.len() as u32;
    let missing: Vec<String> = (1..=count)
        .filter(|o| !by_order.contains_key(o))
        .map(|o| o.to_string())
        .collect();
    if !missing.is_empty() {
        problems.push(Problem {
            file: manifest_file.clone(),
            line: 1,
            message: format!(
                "lesson orders must run 1..{count} without gaps; missing {}",
                missing.join(", ")
            ),
        });
    }
    let mut seen_module = 0usize;
    for r in by_order.values() {
        let m = r.lesson.module;
        if m < seen_module {
            problems.push(Problem {
                file: source.display(&r.rel),
                line: key_line(&r.front_text, r.front_line, "module"),
                message: format!(
                    "lesson {} is in module `{}` but follows a lesson of module `{}`; lessons must follow the module order of path.toml",
                    r.front.order, manifest.modules[m].slug, manifest.modules[seen_module].slug
                ),
            });
        }
        seen_module = seen_module.max(m);
    }
    for (i, m) in manifest.modules.iter().enumerate() {
        if !raw.iter().any(|r| r.lesson.module == i) {
            problems.push(Problem {
                file: manifest_file.clone(),
                line: nth_header_line(manifest_text, 1, "[[modules]]", i),
                message: format!("module `{}` has no lessons", m.slug),
            });
        }
    }
}

/// Every link to `/paths/<path>` or `/paths/<path>/lessons/<lesson>` in a
/// lesson body names a path and lesson that exist (an `#anchor` may follow).
fn check_site_links(source: &Source, paths: &[Path], problems: &mut Vec<Problem>) {
    for path in paths {
        for lesson in &path.lessons {
            let Some(body) = &lesson.body else { continue };
            for (line, url) in &body.site_links {
                let target = url.split(['#', '?']).next().unwrap_or("");
                let parts: Vec<&str> = target.trim_end_matches('/').split('/').collect();
                let message = match parts.as_slice() {
                    ["", "paths", p] if !paths.iter().any(|x| x.slug == *p) => {
                        format!("link `{url}`: there is no path `{p}`")
                    }
                    ["", "paths", p, "lessons", l] => match paths.iter().find(|x| x.slug == *p) {
                        None => format!("link `{url}`: there is no path `{p}`"),
                        Some(x) if x.lesson(l).is_none() => {
                            format!("link `{url}`: path `{p}` has no lesson `{l}`")
                        }
                        Some(_) => continue,
                    },
                    _ => continue,
                };
                problems.push(Problem {
                    file: source.display(&lesson.file),
                    line: *line,
                    message,
                });
            }
        }
    }
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

fn load_lesson(
    rel: &str,
    text: &str,
    modules: &BTreeMap<String, usize>,
    labs: &[&str],
    renderer: &Renderer,
    report: &mut Report,
) -> Option<RawLesson> {
    let parts = split(text, report)?;
    let front: FrontMatter = match toml::from_str(parts.front) {
        Ok(f) => f,
        Err(e) => {
            report.at(
                toml_error_line(&e, parts.front, parts.front_line),
                toml_message(&e),
            );
            return None;
        }
    };
    let at = |key: &str| key_line(parts.front, parts.front_line, key);
    let before = report.out.len();
    if !valid_slug(&front.slug) {
        report.at(
            at("slug"),
            format!(
                "slug `{}` may use only lowercase letters, digits and single `-`",
                front.slug
            ),
        );
    }
    let expected = format!("{:03}-{}.md", front.order, front.slug);
    if file_name(rel) != expected {
        report.at(
            at("order"),
            format!(
                "file should be named `{expected}` (order, zero-padded to 3 digits, then the slug)"
            ),
        );
    }
    if front.title.trim().is_empty() {
        report.at(at("title"), "`title` is empty");
    }
    let summary_len = front.summary.chars().count();
    if front.summary.trim().is_empty() || summary_len > 300 {
        report.at(
            at("summary"),
            format!("`summary` must be 1 to 300 characters, found {summary_len}"),
        );
    }
    if !(1..=240).contains(&front.minutes) {
        report.at(
            at("minutes"),
            format!(
                "`minutes` must be between 1 and 240, found {}",
                front.minutes
            ),
        );
    }
    if front.order == 0 {
        report.at(at("order"), "`order` starts at 1");
    }
    let module = match modules.get(&front.module) {
        Some(&m) => m,
        None => {
            let known: Vec<&str> = modules.keys().map(String::as_str).collect();
            report.at(
                at("module"),
                format!(
                    "unknown module `{}` (known: {})",
                    front.module,
                    known.join(", ")
                ),
            );
            0
        }
    };
    if let Some(lab) = &front.lab {
        if !labs.contains(&lab.as_str()) {
            report.at(
                at("lab"),
                format!("unknown lab `{lab}` (known: {})", labs.join(", ")),
            );
        }
    }

    let status = match front.status {
        StatusDef::Published => Status::Published,
        StatusDef::Draft => Status::Draft,
    };
    let body = if parts.body.trim().is_empty() || status == Status::Draft {
        None
    } else {
        let (mut body, body_problems) = renderer.render_body(parts.body);
        for (line, message) in body_problems {
            report.at(parts.body_line + line - 1, message);
        }
        // Lines from here on count from the top of the file.
        let offset = parts.body_line - 1;
        body.toc.iter_mut().for_each(|t| t.line += offset);
        body.site_links.iter_mut().for_each(|(l, _)| *l += offset);
        Some(body)
    };
    let quiz = parts
        .quiz
        .and_then(|(q, line)| load_quiz(q, line, renderer, report));
    if report.out.len() > before {
        return None;
    }
    Some(RawLesson {
        rel: rel.to_string(),
        front_text: parts.front.to_string(),
        front_line: parts.front_line,
        lesson: Lesson {
            slug: front.slug.clone(),
            title: front.title.clone(),
            summary: front.summary.clone(),
            minutes: front.minutes,
            module,
            order: front.order,
            free_preview: front.free_preview,
            status,
            lab: front.lab.clone(),
            body,
            quiz,
            file: rel.to_string(),
        },
        front,
    })
}

fn load_quiz(
    text: &str,
    first_line: usize,
    renderer: &Renderer,
    report: &mut Report,
) -> Option<Quiz> {
    let def: QuizDef = match toml::from_str(text) {
        Ok(q) => q,
        Err(e) => {
            report.at(
                toml_error_line(&e, text, first_line),
                format!("quiz: {}", toml_message(&e)),
            );
            return None;
        }
    };
    if def.questions.is_empty() {
        report.at(
            first_line - 1,
            "quiz has no questions: add at least one `[[questions]]`",
        );
        return None;
    }
    let before = report.out.len();
    let mut questions = Vec::new();
    for (i, q) in def.questions.iter().enumerate() {
        let line = nth_header_line(text, first_line, "[[questions]]", i);
        let n = i + 1;
        if q.id.is_empty() {
            report.at(
                line,
                format!("quiz question {n}: `id` is missing; give it a short lowercase slug, unique in this lesson (e.g. `id = \"quorum-overlap\"`)"),
            );
        } else if !valid_slug(&q.id) {
            report.at(
                line,
                format!(
                    "quiz question {n}: id `{}` may use only lowercase letters, digits and single `-`",
                    q.id
                ),
            );
        } else if let Some(first) = def.questions[..i].iter().position(|p| p.id == q.id) {
            report.at(
                line,
                format!(
                    "quiz question {n}: id `{}` is already used by question {}",
                    q.id,
                    first + 1
                ),
            );
        }
        if q.prompt.trim().is_empty() {
            report.at(
                line,
                format!("quiz question {n}: `prompt` is missing or empty"),
            );
        }
        if q.choices.len() < 2 || q.choices.len() > 6 {
            report.at(
                line,
                format!(
                    "quiz question {n}: needs 2 to 6 `choices`, found {}",
                    q.choices.len()
                ),
            );
        }
        for (a, choice) in q.choices.iter().enumerate() {
            if choice.trim().is_empty() {
                report.at(line, format!("quiz question {n}: choice {a} is empty"));
            }
            if q.choices[..a].contains(choice) {
                report.at(
                    line,
                    format!("quiz question {n}: choice `{choice}` appears twice"),
                );
            }
        }
        if q.correct.is_empty() {
            report.at(
                line,
                format!("quiz question {n}: `correct` is empty; mark at least one choice correct"),
            );
        }
        for &c in &q.correct {
            if c >= q.choices.len() {
                report.at(
                    line,
                    format!("quiz question {n}: correct index {c} is out of range (choices are numbered from 0 to {})", q.choices.len().saturating_sub(1)),
                );
            }
        }
        if q.explanation.trim().is_empty() {
            report.at(
                line,
                format!("quiz question {n}: `explanation` is missing or empty"),
            );
        }
        let mut correct = q.correct.clone();
        correct.sort_unstable();
        correct.dedup();
        questions.push(Question {
            id: q.id.clone(),
            prompt_html: renderer.render_inline(&q.prompt),
            choices_html: q
                .choices
                .iter()
                .map(|c| renderer.render_inline(c))
                .collect(),
            correct,
            explanation_html: renderer.render_inline(&q.explanation),
            line,
        });
    }
    (report.out.len() == before).then_some(Quiz { questions })
}
