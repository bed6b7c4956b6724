//! Deterministic, inspectable simulations for the labs.
//!
//! A run is fully defined by a [`RunSpec`]: the lab, its parameters, a seed
//! and a timed list of learner actions. Running it yields a list of
//! [`Frame`]s: the visible state after each event and one line saying what
//! just happened. The same spec always gives byte-identical frames: there is
//! no wall clock, the PRNG is ours ([`rng::Rng`]) and every map whose order
//! can be seen is a `BTreeMap`.
//!
//! Each lab implements [`Lab`] in its own module and is listed once in
//! `registry.rs`, which [`labs`], [`lab`] and [`run`] read.

pub mod rng;
mod spec;

mod breaker;
mod clocks;
mod engine;
mod hashing;
mod net;
mod params;
mod raft;
mod ratelimit;
mod registry;
mod sketches;

pub use clocks::{causal_order, CausalOrder};
/// Raft internals for benchmarks and property tests; not a stable API.
#[doc(hidden)]
pub use raft::{simulate as raft_simulate, Limits as RaftLimits, Outcome as RaftOutcome};
pub use registry::{lab, labs, run};
pub use spec::{
    Action, Frame, Lab, LabError, LabInfo, ParamInfo, Run, RunSpec, Scenario, MAX_ACTIONS,
    MAX_STEPS,
};
