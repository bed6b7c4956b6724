//! The run description a learner sends, the frames a run returns, and the
//! [`Lab`] trait every lab implements.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most frames one run may produce.
pub const MAX_STEPS: usize = 20_000;
/// Most learner actions one run may carry.
pub const MAX_ACTIONS: usize = 500;

/// Everything that defines a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    pub lab: String,
    #[serde(default)]
    pub seed: u64,
    /// Parameter values as text, checked against the lab's [`ParamInfo`].
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    #[serde(default)]
    pub actions: Vec<Action>,
    /// How many frames to produce at most; the lab's default when absent.
    #[serde(default)]
    pub steps: Option<usize>,
}

/// One learner action at a point in virtual time, e.g. `1500:crash:n2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Virtual time in milliseconds (labs without a clock use it as a step index).
    pub at: u64,
    pub kind: String,
    #[serde(default)]
    pub args: Vec<String>,
}

impl std::str::FromStr for Action {
    type Err = LabError;

    /// Parses `t:kind[:arg[:arg...]]`, the form the CLI and URLs use.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(':');
        let at = parts
            .next()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .ok_or_else(|| {
                LabError::BadAction(format!(
                    "`{s}`: expected TIME:KIND[:ARGS], TIME a whole number"
                ))
            })?;
        let kind = parts
            .next()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| LabError::BadAction(format!("`{s}`: missing action kind")))?
            .to_string();
        Ok(Action {
            at,
            kind,
            args: parts.map(str::to_string).collect(),
        })
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.at, self.kind)?;
        for a in &self.args {
            write!(f, ":{a}")?;
        }
        Ok(())
    }
}

/// The visible state after one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub step: usize,
    /// Virtual time in milliseconds (or the step index for clockless labs).
    pub time: u64,
    /// One line: what just happened.
    pub explain: String,
    /// The lab's own state, for drawing. Keys are ordered.
    pub state: serde_json::Value,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub lab: String,
    pub seed: u64,
    pub frames: Vec<Frame>,
}

impl Run {
    /// A readable trace, one line per frame: what the terminal prints.
    pub fn trace(&self) -> String {
        let mut out = String::new();
        for f in &self.frames {
            out.push_str(&format!("{:>5}  t={:<8} {}\n", f.step, f.time, f.explain));
        }
        out
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamInfo {
    pub name: &'static str,
    pub help: &'static str,
    pub default: &'static str,
    /// Inclusive bounds for numeric parameters.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Allowed values for enumerated parameters (empty when free or numeric).
    pub choices: Vec<&'static str>,
}

/// A guided "try this" run.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub title: &'static str,
    pub description: &'static str,
    pub params: Vec<(&'static str, &'static str)>,
    pub seed: u64,
    /// Actions in the `t:kind:args` form.
    pub actions: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LabInfo {
    pub slug: String,
    pub title: &'static str,
    pub summary: &'static str,
    pub params: Vec<ParamInfo>,
    /// Action kinds this lab accepts, with a one-line description of their arguments.
    pub actions: Vec<(&'static str, &'static str)>,
    pub default_steps: usize,
    pub scenarios: Vec<Scenario>,
}

/// One lab: what it offers and how it runs. Each lab implements this in its
/// own module and is listed once in the registry (`registry.rs`). The
/// lessons a lab belongs to are not here: they come from the lessons'
/// front matter (`lab = "<slug>"`).
pub trait Lab: Sync {
    /// Slug, title, parameters, actions and scenarios.
    fn info(&self) -> LabInfo;
    /// The frames of a run. The registry has already checked `spec`
    /// against [`Lab::info`] with [`RunSpec::validate`].
    fn run(&self, spec: &RunSpec) -> Result<Vec<Frame>, LabError>;
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LabError {
    #[error("unknown lab `{0}`")]
    UnknownLab(String),
    #[error("unknown parameter `{0}`")]
    UnknownParam(String),
    #[error("parameter `{name}`: {message}")]
    BadParam { name: String, message: String },
    #[error("bad action: {0}")]
    BadAction(String),
    #[error("too many steps: {0} (at most {MAX_STEPS})")]
    TooManySteps(usize),
    #[error("too many actions: {0} (at most {MAX_ACTIONS})")]
    TooManyActions(usize),
}

impl RunSpec {
    /// Checks the spec against the lab's declared parameters and actions.
    pub fn validate(&self, info: &LabInfo) -> Result<(), LabError> {
        if let Some(steps) = self.steps {
            if steps == 0 || steps > MAX_STEPS {
                return Err(LabError::TooManySteps(steps));
            }
        }
        if self.actions.len() > MAX_ACTIONS {
            return Err(LabError::TooManyActions(self.actions.len()));
        }
        for (name, value) in &self.params {
            let p = info
                .params
                .iter()
                .find(|p| p.name == name)
                .ok_or_else(|| LabError::UnknownParam(name.clone()))?;
            p.check(value)?;
        }
        for a in &self.actions {
            if !info.actions.iter().any(|(k, _)| *k == a.kind) {
                let known: Vec<_> = info.actions.iter().map(|(k, _)| *k).collect();
                return Err(LabError::BadAction(format!(
                    "`{}` is not an action of lab `{}` (known: {})",
                    a.kind,
                    info.slug,
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The parameter's value, or its declared default.
    pub fn param<'a>(&'a self, info: &'a LabInfo, name: &str) -> &'a str {
        self.params
            .get(name)
            .map(String::as_str)
            .or_else(|| {
                info.params
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| p.default)
            })
            .unwrap_or("")
    }

    /// A numeric parameter (already range-checked by `validate`).
    pub fn num(&self, info: &LabInfo, name: &str) -> f64 {
        self.param(info, name).parse().unwrap_or(0.0)
    }

    pub fn steps_or(&self, default: usize) -> usize {
        self.steps.unwrap_or(default).min(MAX_STEPS)
    }
}

impl ParamInfo {
    pub fn number(
        name: &'static str,
        help: &'static str,
        default: &'static str,
        min: f64,
        max: f64,
    ) -> Self {
        ParamInfo {
            name,
            help,
            default,
            min: Some(min),
            max: Some(max),
            choices: vec![],
        }
    }

    pub fn choice(
        name: &'static str,
        help: &'static str,
        default: &'static str,
        choices: Vec<&'static str>,
    ) -> Self {
        ParamInfo {
            name,
            help,
            default,
            min: None,
            max: None,
            choices,
        }
    }

    pub fn text(name: &'static str, help: &'static str, default: &'static str) -> Self {
        ParamInfo {
            name,
            help,
            default,
            min: None,
            max: None,
            choices: vec![],
        }
    }

    fn check(&self, value: &str) -> Result<(), LabError> {
        let bad = |message: String| LabError::BadParam {
            name: self.name.to_string(),
            message,
        };
        if value.len() > 4096 {
            return Err(bad("value longer than 4096 bytes".into()));
        }
        if !self.choices.is_empty() {
            if !self.choices.contains(&value) {
                return Err(bad(format!(
                    "`{value}` is not one of {}",
                    self.choices.join(", ")
                )));
            }
        } else if let (Some(min), Some(max)) = (self.min, self.max) {
            let v: f64 = value
                .parse()
                .map_err(|_| bad(format!("`{value}` is not a number")))?;
            if !v.is_finite() || v < min || v > max {
                return Err(bad(format!("{value} is outside {min}..={max}")));
            }
        }
        Ok(())
    }
}
