//! The one list of labs. `devpath lab list`, `/labs`, the JSON API and the
//! lesson panels all read it; adding a lab is one line here.

use crate::{breaker, clocks, hashing, raft, ratelimit, sketches};
use crate::{Lab, LabError, LabInfo, Run, RunSpec};

/// Every lab, in the order the catalog shows them.
static LABS: &[&dyn Lab] = &[
    &raft::Raft,
    &clocks::Clocks,
    &hashing::ConsistentHashing,
    &ratelimit::RateLimiting,
    &breaker::CircuitBreaker,
    &sketches::Sketches,
];

/// Every lab's description, in catalog order.
pub fn labs() -> Vec<LabInfo> {
    LABS.iter().map(|l| l.info()).collect()
}

/// Looks a lab up by its slug.
pub fn lab(slug: &str) -> Option<LabInfo> {
    find(slug).map(|(_, info)| info)
}

fn find(slug: &str) -> Option<(&'static dyn Lab, LabInfo)> {
    LABS.iter()
        .map(|l| (*l, l.info()))
        .find(|(_, info)| info.slug == slug)
}

/// Runs a lab. Validates the spec first (unknown lab, bad parameter, bad
/// action, too many steps or actions) and returns a clear error for each.
pub fn run(spec: &RunSpec) -> Result<Run, LabError> {
    let (lab, info) = find(&spec.lab).ok_or_else(|| LabError::UnknownLab(spec.lab.clone()))?;
    spec.validate(&info)?;
    let frames = lab.run(spec)?;
    Ok(Run {
        lab: info.slug,
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
