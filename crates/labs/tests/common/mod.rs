//! Helpers shared by the labs' integration tests.

use devpath_labs::{Action, RunSpec};

/// A run description from the forms the CLI and URLs use (`t:kind:args`).
pub fn spec(lab: &str, seed: u64, params: &[(&str, &str)], actions: &[&str]) -> RunSpec {
    RunSpec {
        lab: lab.into(),
        seed,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        actions: actions
            .iter()
            .map(|a| a.parse::<Action>().expect("a valid action"))
            .collect(),
        steps: None,
    }
}
