//! Access tokens (HS256 JWTs, strictly validated) and opaque refresh tokens (stored hashed).
use base64::Engine;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Auth;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// The session this token belongs to; logout revokes the session, and with it the token.
    pub sid: String,
}

/// Signing and checking keys with the validation rules, built once at start-up.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    pub access_ttl_seconds: i64,
}

impl Keys {
    pub fn new(auth: &Auth) -> Keys {
        let secret = auth.jwt_secret.expose().as_bytes();
        // jsonwebtoken's defaults are lax (60 s leeway, nbf unchecked, aud/iss optional): pin them.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = auth.leeway_seconds.min(5);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_audience(&[&auth.audience]);
        validation.set_issuer(&[&auth.issuer]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: auth.issuer.clone(),
            audience: auth.audience.clone(),
            access_ttl_seconds: auth.access_token_minutes * 60,
        }
    }

    pub fn issue(&self, user_id: &str, session_id: &str) -> Result<String, String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_string(),
            iat: now,
            nbf: now,
            exp: now + self.access_ttl_seconds,
            jti: uuid::Uuid::new_v4().to_string(),
            sid: session_id.to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// Checks signature, algorithm, issuer, audience and times; None for any token that fails.
    pub fn check(&self, token: &str) -> Option<Claims> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        let now = chrono::Utc::now().timestamp();
        let leeway = self.validation.leeway as i64;
        // iat in the future is as suspicious as nbf in the future.
        if data.claims.iat > now + leeway
            || data.claims.jti.is_empty()
            || data.claims.sub.is_empty()
        {
            return None;
        }
        Some(data.claims)
    }
}

/// 32 random bytes, base64url: refresh tokens and generated secrets.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a refresh token: its SHA-256, so a database leak yields no usable token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a refresh token spent at `used_at` may still rotate at `now`: within `grace` of its
/// spending (a lost answer, a second tab), never with a grace of zero (see ADR 0002).
pub fn within_reuse_grace(
    used_at: Option<chrono::NaiveDateTime>,
    grace: chrono::Duration,
    now: chrono::NaiveDateTime,
) -> bool {
    used_at.is_some_and(|at| grace > chrono::Duration::zero() && now - at <= grace)
}

#[cfg(test)]
mod grace_tests {
    use super::within_reuse_grace;
    use chrono::{Duration, NaiveDate};

    #[test]
    fn a_spent_token_rotates_again_only_within_the_grace_and_never_with_none() {
        let spent = NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let grace = Duration::seconds(30);
        assert!(within_reuse_grace(
            Some(spent),
            grace,
            spent + Duration::seconds(30)
        ));
        assert!(!within_reuse_grace(
            Some(spent),
            grace,
            spent + Duration::seconds(31)
        ));
        assert!(!within_reuse_grace(Some(spent), Duration::zero(), spent));
        assert!(
            !within_reuse_grace(None, grace, spent),
            "an unspent token is not a reuse"
        );
    }
}
