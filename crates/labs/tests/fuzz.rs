//! Property-based fuzzing of the lab run description: whatever a learner (or
//! anyone) sends as a run, parsing and running it never panics, stays within
//! its step bound, and gives the same frames twice.
//!
//! CI runs proptest's default number of cases; `scripts/fuzz` runs a million
//! (`PROPTEST_CASES=1000000`).

use devpath_labs::{labs, run, Action, LabInfo, RunSpec, MAX_ACTIONS, MAX_STEPS};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// A value for a parameter: mostly near its range or among its choices,
/// sometimes anything.
fn param_value(p: &devpath_labs::ParamInfo) -> BoxedStrategy<String> {
    let anything = prop_oneof![
        ".{0,12}",
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("1e309".to_string()),
        Just("-0".to_string()),
        any::<i64>().prop_map(|v| v.to_string()),
    ];
    if !p.choices.is_empty() {
        let choices: Vec<String> = p.choices.iter().map(|c| c.to_string()).collect();
        prop_oneof![4 => prop::sample::select(choices), 1 => anything].boxed()
    } else if let (Some(min), Some(max)) = (p.min, p.max) {
        prop_oneof![
            3 => (min..=max).prop_map(|v| format!("{}", v.round())),
            2 => (min..=max).prop_map(|v| format!("{v}")),
            1 => prop::sample::select(vec![min, max, min - 1.0, max + 1.0]).prop_map(|v| v.to_string()),
            1 => anything,
        ]
        .boxed()
    } else {
        anything.boxed()
    }
}

fn action(info: &LabInfo) -> BoxedStrategy<Action> {
    let mut kinds: Vec<String> = info.actions.iter().map(|(k, _)| k.to_string()).collect();
    kinds.push("nonsense".into());
    let arg = prop_oneof![
        "n[0-9]",
        "[0-9]{1,4}",
        "[a-z]{1,6}",
        ".{0,6}",
        any::<u64>().prop_map(|v| v.to_string()),
    ];
    (
        prop_oneof![3 => 0u64..20_000, 1 => any::<u64>()],
        prop::sample::select(kinds),
        prop::collection::vec(arg, 0..4),
    )
        .prop_map(|(at, kind, args)| Action { at, kind, args })
        .boxed()
}

/// A run of one of the labs, built from its declared parameters and actions.
fn spec() -> impl Strategy<Value = RunSpec> {
    prop::sample::select(labs()).prop_flat_map(|info| {
        let values: Vec<_> = info
            .params
            .iter()
            .map(|p| (Just(p.name.to_string()), param_value(p)))
            .collect();
        let n = values.len();
        (
            Just(info.slug.clone()),
            values,
            prop::collection::vec(any::<bool>(), n),
            any::<u64>(),
            prop::collection::vec(action(&info), 0..24),
            prop_oneof![
                8 => (1usize..=300).prop_map(Some),
                1 => Just(Some(0)),
                1 => Just(Some(MAX_STEPS + 1)),
            ],
        )
            .prop_map(|(lab, values, keep, seed, actions, steps)| RunSpec {
                lab,
                seed,
                params: values
                    .into_iter()
                    .zip(keep)
                    .filter(|(_, k)| *k)
                    .map(|(kv, _)| kv)
                    .collect::<BTreeMap<_, _>>(),
                actions,
                steps,
            })
    })
}

fn check(spec: &RunSpec) -> Result<(), TestCaseError> {
    let first = run(spec);
    if let Ok(r) = &first {
        let bound = spec.steps.unwrap_or(MAX_STEPS);
        prop_assert!(
            r.frames.len() <= bound,
            "{} frames for a bound of {bound}",
            r.frames.len()
        );
        prop_assert!(
            r.frames.windows(2).all(|w| w[0].time <= w[1].time),
            "time went backwards"
        );
        prop_assert_eq!(&r.lab, &spec.lab);
    }
    prop_assert_eq!(first, run(spec), "two runs of one spec differ");
    Ok(())
}

proptest! {
    #[test]
    fn structured_runs_never_panic(spec in spec()) {
        check(&spec)?;
    }

    #[test]
    fn run_descriptions_as_json_never_panic(spec in spec(), cut in any::<prop::sample::Index>(), junk in ".{0,8}") {
        // The JSON the API receives, whole or spliced with junk.
        let json = serde_json::to_string(&spec).unwrap();
        let at = (0..=json.len()).filter(|i| json.is_char_boundary(*i)).nth(cut.index(json.len() + 1)).unwrap_or(json.len());
        for text in [json.clone(), format!("{}{junk}{}", &json[..at], &json[at..])] {
            if let Ok(parsed) = serde_json::from_str::<RunSpec>(&text) {
                let mut parsed = parsed;
                // Bounded as above, so a million cases stay quick.
                parsed.steps = parsed.steps.map(|s| s.min(300)).or(Some(300));
                check(&parsed)?;
            }
        }
    }

    #[test]
    fn cli_actions_never_panic(text in ".{0,40}") {
        if let Ok(a) = text.parse::<Action>() {
            prop_assert_eq!(a.to_string().parse::<Action>().map(|b| b.at), Ok(a.at));
        }
    }

    #[test]
    fn too_many_actions_are_refused(n in (MAX_ACTIONS + 1)..(MAX_ACTIONS + 50)) {
        let spec = RunSpec {
            lab: "raft".into(),
            seed: 1,
            params: BTreeMap::new(),
            actions: vec![Action { at: 0, kind: "crash".into(), args: vec!["n1".into()] }; n],
            steps: Some(10),
        };
        prop_assert!(run(&spec).is_err());
    }
}
