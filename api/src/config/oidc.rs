//! Single sign-on with an OpenID Connect provider.

use super::ConfigError;

// PLACEHOLDER: the helper that builds this feature fills in the settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OidcConfig {}

impl OidcConfig {
    pub(super) fn from_env() -> Result<OidcConfig, ConfigError> {
        Ok(OidcConfig::default())
    }
}
