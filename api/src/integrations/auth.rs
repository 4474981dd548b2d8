//! Who is calling with a key: `X-API-Key: mc_live_<id>_<secret>`, checked against the key's
//! row on every request, so a revocation takes effect at once on every server process.

use chrono::{DateTime, Duration, Utc};
use entity::{api_key, values::ApiScope};
use poem::Request;
use poem_openapi::{SecurityScheme, auth::ApiKey};
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

use super::key_material::KeyMaterial;
use crate::{
    auth::UnitScope,
    db::write_transaction,
    error::{ApiError, ApiResult},
    problems,
    state::AppState,
    units::store::unit_and_descendants,
};

/// How often a key's last use is written: at most once a minute, so a busy key does not turn
/// every read into a write.
const LAST_USE_PRECISION: Duration = Duration::minutes(1);

/// The integrator behind a request's key.
#[derive(Debug, Clone)]
pub struct Integrator {
    pub key_id: Uuid,
    pub scopes: Vec<ApiScope>,
    /// The units the key may see: its unit and the units below, or every unit.
    pub units: UnitScope,
    /// Requests per minute; none: the server's default.
    pub rate_limit: Option<u32>,
}

impl Integrator {
    /// Ok when the key holds `scope`; 403 otherwise.
    pub fn require(&self, scope: ApiScope) -> ApiResult<()> {
        if self.scopes.contains(&scope) { Ok(()) } else { Err(ApiError::forbidden()) }
    }
}

/// `X-API-Key: mc_live_<id>_<secret>`, a key from `POST /admin/api-keys`. Each operation that
/// accepts one says which scope it needs.
#[derive(SecurityScheme)]
#[oai(
    rename = "ApiKey",
    ty = "api_key",
    key_name = "X-API-Key",
    key_in = "header",
    checker = "authenticate_key"
)]
pub struct ApiKeyAuth(pub Integrator);

fn invalid_key() -> ApiError {
    ApiError::of(&problems::API_KEY_INVALID)
}

async fn authenticate_key(req: &Request, sent: ApiKey) -> poem::Result<Integrator> {
    let state = req.data::<AppState>().ok_or_else(|| ApiError::internal("AppState missing"))?;
    let now = state.clock.now();
    let material = KeyMaterial::parse(&sent.key).ok_or_else(invalid_key)?;
    let key = api_key::Entity::find_by_id(material.id)
        .one(&state.db)
        .await
        .map_err(ApiError::from)?
        .filter(|key| accepts(key, &material, now))
        .ok_or_else(invalid_key)?;
    let units = match key.unit_id {
        Some(unit) => UnitScope::Units(unit_and_descendants(&state.db, unit).await.map_err(ApiError::from)?),
        None => UnitScope::All,
    };
    if key.last_used_at.is_none_or(|at| at <= now - LAST_USE_PRECISION) {
        note_use(state, key.id, now).await?;
    }
    let rate_limit = key.rate_limit.and_then(|limit| u32::try_from(limit).ok());
    // Only a key known good is charged; its 401 and 403 answers give the token back.
    crate::rate_limit::charge_key(req, key.id, rate_limit).await?;
    Ok(Integrator { key_id: key.id, scopes: parse_scopes(&key.scopes), units, rate_limit })
}

/// Whether `key` takes `material` at `now`: not revoked, not expired, and the secret is the
/// current one or the one before a rotation, still in its grace period.
pub fn accepts(key: &api_key::Model, material: &KeyMaterial, now: DateTime<Utc>) -> bool {
    let live = key.revoked_at.is_none() && key.expires_at.is_none_or(|at| now < at);
    let previous_valid = key.previous_valid_until.is_some_and(|until| now < until)
        && key.previous_secret_hash.as_deref().is_some_and(|hash| material.matches(hash));
    live && (material.matches(&key.secret_hash) || previous_valid)
}

/// Writes the key's last use, unless another request of the same minute already did.
async fn note_use(state: &AppState, key_id: Uuid, now: DateTime<Utc>) -> ApiResult<()> {
    write_transaction(&state.writer, async |tx| {
        api_key::Entity::update_many()
            .set(api_key::ActiveModel { last_used_at: Set(Some(now)), ..Default::default() })
            .filter(api_key::Column::Id.eq(key_id))
            .filter(
                Expr::col(api_key::Column::LastUsedAt)
                    .is_null()
                    .or(api_key::Column::LastUsedAt.lte(now - LAST_USE_PRECISION)),
            )
            .exec(tx)
            .await
    })
    .await?;
    Ok(())
}

/// The stored scopes (`dossiers.read queue.write`); a name this server no longer knows grants
/// nothing.
pub fn parse_scopes(stored: &str) -> Vec<ApiScope> {
    stored.split_whitespace().filter_map(|name| ApiScope::try_from_value(&name.to_owned()).ok()).collect()
}

/// The scopes as stored.
pub fn format_scopes(scopes: &[ApiScope]) -> String {
    scopes.iter().map(ActiveEnum::to_value).collect::<Vec<_>>().join(" ")
}
