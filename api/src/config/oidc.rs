//! Single sign-on with an OpenID Connect provider.

use secrecy::SecretString;

use super::{ConfigError, parse_var, var};

/// The provider, when single sign-on is on.
#[derive(Debug, Clone)]
pub struct OidcProvider {
    /// `MOTCUA_OIDC_ISSUER` (unset: single sign-on is off): the issuer URL; its discovery
    /// document is `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    /// `MOTCUA_OIDC_CLIENT_ID` (required with an issuer): this service's client id, the
    /// audience of the ID tokens.
    pub client_id: String,
    /// `MOTCUA_OIDC_CLIENT_SECRET` (default none: a public client, PKCE only).
    pub client_secret: Option<SecretString>,
    /// `MOTCUA_OIDC_SCOPES` (default `openid profile phone`, space-separated).
    pub scopes: Vec<String>,
    /// `MOTCUA_OIDC_REDIRECT_URL` (default `<MOTCUA_PUBLIC_URL>/api/v1/auth/oidc/callback`):
    /// where the provider sends the browser back; it must be registered with the provider.
    pub redirect_url: Option<String>,
    /// `MOTCUA_OIDC_ALLOW_HTTP` (default false): lets the issuer use plain `http`. For
    /// development and tests only.
    pub allow_http: bool,
}

#[derive(Debug, Clone, Default)]
pub struct OidcConfig {
    /// `None` when `MOTCUA_OIDC_ISSUER` is unset: the sign-on endpoints answer `oidc_disabled`.
    pub provider: Option<OidcProvider>,
}

impl OidcProvider {
    /// A provider with the default scopes, for tests and tools.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> OidcProvider {
        OidcProvider {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: None,
            scopes: ["openid", "profile", "phone"].map(String::from).to_vec(),
            redirect_url: None,
            allow_http: false,
        }
    }

    /// The redirect URL: as configured, else the callback under the public URL.
    pub fn redirect_url(&self, public_url: &str) -> String {
        self.redirect_url.clone().unwrap_or_else(|| format!("{public_url}/api/v1/auth/oidc/callback"))
    }
}

impl OidcConfig {
    pub(super) fn from_env() -> Result<OidcConfig, ConfigError> {
        let Some(issuer) = var("MOTCUA_OIDC_ISSUER") else { return Ok(OidcConfig::default()) };
        let client_id = var("MOTCUA_OIDC_CLIENT_ID").ok_or_else(|| ConfigError {
            name: "MOTCUA_OIDC_CLIENT_ID",
            reason: "required when MOTCUA_OIDC_ISSUER is set".into(),
        })?;
        let mut provider = OidcProvider::new(issuer.trim().trim_end_matches('/'), client_id.trim());
        provider.client_secret = var("MOTCUA_OIDC_CLIENT_SECRET").map(SecretString::from);
        if let Some(scopes) = var("MOTCUA_OIDC_SCOPES") {
            provider.scopes = scopes.split_whitespace().map(String::from).collect();
        }
        provider.redirect_url = var("MOTCUA_OIDC_REDIRECT_URL").map(|u| u.trim().to_owned());
        provider.allow_http = parse_var("MOTCUA_OIDC_ALLOW_HTTP", false)?;
        let scheme_ok = provider.issuer.starts_with("https://")
            || (provider.allow_http && provider.issuer.starts_with("http://"));
        if !scheme_ok {
            return Err(ConfigError {
                name: "MOTCUA_OIDC_ISSUER",
                reason: "expected an https:// URL (http:// only with MOTCUA_OIDC_ALLOW_HTTP=true)".into(),
            });
        }
        Ok(OidcConfig { provider: Some(provider) })
    }
}
