//! Operations that people and integrators share: a staff member's token or a key with the
//! operation's scope, and public reads where a key is optional.
//!
//! Which one a request brings is decided by the `X-API-Key` header alone: a request that sends
//! a key is judged by its key (a bad one is 401 `api_key_invalid`, never a silent fallback to
//! anonymous or to a token), so an integrator always learns what is wrong with its key.

use entity::values::ApiScope;
use poem::{Request, RequestBody};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, registry::Registry};

use super::auth::{ApiKeyAuth, Integrator};
use crate::{
    auth::{BearerAuth, Caller, Role, UnitScope, scope_of},
    error::ApiResult,
    state::AppState,
};

/// The header a key travels in (the `ApiKey` scheme's).
pub const KEY_HEADER: &str = "X-API-Key";

fn sends_key(req: &Request) -> bool {
    req.headers().contains_key(KEY_HEADER)
}

/// A staff member (`Authorization: Bearer`) or an integrator (`X-API-Key`).
#[derive(Debug, Clone)]
pub enum StaffOrKey {
    Staff(Caller),
    Key(Integrator),
}

impl StaffOrKey {
    /// The units the caller may act in here: staff of at least `role` in theirs, a key holding
    /// `scope` in its own; 403 otherwise.
    pub async fn units(&self, state: &AppState, role: Role, scope: ApiScope) -> ApiResult<UnitScope> {
        match self {
            StaffOrKey::Staff(caller) => {
                caller.require_staff(role)?;
                scope_of(&state.db, caller).await
            }
            StaffOrKey::Key(integrator) => {
                integrator.require(scope)?;
                Ok(integrator.units.clone())
            }
        }
    }
}

impl<'a> ApiExtractor<'a> for StaffOrKey {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        BearerAuth::register(registry);
        ApiKeyAuth::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        [BearerAuth::security_schemes(), ApiKeyAuth::security_schemes()].concat()
    }

    async fn from_request(
        req: &'a Request,
        body: &mut RequestBody,
        options: ExtractParamOptions<()>,
    ) -> poem::Result<StaffOrKey> {
        // Both credentials at once is ambiguous: refused, never judged by one of them.
        if sends_key(req) && req.headers().contains_key(poem::http::header::AUTHORIZATION) {
            return Err(crate::error::ApiError::unauthenticated().into());
        }
        Ok(if sends_key(req) {
            StaffOrKey::Key(ApiKeyAuth::from_request(req, body, options).await?.0)
        } else {
            StaffOrKey::Staff(BearerAuth::from_request(req, body, options).await?.0)
        })
    }
}

/// A public operation's caller: anyone, or an integrator whose key (when sent) must be valid.
#[derive(Debug, Clone)]
pub struct OptionalKey(pub Option<Integrator>);

impl OptionalKey {
    /// Ok without a key, or with a key holding `scope` (403 otherwise).
    pub fn require(&self, scope: ApiScope) -> ApiResult<()> {
        self.0.as_ref().map_or(Ok(()), |integrator| integrator.require(scope))
    }

    /// The units the caller may see: every unit without a key, the key's own with one that
    /// holds `scope` (403 otherwise).
    pub fn units(&self, scope: ApiScope) -> ApiResult<UnitScope> {
        self.require(scope)?;
        Ok(self.0.as_ref().map_or(UnitScope::All, |integrator| integrator.units.clone()))
    }
}

impl<'a> ApiExtractor<'a> for OptionalKey {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        ApiKeyAuth::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        ApiKeyAuth::security_schemes()
    }

    fn has_security_fallback() -> bool {
        true
    }

    async fn from_request(
        req: &'a Request,
        body: &mut RequestBody,
        options: ExtractParamOptions<()>,
    ) -> poem::Result<OptionalKey> {
        if !sends_key(req) {
            return Ok(OptionalKey(None));
        }
        Ok(OptionalKey(Some(ApiKeyAuth::from_request(req, body, options).await?.0)))
    }
}
