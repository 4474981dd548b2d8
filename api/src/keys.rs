//! The server's keys and the costly machinery around them, built once at start-up.

use secrecy::ExposeSecret;

use crate::{
    auth::{password::PasswordHashing, tokens::TokenKeys},
    config::Config,
    domain::dossier::SecretHasher,
};

pub struct Keys {
    pub tokens: TokenKeys,
    pub lookup_secrets: SecretHasher,
    pub passwords: PasswordHashing,
}

impl Keys {
    /// Keys from the configured secrets; `secrets::resolve` must have filled them in.
    pub fn from_config(config: &Config) -> Keys {
        let jwt = config.auth.jwt_secret.clone().expect("JWT secret resolved before start-up");
        let pepper = config.lookup.pepper.clone().expect("lookup pepper resolved before start-up");
        Keys {
            tokens: TokenKeys::new(&jwt),
            lookup_secrets: SecretHasher::new(pepper.expose_secret().as_bytes()),
            passwords: PasswordHashing::default(),
        }
    }
}
