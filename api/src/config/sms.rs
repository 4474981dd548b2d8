//! Text messages (one-time codes): the sender and its gateway, and the codes' rules.

use std::time::Duration;

use secrecy::SecretString;

use super::{ConfigError, parse_var, var};

/// The body an SMS gateway gets unless `MOTCUA_SMS_HTTP_BODY` says otherwise.
pub const DEFAULT_HTTP_BODY: &str = r#"{"to":"{{phone}}","text":"{{message}}"}"#;

/// Where text messages go.
#[derive(Debug, Clone, Default)]
pub enum SmsSenderConfig {
    /// Into the server's log at WARN, clearly marked: for development, never for citizens.
    #[default]
    Log,
    /// To a generic SMS gateway over HTTP.
    Http(SmsHttpConfig),
}

/// A generic SMS gateway: one POST per message.
#[derive(Debug, Clone)]
pub struct SmsHttpConfig {
    /// `MOTCUA_SMS_HTTP_URL` (required with the `http` sender): where messages are POSTed.
    pub url: String,
    /// `MOTCUA_SMS_HTTP_USERNAME` and `MOTCUA_SMS_HTTP_PASSWORD` (optional): HTTP basic auth.
    pub basic: Option<(String, SecretString)>,
    /// `MOTCUA_SMS_HTTP_TOKEN` (optional): sent as `Authorization: Bearer <token>`.
    pub token: Option<SecretString>,
    /// `MOTCUA_SMS_HTTP_BODY` (default `{"to":"{{phone}}","text":"{{message}}"}`): the body,
    /// where `{{phone}}` and `{{message}}` are replaced by the values, JSON-escaped.
    pub body: String,
    /// `MOTCUA_SMS_HTTP_CONTENT_TYPE` (default `application/json`).
    pub content_type: String,
    /// `MOTCUA_SMS_HTTP_TIMEOUT_SECS` (default 10): how long one attempt may take.
    pub timeout: Duration,
    /// `MOTCUA_SMS_HTTP_ATTEMPTS` (default 3): attempts per message; network errors and 5xx
    /// answers are tried again, after 1 s, 2 s, 4 s...
    pub attempts: u32,
    /// The wait before the second attempt, doubled for each next one (1 s; tests shorten it).
    pub backoff: Duration,
}

/// The rules of one-time codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpConfig {
    /// `MOTCUA_OTP_TTL_SECS` (default 300): how long a code works.
    pub ttl: Duration,
    /// `MOTCUA_OTP_MAX_TRIES` (default 5): wrong tries that kill a code.
    pub max_tries: u32,
    /// `MOTCUA_OTP_RESEND_SECS` (default 60): the wait before a new code for the same phone
    /// and purpose.
    pub resend_wait: Duration,
    /// `MOTCUA_OTP_MAX_PER_PHONE` (default 5): codes sent to one phone an hour (0: no limit).
    pub max_per_phone: u32,
    /// `MOTCUA_OTP_MAX_PER_CLIENT` (default 20): codes asked for from one client address an
    /// hour (0: no limit).
    pub max_per_client: u32,
}

impl Default for OtpConfig {
    fn default() -> OtpConfig {
        OtpConfig {
            ttl: Duration::from_secs(300),
            max_tries: 5,
            resend_wait: Duration::from_secs(60),
            max_per_phone: 5,
            max_per_client: 20,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SmsConfig {
    /// `MOTCUA_SMS_SENDER`: `log` (default) or `http`.
    pub sender: SmsSenderConfig,
    pub otp: OtpConfig,
}

impl SmsHttpConfig {
    /// A gateway at `url` with the default body, no credentials and the default timing.
    pub fn new(url: impl Into<String>) -> SmsHttpConfig {
        SmsHttpConfig {
            url: url.into(),
            basic: None,
            token: None,
            body: DEFAULT_HTTP_BODY.to_owned(),
            content_type: "application/json".to_owned(),
            timeout: Duration::from_secs(10),
            attempts: 3,
            backoff: Duration::from_secs(1),
        }
    }

    fn from_env() -> Result<SmsHttpConfig, ConfigError> {
        let url = var("MOTCUA_SMS_HTTP_URL").ok_or(ConfigError {
            name: "MOTCUA_SMS_HTTP_URL",
            reason: "required with MOTCUA_SMS_SENDER=http".to_owned(),
        })?;
        let defaults = SmsHttpConfig::new(url);
        let basic = match (var("MOTCUA_SMS_HTTP_USERNAME"), var("MOTCUA_SMS_HTTP_PASSWORD")) {
            (Some(user), Some(password)) => Some((user, SecretString::from(password))),
            (None, None) => None,
            _ => {
                return Err(ConfigError {
                    name: "MOTCUA_SMS_HTTP_USERNAME",
                    reason: "set with MOTCUA_SMS_HTTP_PASSWORD, or neither".to_owned(),
                });
            }
        };
        let attempts = parse_var("MOTCUA_SMS_HTTP_ATTEMPTS", defaults.attempts)?;
        if attempts == 0 {
            return Err(ConfigError { name: "MOTCUA_SMS_HTTP_ATTEMPTS", reason: "at least 1".to_owned() });
        }
        Ok(SmsHttpConfig {
            basic,
            token: var("MOTCUA_SMS_HTTP_TOKEN").map(SecretString::from),
            body: var("MOTCUA_SMS_HTTP_BODY").unwrap_or(defaults.body.clone()),
            content_type: var("MOTCUA_SMS_HTTP_CONTENT_TYPE").unwrap_or(defaults.content_type.clone()),
            timeout: Duration::from_secs(
                parse_var("MOTCUA_SMS_HTTP_TIMEOUT_SECS", defaults.timeout.as_secs())?.max(1),
            ),
            attempts,
            ..defaults
        })
    }
}

impl OtpConfig {
    fn from_env() -> Result<OtpConfig, ConfigError> {
        let defaults = OtpConfig::default();
        let secs = |name, default: Duration| parse_var(name, default.as_secs()).map(Duration::from_secs);
        let max_tries = parse_var("MOTCUA_OTP_MAX_TRIES", defaults.max_tries)?;
        if max_tries == 0 {
            return Err(ConfigError { name: "MOTCUA_OTP_MAX_TRIES", reason: "at least 1".to_owned() });
        }
        Ok(OtpConfig {
            ttl: secs("MOTCUA_OTP_TTL_SECS", defaults.ttl)?.max(Duration::from_secs(1)),
            max_tries,
            resend_wait: secs("MOTCUA_OTP_RESEND_SECS", defaults.resend_wait)?,
            max_per_phone: parse_var("MOTCUA_OTP_MAX_PER_PHONE", defaults.max_per_phone)?,
            max_per_client: parse_var("MOTCUA_OTP_MAX_PER_CLIENT", defaults.max_per_client)?,
        })
    }
}

impl SmsConfig {
    pub(super) fn from_env() -> Result<SmsConfig, ConfigError> {
        let sender = match var("MOTCUA_SMS_SENDER").as_deref().map(str::trim) {
            None | Some("log") => SmsSenderConfig::Log,
            Some("http") => SmsSenderConfig::Http(SmsHttpConfig::from_env()?),
            Some(other) => {
                return Err(ConfigError {
                    name: "MOTCUA_SMS_SENDER",
                    reason: format!("`{other}` is neither `log` nor `http`"),
                });
            }
        };
        Ok(SmsConfig { sender, otp: OtpConfig::from_env()? })
    }
}
