//! Random tokens, their hashes, and password hashing.
//!
//! Tokens (sessions, API, invitations, resets, recovery codes) are 256-bit random values; only their SHA-256
//! is stored, so a copy of the database cannot be used to sign in. Passwords use Argon2id.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use rand::RngExt;
use sha2::{Digest, Sha256};

/// A fresh random token, as URL-safe hex.
#[must_use]
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

/// A short random code a person can type, like `k3m9-x2qp-7hfd`.
#[must_use]
pub fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..12).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect();
    format!(
        "{}-{}-{}",
        chars[0..4].iter().collect::<String>(),
        chars[4..8].iter().collect::<String>(),
        chars[8..12].iter().collect::<String>()
    )
}

/// The stored form of a token.
#[must_use]
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Hashes a password with Argon2id and a fresh salt. Slow by design: call it off the async threads.
///
/// # Panics
/// Never in practice: hashing only fails for parameters out of range, and ours are the defaults.
#[must_use]
pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map_or_else(|e| panic!("argon2 with default parameters cannot fail: {e}"), |hash| hash.to_string())
}

/// Whether `password` matches the stored hash.
#[must_use]
pub fn verify_password(password: &str, stored: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), stored).is_ok()
}

/// A hash to verify against when the account does not exist, so that the time taken does not reveal it.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that matches nothing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let stored = hash_password("correct horse battery");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &stored));
        assert!(!verify_password("correct horse batterY", &stored));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        assert_ne!(new_token(), new_token());
        assert_eq!(hash_token("abc"), hash_token(" abc "));
        assert_eq!(new_recovery_code().len(), 14);
    }
}
