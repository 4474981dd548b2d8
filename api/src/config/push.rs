//! Push notifications through Firebase Cloud Messaging (HTTP v1).

use super::ConfigError;

// PLACEHOLDER: the helper that builds this feature fills in the settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushConfig {}

impl PushConfig {
    pub(super) fn from_env() -> Result<PushConfig, ConfigError> {
        Ok(PushConfig::default())
    }
}
