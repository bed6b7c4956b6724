//! Settings: command-line flags win over `DEVPATH_*` environment variables,
//! which win over the optional TOML file, which wins over the defaults.

use anyhow::{bail, Context};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Values from flags or the environment (clap reads both); `None` when unset.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Overrides {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "DEVPATH_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Folder for the database and other state [default: ./data]
    #[arg(long, env = "DEVPATH_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Serve content from this folder instead of the embedded copy
    #[arg(long, env = "DEVPATH_CONTENT_DIR")]
    pub content_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://... [default: sqlite://DATA_DIR/devpath.db]
    #[arg(long, env = "DEVPATH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Log format [default: pretty in a terminal, json otherwise]
    #[arg(long, env = "DEVPATH_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `devpath=debug,tower_http=info` [default: info]
    #[arg(long, env = "DEVPATH_LOG")]
    pub log: Option<String>,
    /// Largest request body in bytes [default: 65536]
    #[arg(long, env = "DEVPATH_BODY_LIMIT")]
    pub body_limit: Option<usize>,
}

/// The optional TOML file; same keys as the flags, with `_`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    addr: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    content_dir: Option<PathBuf>,
    database_url: Option<String>,
    log_format: Option<LogFormat>,
    log: Option<String>,
    body_limit: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub content_dir: Option<PathBuf>,
    pub database_url: String,
    pub log_format: LogFormat,
    pub log: String,
    pub body_limit: usize,
}

impl Settings {
    pub fn resolve(cli: &Overrides, file: Option<&Path>) -> anyhow::Result<Settings> {
        let f: FileSettings = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                toml::from_str(&text).map_err(|e| {
                    let line = e
                        .span()
                        .map_or(1, |s| 1 + text[..s.start].matches('\n').count());
                    anyhow::anyhow!("{}:{line}: {}", path.display(), e.message())
                })?
            }
            None => FileSettings::default(),
        };
        let data_dir = cli
            .data_dir
            .clone()
            .or(f.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = cli
            .database_url
            .clone()
            .or(f.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("devpath.db").display()));
        let body_limit = cli.body_limit.or(f.body_limit).unwrap_or(64 * 1024);
        if body_limit < 1024 {
            bail!("body_limit must be at least 1024 bytes");
        }
        let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
        Ok(Settings {
            addr: cli
                .addr
                .or(f.addr)
                .unwrap_or_else(|| "127.0.0.1:8080".parse().expect("valid default")),
            data_dir,
            content_dir: cli.content_dir.clone().or(f.content_dir),
            database_url,
            log_format: cli.log_format.or(f.log_format).unwrap_or(if tty {
                LogFormat::Pretty
            } else {
                LogFormat::Json
            }),
            log: cli.log.clone().or(f.log).unwrap_or_else(|| "info".into()),
            body_limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_cli_over_file_over_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("devpath.toml");
        std::fs::write(
            &file,
            "addr = \"0.0.0.0:9000\"\ndata_dir = \"/srv/devpath\"\n",
        )
        .unwrap();
        let cli = Overrides {
            data_dir: Some("/tmp/x".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&cli, Some(&file)).unwrap();
        assert_eq!(s.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(s.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(s.database_url, "sqlite:///tmp/x/devpath.db");
        let d = Settings::resolve(&Overrides::default(), None).unwrap();
        assert_eq!(d.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(d.data_dir, PathBuf::from("data"));
    }

    #[test]
    fn bad_config_file_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("devpath.toml");
        std::fs::write(&file, "addr = \"0.0.0.0:9000\"\nnope = 1\n").unwrap();
        let err = Settings::resolve(&Overrides::default(), Some(&file))
            .unwrap_err()
            .to_string();
        assert!(err.contains("devpath.toml:2:"), "{err}");
    }
}
