//! `devpath admin create --email ...`: creates an administrator, or promotes
//! an existing account. The password comes from `DEVPATH_ADMIN_PASSWORD`, or
//! a prompt without echo on a terminal, or one line of standard input.

use crate::config::{Overrides, Settings};
use anyhow::{bail, Context};
use clap::Subcommand;
use devpath_web::credentials::{Email, HashGate, HashLimit, Password};
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create an administrator account, or promote an existing account
    Create {
        /// The administrator's email address
        #[arg(long)]
        email: String,
        #[command(flatten)]
        overrides: Overrides,
    },
}

pub fn run(command: AdminCommand, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    match command {
        AdminCommand::Create { email, overrides } => {
            let settings = Settings::resolve(&overrides, config)?;
            create(&settings, &email)
        }
    }
}

fn read_password(email: &Email) -> anyhow::Result<Password> {
    let raw = if let Ok(p) = std::env::var("DEVPATH_ADMIN_PASSWORD") {
        p
    } else if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {email}: "))?;
        // Check before asking again, so a weak one is reported at once.
        Password::parse(&first, Some(email)).map_err(anyhow::Error::msg)?;
        let again = rpassword::prompt_password("Repeat the password: ")?;
        if first != again {
            bail!("the passwords do not match");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    Password::parse(&raw, Some(email)).map_err(|e| anyhow::anyhow!("weak password: {e}"))
}

fn create(s: &Settings, email: &str) -> anyhow::Result<ExitCode> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        if s.database_url.starts_with("sqlite:") {
            std::fs::create_dir_all(&s.web.data_dir).with_context(|| {
                format!("cannot create data directory {}", s.web.data_dir.display())
            })?;
        }
        let store = devpath_store::connect(&s.database_url)
            .await
            .with_context(|| {
                format!(
                    "cannot open database {}",
                    devpath_store::redact(&s.database_url)
                )
            })?;
        store.migrate().await.context("database migration failed")?;
        let result = match store.user_by_email(email.as_str()).await? {
            Some(user) if user.is_admin => {
                println!("{email} is already an administrator (user #{})", user.id);
                Ok(ExitCode::SUCCESS)
            }
            Some(user) => {
                store.set_admin(user.id, true).await?;
                store
                    .audit(None, Some(user.id), "admin.promote", "promoted by `devpath admin create`")
                    .await?;
                println!(
                    "promoted the existing account {email} to administrator (user #{}); its password is unchanged",
                    user.id
                );
                Ok(ExitCode::SUCCESS)
            }
            None => {
                let password = read_password(&email)?;
                let hash = HashGate::new(HashLimit::for_this_machine())
                    .hash_password(&password)
                    .await
                    .expect("one hash at a time is never refused");
                let now = devpath_web::Clock::system().now();
                let user = store.create_user(email.as_str(), &hash, true, now).await?;
                store
                    .audit(None, Some(user.id), "admin.create", "created by `devpath admin create`")
                    .await?;
                println!("created administrator {email} (user #{})", user.id);
                Ok(ExitCode::SUCCESS)
            }
        };
        store.close().await;
        result
    })
}
