//! Reading a run's parameters and action arguments: the checks every lab
//! needs beyond what [`RunSpec::validate`] does against its `LabInfo`.

use crate::{Action, LabError, LabInfo, RunSpec};

/// A whole-number parameter. `validate` has checked the range; this is the
/// one place that refuses a fraction (or a negative) for an integer.
pub(crate) fn int_param(spec: &RunSpec, info: &LabInfo, name: &str) -> Result<u64, LabError> {
    let v = spec.num(info, name);
    if v.fract() != 0.0 || v < 0.0 {
        return Err(LabError::BadParam {
            name: name.to_string(),
            message: format!("`{}` is not a whole number", spec.param(info, name)),
        });
    }
    Ok(v as u64)
}

/// Checks the number of arguments of an action.
pub(crate) fn arity(a: &Action, min: usize, max: usize, usage: &str) -> Result<(), LabError> {
    if a.args.len() < min || a.args.len() > max {
        return Err(LabError::BadAction(format!("`{a}`: expected {usage}")));
    }
    Ok(())
}

/// Argument `i` of an action as a whole number in `lo..=hi`.
pub(crate) fn arg_u64(a: &Action, i: usize, what: &str, lo: u64, hi: u64) -> Result<u64, LabError> {
    let raw = a.args.get(i).map(String::as_str).unwrap_or("");
    match raw.trim().parse::<u64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(LabError::BadAction(format!(
            "`{a}`: {what} must be a whole number in {lo}..={hi}, got `{raw}`"
        ))),
    }
}

/// Actions sorted by time; actions at the same time keep their given order.
pub(crate) fn by_time(actions: &[Action]) -> Vec<&Action> {
    let mut v: Vec<&Action> = actions.iter().collect();
    v.sort_by_key(|a| a.at);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParamInfo;

    fn info() -> LabInfo {
        LabInfo {
            slug: "t".into(),
            title: "",
            summary: "",
            params: vec![ParamInfo::number("n", "", "3", 0.0, 10.0)],
            actions: vec![],
            default_steps: 1,
            scenarios: vec![],
        }
    }

    #[test]
    fn integers_parse_in_one_place() {
        let mut spec = RunSpec {
            lab: "t".into(),
            seed: 0,
            params: Default::default(),
            actions: vec![],
            steps: None,
        };
        assert_eq!(int_param(&spec, &info(), "n"), Ok(3));
        spec.params.insert("n".into(), "2.5".into());
        assert!(matches!(
            int_param(&spec, &info(), "n"),
            Err(LabError::BadParam { name, .. }) if name == "n"
        ));
    }
}
