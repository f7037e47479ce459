//! Password hashing with argon2id (the crate's defaults: m=19 MiB, t=2, p=1).
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the username is unknown, so both paths take the same time.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("not-a-real-password-0000").unwrap_or_default())
}

/// The password rule: at least `min_len` characters (counted as characters, not bytes).
pub fn check_strength(password: &str, min_len: usize) -> Result<(), String> {
    if password.chars().count() < min_len {
        return Err(format!("must be at least {min_len} characters"));
    }
    if password.len() > 1024 {
        return Err("must be at most 1024 bytes".into());
    }
    Ok(())
}
