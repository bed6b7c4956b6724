//! The shipped lessons' shell commands, Kubernetes manifests, Ansible playbooks,
//! GitHub Actions workflows and Dockerfiles, run through the real checkers, so a
//! broken snippet fails CI with its lesson file and line.
//!
//! The checkers (shellcheck, yamllint, kubernetes-validate, ansible-playbook,
//! check-jsonschema, hadolint) are looked up in `DEVPATH_LINT_BIN` first (where
//! `scripts/test` installs them), then on `PATH`. A missing checker skips its
//! snippets with a message, unless `DEVPATH_REQUIRE_LINT=1` (set by
//! `scripts/test`), where it fails the test: CI never skips silently.
//!
//! A block that shows a mistake on purpose starts with `# Wrong:`; it is exempt
//! from every check but YAML parsing. Helm templates (YAML with `{{`) are not
//! YAML until rendered, so they are exempt too.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One fenced code block of a lesson.
struct Snippet {
    /// Lesson file name, for messages.
    file: String,
    /// 1-based line of the block's first line of code in the lesson.
    line: usize,
    lang: String,
    text: String,
}

impl Snippet {
    /// A terminal transcript: `$ command` lines (with `> ` continuation
    /// lines) and their output.
    fn is_transcript(&self) -> bool {
        let first = self.text.lines().find(|l| !l.trim().is_empty());
        first.is_some_and(|l| l.starts_with("$ "))
    }

    /// What a checker reads: the commands of a transcript (its output left
    /// out, each line kept at its line so messages point at it), or the text.
    fn script(&self) -> String {
        if !self.is_transcript() {
            return self.text.clone();
        }
        let mut in_command = false;
        let mut out = String::new();
        for line in self.text.lines() {
            let command = if let Some(c) = line.strip_prefix("$ ") {
                Some(c)
            } else if in_command {
                line.strip_prefix("> ")
            } else {
                None
            };
            in_command = command.is_some();
            out.push_str(command.unwrap_or(""));
            out.push('\n');
        }
        out
    }

    fn is_exempt(&self) -> bool {
        self.text.trim_start().starts_with("# Wrong:")
    }

    /// The file name the block is written to: names the lesson and line, so a
    /// checker's message points the reader at the source.
    fn scratch_name(&self, ext: &str) -> String {
        format!(
            "{}-line{}.{ext}",
            self.file.trim_end_matches(".md"),
            self.line
        )
    }
}

/// What a block is checked as.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Bash,
    /// `$ ` commands and their output: the commands are checked.
    BashTranscript,
    Sh,
    Kubernetes,
    Playbook,
    Workflow,
    OtherYaml,
    Dockerfile,
}

impl Kind {
    fn of(snippet: &Snippet) -> Option<Kind> {
        let text = &snippet.text;
        match snippet.lang.as_str() {
            "bash" | "shell" | "sh" if snippet.is_transcript() => Some(Kind::BashTranscript),
            "bash" | "shell" => Some(Kind::Bash),
            "sh" => Some(Kind::Sh),
            "dockerfile" | "Dockerfile" => Some(Kind::Dockerfile),
            "yaml" | "yml" => {
                let top = |key: &str| text.lines().any(|l| l.starts_with(key));
                if is_template(text) {
                    None
                } else if top("apiVersion:") && top("kind:") {
                    Some(Kind::Kubernetes)
                } else if top("jobs:") && (top("on:") || top("\"on\":")) {
                    Some(Kind::Workflow)
                } else if is_playbook(text) {
                    Some(Kind::Playbook)
                } else {
                    Some(Kind::OtherYaml)
                }
            }
            _ => None,
        }
    }

    fn ext(self) -> &'static str {
        match self {
            Kind::Bash | Kind::Sh => "sh",
            Kind::BashTranscript => "console.sh",
            Kind::Dockerfile => "Dockerfile",
            _ => "yaml",
        }
    }
}

/// A Helm (Go) template: `{{` that does not open a GitHub Actions `${{ }}`
/// expression, which is plain YAML.
fn is_template(text: &str) -> bool {
    text.match_indices("{{")
        .any(|(i, _)| !text[..i].ends_with('$'))
}

/// A playbook is a list of plays, and a play names its `hosts`.
fn is_playbook(text: &str) -> bool {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#') && l.trim() != "---");
    first.is_some_and(|l| l.starts_with("- "))
        && text.lines().any(|l| {
            let l = l.trim_start_matches("- ");
            l.starts_with("hosts:") || l.starts_with("  hosts:")
        })
}

fn snippets_of(file: &str, source: &str) -> Vec<Snippet> {
    let line_of = |offset: usize| source[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    let mut open: Option<Snippet> = None;
    for (event, range) in Parser::new_ext(source, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                open = Some(Snippet {
                    file: file.to_string(),
                    line: line_of(range.start) + 1,
                    lang: info.split_whitespace().next().unwrap_or("").to_string(),
                    text: String::new(),
                });
            }
            Event::Text(text) => {
                if let Some(snippet) = open.as_mut() {
                    snippet.text.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => found.extend(open.take()),
            _ => {}
        }
    }
    found
}

fn lesson_snippets(dir: &Path) -> Vec<Snippet> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            snippets_of(&name, &std::fs::read_to_string(path).unwrap())
        })
        .collect()
}

fn tool(name: &str) -> Option<PathBuf> {
    let dirs = std::env::var_os("DEVPATH_LINT_BIN")
        .into_iter()
        .chain(std::env::var_os("PATH"))
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>());
    dirs.map(|dir| dir.join(name)).find(|path| path.is_file())
}

fn lint_required() -> bool {
    std::env::var("DEVPATH_REQUIRE_LINT").is_ok_and(|v| v == "1")
}

/// One checker over a batch of files.
struct Check {
    tool: &'static str,
    args: &'static [&'static str],
    kinds: &'static [Kind],
    /// Whether the checker takes every file in one run; otherwise one run each,
    /// so one bad file cannot hide the next.
    batch: bool,
}

const CHECKS: &[Check] = &[
    // Lesson commands are typed at a prompt in a folder the lesson made, so
    // two checks for unattended scripts are off: `cd dir` without `|| exit`
    // (SC2164), and `source` of a file shellcheck was not given (SC1091).
    Check {
        tool: "shellcheck",
        args: &["--shell=bash", "--format=gcc", "--exclude=SC2164,SC1091"],
        kinds: &[Kind::Bash, Kind::BashTranscript],
        batch: true,
    },
    Check {
        tool: "shellcheck",
        args: &["--shell=sh", "--format=gcc", "--exclude=SC2164,SC1091"],
        kinds: &[Kind::Sh],
        batch: true,
    },
    // Syntax only: every rule off, so only a parse error fails.
    Check {
        tool: "yamllint",
        args: &["--format=parsable", "--config-data={rules: {}}"],
        kinds: &[
            Kind::Kubernetes,
            Kind::Playbook,
            Kind::Workflow,
            Kind::OtherYaml,
        ],
        batch: true,
    },
    // Built-in kinds against the Kubernetes OpenAPI schemas, unknown fields
    // rejected; custom resources have no schema here and only warn.
    Check {
        tool: "kubernetes-validate",
        args: &["--strict", "--quiet", "--no-warn"],
        kinds: &[Kind::Kubernetes],
        batch: true,
    },
    Check {
        tool: "ansible-playbook",
        args: &["--syntax-check", "-i", "localhost,"],
        kinds: &[Kind::Playbook],
        batch: false,
    },
    Check {
        tool: "check-jsonschema",
        args: &["--builtin-schema", "vendor.github-workflows"],
        kinds: &[Kind::Workflow],
        batch: true,
    },
    Check {
        tool: "hadolint",
        args: &["--failure-threshold", "error", "--no-color"],
        kinds: &[Kind::Dockerfile],
        batch: true,
    },
];

/// Makes an empty role for each role a playbook names, so its syntax check
/// tests the playbook (a lesson shows a role's files separately).
fn stub_roles(playbook: &str, roles: &Path) {
    let mut in_roles = false;
    for line in playbook.lines() {
        let trimmed = line.trim_start().trim_start_matches("- ");
        if trimmed.starts_with("roles:") {
            in_roles = true;
            continue;
        }
        let item = line.trim_start();
        if in_roles && item.starts_with("- ") {
            let name = item[2..].trim().trim_start_matches("role:").trim();
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || "_.-".contains(c))
            {
                std::fs::create_dir_all(roles.join(name).join("tasks")).unwrap();
                std::fs::write(roles.join(name).join("tasks/main.yml"), "[]\n").unwrap();
            }
        } else if !item.is_empty() {
            in_roles = false;
        }
    }
}

/// Runs every checker over the lessons in `dir`; returns the failures, each
/// naming the lesson file and line.
fn check_lessons(dir: &Path) -> Vec<String> {
    let scratch = tempfile::tempdir().unwrap();
    let mut written: Vec<(Kind, bool, PathBuf)> = Vec::new();
    for snippet in lesson_snippets(dir) {
        let Some(kind) = Kind::of(&snippet) else {
            continue;
        };
        let path = scratch.path().join(snippet.scratch_name(kind.ext()));
        std::fs::write(&path, snippet.script()).unwrap();
        if kind == Kind::Playbook {
            stub_roles(&snippet.text, &scratch.path().join("roles"));
        }
        written.push((kind, snippet.is_exempt(), path));
    }

    let mut failures = Vec::new();
    for check in CHECKS {
        let syntax_only = check.tool == "yamllint";
        let files: Vec<&PathBuf> = written
            .iter()
            .filter(|(kind, exempt, _)| check.kinds.contains(kind) && (syntax_only || !exempt))
            .map(|(_, _, path)| path)
            .collect();
        if files.is_empty() {
            continue;
        }
        let Some(program) = tool(check.tool) else {
            let message = format!(
                "{} not found: {} snippets not checked",
                check.tool,
                files.len()
            );
            if lint_required() {
                failures.push(message);
            } else {
                eprintln!("skipped: {message}");
            }
            continue;
        };
        let runs: Vec<Vec<&PathBuf>> = if check.batch {
            vec![files]
        } else {
            files.into_iter().map(|file| vec![file]).collect()
        };
        for run in runs {
            let output = Command::new(&program)
                .args(check.args)
                .args(&run)
                .current_dir(scratch.path())
                .env("ANSIBLE_LOCAL_TEMP", scratch.path())
                .env("ANSIBLE_HOME", scratch.path())
                .env("ANSIBLE_ROLES_PATH", scratch.path().join("roles"))
                .output()
                .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
            if !output.status.success() {
                let said = String::from_utf8_lossy(&output.stdout).into_owned()
                    + &String::from_utf8_lossy(&output.stderr);
                let said = said.replace(&format!("{}/", scratch.path().display()), "");
                failures.push(format!("{} failed:\n{}", check.tool, said.trim()));
            }
        }
    }
    failures
}

fn shipped_lessons() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content/systems-engineering/lessons")
}

#[test]
fn every_lesson_snippet_passes_its_checker() {
    let failures = check_lessons(&shipped_lessons());
    assert!(
        failures.is_empty(),
        "lesson snippets that do not check (file names are <lesson>-line<N>, the block's first line):\n\n{}",
        failures.join("\n\n")
    );
}

#[test]
fn blocks_are_found_with_their_lesson_line_and_kind() {
    let lesson = "+++\nslug = \"x\"\n+++\n\n## A\n\n```bash\necho hi\n```\n\n- item\n\n  ```yaml\n  - hosts: all\n    tasks: []\n  ```\n\n```yaml\napiVersion: v1\nkind: ConfigMap\n```\n";
    let found = snippets_of("001-x.md", lesson);
    let summary: Vec<(usize, Option<Kind>)> = found.iter().map(|s| (s.line, Kind::of(s))).collect();
    assert_eq!(
        summary,
        vec![
            (8, Some(Kind::Bash)),
            (14, Some(Kind::Playbook)),
            (19, Some(Kind::Kubernetes))
        ]
    );
    assert_eq!(found[0].scratch_name("sh"), "001-x-line8.sh");
    assert!(is_template("image: {{ .Values.image }}"));
    assert!(!is_template("run: echo ${{ github.sha }}"));
}

/// The checkers catch what they are here to catch: a lesson with one broken
/// snippet of each kind fails, each named by its line. Runs where the tools are.
#[test]
fn broken_snippets_are_reported_by_lesson_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = [
        "## Broken on purpose",
        "",
        "```bash",
        "cd $DIR && rm -rf $TARGET/*", // line 4: unquoted variables
        "```",
        "",
        "```yaml",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: web}",
        "spec:",
        "  replicas: 2",
        "  selectr: {matchLabels: {app: web}}", // misspelt, and `selector` missing
        "  template:",
        "    metadata: {labels: {app: web}}",
        "    spec: {containers: [{name: web, image: nginx}]}",
        "```",
        "",
        "```yaml",
        "- hosts: all",
        "  tasks:",
        "    - name: no module",
        "      not_a_module: {}",
        "```",
        "",
        "```yaml",
        "# Wrong: exempt from schema checks, but still YAML",
        "key: [unclosed",
        "```",
        "",
    ]
    .join("\n");
    std::fs::write(dir.path().join("001-broken.md"), lesson).unwrap();
    let failures = check_lessons(dir.path()).join("\n");

    let expect = [
        ("shellcheck", "001-broken-line4.sh"),
        ("kubernetes-validate", "001-broken-line8.yaml"),
        ("ansible-playbook", "001-broken-line20.yaml"),
        ("yamllint", "001-broken-line27.yaml"),
    ];
    for (checker, name) in expect {
        if tool(checker).is_none() && !lint_required() {
            eprintln!("skipped: {checker} not found");
            continue;
        }
        assert!(
            failures.contains(name),
            "{checker} should report {name}; got:\n{failures}"
        );
    }
}
