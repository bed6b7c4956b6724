//! Deterministic, inspectable simulations for the labs.
//!
//! A run is fully defined by a [`RunSpec`]: the lab, its parameters, a seed
//! and a timed list of learner actions. Running it yields a list of
//! [`Frame`]s: the visible state after each event and one line saying what
//! just happened. The same spec always gives byte-identical frames: there is
//! no wall clock, the PRNG is ours ([`rng::Rng`]) and every map whose order
//! can be seen is a `BTreeMap`.

pub mod rng;
mod spec;

mod breaker;
mod clocks;
mod engine;
mod hashing;
mod net;
mod raft;
mod ratelimit;
mod sketches;

pub use clocks::{causal_order, CausalOrder};
/// Raft internals for benchmarks and property tests; not a stable API.
#[doc(hidden)]
pub use raft::{simulate as raft_simulate, Limits as RaftLimits, Outcome as RaftOutcome};
pub use spec::{
    Action, Frame, LabError, LabInfo, ParamInfo, Run, RunSpec, Scenario, MAX_ACTIONS, MAX_STEPS,
};

/// Every lab, in the order the catalog shows them.
pub fn labs() -> Vec<LabInfo> {
    vec![
        raft::info(),
        clocks::info(),
        hashing::info(),
        ratelimit::info(),
        breaker::info(),
        sketches::info(),
    ]
}

/// Looks a lab up by its slug.
pub fn lab(slug: &str) -> Option<LabInfo> {
    labs().into_iter().find(|l| l.slug == slug)
}

/// Runs a lab. Validates the spec first (unknown lab, bad parameter, bad
/// action, too many steps or actions) and returns a clear error for each.
pub fn run(spec: &RunSpec) -> Result<Run, LabError> {
    let info = lab(&spec.lab).ok_or_else(|| LabError::UnknownLab(spec.lab.clone()))?;
    spec.validate(&info)?;
    let frames = match info.slug.as_str() {
        "raft" => raft::run(spec)?,
        "clocks" => clocks::run(spec)?,
        "consistent-hashing" => hashing::run(spec)?,
        "rate-limiting" => ratelimit::run(spec)?,
        "circuit-breaker" => breaker::run(spec)?,
        "sketches" => sketches::run(spec)?,
        other => return Err(LabError::UnknownLab(other.to_string())),
    };
    Ok(Run {
        lab: info.slug,
        seed: spec.seed,
        frames,
    })
}
