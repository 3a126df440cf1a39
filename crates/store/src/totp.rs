//! Time-based one-time passwords (RFC 6238: SHA-1, six digits, 30 seconds, one step of skew).

use time::OffsetDateTime;
use totp_rs::{Builder, Secret, Totp};

/// A new random secret, in base32 as authenticator apps take it.
#[must_use]
pub fn new_secret() -> String {
    Secret::generate().to_base32()
}

/// A secret derived from a seed: for demonstration accounts only, whose secrets are published.
#[must_use]
pub fn demo_secret(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    Secret::from(Sha256::digest(seed.as_bytes())[..20].to_vec()).to_base32()
}

fn totp(secret: &str, account: &str) -> Option<Totp> {
    Builder::new()
        .with_secret(Secret::try_from_base32(secret).ok()?)
        .with_account_name(account)
        .with_issuer(Some("Vigil"))
        .build()
        .ok()
}

fn unix(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp()).unwrap_or(0)
}

/// The time step a code matches at `now`, if it matches at all.
#[must_use]
pub fn matching_step(secret: &str, code: &str, now: OffsetDateTime) -> Option<i64> {
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    let step = totp(secret, "")?.check(&code, unix(now))?;
    i64::try_from(step).ok()
}

/// The code an authenticator shows at `at`: for tests and the demonstration accounts.
#[must_use]
pub fn code_at(secret: &str, at: OffsetDateTime) -> String {
    totp(secret, "").map(|t| t.generate(unix(at)).to_string()).unwrap_or_default()
}

/// The `otpauth://` address an authenticator app reads from a QR code or link.
#[must_use]
pub fn provisioning_url(secret: &str, account: &str) -> String {
    totp(secret, account).and_then(|t| t.to_url().ok()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn codes_match_their_own_step_only_nearby() {
        let secret = new_secret();
        let at = datetime!(2026-11-30 09:00:00 UTC);
        let code = code_at(&secret, at);
        assert_eq!(code.len(), 6);
        assert!(matching_step(&secret, &code, at).is_some());
        assert!(matching_step(&secret, &code, at + time::Duration::seconds(30)).is_some());
        assert!(matching_step(&secret, &code, at + time::Duration::minutes(5)).is_none());
        assert!(provisioning_url(&secret, "a@b.org").starts_with("otpauth://totp/"));
    }
}
