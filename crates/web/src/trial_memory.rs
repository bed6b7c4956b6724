//! Who has had a free trial, remembered past the deletion of their account,
//! so that deleting it and signing up again with the same email does not
//! start a second trial. Only a keyed hash of the normalised email is kept
//! (HMAC-SHA-256 with a secret the app servers share through the database),
//! never the address.

use crate::{AppError, AppState};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The name of the shared secret in the store.
const SECRET_NAME: &str = "trial_email_key";

/// The form of an address that reaches the same mailbox: lower case (as
/// stored), without a `+tag`, and for Gmail without dots in the local part
/// (Gmail ignores them) and with `googlemail.com` read as `gmail.com`.
pub fn mailbox(email: &str) -> String {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return email;
    };
    let local = local.split('+').next().unwrap_or(local);
    match domain {
        "gmail.com" | "googlemail.com" => format!("{}@gmail.com", local.replace('.', "")),
        _ => format!("{local}@{domain}"),
    }
}

/// The key a trial is remembered under: HMAC-SHA-256 of the mailbox, hex.
pub fn key_with(secret: &str, email: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(mailbox(email).as_bytes());
    crate::credentials::hex(&mac.finalize().into_bytes())
}

async fn key(state: &AppState, email: &str) -> Result<String, AppError> {
    let secret = state
        .trial_secret
        .get_or_try_init(|| async {
            state
                .store
                .server_secret(SECRET_NAME, &crate::credentials::random_token())
                .await
        })
        .await?;
    Ok(key_with(secret, email))
}

/// Before an account is deleted: remember its trial, if it had one.
pub async fn remember(state: &AppState, user_id: i64, email: &str) -> Result<(), AppError> {
    let key = key(state, email).await?;
    state.store.remember_trial(user_id, &key).await?;
    Ok(())
}

/// For a new account, or one about to start a trial: give back the trial
/// its email had before, if any. `true` when one was restored.
pub async fn restore(state: &AppState, user_id: i64, email: &str) -> Result<bool, AppError> {
    let key = key(state, email).await?;
    Ok(state.store.restore_trial(user_id, &key).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mailbox_one_key() {
        for same in [
            "ada@example.com",
            " Ada@Example.com",
            "ada+second@example.com",
        ] {
            assert_eq!(mailbox(same), "ada@example.com", "{same}");
        }
        assert_eq!(mailbox("a.d.a+x@googlemail.com"), "ada@gmail.com");
        // Dots matter elsewhere.
        assert_eq!(mailbox("a.da@example.com"), "a.da@example.com");
        let k = key_with("secret", "ada@example.com");
        assert_eq!(k.len(), 64);
        assert_eq!(k, key_with("secret", "ADA+x@example.com"));
        assert_ne!(k, key_with("other secret", "ada@example.com"));
        assert_ne!(k, key_with("secret", "bob@example.com"));
        assert!(!k.contains("ada"));
    }
}
