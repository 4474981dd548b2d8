//! The server's keys and the costly machinery around them, built once at start-up.

use secrecy::ExposeSecret;

use crate::{
    auth::{password::PasswordHashing, tokens::TokenKeys},
    domain::{dossier::SecretHasher, rating::RatingTokens},
    otp::CodeKey,
    secrets::Secrets,
};

pub struct Keys {
    pub tokens: TokenKeys,
    pub lookup_secrets: SecretHasher,
    pub rating_tokens: RatingTokens,
    pub passwords: PasswordHashing,
    /// The key of one-time codes' hashes.
    pub otp: CodeKey,
}

impl Keys {
    pub fn new(secrets: &Secrets) -> Keys {
        Keys {
            tokens: TokenKeys::new(&secrets.jwt),
            lookup_secrets: SecretHasher::new(secrets.lookup_pepper.expose_secret().as_bytes()),
            rating_tokens: RatingTokens::new(secrets.lookup_pepper.expose_secret().as_bytes()),
            passwords: PasswordHashing::default(),
            otp: CodeKey::new(secrets.lookup_pepper.expose_secret().as_bytes()),
        }
    }
}
