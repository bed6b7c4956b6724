//! Email and password as validated domain types (parse, don't validate:
//! once you hold an [`Email`] or a [`Password`] it is well-formed), and
//! Argon2id hashing and verification off the async runtime.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

/// A trimmed, lower-cased, plausibly deliverable email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, String> {
        let email = input.trim().to_lowercase();
        const BAD: &str = "Enter a valid email address, like name@example.com.";
        if email.is_empty() {
            return Err("Enter your email address.".into());
        }
        if email.len() > 254 {
            return Err("That email address is too long.".into());
        }
        let (local, domain) = email.rsplit_once('@').ok_or(BAD)?;
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let ok_domain = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2);
        if ok_local && ok_domain {
            Ok(Email(email))
        } else {
            Err(BAD.into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that meets the strength rule. Never logged, never echoed back.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

pub const MIN_PASSWORD_LEN: usize = 10;
const MAX_PASSWORD_LEN: usize = 1024;

/// The most common passwords of 10+ characters from public breach lists
/// (shorter ones are already refused by the length rule), lower-case.
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "abcd123456",
    "abc1234567",
    "a123456789",
    "qwertyuiop",
    "qwertyuiop1",
    "qwerty12345",
    "qwerty123456",
    "1qaz2wsx3e",
    "q1w2e3r4t5",
    "q1w2e3r4t5y6",
    "zaq12wsxcde3",
    "password12",
    "password123",
    "password1234",
    "password12345",
    "password!1",
    "passw0rd123",
    "p@ssw0rd123",
    "p@ssword123",
    "iloveyou12",
    "iloveyou123",
    "princess123",
    "sunshine123",
    "football123",
    "baseball123",
    "welcome123",
    "welcome1234",
    "letmein123",
    "letmein1234",
    "administrator",
    "admin12345",
    "admin123456",
    "changeme123",
    "trustno1234",
    "monkey12345",
    "dragon12345",
    "superman123",
    "starwars123",
    "computer123",
    "qwerty1234",
    "asdfghjkl1",
    "asdfghjkl123",
    "zxcvbnm123",
    "1234qwer!@#$",
    "aa12345678",
    "devpath123",
    "devpath1234",
];

impl Password {
    /// Applies the strength rule: at least 10 characters, more than one
    /// character class, not the email address, not a well-known password.
    /// The rule for a new password of an existing account (password change
    /// and reset), whose stored address is checked against it.
    pub fn for_account(input: &str, account_email: &str) -> Result<Password, String> {
        Password::parse(input, Email::parse(account_email).ok().as_ref())
    }

    pub fn parse(input: &str, email: Option<&Email>) -> Result<Password, String> {
        let len = input.chars().count();
        if len < MIN_PASSWORD_LEN {
            return Err(format!(
                "Use at least {MIN_PASSWORD_LEN} characters for your password."
            ));
        }
        if len > MAX_PASSWORD_LEN {
            return Err("That password is too long (1024 characters at most).".into());
        }
        let classes = [
            input.chars().any(|c| c.is_lowercase()),
            input.chars().any(|c| c.is_uppercase()),
            input.chars().any(|c| c.is_numeric()),
            input.chars().any(|c| !c.is_alphanumeric()),
        ];
        if classes.iter().filter(|c| **c).count() < 2 {
            return Err(
                "Mix at least two kinds of characters: lower-case, upper-case, digits or symbols."
                    .into(),
            );
        }
        let lower = input.to_lowercase();
        if let Some(e) = email {
            let local = e.as_str().split('@').next().unwrap_or("");
            if lower == e.as_str() || lower == local {
                return Err("Your password must not be your email address.".into());
            }
        }
        if COMMON.contains(&lower.as_str()) {
            return Err("That password is one of the most common ones; choose another.".into());
        }
        Ok(Password(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Argon2id with OWASP's first recommended configuration (Password Storage
/// Cheat Sheet): m = 19456 KiB (19 MiB), t = 2 passes, p = 1 lane. About
/// 20-40 ms per hash on one core of a current server, which bounds a
/// stolen-database attacker to a few dozen guesses per second per core while
/// keeping memory per concurrent sign-in modest (19 MiB). Hashes are stored
/// as PHC strings, so raising the cost later only affects new hashes; old
/// ones still verify with the parameters recorded in them.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 hashing with valid parameters does not fail")
        .to_string()
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against when the email is unknown
/// so that "no such account" takes as long as "wrong password".
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking(&random_token()));

/// How much Argon2 work may run at once, and how much may wait for it.
#[derive(Debug, Clone, Copy)]
pub struct HashLimit {
    /// Hashes computed at once: each holds 19 MiB and a core while it runs.
    pub workers: usize,
    /// Requests that may wait for a worker; beyond them the server answers
    /// 503 at once instead of queueing without bound.
    pub queue: usize,
}

impl HashLimit {
    /// One worker per core, and a queue of eight per worker (a wait of a few
    /// hundred milliseconds at most when it is full).
    pub fn for_this_machine() -> HashLimit {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        HashLimit {
            workers: cores,
            queue: 8 * cores,
        }
    }
}

/// Too many password hashes are running and waiting: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// Bounds concurrent Argon2 work. Without it a burst of sign-ups starts one
/// 19 MiB hash per request on the blocking pool (up to 512 threads), and
/// memory grows with the burst.
#[derive(Debug)]
pub struct HashGate {
    /// Permits to compute a hash.
    running: Arc<Semaphore>,
    /// Permits to be running or waiting; taken without waiting.
    admitted: Arc<Semaphore>,
}

impl HashGate {
    pub fn new(limit: HashLimit) -> HashGate {
        let workers = limit.workers.max(1);
        HashGate {
            running: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(Semaphore::new(workers + limit.queue)),
        }
    }

    /// Runs `work` on the blocking pool once a worker is free, or answers
    /// [`Busy`] at once when the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let _admitted = self.admitted.clone().try_acquire_owned().map_err(|_| {
            tracing::warn!("password hashing queue full, answering 503");
            Busy
        })?;
        let _running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .expect("the hashing semaphore is never closed");
        Ok(tokio::task::spawn_blocking(work)
            .await
            .expect("hashing task does not panic"))
    }

    /// Hashes on the blocking pool: Argon2 is deliberately slow and must not
    /// stall the async workers.
    pub async fn hash_password(&self, password: &Password) -> Result<String, Busy> {
        let pw = password.0.clone();
        self.run(move || hash_blocking(&pw)).await
    }

    /// Verifies on the blocking pool. With `hash = None` (unknown account) a
    /// dummy hash is verified instead and the answer is always `false`.
    pub async fn verify_password(
        &self,
        password: &str,
        hash: Option<String>,
    ) -> Result<bool, Busy> {
        let pw = password.to_string();
        self.run(move || match hash {
            Some(h) => verify_blocking(&pw, &h),
            None => {
                let _ = verify_blocking(&pw, &DUMMY_HASH);
                false
            }
        })
        .await
    }
}

/// Computes the dummy hash now rather than during the first unknown-email sign-in.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

/// 256 random bits from the OS, hex-encoded: session tokens and reset links.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Whether `token` has the shape [`random_token`] gives (64 hex digits):
/// anything else is refused before the database is asked.
pub fn well_formed_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// SHA-256, hex: what the database stores instead of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a da@example.com",
            "ada@exa_mple.com",
            "ada@.example.com",
            "ada.@example.com",
            "ada@example.c",
            "<script>@x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Email::parse("first.last+tag@sub.example.co.uk").is_ok());
    }

    #[test]
    fn password_rule() {
        let email = Email::parse("learner@example.com").unwrap();
        assert!(Password::parse("short1A", None).is_err());
        assert!(Password::parse("aaaaaaaaaaaa", None).is_err());
        assert!(Password::parse("abcdefghijkl", None).is_err());
        assert!(Password::parse("123456789012", None).is_err());
        assert!(Password::parse("Password123", None).is_err());
        assert!(Password::parse("learner@example.com", Some(&email)).is_err());
        assert!(Password::parse("Learner@Example.com", Some(&email)).is_err());
        assert!(Password::parse("correct horse battery", None).is_ok());
        assert!(Password::parse("Tr0ub4dor&3x", Some(&email)).is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("Tr0ub4dor&3x", None).unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn hashing_round_trip() {
        let h = hash_blocking("Tr0ub4dor&3x");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_blocking("Tr0ub4dor&3x", &h));
        assert!(!verify_blocking("Tr0ub4dor&3y", &h));
        assert!(!verify_blocking("x", "not a hash"));
    }

    #[test]
    fn tokens() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// With one worker and a queue of one, a third request at the same time
    /// is refused at once, and a slot frees when a hash finishes.
    #[tokio::test]
    async fn the_gate_refuses_work_beyond_its_queue() {
        let gate = Arc::new(HashGate::new(HashLimit {
            workers: 1,
            queue: 1,
        }));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        let held = |gate: Arc<HashGate>,
                    wait: Arc<std::sync::Mutex<std::sync::mpsc::Receiver<()>>>| {
            tokio::spawn(
                async move { gate.run(move || wait.lock().unwrap().recv().unwrap()).await },
            )
        };
        let first = held(gate.clone(), wait.clone());
        let second = held(gate.clone(), wait.clone());
        // Both admitted: one running, one waiting for the worker.
        while gate.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.run(|| ()).await, Err(Busy));
        release.send(()).unwrap();
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(()));
        assert_eq!(second.await.unwrap(), Ok(()));
        assert_eq!(gate.run(|| 7).await, Ok(7));
    }

    #[tokio::test]
    async fn hashes_verify_through_the_gate() {
        let gate = HashGate::new(HashLimit::for_this_machine());
        let pw = Password::parse("correct horse battery", None).unwrap();
        let hash = gate.hash_password(&pw).await.unwrap();
        assert_eq!(
            gate.verify_password("correct horse battery", Some(hash.clone()))
                .await,
            Ok(true)
        );
        assert_eq!(
            gate.verify_password("wrong horse battery", Some(hash))
                .await,
            Ok(false)
        );
        assert_eq!(
            gate.verify_password("anything at all", None).await,
            Ok(false)
        );
    }
}
