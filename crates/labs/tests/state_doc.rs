//! docs/labs-api.md documents each lab's frame `state`, key by key. This
//! reads those tables and holds every frame of every lab's default run and
//! guided scenarios against them: no documented key missing where it is
//! always present, no undocumented key, every value of a documented type,
//! and every documented key seen in some frame. So the page cannot drift
//! from the code without a failing test.

use devpath_labs::{labs, run, LabInfo, RunSpec};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

mod common;
use common::spec;

const DOC: &str = include_str!("../../../docs/labs-api.md");
const SECTION: &str = "## Frame state, lab by lab";

/// A documented JSON type.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Integer,
    Number,
    String,
    Boolean,
    Null,
    Object,
    Array(Box<Ty>),
    Tuple(Vec<Ty>),
    Any(Vec<Ty>),
}

/// Splits `s` at `sep` where no bracket or parenthesis is open.
fn split_top<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let (mut out, mut depth, mut start, mut i) = (Vec::new(), 0i32, 0, 0);
    let b = s.as_bytes();
    while i < s.len() {
        match b[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            _ if depth == 0 && s[i..].starts_with(sep) => {
                out.push(&s[start..i]);
                i += sep.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&s[start..]);
    out
}

/// Parses the type column: `A or B`, `array of T`, `[T, U]`, `(T)`, words.
fn parse_ty(s: &str) -> Result<Ty, String> {
    let s = s.trim();
    let alts = split_top(s, " or ");
    if alts.len() > 1 {
        return alts
            .into_iter()
            .map(parse_ty)
            .collect::<Result<_, _>>()
            .map(Ty::Any);
    }
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        return parse_ty(inner);
    }
    if let Some(elem) = s.strip_prefix("array of ") {
        return Ok(Ty::Array(Box::new(parse_ty(elem)?)));
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return split_top(inner, ", ")
            .into_iter()
            .map(parse_ty)
            .collect::<Result<_, _>>()
            .map(Ty::Tuple);
    }
    Ok(match s {
        "integer" => Ty::Integer,
        "number" => Ty::Number,
        "string" => Ty::String,
        "boolean" => Ty::Boolean,
        "null" => Ty::Null,
        "object" => Ty::Object,
        other => return Err(format!("unknown type `{other}`")),
    })
}

struct Row {
    ty: Ty,
    always: bool,
}

/// One lab's table: key path (`a.b`, `a[].b`) -> row.
type Table = BTreeMap<String, Row>;

/// Every `### `slug`` table under the frame state section.
fn doc_tables() -> BTreeMap<String, Table> {
    let section = &DOC[DOC.find(SECTION).expect("the frame state section")..];
    let section = &section[SECTION.len()..];
    let section = section.find("\n## ").map_or(section, |end| &section[..end]);
    let mut tables = BTreeMap::new();
    let mut current: Option<(String, Table)> = None;
    for line in section.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            tables.extend(current.take());
            let slug = h.trim().trim_matches('`').to_string();
            current = Some((slug, Table::new()));
        } else if line.starts_with("| `") {
            let (slug, table) = current.as_mut().expect("a table under a lab heading");
            let cells: Vec<&str> = line.trim_start_matches('|').splitn(4, '|').collect();
            assert!(cells.len() == 4, "{slug}: short row `{line}`");
            let key = cells[0].trim().trim_matches('`').to_string();
            let ty = parse_ty(cells[1]).unwrap_or_else(|e| panic!("{slug} `{key}`: {e}"));
            let always = cells[2].trim() == "always";
            assert!(
                table.insert(key.clone(), Row { ty, always }).is_none(),
                "{slug}: `{key}` documented twice"
            );
        }
    }
    tables.extend(current);
    tables
}

/// Where a table expects objects, so each row's parent can be checked.
fn object_paths(path: &str, ty: &Ty, out: &mut BTreeSet<String>) {
    match ty {
        Ty::Object => {
            out.insert(path.to_string());
        }
        Ty::Array(e) => object_paths(&format!("{path}[]"), e, out),
        Ty::Any(alts) => alts.iter().for_each(|t| object_paths(path, t, out)),
        _ => {}
    }
}

fn parent_and_name(key: &str) -> (&str, &str) {
    key.rsplit_once('.').unwrap_or(("", key))
}

/// The table itself must make sense: every key sits under a documented
/// object, and every documented object lists its keys.
fn check_table(slug: &str, table: &Table) {
    let mut objects = BTreeSet::from([String::new()]);
    for (key, row) in table {
        object_paths(key, &row.ty, &mut objects);
    }
    for key in table.keys() {
        let (parent, _) = parent_and_name(key);
        assert!(
            objects.contains(parent),
            "{slug}: `{key}` is under `{parent}`, which is not documented as an object"
        );
    }
    for obj in &objects {
        assert!(
            table.keys().any(|k| parent_and_name(k).0 == obj),
            "{slug}: object `{obj}` has no documented keys"
        );
    }
}

struct Checker<'a> {
    table: &'a Table,
    errors: BTreeSet<String>,
    seen: BTreeSet<String>,
}

impl Checker<'_> {
    fn object(&mut self, path: &str, map: &serde_json::Map<String, Value>) {
        let table = self.table;
        for (name, value) in map {
            let key = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            match table.get(&key) {
                Some(row) => {
                    self.seen.insert(key.clone());
                    self.value(&key, &row.ty, value);
                }
                None => {
                    self.errors.insert(format!("`{key}` is not documented"));
                }
            }
        }
        for (key, row) in table {
            let (parent, name) = parent_and_name(key);
            if parent == path && row.always && !map.contains_key(name) {
                self.errors.insert(format!(
                    "`{key}` is documented as always present but missing"
                ));
            }
        }
    }

    fn value(&mut self, path: &str, ty: &Ty, v: &Value) {
        // Among alternatives, take the one whose JSON kind fits.
        let fits = |t: &Ty| match (t, v) {
            (Ty::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Ty::Number, Value::Number(_))
            | (Ty::String, Value::String(_))
            | (Ty::Boolean, Value::Bool(_))
            | (Ty::Null, Value::Null)
            | (Ty::Object, Value::Object(_))
            | (Ty::Array(_), Value::Array(_)) => true,
            (Ty::Tuple(ts), Value::Array(a)) => ts.len() == a.len(),
            _ => false,
        };
        let chosen = match ty {
            Ty::Any(alts) => alts.iter().find(|t| fits(t)),
            t => Some(t).filter(|t| fits(t)),
        };
        match (chosen, v) {
            (None, _) => {
                self.errors.insert(format!(
                    "`{path}`: {v} is not of the documented type {ty:?}"
                ));
            }
            (Some(Ty::Object), Value::Object(map)) => self.object(path, map),
            (Some(Ty::Array(e)), Value::Array(items)) => {
                let elem = format!("{path}[]");
                for item in items {
                    self.value(&elem, e, item);
                }
            }
            (Some(Ty::Tuple(ts)), Value::Array(items)) => {
                for (i, (t, item)) in ts.iter().zip(items).enumerate() {
                    self.value(&format!("{path}[{i}]"), t, item);
                }
            }
            _ => {}
        }
    }
}

/// Runs that reach keys no guided scenario does (link faults, key edits,
/// a query about an event that has not happened).
fn extra_runs(slug: &str) -> Vec<RunSpec> {
    let actions: &[&str] = match slug {
        "raft" => &[
            "100:timeout:n1",
            "300:latency:n1:n2:200",
            "300:loss:n1:n3:50",
            "400:drop:n2:n1",
            "400:drop:n1:n2",
            "400:drop:n1:n2",
        ],
        "clocks" => &["10:query:p1.9:p2.9"],
        "consistent-hashing" => &["1:add-keys:10", "2:remove-key:key-3"],
        _ => return vec![],
    };
    vec![spec(slug, 5, &[], actions)]
}

/// The lab's default run, its guided scenarios and any extra runs.
fn runs(info: &LabInfo) -> Vec<(String, RunSpec)> {
    let mut out = vec![("defaults".to_string(), spec(&info.slug, 99, &[], &[]))];
    for s in &info.scenarios {
        out.push((
            s.title.to_string(),
            spec(&info.slug, s.seed, &s.params, &s.actions),
        ));
    }
    for (i, extra) in extra_runs(&info.slug).into_iter().enumerate() {
        out.push((format!("extra run {i}"), extra));
    }
    out
}

fn state_matches_the_doc(slug: &str) {
    let tables = doc_tables();
    let table = tables.get(slug).unwrap_or_else(|| {
        panic!("docs/labs-api.md has no `### `{slug}`` table under `{SECTION}`")
    });
    check_table(slug, table);
    let info = labs()
        .into_iter()
        .find(|l| l.slug == slug)
        .expect("a registered lab");
    let mut checker = Checker {
        table,
        errors: BTreeSet::new(),
        seen: BTreeSet::new(),
    };
    for (name, spec) in runs(&info) {
        let frames = run(&spec)
            .unwrap_or_else(|e| panic!("{slug} / {name}: {e}"))
            .frames;
        for f in &frames {
            checker.value("", &Ty::Object, &f.state);
        }
        assert!(
            checker.errors.is_empty(),
            "{slug} / {name}: the frame state and docs/labs-api.md disagree:\n  {}",
            // The first few are enough to see what drifted.
            checker
                .errors
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    let unseen: Vec<&String> = table
        .keys()
        .filter(|k| !checker.seen.contains(*k))
        .collect();
    assert!(
        unseen.is_empty(),
        "{slug}: documented but in no frame of its runs (gone from the code, or add a run that shows them): {unseen:?}"
    );
}

macro_rules! lab_state_tests {
    ($($test:ident => $slug:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                state_matches_the_doc($slug);
            }
        )*

        /// Labs added after these tests were written are checked here.
        #[test]
        fn every_other_registered_lab_matches_the_doc() {
            let named = [$($slug),*];
            for info in labs() {
                if !named.contains(&info.slug.as_str()) {
                    state_matches_the_doc(&info.slug);
                }
            }
        }
    };
}

lab_state_tests! {
    raft_state_matches_the_doc => "raft",
    clocks_state_matches_the_doc => "clocks",
    consistent_hashing_state_matches_the_doc => "consistent-hashing",
    rate_limiting_state_matches_the_doc => "rate-limiting",
    circuit_breaker_state_matches_the_doc => "circuit-breaker",
    sketches_state_matches_the_doc => "sketches",
}

#[test]
fn the_doc_documents_exactly_the_registered_labs() {
    let documented: BTreeSet<String> = doc_tables().into_keys().collect();
    let registered: BTreeSet<String> = labs().into_iter().map(|l| l.slug).collect();
    assert_eq!(documented, registered);
}

#[test]
fn the_checker_catches_drift() {
    let tables = doc_tables();
    let table = &tables["clocks"];
    let mut checker = Checker {
        table,
        errors: BTreeSet::new(),
        seen: BTreeSet::new(),
    };
    let mut state = run(&spec("clocks", 1, &[], &[])).unwrap().frames[0]
        .state
        .clone();
    state["extra"] = Value::Bool(true);
    state["processes"][0]["lamport"] = Value::String("1".into());
    state["processes"][1]
        .as_object_mut()
        .unwrap()
        .remove("vector");
    checker.value("", &Ty::Object, &state);
    let errors: Vec<&String> = checker.errors.iter().collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors
        .iter()
        .any(|e| e.contains("`extra` is not documented")));
    assert!(errors.iter().any(|e| e.contains("`processes[].lamport`")));
    assert!(errors
        .iter()
        .any(|e| e.contains("`processes[].vector` is documented as always present")));
}
