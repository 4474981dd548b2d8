//! Settings from the environment (`MOTCUA_*`), one struct per concern.

use std::{net::SocketAddr, time::Duration};

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
        Some(raw) => raw.trim().parse().map_err(|e: T::Err| ConfigError {
            name,
            reason: e.to_string(),
        }),
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
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `MOTCUA_DATABASE_URL`
    pub url: String,
    /// `MOTCUA_DATABASE_MAX_CONNECTIONS` (default: 8 on SQLite, 16 on PostgreSQL)
    pub max_connections: Option<u32>,
}

impl DatabaseConfig {
    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
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
        Ok(LogConfig {
            filter: var("MOTCUA_LOG").unwrap_or_else(|| "info".into()),
            format,
        })
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://motcua.db?mode=rwc";

/// Everything the server is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Ok(Config {
            server: ServerConfig {
                bind: parse_var("MOTCUA_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
                body_limit: parse_var("MOTCUA_BODY_LIMIT", 1024 * 1024)?,
                shutdown_grace: Duration::from_secs(parse_var("MOTCUA_SHUTDOWN_GRACE_SECS", 30)?),
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
        })
    }

    /// Settings for tests and tools: defaults, on the given database.
    pub fn for_database(url: impl Into<String>) -> Config {
        Config {
            server: ServerConfig {
                bind: SocketAddr::from(([127, 0, 0, 1], 0)),
                body_limit: 1024 * 1024,
                shutdown_grace: Duration::from_secs(30),
            },
            database: DatabaseConfig {
                url: url.into(),
                max_connections: None,
            },
        }
    }
}
