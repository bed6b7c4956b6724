//! Property-based fuzzing of the content loader: whatever is in the lesson
//! files (truncated, spliced, garbage, broken TOML, unclosed fences and
//! quizzes), `load` returns a catalog or problems that name a real file and
//! a line inside it; it never panics.
//!
//! CI runs proptest's default number of cases; `scripts/fuzz` runs a million
//! (`PROPTEST_CASES=1000000`).

use devpath_content::{load, Source};
use proptest::prelude::*;

const LABS: &[&str] = &["raft", "clocks"];

const MANIFEST: &str = r#"title = "Test Path"
tagline = "A path for tests."
highlights = ["One", "Two", "Three"]

[[modules]]
slug = "basics"
title = "Basics"
"#;

/// A small lesson that uses every construct the loader and renderer know.
const LESSON: &str = r#"+++
slug = "first"
title = "First"
summary = "About the first."
minutes = 10
module = "basics"
order = 1
lab = "raft"
+++

## Intro

Text with `code`, a [link](/paths/test-path/lessons/second) and **bold**.

> [!NOTE]
> A callout.

```rust
fn main() { println!("hi"); }
```

```svgbob
+---+     +---+
| a |---->| b |
+---+     +---+
```

| a | b |
|---|---|
| 1 | 2 |

+++ quiz
[[questions]]
id = "q1"
prompt = "Q?"
choices = ["a", "b"]
correct = [1]
explanation = "Because."
+++
"#;

const SECOND: &str = "+++\nslug = \"second\"\ntitle = \"Second\"\nsummary = \"S.\"\nminutes = 5\nmodule = \"basics\"\norder = 2\n+++\n\n## Body\n\nText.\n";

/// Characters the formats give meaning to, so edits hit the parsers' edges.
fn syntax_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            '+', '=', '"', '\'', '[', ']', '{', '}', '#', '`', '>', '!', '|', '-', '*', '_',
            '\n', '\r', '\t', ' ', '\\', '<', '/', ':', ',', '.', '0', '9', 'a', '~',
        ]),
        1 => any::<char>(),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(prop::sample::Index, String),
    Delete(prop::sample::Index, usize),
    DuplicateLine(prop::sample::Index),
    DropLine(prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let text = prop::collection::vec(syntax_char(), 1..24).prop_map(String::from_iter);
    prop_oneof![
        4 => (any::<prop::sample::Index>(), text).prop_map(|(i, s)| Edit::Insert(i, s)),
        2 => (any::<prop::sample::Index>(), 1usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        1 => any::<prop::sample::Index>().prop_map(Edit::DuplicateLine),
        2 => any::<prop::sample::Index>().prop_map(Edit::DropLine),
        1 => any::<prop::sample::Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: &prop::sample::Index| i.index(chars.len() + 1);
    match edit {
        Edit::Insert(i, s) => {
            let p = at(i);
            chars[..p]
                .iter()
                .copied()
                .chain(s.chars())
                .chain(chars[p..].iter().copied())
                .collect()
        }
        Edit::Delete(i, n) => {
            let p = at(i);
            let end = (p + n).min(chars.len());
            chars[..p].iter().chain(&chars[end..]).collect()
        }
        Edit::DuplicateLine(i) | Edit::DropLine(i) => {
            let mut lines: Vec<&str> = text.split('\n').collect();
            let k = i.index(lines.len());
            if matches!(edit, Edit::DuplicateLine(_)) {
                lines.insert(k, lines[k]);
            } else {
                lines.remove(k);
            }
            lines.join("\n")
        }
        Edit::Truncate(i) => chars[..at(i)].iter().collect(),
    }
}

/// Loads the files and checks what the loader promises about problems.
fn check(files: Vec<(String, String)>) -> Result<(), TestCaseError> {
    let source = Source {
        root: "content".into(),
        files: files.clone(),
    };
    match load(&source, LABS) {
        Ok(catalog) => {
            let lessons = files.iter().filter(|(p, _)| p.ends_with(".md")).count();
            prop_assert!(catalog.lesson_count() <= lessons);
        }
        Err(problems) => {
            prop_assert!(!problems.0.is_empty());
            for p in &problems.0 {
                let file = files.iter().find(|(rel, _)| p.file == source.display(rel));
                prop_assert!(file.is_some(), "problem names no input file: {p}");
                let lines = file.unwrap().1.split('\n').count().max(1);
                prop_assert!(
                    p.line >= 1 && p.line <= lines + 1,
                    "line out of range: {p} ({lines} lines)"
                );
                prop_assert!(!p.message.trim().is_empty(), "empty message: {p:?}");
            }
        }
    }
    Ok(())
}

fn files(manifest: String, first: String, second: String) -> Vec<(String, String)> {
    vec![
        ("test-path/path.toml".into(), manifest),
        ("test-path/lessons/001-first.md".into(), first),
        ("test-path/lessons/002-second.md".into(), second),
    ]
}

#[test]
fn the_unedited_fixture_loads() {
    let source = Source {
        root: "content".into(),
        files: files(MANIFEST.into(), LESSON.into(), SECOND.into()),
    };
    let catalog = load(&source, LABS).unwrap_or_else(|p| panic!("{p}"));
    assert_eq!(catalog.lesson_count(), 2);
}

/// Found by the fuzzer: a lone carriage return in TOML gave a problem with
/// no message.
#[test]
fn a_lone_carriage_return_is_explained() {
    let manifest = MANIFEST.replacen("\n", "\n\r", 2);
    let source = Source {
        root: "content".into(),
        files: files(manifest, LESSON.into(), SECOND.into()),
    };
    let problems = load(&source, LABS).expect_err("not valid TOML").0;
    assert!(
        problems.iter().all(|p| !p.message.trim().is_empty()),
        "{problems:?}"
    );
    assert!(problems
        .iter()
        .any(|p| p.file.ends_with("path.toml") && p.line == 2));
}

proptest! {
    #[test]
    fn edited_lessons_never_panic(edits in prop::collection::vec(edit(), 1..6)) {
        let first = edits.iter().fold(LESSON.to_string(), |t, e| apply(&t, e));
        check(files(MANIFEST.into(), first, SECOND.into()))?;
    }

    #[test]
    fn edited_manifests_never_panic(edits in prop::collection::vec(edit(), 1..6)) {
        let manifest = edits.iter().fold(MANIFEST.to_string(), |t, e| apply(&t, e));
        check(files(manifest, LESSON.into(), SECOND.into()))?;
    }

    #[test]
    fn arbitrary_files_never_panic(
        names in prop::collection::vec("[a-z0-9/._-]{0,30}", 1..4),
        texts in prop::collection::vec(".{0,200}", 4),
    ) {
        let mut all = files(MANIFEST.into(), texts[0].clone(), SECOND.into());
        for (name, text) in names.iter().zip(&texts[1..]) {
            if !all.iter().any(|(n, _)| n == name) {
                all.push((name.clone(), text.clone()));
            }
        }
        all.sort();
        check(all)?;
    }
}
