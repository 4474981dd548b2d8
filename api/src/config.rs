//! Settings from the environment (`MOTCUA_*`), one struct per concern.

use std::{
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use secrecy::SecretString;

mod access;
mod appointments;
mod oidc;
mod push;
mod sessions;
mod sms;
mod webhooks;

pub use access::{CorsConfig, RateLimitConfig};
pub use appointments::AppointmentConfig;
pub use oidc::{OidcConfig, OidcProvider};
pub use push::{FcmCredentials, PushConfig};
pub use sessions::SessionConfig;
pub use sms::{OtpConfig, SmsConfig, SmsHttpConfig, SmsSenderConfig};
pub use webhooks::WebhookConfig;

/// A fresh secret: 32 random bytes, base64url.
pub fn random_secret() -> SecretString {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

/// Reads an environment variable, `None` when unset or empty.
fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Reads and parses an environment variable, or gives the default.
fn parse_var<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|e: T::Err| ConfigError { name, reason: e.to_string() }),
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `MOTCUA_BIND`
    pub bind: SocketAddr,
    /// `MOTCUA_BODY_LIMIT` (bytes)
    pub body_limit: usize,
    /// `MOTCUA_SHUTDOWN_GRACE_SECS`: how long in-flight requests may take to finish.
    pub shutdown_grace: Duration,
    /// `MOTCUA_TRUSTED_PROXIES`: peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// `MOTCUA_EVENTS_HEARTBEAT_SECS` (default 15): how often an idle event stream sends a
    /// comment, so that proxies and the screen know it is alive.
    pub events_heartbeat: Duration,
    /// `MOTCUA_EVENTS_MAX_SECS` (default 3600): how long an event stream lasts before the
    /// server ends it and the screen reconnects (with `Last-Event-ID`, missing nothing), so
    /// that screens spread over the processes again after a deploy. 0: one display, then the
    /// end (for clients that cannot hold a stream, and for the fuzzer).
    pub events_max: Duration,
    /// `MOTCUA_PUBLIC_URL` (default `http://` and the bind address): where citizens reach the
    /// server from outside, without a trailing slash. Printed QR codes hold links under it.
    pub public_url: String,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `MOTCUA_DATABASE_URL`
    pub url: String,
    /// `MOTCUA_DATABASE_MAX_CONNECTIONS` (default: 8 on SQLite; on PostgreSQL four per core, at least 8)
    pub max_connections: Option<u32>,
}

impl DatabaseConfig {
    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }

    /// The file of a SQLite database (`sqlite://motcua.db?mode=rwc` -> `motcua.db`), or None
    /// for PostgreSQL and in-memory SQLite.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        let path = self.url.strip_prefix("sqlite://").or_else(|| self.url.strip_prefix("sqlite:"))?;
        let path = path.split('?').next().unwrap_or_default();
        (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    /// `MOTCUA_LOG`: a tracing filter such as `info` or `api=debug,info`.
    pub filter: String,
    /// `MOTCUA_LOG_FORMAT`: `pretty` or `json`.
    pub format: LogFormat,
}

impl LogConfig {
    pub fn from_env() -> Result<LogConfig, ConfigError> {
        let format = match var("MOTCUA_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    name: "MOTCUA_LOG_FORMAT",
                    reason: format!("expected pretty or json, got {other}"),
                });
            }
        };
        Ok(LogConfig { filter: var("MOTCUA_LOG").unwrap_or_else(|| "info".into()), format })
    }
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// `MOTCUA_JWT_SECRET`: signs access tokens. Required with PostgreSQL; on the embedded
    /// default it is generated once and kept beside the database (see `secrets`).
    pub jwt_secret: Option<SecretString>,
    /// `MOTCUA_ACCESS_TOKEN_TTL_SECS` (default 900)
    pub access_ttl: Duration,
    /// `MOTCUA_REFRESH_TOKEN_TTL_DAYS` (default 30)
    pub refresh_ttl: Duration,
    /// `MOTCUA_LOGIN_WINDOW_SECS` (default 900): the window failed logins are counted in.
    pub login_window: Duration,
    /// `MOTCUA_LOGIN_MAX_FAILURES_PER_PHONE` (default 5): failures for a phone from one
    /// address in the window before its logins from there need a one-time code (step-up).
    pub login_max_per_phone: u32,
    /// `MOTCUA_LOGIN_MAX_FAILURES_PER_PHONE_ANYWHERE` (default 20): the same, counted over
    /// every address.
    pub login_max_per_phone_anywhere: u32,
    /// `MOTCUA_LOGIN_MAX_FAILURES_PER_CLIENT` (default 20): failures from one address a
    /// window, refilled steadily; past them, logins from there wait (429, `Retry-After`).
    pub login_max_per_client: u32,
    /// `MOTCUA_API_KEY_ROTATION_GRACE_HOURS` (default 168): how long a rotated key's old
    /// secret keeps working when the rotation does not say.
    pub api_key_rotation_grace_hours: u32,
}

#[derive(Debug, Clone)]
pub struct LookupConfig {
    /// `MOTCUA_LOOKUP_PEPPER`: the HMAC key of dossier lookup secrets (like the JWT secret).
    pub pepper: Option<SecretString>,
    /// `MOTCUA_LOOKUP_LIMIT`: public lookups per minute per client address and per code;
    /// 0 turns the limit off (benchmarks do).
    pub limit_per_minute: u32,
    /// `MOTCUA_LOOKUP_NAMES_TTL_SECS`: how long a server process shows a unit's or procedure's
    /// name in lookups before reading it again (a rename shows within this time).
    pub names_ttl: Duration,
    /// `MOTCUA_LOOKUP_CONNECTIONS`: on SQLite, how many connections of their own the lookups and
    /// slot listings read over (default 8); 0 sends them to the pool like every other call.
    pub connections: u32,
}

/// Where uploaded files go, and how large they may be.
#[derive(Debug, Clone)]
pub struct FilesConfig {
    /// `MOTCUA_DATA_DIR`: the directory of uploaded files (complaint attachments), kept outside
    /// the database and named by their SHA-256 (default `motcua-data`). Back it up with the
    /// database.
    pub data_dir: std::path::PathBuf,
    /// `MOTCUA_ATTACHMENT_MAX_BYTES`: the largest attachment (default 10 MiB).
    pub attachment_max_bytes: usize,
    /// `MOTCUA_MAX_ATTACHMENTS`: attachments per complaint (default 3).
    pub max_attachments: usize,
    /// `MOTCUA_UPLOAD_LIMIT`: the largest request with attachments, refused from its
    /// `Content-Length` before it is read (default 31 MiB: three files and the form).
    pub upload_limit: usize,
}

impl FilesConfig {
    fn from_env() -> Result<FilesConfig, ConfigError> {
        Ok(FilesConfig {
            data_dir: var("MOTCUA_DATA_DIR").unwrap_or_else(|| "motcua-data".into()).into(),
            attachment_max_bytes: parse_var("MOTCUA_ATTACHMENT_MAX_BYTES", 10 * MIB)?,
            max_attachments: parse_var("MOTCUA_MAX_ATTACHMENTS", 3)?,
            upload_limit: parse_var("MOTCUA_UPLOAD_LIMIT", 31 * MIB)?,
        })
    }

    /// The defaults, in a directory of its own under the system's temporary one (tests, tools).
    fn scratch() -> FilesConfig {
        let dir = std::env::temp_dir().join(format!("motcua-files-{}", uuid::Uuid::now_v7().simple()));
        FilesConfig {
            data_dir: dir,
            attachment_max_bytes: 10 * MIB,
            max_attachments: 3,
            upload_limit: 31 * MIB,
        }
    }
}

const MIB: usize = 1024 * 1024;

/// Which peers are proxies whose `X-Forwarded-For` we believe.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<ipnet::IpNet>);

impl TrustedProxies {
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }
}

impl std::str::FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of addresses or CIDR networks.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<ipnet::IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("not an address or network: {part}"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

/// The public base URL: as configured (an `http` or `https` URL, without a trailing slash),
/// else the bind address over `http`.
fn public_url(configured: Option<String>, bind: SocketAddr) -> Result<String, ConfigError> {
    let Some(url) = configured else { return Ok(format!("http://{bind}")) };
    let url = url.trim().trim_end_matches('/').to_owned();
    let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(['?', '#', ' ']) => Ok(url),
        _ => Err(ConfigError {
            name: "MOTCUA_PUBLIC_URL",
            reason: "expected an http:// or https:// URL without query, e.g. https://motcua.binhduong.gov.vn"
                .into(),
        }),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://motcua.db?mode=rwc";

/// Everything the server is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub lookup: LookupConfig,
    pub appointments: AppointmentConfig,
    pub files: FilesConfig,
    pub rate_limits: RateLimitConfig,
    pub cors: CorsConfig,
    pub webhooks: WebhookConfig,
    pub sessions: SessionConfig,
    pub sms: SmsConfig,
    pub oidc: OidcConfig,
    pub push: PushConfig,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let bind = parse_var("MOTCUA_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)))?;
        Ok(Config {
            server: ServerConfig {
                bind,
                body_limit: parse_var("MOTCUA_BODY_LIMIT", 1024 * 1024)?,
                shutdown_grace: Duration::from_secs(parse_var("MOTCUA_SHUTDOWN_GRACE_SECS", 30)?),
                events_heartbeat: Duration::from_secs(parse_var("MOTCUA_EVENTS_HEARTBEAT_SECS", 15)?.max(1)),
                events_max: Duration::from_secs(parse_var("MOTCUA_EVENTS_MAX_SECS", 3600)?),
                trusted_proxies: parse_var("MOTCUA_TRUSTED_PROXIES", TrustedProxies::default())?,
                public_url: public_url(var("MOTCUA_PUBLIC_URL"), bind)?,
            },
            database: DatabaseConfig {
                url: var("MOTCUA_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
                max_connections: var("MOTCUA_DATABASE_MAX_CONNECTIONS")
                    .map(|v| v.parse())
                    .transpose()
                    .map_err(|e: std::num::ParseIntError| ConfigError {
                        name: "MOTCUA_DATABASE_MAX_CONNECTIONS",
                        reason: e.to_string(),
                    })?,
            },
            auth: AuthConfig {
                jwt_secret: var("MOTCUA_JWT_SECRET").map(SecretString::from),
                access_ttl: Duration::from_secs(parse_var("MOTCUA_ACCESS_TOKEN_TTL_SECS", 900)?),
                refresh_ttl: Duration::from_secs(86_400 * parse_var("MOTCUA_REFRESH_TOKEN_TTL_DAYS", 30)?),
                login_window: Duration::from_secs(parse_var("MOTCUA_LOGIN_WINDOW_SECS", 900)?),
                login_max_per_phone: parse_var("MOTCUA_LOGIN_MAX_FAILURES_PER_PHONE", 5)?,
                login_max_per_phone_anywhere: parse_var("MOTCUA_LOGIN_MAX_FAILURES_PER_PHONE_ANYWHERE", 20)?,
                login_max_per_client: parse_var("MOTCUA_LOGIN_MAX_FAILURES_PER_CLIENT", 20)?,
                api_key_rotation_grace_hours: parse_var("MOTCUA_API_KEY_ROTATION_GRACE_HOURS", 168)?,
            },
            lookup: LookupConfig {
                pepper: var("MOTCUA_LOOKUP_PEPPER").map(SecretString::from),
                limit_per_minute: parse_var("MOTCUA_LOOKUP_LIMIT", 30)?,
                names_ttl: Duration::from_secs(parse_var("MOTCUA_LOOKUP_NAMES_TTL_SECS", 60)?),
                connections: parse_var("MOTCUA_LOOKUP_CONNECTIONS", 8)?,
            },
            appointments: AppointmentConfig::from_env()?,
            files: FilesConfig::from_env()?,
            rate_limits: RateLimitConfig::from_env()?,
            cors: CorsConfig::from_env()?,
            webhooks: WebhookConfig::from_env()?,
            sessions: SessionConfig::from_env()?,
            sms: SmsConfig::from_env()?,
            oidc: OidcConfig::from_env()?,
            push: PushConfig::from_env()?,
        })
    }

    /// Settings for tests and tools: defaults, on the given database.
    pub fn for_database(url: impl Into<String>) -> Config {
        Config {
            server: ServerConfig {
                bind: SocketAddr::from(([127, 0, 0, 1], 0)),
                body_limit: 1024 * 1024,
                shutdown_grace: Duration::from_secs(30),
                events_heartbeat: Duration::from_secs(15),
                events_max: Duration::from_secs(3600),
                trusted_proxies: TrustedProxies::default(),
                public_url: "http://127.0.0.1:8080".into(),
            },
            database: DatabaseConfig { url: url.into(), max_connections: None },
            auth: AuthConfig {
                jwt_secret: Some(random_secret()),
                access_ttl: Duration::from_secs(900),
                refresh_ttl: Duration::from_secs(30 * 86_400),
                login_window: Duration::from_secs(900),
                login_max_per_phone: 5,
                login_max_per_phone_anywhere: 20,
                login_max_per_client: 20,
                api_key_rotation_grace_hours: 168,
            },
            lookup: LookupConfig {
                pepper: Some(random_secret()),
                limit_per_minute: 30,
                names_ttl: Duration::from_secs(60),
                connections: 8,
            },
            appointments: AppointmentConfig::default(),
            files: FilesConfig::scratch(),
            rate_limits: RateLimitConfig::default(),
            cors: CorsConfig::default(),
            webhooks: WebhookConfig::default(),
            sessions: SessionConfig::default(),
            sms: SmsConfig::default(),
            oidc: OidcConfig::default(),
            push: PushConfig::default(),
        }
    }
}
