//! How quickly a revoked session stops working on every server process.

use std::time::Duration;

use super::{ConfigError, parse_var};

/// The longest a process may go without reading the revocations: the promise is that a
/// revoked session's access tokens stop working everywhere within 30 seconds.
const MAX_REVOCATION_CACHE_SECS: u64 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// `MOTCUA_REVOCATION_CACHE_SECS` (default 10, at most 30): how long each process answers
    /// from its copy of the recent session revocations before reading them again. Revocations
    /// made by the process itself apply at once.
    pub revocation_cache: Duration,
}

impl Default for SessionConfig {
    fn default() -> SessionConfig {
        SessionConfig { revocation_cache: Duration::from_secs(10) }
    }
}

impl SessionConfig {
    pub(super) fn from_env() -> Result<SessionConfig, ConfigError> {
        let defaults = SessionConfig::default();
        let secs = parse_var("MOTCUA_REVOCATION_CACHE_SECS", defaults.revocation_cache.as_secs())?;
        if secs > MAX_REVOCATION_CACHE_SECS {
            return Err(ConfigError {
                name: "MOTCUA_REVOCATION_CACHE_SECS",
                reason: format!("at most {MAX_REVOCATION_CACHE_SECS} seconds"),
            });
        }
        Ok(SessionConfig { revocation_cache: Duration::from_secs(secs) })
    }
}
