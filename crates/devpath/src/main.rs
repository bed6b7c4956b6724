//! `devpath`: the whole platform in one binary.

mod admin;
mod config;
mod lab;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::{LogFormat, Overrides, Settings};
use devpath_content::{Catalog, Source};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "devpath",
    version,
    about = "Learn systems engineering: lessons, labs and progress, in one binary."
)]
struct Cli {
    /// Optional TOML configuration file (see README for the keys)
    #[arg(long, global = true, env = "DEVPATH_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server
    Serve(#[command(flatten)] Overrides),
    /// Work with lesson content
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
    /// Create or upgrade the database schema, then exit
    Migrate(#[command(flatten)] Overrides),
    /// Run an interactive lab in the terminal
    Lab {
        #[command(subcommand)]
        command: lab::LabCommand,
    },
    /// Manage administrators
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
}

#[derive(Subcommand)]
enum ContentCommand {
    /// Validate all content; print every problem as `file:line: message`
    Check {
        /// Check this folder instead of the embedded content
        #[arg(long, env = "DEVPATH_CONTENT_DIR")]
        content_dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(o) => Settings::resolve(&o, cli.config.as_deref()).and_then(serve),
        Command::Migrate(o) => Settings::resolve(&o, cli.config.as_deref()).and_then(migrate),
        Command::Content {
            command: ContentCommand::Check { content_dir },
        } => check(content_dir),
        Command::Lab { command } => lab::run(command),
        Command::Admin { command } => admin::run(command, cli.config.as_deref()),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`devpath lab list | head`): like any Unix
        // tool, stop quietly.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn source(dir: Option<&std::path::Path>) -> anyhow::Result<Source> {
    match dir {
        Some(d) => {
            Source::dir(d).with_context(|| format!("cannot read content folder {}", d.display()))
        }
        None => Ok(Source::embedded()),
    }
}

fn load_catalog(source: &Source) -> Result<Catalog, devpath_content::Problems> {
    let labs: Vec<String> = devpath_labs::labs().into_iter().map(|l| l.slug).collect();
    let labs: Vec<&str> = labs.iter().map(String::as_str).collect();
    devpath_content::load(source, &labs)
}

fn check(dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let source = source(dir.as_deref())?;
    match load_catalog(&source) {
        Ok(catalog) => {
            let style = devpath_content::check_style(&source, &catalog);
            if !style.is_empty() {
                for p in &style {
                    println!("{p}");
                }
                eprintln!(
                    "{} problem(s) found: the content loads, but these lessons do not meet docs/lesson-style.md",
                    style.len()
                );
                return Ok(ExitCode::FAILURE);
            }
            for p in &catalog.paths {
                let ready = p.lessons.iter().filter(|l| l.is_ready()).count();
                println!(
                    "{}: {} modules, {} lessons ({} written, {} in preparation), {} minutes",
                    p.slug,
                    p.modules.len(),
                    p.lessons.len(),
                    ready,
                    p.lessons.len() - ready,
                    p.total_minutes()
                );
            }
            println!("content OK");
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            for p in &problems.0 {
                println!("{p}");
            }
            eprintln!("{} problem(s) found", problems.0.len());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn init_logging(s: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_new(&s.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match s.log_format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Pretty => builder.compact().init(),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn migrate(s: Settings) -> anyhow::Result<ExitCode> {
    init_logging(&s);
    runtime()?.block_on(async {
        let store = devpath_store::connect(&s.database_url).await?;
        store.migrate().await?;
        let applied = store.applied_migrations().await?;
        println!(
            "{} database at {}: {} migration(s) applied ({})",
            store.engine(),
            devpath_store::redact(&s.database_url),
            applied.len(),
            applied.join(", ")
        );
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

fn serve(s: Settings) -> anyhow::Result<ExitCode> {
    init_logging(&s);
    let started = Instant::now();
    let catalog = match load_catalog(&source(s.content_dir.as_deref())?) {
        Ok(c) => c,
        Err(problems) => {
            for p in &problems.0 {
                eprintln!("{p}");
            }
            anyhow::bail!(
                "refusing to start: {} problem(s) in content",
                problems.0.len()
            );
        }
    };
    runtime()?.block_on(async move {
        let data_dir = &s.web.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
        let store = devpath_store::connect(&s.database_url)
            .await
            .with_context(|| {
                format!(
                    "cannot open database {}",
                    devpath_store::redact(&s.database_url)
                )
            })?;
        store.migrate().await.context("database migration failed")?;
        let lessons = catalog.lesson_count();
        let state = devpath_web::AppState::new(catalog, store.clone(), s.web.clone())?;
        let listener = tokio::net::TcpListener::bind(s.addr)
            .await
            .with_context(|| format!("cannot listen on {}", s.addr))?;
        tracing::info!(
            addr = %listener.local_addr()?,
            database = store.engine(),
            lessons,
            startup_ms = started.elapsed().as_millis() as u64,
            "devpath is ready at http://{}",
            listener.local_addr()?
        );
        // Other app servers' changes empty this server's cache at once.
        let follower = tokio::spawn(devpath_web::follow_other_servers(state.clone()));
        devpath_web::serve(listener, devpath_web::app(state), shutdown_signal()).await?;
        follower.abort();
        store.close().await;
        tracing::info!("shut down cleanly");
        Ok(ExitCode::SUCCESS)
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received, draining requests");
}
