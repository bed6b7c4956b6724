//! Outgoing email. With `smtp_url` configured, messages go out over SMTP
//! (TLS via rustls); without it, each message is written to
//! `<data_dir>/outbox/<millis>-<n>-<to>.eml` and its text logged at INFO, so
//! a local install works with no mail server (the reset link is in the log).

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Mailer {
    from: Mailbox,
    mode: Mode,
}

enum Mode {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.mode {
            Mode::Smtp(_) => write!(f, "Mailer(smtp, from {})", self.from),
            Mode::Outbox(p) => write!(f, "Mailer(outbox {}, from {})", p.display(), self.from),
        }
    }
}

/// Plain 7-bit with CRLF when the text allows (ASCII, lines under 998
/// bytes), so links stay whole in the raw message and the outbox files;
/// otherwise lettre picks an encoding.
fn body(text: &str) -> Body {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    if crlf.is_ascii() && !crlf.contains('\0') && crlf.split("\r\n").all(|l| l.len() < 998) {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
    } else {
        Body::new(text.to_string())
    }
}

impl Mailer {
    /// `smtp_url`: `smtps://user:pass@host:465` (implicit TLS),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtp://host:25`.
    pub fn new(
        smtp_url: Option<&str>,
        from: &str,
        data_dir: &std::path::Path,
    ) -> Result<Mailer, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("mail_from {from:?} is not a valid address: {e}"))?;
        let mode = match smtp_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => Mode::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| {
                        format!("smtp_url {} is invalid: {e}", devpath_store::redact(url))
                    })?
                    .build(),
            ),
            None => Mode::Outbox(data_dir.join("outbox")),
        };
        Ok(Mailer { from, mode })
    }

    /// Sends a plain-text message. Failures are returned (and should be
    /// logged by the caller); they never reach the visitor.
    pub async fn send(&self, to: &str, subject: &str, text: &str) -> Result<(), String> {
        let to_box: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to_box)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body(text))
            .map_err(|e| format!("cannot build message: {e}"))?;
        match &self.mode {
            Mode::Smtp(transport) => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| format!("SMTP delivery to {to} failed: {e}"))?;
                tracing::info!(to, subject, "email sent");
            }
            Mode::Outbox(dir) => {
                static SEQ: AtomicU64 = AtomicU64::new(0);
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let millis = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .unwrap_or(0);
                let safe_to: String = to
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || "@.-_+".contains(c) {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let file = dir.join(format!(
                    "{millis}-{:04}-{safe_to}.eml",
                    SEQ.fetch_add(1, Ordering::Relaxed)
                ));
                tokio::fs::write(&file, message.formatted())
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
                tracing::info!(
                    to,
                    subject,
                    file = %file.display(),
                    "email written to the outbox (no smtp_url configured):\n{text}"
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outbox_keeps_long_links_on_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::new(None, "devpath <devpath@example.com>", dir.path()).unwrap();
        let link = format!("https://learn.example.com/reset/{}", "a".repeat(64));
        mailer
            .send("ada@example.com", "Reset", &format!("Open:\n\n{link}\n"))
            .await
            .unwrap();
        let file = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert!(file
            .file_name()
            .to_string_lossy()
            .ends_with("-ada@example.com.eml"));
        let raw = std::fs::read_to_string(file.path()).unwrap();
        assert!(raw.contains(&link), "{raw}");
        assert!(raw.contains("Content-Transfer-Encoding: 7bit"), "{raw}");
        assert!(raw.contains("From: devpath <devpath@example.com>"));
        assert!(Mailer::new(None, "not an address", dir.path()).is_err());
        assert!(Mailer::new(Some("ftp://x"), "a@b.example", dir.path()).is_err());
    }
}
