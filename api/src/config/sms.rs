//! Text messages (one-time codes): the sender and its gateway.

use super::ConfigError;

// PLACEHOLDER: the helper that builds this feature fills in the settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SmsConfig {}

impl SmsConfig {
    pub(super) fn from_env() -> Result<SmsConfig, ConfigError> {
        Ok(SmsConfig::default())
    }
}
