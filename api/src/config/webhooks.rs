//! Webhook delivery.

use std::time::Duration;

use super::{ConfigError, parse_var};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// `MOTCUA_WEBHOOK_ALLOW_PRIVATE` (default false): lets endpoints use plain `http` and
    /// reach loopback and private addresses. For development and tests only.
    pub allow_private: bool,
    /// `MOTCUA_WEBHOOK_INTERVAL_SECS` (default 5): how often each process sends due deliveries.
    pub interval: Duration,
}

impl Default for WebhookConfig {
    fn default() -> WebhookConfig {
        WebhookConfig { allow_private: false, interval: Duration::from_secs(5) }
    }
}

impl WebhookConfig {
    pub(super) fn from_env() -> Result<WebhookConfig, ConfigError> {
        let defaults = WebhookConfig::default();
        Ok(WebhookConfig {
            allow_private: parse_var("MOTCUA_WEBHOOK_ALLOW_PRIVATE", defaults.allow_private)?,
            interval: Duration::from_secs(
                parse_var("MOTCUA_WEBHOOK_INTERVAL_SECS", defaults.interval.as_secs())?.max(1),
            ),
        })
    }
}
