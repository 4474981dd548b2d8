//! Access tokens (short-lived HS256 JWTs) and refresh tokens (random, stored as SHA-256).

use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Role;

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: Uuid,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
    /// The login session (refresh-token family) this token was issued for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
}

/// How long after `exp` a token is still taken, for servers whose clocks differ slightly.
pub const EXPIRY_LEEWAY_SECONDS: i64 = 5;

/// Signs and checks access tokens. Only HS256 is accepted: `none` and every other algorithm
/// fail validation.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &SecretString) -> TokenKeys {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked against the app's clock in `verify`, not the library's reading of
        // the system time, so a test can set the instant.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        TokenKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
        }
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// The claims of a valid token that has not expired at `now` (with a few seconds' leeway
    /// for clocks that differ between servers).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?.claims;
        (now.timestamp() <= claims.exp.saturating_add(EXPIRY_LEEWAY_SECONDS)).then_some(claims)
    }
}

/// A new refresh token: 32 random bytes, base64url. Only its hash is stored.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a high-entropy token, hex: enough for a value nobody can guess, and fast.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The claims of a new access token.
pub fn claims_for(
    user_id: Uuid,
    role: Role,
    unit: Option<String>,
    session: Uuid,
    now: DateTime<Utc>,
    ttl: std::time::Duration,
) -> Claims {
    Claims {
        sid: Some(session),
        sub: user_id,
        role,
        unit,
        iat: now.timestamp(),
        exp: now.timestamp() + ttl.as_secs() as i64,
        jti: Uuid::new_v4(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_554_400, 0).unwrap()
    }

    fn keys() -> TokenKeys {
        TokenKeys::new(&SecretString::from("test secret of some length"))
    }

    #[test]
    fn signed_tokens_verify_and_tampered_ones_do_not() {
        let claims = claims_for(
            Uuid::new_v4(),
            Role::Citizen,
            None,
            Uuid::new_v4(),
            now(),
            std::time::Duration::from_secs(60),
        );
        let token = keys().sign(&claims).unwrap();
        assert_eq!(keys().verify(&token, now()), Some(claims));
        let other = TokenKeys::new(&SecretString::from("another secret"));
        assert_eq!(other.verify(&token, now()), None);
        let mut tampered = token.clone();
        tampered.pop();
        assert_eq!(keys().verify(&tampered, now()), None);
    }

    #[test]
    fn unsigned_and_expired_tokens_are_refused() {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = engine.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let issued = now().timestamp();
        let body = engine.encode(format!(
            r#"{{"sub":"{}","role":"admin","iat":{issued},"exp":{},"jti":"{}"}}"#,
            Uuid::new_v4(),
            issued + 600,
            Uuid::new_v4()
        ));
        assert_eq!(keys().verify(&format!("{header}.{body}."), now()), None);

        let expired = claims_for(
            Uuid::new_v4(),
            Role::Citizen,
            None,
            Uuid::new_v4(),
            now() - chrono::Duration::hours(1),
            std::time::Duration::from_secs(60),
        );
        assert_eq!(keys().verify(&keys().sign(&expired).unwrap(), now()), None);
    }
}
