//! PLACEHOLDER: replaced by the lab's real implementation.
use crate::{Frame, LabError, LabInfo, RunSpec};

pub fn info() -> LabInfo {
    LabInfo {
        slug: "consistent-hashing".into(),
        title: "consistent-hashing",
        summary: "",
        lessons: vec![],
        params: vec![],
        actions: vec![],
        default_steps: 100,
        scenarios: vec![],
    }
}

pub fn run(_spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
    Ok(vec![])
}
