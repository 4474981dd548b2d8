//! Single sign-on with an OpenID Connect provider (a provincial SSO, or the national electronic
//! identity): the authorization code flow with PKCE. `GET /auth/oidc/login` sends the browser to
//! the provider; the provider sends it back to `GET /auth/oidc/callback`, which checks the ID
//! token, finds or links the account ([`link`]) and answers the app's tokens as JSON.
//!
//! The provider's discovery document and keys are fetched once and kept ([`Sso`]); an ID token
//! signed with a key they lack makes one fetch of the keys again (the provider rotated them).

mod link;
pub mod routes;
mod store;

use std::{sync::Arc, time::Duration};

use openidconnect::{
    ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, RedirectUrl,
    core::{CoreClient, CoreJsonWebKeySet, CoreProviderMetadata},
    reqwest::redirect::Policy,
};
use secrecy::ExposeSecret;
use tokio::sync::RwLock;

use crate::{
    config::{OidcConfig, OidcProvider},
    error::{ApiError, ApiResult},
    problems,
};

/// How long a call to the provider may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A client built from the discovery document: authorization and token endpoints set.
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider as this process knows it: its discovery document and keys, fetched on first
/// use, its keys fetched again on rotation.
pub struct Sso {
    http: openidconnect::reqwest::Client,
    metadata: RwLock<Option<Arc<CoreProviderMetadata>>>,
}

impl Sso {
    pub fn new(config: &OidcConfig) -> Sso {
        let allow_http = config.provider.as_ref().is_some_and(|p| p.allow_http);
        let http = openidconnect::reqwest::Client::builder()
            // The token endpoint must not redirect the code and verifier elsewhere.
            .redirect(Policy::none())
            .timeout(TIMEOUT)
            .https_only(!allow_http)
            .user_agent(concat!("MotCua/", env!("CARGO_PKG_VERSION")))
            .build()
            // Only a TLS backend that fails to load stops a client from building.
            .unwrap_or_else(|err| panic!("the single sign-on client could not be built: {err}"));
        Sso { http, metadata: RwLock::new(None) }
    }

    /// The provider's discovery document and keys, fetched the first time.
    async fn metadata(&self, provider: &OidcProvider) -> ApiResult<Arc<CoreProviderMetadata>> {
        if let Some(metadata) = self.metadata.read().await.as_ref() {
            return Ok(metadata.clone());
        }
        let mut cached = self.metadata.write().await;
        if let Some(metadata) = cached.as_ref() {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(provider.issuer.clone()).map_err(unavailable)?;
        let metadata =
            Arc::new(CoreProviderMetadata::discover_async(issuer, &self.http).await.map_err(unavailable)?);
        *cached = Some(metadata.clone());
        Ok(metadata)
    }

    /// Fetches the provider's keys again, after an ID token named a key they lack.
    async fn refetch_keys(&self, stale: &CoreProviderMetadata) -> ApiResult<Arc<CoreProviderMetadata>> {
        let keys = CoreJsonWebKeySet::fetch_async(stale.jwks_uri(), &self.http).await.map_err(unavailable)?;
        let metadata = Arc::new(stale.clone().set_jwks(keys));
        *self.metadata.write().await = Some(metadata.clone());
        tracing::info!("single sign-on: the provider's keys were fetched again");
        Ok(metadata)
    }
}

/// The client for the provider as `metadata` describes it.
fn client(metadata: &CoreProviderMetadata, provider: &OidcProvider, public_url: &str) -> ApiResult<Client> {
    let redirect = RedirectUrl::new(provider.redirect_url(public_url)).map_err(ApiError::internal)?;
    let secret = provider.client_secret.as_ref().map(|s| ClientSecret::new(s.expose_secret().to_owned()));
    Ok(CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(provider.client_id.clone()),
        secret,
    )
    .set_redirect_uri(redirect))
}

/// The provider could not be reached or answered something unusable.
fn unavailable(err: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %err, "single sign-on: the provider failed");
    ApiError::of(&problems::OIDC_PROVIDER_UNAVAILABLE)
}

/// The configured provider, or `oidc_disabled`.
fn provider(config: &OidcConfig) -> ApiResult<&OidcProvider> {
    config.provider.as_ref().ok_or_else(|| ApiError::of(&problems::OIDC_DISABLED))
}
