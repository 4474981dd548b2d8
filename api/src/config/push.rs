//! Push notifications through Firebase Cloud Messaging (HTTP v1).

use std::time::Duration;

use super::{ConfigError, parse_var, var};

pub const DEFAULT_FCM_BASE_URL: &str = "https://fcm.googleapis.com";

#[derive(Debug, Clone)]
pub struct PushConfig {
    /// `MOTCUA_FCM_CREDENTIALS` (a path to the service account's JSON key file) or
    /// `MOTCUA_FCM_CREDENTIALS_JSON` (the JSON itself). Unset: push is off (devices are still
    /// registered, and get pushes once it is turned on).
    pub credentials: Option<FcmCredentials>,
    /// `MOTCUA_FCM_BASE_URL` (default `https://fcm.googleapis.com`): where messages are sent.
    pub base_url: String,
    /// `MOTCUA_PUSH_INTERVAL_SECS` (default 5): how often each process sends due pushes.
    pub interval: Duration,
}

impl Default for PushConfig {
    fn default() -> PushConfig {
        PushConfig {
            credentials: None,
            base_url: DEFAULT_FCM_BASE_URL.into(),
            interval: Duration::from_secs(5),
        }
    }
}

/// What a Google service account's JSON key holds that sending needs.
#[derive(Debug, Clone)]
pub struct FcmCredentials {
    pub project_id: String,
    pub client_email: String,
    /// The private key (PEM, PKCS#8 or PKCS#1): signs the assertions exchanged for access
    /// tokens.
    pub signing_key: SigningKey,
    /// Where the assertions are exchanged (Google's is `https://oauth2.googleapis.com/token`).
    pub token_uri: String,
}

impl FcmCredentials {
    /// Reads a service account's JSON key, refusing one whose private key is not an RSA PEM.
    pub fn from_json(text: &str) -> Result<FcmCredentials, String> {
        #[derive(serde::Deserialize)]
        struct Key {
            project_id: String,
            client_email: String,
            private_key: String,
            token_uri: String,
        }
        let key: Key =
            serde_json::from_str(text).map_err(|err| format!("not a service account key: {err}"))?;
        Ok(FcmCredentials {
            project_id: key.project_id,
            client_email: key.client_email,
            signing_key: SigningKey::from_pem(&key.private_key)
                .map_err(|err| format!("private_key is not an RSA key in PEM: {err}"))?,
            token_uri: key.token_uri,
        })
    }
}

/// A service account's private key, kept out of `Debug`.
#[derive(Clone)]
pub struct SigningKey(pub jsonwebtoken::EncodingKey);

impl SigningKey {
    /// Reads a PKCS#8 key (as Google issues them) or a PKCS#1 one.
    fn from_pem(pem: &str) -> Result<SigningKey, rsa::pkcs1::Error> {
        use rsa::{
            RsaPrivateKey,
            pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey},
            pkcs8::DecodePrivateKey,
        };
        let key = match RsaPrivateKey::from_pkcs8_pem(pem) {
            Ok(key) => key,
            Err(_) => RsaPrivateKey::from_pkcs1_pem(pem)?,
        };
        Ok(SigningKey(jsonwebtoken::EncodingKey::from_rsa_der(key.to_pkcs1_der()?.as_bytes())))
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey([redacted])")
    }
}

impl PushConfig {
    pub(super) fn from_env() -> Result<PushConfig, ConfigError> {
        let defaults = PushConfig::default();
        let credentials = match (var("MOTCUA_FCM_CREDENTIALS"), var("MOTCUA_FCM_CREDENTIALS_JSON")) {
            (Some(_), Some(_)) => {
                return Err(ConfigError {
                    name: "MOTCUA_FCM_CREDENTIALS",
                    reason: "set it or MOTCUA_FCM_CREDENTIALS_JSON, not both".into(),
                });
            }
            (Some(path), None) => {
                let name = "MOTCUA_FCM_CREDENTIALS";
                let text = std::fs::read_to_string(&path)
                    .map_err(|err| ConfigError { name, reason: format!("{path}: {err}") })?;
                Some(FcmCredentials::from_json(&text).map_err(|reason| ConfigError { name, reason })?)
            }
            (None, Some(text)) => Some(
                FcmCredentials::from_json(&text)
                    .map_err(|reason| ConfigError { name: "MOTCUA_FCM_CREDENTIALS_JSON", reason })?,
            ),
            (None, None) => None,
        };
        let base_url = var("MOTCUA_FCM_BASE_URL").unwrap_or(defaults.base_url);
        if reqwest::Url::parse(&base_url).is_err() {
            return Err(ConfigError { name: "MOTCUA_FCM_BASE_URL", reason: "not a URL".into() });
        }
        Ok(PushConfig {
            credentials,
            base_url: base_url.trim_end_matches('/').to_owned(),
            interval: Duration::from_secs(
                parse_var("MOTCUA_PUSH_INTERVAL_SECS", defaults.interval.as_secs())?.max(1),
            ),
        })
    }
}
