//! How often clients may call, and which browser origins may call at all.

use poem::http::Uri;

use super::{ConfigError, parse_var, var};

/// Per-minute limits on the shared buckets of [`crate::rate_limit`] (the lookup's and the
/// login's are in their own sections). A 0 turns a limit off.
#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    /// `MOTCUA_API_KEY_RATE_LIMIT` (default 600): requests per minute of an API key that has
    /// no limit of its own.
    pub api_key_per_minute: u32,
    /// `MOTCUA_SLOTS_LIMIT` (default 120): slot listings per minute per client address.
    pub slots_per_minute: u32,
}

impl Default for RateLimitConfig {
    fn default() -> RateLimitConfig {
        RateLimitConfig { api_key_per_minute: 600, slots_per_minute: 120 }
    }
}

impl RateLimitConfig {
    pub(super) fn from_env() -> Result<RateLimitConfig, ConfigError> {
        let defaults = RateLimitConfig::default();
        Ok(RateLimitConfig {
            api_key_per_minute: parse_var("MOTCUA_API_KEY_RATE_LIMIT", defaults.api_key_per_minute)?,
            slots_per_minute: parse_var("MOTCUA_SLOTS_LIMIT", defaults.slots_per_minute)?,
        })
    }
}

/// Which browser origins may call the API (see [`crate::http::cors`]).
#[derive(Debug, Clone, Default)]
pub struct CorsConfig {
    /// `MOTCUA_CORS_ORIGINS`: exact origins (`https://portal.example.gov.vn`), comma-separated;
    /// none (the default) sends no CORS headers at all.
    pub origins: Vec<String>,
}

impl CorsConfig {
    pub(super) fn from_env() -> Result<CorsConfig, ConfigError> {
        let origins = var("MOTCUA_CORS_ORIGINS").unwrap_or_default();
        let origins = origins.split(',').map(str::trim).filter(|o| !o.is_empty());
        Ok(CorsConfig { origins: origins.map(origin).collect::<Result<_, _>>()? })
    }
}

/// An origin as browsers send it: `scheme://host[:port]`, nothing after. A browser never sends
/// a path or a trailing slash, so an entry with one would match nothing, silently.
fn origin(entry: &str) -> Result<String, ConfigError> {
    let invalid = || ConfigError {
        name: "MOTCUA_CORS_ORIGINS",
        reason: format!("`{entry}` is not an origin such as https://portal.example.gov.vn"),
    };
    let uri: Uri = entry.parse().map_err(|_| invalid())?;
    let bare = uri.path_and_query().is_none_or(|p| p.as_str() == "/") && !entry.ends_with('/');
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(_)) if bare => Ok(entry.to_ascii_lowercase()),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn origins_are_exact_scheme_host_and_port() {
        assert_eq!(origin("https://Portal.example.vn").unwrap(), "https://portal.example.vn");
        assert!(origin("http://localhost:5173").is_ok());
        for wrong in
            ["portal.example.vn", "https://portal.example.vn/", "https://a.vn/app", "ftp://a.vn", "*"]
        {
            assert!(origin(wrong).is_err(), "{wrong}");
        }
    }
}
