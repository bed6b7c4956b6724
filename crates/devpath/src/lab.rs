//! `devpath lab ...`: run a lab in the terminal and print its trace.

use anyhow::{bail, Context};
use devpath_labs::{Action, RunSpec};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum LabCommand {
    /// List the labs with their parameters and actions
    List,
    /// Run a lab and print one line per frame
    Run {
        /// Lab slug, e.g. `raft`
        lab: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Parameter as NAME=VALUE (repeatable)
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Learner action as TIME:KIND[:ARGS] (repeatable)
        #[arg(long = "action", value_name = "T:KIND:ARGS")]
        actions: Vec<String>,
        /// Stop after this many frames
        #[arg(long)]
        steps: Option<usize>,
        /// Print the frames as JSON (the same document the HTTP API returns)
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: LabCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        LabCommand::List => {
            // Written through `writeln!`, not `println!`, so a closed pipe
            // (`devpath lab list | head`) is an error main() handles, not a panic.
            let mut out = std::io::stdout().lock();
            for lab in devpath_labs::labs() {
                writeln!(out, "{:<20} {}", lab.slug, lab.title)?;
                writeln!(out, "{:<20} {}", "", lab.summary)?;
                for p in &lab.params {
                    writeln!(
                        out,
                        "{:<20}   --param {}={}  {}",
                        "", p.name, p.default, p.help
                    )?;
                }
                for (kind, help) in &lab.actions {
                    writeln!(out, "{:<20}   --action T:{kind}  {help}", "")?;
                }
                writeln!(out)?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        LabCommand::Run {
            lab,
            seed,
            params,
            actions,
            steps,
            json,
        } => {
            let mut spec = RunSpec {
                lab,
                seed,
                params: Default::default(),
                actions: vec![],
                steps,
            };
            for p in params {
                let Some((k, v)) = p.split_once('=') else {
                    bail!("--param `{p}`: expected NAME=VALUE");
                };
                spec.params.insert(k.to_string(), v.to_string());
            }
            for a in actions {
                spec.actions.push(
                    a.parse::<Action>()
                        .with_context(|| format!("--action `{a}`"))?,
                );
            }
            let run = devpath_labs::run(&spec)?;
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{}", serde_json::to_string(&run)?)?;
            } else {
                write!(out, "{}", run.trace())?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
