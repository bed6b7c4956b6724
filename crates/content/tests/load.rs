//! Content loading: the shipped catalog, and broken files reported by file and line.

use devpath_content::{load, Catalog, Problem, Source, Status};
use std::path::Path;

const LABS: &[&str] = &[
    "raft",
    "clocks",
    "consistent-hashing",
    "rate-limiting",
    "circuit-breaker",
    "sketches",
];

const MANIFEST: &str = r#"title = "Test Path"
tagline = "A path for tests."
highlights = ["One", "Two", "Three"]

[[modules]]
slug = "basics"
title = "Basics"

[[modules]]
slug = "advanced"
title = "Advanced"
"#;

fn lesson(order: u32, slug: &str, module: &str) -> String {
    format!(
        "+++\nslug = \"{slug}\"\ntitle = \"Lesson {order}\"\nsummary = \"About {slug}.\"\nminutes = 10\nmodule = \"{module}\"\norder = {order}\n+++\n\n## Intro\n\nText.\n"
    )
}

const QUIZ_OK: &str = "\n+++ quiz\n[[questions]]\nprompt = \"Q?\"\nchoices = [\"a\", \"b\"]\ncorrect = [1]\nexplanation = \"Because.\"\n+++\n";

/// A valid three-lesson path in a temporary folder; `edit` may change files.
fn fixture(edit: impl FnOnce(&Path)) -> (tempfile::TempDir, Result<Catalog, Vec<Problem>>) {
    let dir = tempfile::tempdir().unwrap();
    let lessons = dir.path().join("test-path/lessons");
    std::fs::create_dir_all(&lessons).unwrap();
    std::fs::write(dir.path().join("test-path/path.toml"), MANIFEST).unwrap();
    std::fs::write(
        lessons.join("001-first.md"),
        lesson(1, "first", "basics") + QUIZ_OK,
    )
    .unwrap();
    std::fs::write(lessons.join("002-second.md"), lesson(2, "second", "basics")).unwrap();
    std::fs::write(lessons.join("003-third.md"), lesson(3, "third", "advanced")).unwrap();
    edit(dir.path());
    let source = Source::dir(dir.path()).unwrap();
    let result = load(&source, LABS).map_err(|p| p.0);
    (dir, result)
}

/// Asserts exactly one problem, in `file` (suffix) at `line`, mentioning `needle`.
fn expect_problem(result: Result<Catalog, Vec<Problem>>, file: &str, line: usize, needle: &str) {
    let problems = result.expect_err("content should be rejected");
    assert!(
        problems
            .iter()
            .any(|p| p.file.ends_with(file) && p.line == line && p.message.contains(needle)),
        "expected {file}:{line}: ...{needle}..., got:\n{}",
        problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn valid_fixture_loads() {
    let (_d, result) = fixture(|_| {});
    let catalog = result.unwrap();
    let path = catalog.path("test-path").unwrap();
    assert_eq!(path.lessons.len(), 3);
    assert_eq!(
        path.lessons[0].quiz.as_ref().unwrap().questions[0].correct,
        [1]
    );
    assert!(path.lessons[0]
        .body
        .as_ref()
        .unwrap()
        .html
        .contains("id=\"intro\""));
}

#[test]
fn bad_front_matter_names_file_and_line() {
    let (_d, r) = fixture(|d| {
        let bad = lesson(2, "second", "basics").replace("minutes = 10", "minutes = ten");
        std::fs::write(d.join("test-path/lessons/002-second.md"), bad).unwrap();
    });
    expect_problem(r, "test-path/lessons/002-second.md", 5, "");
}

#[test]
fn missing_front_matter_is_line_1() {
    let (_d, r) = fixture(|d| {
        std::fs::write(
            d.join("test-path/lessons/002-second.md"),
            "## Just markdown\n",
        )
        .unwrap();
    });
    expect_problem(r, "002-second.md", 1, "must start with a `+++`");
}

#[test]
fn unknown_field_is_rejected() {
    let (_d, r) = fixture(|d| {
        let bad = lesson(2, "second", "basics")
            .replace("minutes = 10", "minutes = 10\nfree_preveiw = true");
        std::fs::write(d.join("test-path/lessons/002-second.md"), bad).unwrap();
    });
    expect_problem(r, "002-second.md", 6, "free_preveiw");
}

#[test]
fn unknown_module_lists_known_ones() {
    let (_d, r) = fixture(|d| {
        std::fs::write(
            d.join("test-path/lessons/002-second.md"),
            lesson(2, "second", "basicz"),
        )
        .unwrap();
    });
    expect_problem(
        r,
        "002-second.md",
        6,
        "unknown module `basicz` (known: advanced, basics)",
    );
}

#[test]
fn duplicate_slug_names_the_other_file() {
    let (_d, r) = fixture(|d| {
        std::fs::write(
            d.join("test-path/lessons/004-first.md"),
            lesson(4, "first", "advanced"),
        )
        .unwrap();
    });
    expect_problem(
        r,
        "004-first.md",
        2,
        "duplicate slug `first` (also in 001-first.md)",
    );
}

#[test]
fn quiz_with_no_correct_answer() {
    let (_d, r) = fixture(|d| {
        let bad = lesson(1, "first", "basics") + &QUIZ_OK.replace("correct = [1]", "correct = []");
        std::fs::write(d.join("test-path/lessons/001-first.md"), bad).unwrap();
    });
    // The lesson has 13 lines before the quiz; `[[questions]]` is line 15.
    expect_problem(r, "001-first.md", 15, "quiz question 1: `correct` is empty");
}

#[test]
fn quiz_index_out_of_range_and_duplicate_choice() {
    let (_d, r) = fixture(|d| {
        let bad = lesson(1, "first", "basics")
            + &QUIZ_OK
                .replace("correct = [1]", "correct = [5]")
                .replace("[\"a\", \"b\"]", "[\"a\", \"a\"]");
        std::fs::write(d.join("test-path/lessons/001-first.md"), bad).unwrap();
    });
    let problems = r.err().unwrap();
    assert!(problems
        .iter()
        .any(|p| p.message.contains("correct index 5 is out of range")));
    assert!(problems.iter().any(|p| p.message.contains("appears twice")));
}

#[test]
fn unclosed_quiz_is_reported() {
    let (_d, r) = fixture(|d| {
        let bad = lesson(1, "first", "basics") + "\n+++ quiz\n[[questions]]\n";
        std::fs::write(d.join("test-path/lessons/001-first.md"), bad).unwrap();
    });
    expect_problem(r, "001-first.md", 14, "quiz is not closed");
}

#[test]
fn h1_in_body_is_reported_at_its_line() {
    let (_d, r) = fixture(|d| {
        let bad = lesson(2, "second", "basics").replace("## Intro", "# Intro");
        std::fs::write(d.join("test-path/lessons/002-second.md"), bad).unwrap();
    });
    expect_problem(r, "002-second.md", 10, "do not use `#` headings");
}

#[test]
fn gaps_misnamed_files_and_module_order() {
    let (_d, r) = fixture(|d| {
        let l = d.join("test-path/lessons");
        std::fs::remove_file(l.join("002-second.md")).unwrap();
        std::fs::write(l.join("004-fourth.md"), lesson(4, "fourth", "basics")).unwrap();
        std::fs::write(l.join("wrong-name.md"), lesson(5, "fifth", "advanced")).unwrap();
    });
    let problems = r.err().unwrap();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let all = text.join("\n");
    assert!(all.contains("missing 2"), "{all}");
    assert!(all.contains("file should be named `005-fifth.md`"), "{all}");
    assert!(all.contains("must follow the module order"), "{all}");
}

#[test]
fn unknown_lab_and_empty_module() {
    let (_d, r) = fixture(|d| {
        let l = d.join("test-path/lessons");
        std::fs::write(
            l.join("003-third.md"),
            lesson(3, "third", "basics").replace("order = 3", "order = 3\nlab = \"paxos\""),
        )
        .unwrap();
    });
    let problems = r.err().unwrap();
    let all: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let all = all.join("\n");
    assert!(all.contains("003-third.md:8: unknown lab `paxos`"), "{all}");
    assert!(
        all.contains("path.toml:9: module `advanced` has no lessons"),
        "{all}"
    );
}

#[test]
fn draft_and_empty_lessons_are_in_preparation() {
    let (_d, r) = fixture(|d| {
        let l = d.join("test-path/lessons");
        std::fs::write(
            l.join("002-second.md"),
            lesson(2, "second", "basics").replace("order = 2", "order = 2\nstatus = \"draft\""),
        )
        .unwrap();
        std::fs::write(
            l.join("003-third.md"),
            lesson(3, "third", "advanced").replace("## Intro\n\nText.\n", ""),
        )
        .unwrap();
    });
    let catalog = r.unwrap();
    let p = &catalog.paths[0];
    assert_eq!(p.lessons[1].status, Status::Draft);
    assert!(!p.lessons[1].is_ready());
    assert!(!p.lessons[2].is_ready());
}

// ---- the shipped catalog ----

fn seed_titles() -> Vec<String> {
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../content/systems-engineering/path.toml"
    ));
    assert!(seed.is_ok());
    // The seed page's titles, in order; kept in the repository as the spec.
    let text = include_str!("seed_titles.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn shipped_catalog_matches_the_seed() {
    let catalog = load(&Source::embedded(), LABS).unwrap_or_else(|p| panic!("{p}"));
    let path = catalog
        .path("systems-engineering")
        .expect("systems-engineering path");
    assert_eq!(path.title, "Systems Engineering");
    assert_eq!(
        path.tagline,
        "Dive into distributed systems, cloud architecture, and DevOps."
    );
    assert_eq!(
        path.highlights,
        [
            "Distributed Systems & Advanced Databases",
            "Containers, Kubernetes & Cloud",
            "CI/CD, Observability & Messaging"
        ]
    );
    let titles: Vec<&str> = path.lessons.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles, seed_titles());
    assert_eq!(path.lessons.len(), 100);
    assert_eq!(
        path.total_hours(),
        46,
        "total minutes {}",
        path.total_minutes()
    );
    assert_eq!(path.modules.len(), 16);
    for (i, _) in path.modules.iter().enumerate() {
        let first = path.module_lessons(i).next().unwrap();
        assert!(
            first.free_preview,
            "first lesson of module {i} should be a free preview"
        );
        assert_eq!(path.module_lessons(i).filter(|l| l.free_preview).count(), 1);
    }
}

#[test]
fn first_five_lessons_are_written_in_full() {
    let catalog = load(&Source::embedded(), LABS).unwrap();
    let path = catalog.path("systems-engineering").unwrap();
    for lesson in &path.lessons[..5] {
        let body = lesson
            .body
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no body", lesson.slug));
        assert!(
            (1700..=3100).contains(&body.words),
            "{}: {} words",
            lesson.slug,
            body.words
        );
        assert!(
            body.html.contains("<figure class=\"diagram\""),
            "{} has no diagram",
            lesson.slug
        );
        assert!(body.toc.len() >= 6, "{} toc", lesson.slug);
        let quiz = lesson.quiz.as_ref().unwrap();
        assert!(
            (5..=8).contains(&quiz.questions.len()),
            "{} quiz",
            lesson.slug
        );
    }
    assert!(path.lessons[5..].iter().all(|l| !l.is_ready()));
}

#[test]
fn directory_source_matches_embedded() {
    let dir = Source::dir(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../content"
    )))
    .unwrap();
    let embedded = Source::embedded();
    assert_eq!(dir.files, embedded.files);
}
