//! PLACEHOLDER: replaced by the lab's real implementation.
use crate::{Frame, LabError, LabInfo, RunSpec};

pub fn info() -> LabInfo {
    LabInfo {
        slug: "rate-limiting".into(),
        title: "rate-limiting",
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
