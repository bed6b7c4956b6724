//! The one list of labs. `devpath lab list`, `/labs`, the JSON API and the
//! lesson panels all read it; adding a lab is one line here.

use crate::{breaker, clocks, hashing, raft, ratelimit, sketches};
use crate::{Lab, LabError, LabInfo, Run, RunSpec};
use std::sync::OnceLock;

/// Every lab, in the order the catalog shows them.
static LABS: &[&dyn Lab] = &[
    &raft::Raft,
    &clocks::Clocks,
    &hashing::ConsistentHashing,
    &ratelimit::RateLimiting,
    &breaker::CircuitBreaker,
    &sketches::Sketches,
];

/// Each lab with its description, built once: lookups and runs (the JSON
/// API's hot path) then only compare slugs.
fn described() -> &'static [(&'static dyn Lab, LabInfo)] {
    static DESCRIBED: OnceLock<Vec<(&'static dyn Lab, LabInfo)>> = OnceLock::new();
    DESCRIBED.get_or_init(|| LABS.iter().map(|l| (*l, l.info())).collect())
}

/// Every lab's description, in catalog order.
pub fn labs() -> Vec<LabInfo> {
    described().iter().map(|(_, info)| info.clone()).collect()
}

/// Looks a lab up by its slug.
pub fn lab(slug: &str) -> Option<LabInfo> {
    find(slug).map(|(_, info)| info.clone())
}

fn find(slug: &str) -> Option<&'static (&'static dyn Lab, LabInfo)> {
    described().iter().find(|(_, info)| info.slug == slug)
}

/// Runs a lab. Validates the spec first (unknown lab, bad parameter, bad
/// action, too many steps or actions) and returns a clear error for each.
pub fn run(spec: &RunSpec) -> Result<Run, LabError> {
    let (lab, info) = find(&spec.lab).ok_or_else(|| LabError::UnknownLab(spec.lab.clone()))?;
    spec.validate(info)?;
    let frames = lab.run(spec)?;
    Ok(Run {
        lab: info.slug.clone(),
        seed: spec.seed,
        frames,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique() {
        let mut slugs: Vec<String> = labs().into_iter().map(|l| l.slug).collect();
        let n = slugs.len();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), n, "two labs share a slug");
    }
}
