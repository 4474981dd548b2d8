//! `/admin/api-keys`: administrators make, list, rotate and revoke integrators' keys.

use chrono::{DateTime, Duration, Utc};
use entity::api_key;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    dto::{ApiKeyView, IssuedApiKey, KeyRotation, KeyState, NewApiKey},
    store::{self, KeyError, KeyRecord, NewKey},
};
use crate::{
    accounts::routes::NoContent,
    admin::routes::{audit_by, existing_unit},
    auth::{BearerAuth, Role},
    db::write_transaction,
    error::{ApiError, ApiResult, FieldError},
    integrations::{auth::parse_scopes, key_material::KeyMaterial},
    pagination::{Page, PageQuery},
    problems,
    spec::ApiTags,
    state::AppState,
};

/// The key is in the body only this once: no cache may keep it.
const NO_STORE: &str = "no-store";

#[derive(ApiResponse)]
pub enum KeyIssued {
    /// The key was made; `key` is shown this once.
    #[oai(status = 201)]
    Created(
        Json<IssuedApiKey>,
        /// `no-store`: the key must stay in no cache.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

#[derive(ApiResponse)]
pub enum KeyRotated {
    /// The key's new secret; `key` is shown this once.
    #[oai(status = 200)]
    Ok(
        Json<IssuedApiKey>,
        /// `no-store`: the key must stay in no cache.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

impl From<KeyError> for ApiError {
    fn from(err: KeyError) -> ApiError {
        match err {
            KeyError::NotFound => ApiError::not_found(),
            KeyError::Revoked => ApiError::of(&problems::API_KEY_REVOKED),
            KeyError::Db(err) => err.into(),
        }
    }
}

/// Whether a key is accepted at `now` (its secrets aside).
pub fn state_of(key: &api_key::Model, now: DateTime<Utc>) -> KeyState {
    match (key.revoked_at, key.expires_at) {
        (Some(_), _) => KeyState::Revoked,
        (None, Some(expiry)) if expiry <= now => KeyState::Expired,
        _ => KeyState::Active,
    }
}

fn view((key, unit_code): KeyRecord, now: DateTime<Utc>) -> ApiKeyView {
    ApiKeyView {
        id: key.id,
        state: state_of(&key, now),
        name: key.name,
        scopes: parse_scopes(&key.scopes),
        unit_code,
        rate_limit: key.rate_limit.and_then(|limit| u32::try_from(limit).ok()),
        created_at: key.created_at,
        created_by: key.created_by,
        last_used_at: key.last_used_at,
        expires_at: key.expires_at,
        rotated_at: key.rotated_at,
        previous_valid_until: key.previous_valid_until.filter(|until| *until > now),
        revoked_at: key.revoked_at,
    }
}

fn issued(record: KeyRecord, material: &KeyMaterial, now: DateTime<Utc>) -> Json<IssuedApiKey> {
    Json(IssuedApiKey { key: material.reveal(), record: view(record, now) })
}

pub struct AdminApiKeysApi;

#[OpenApi(tag = "ApiTags::Integrations")]
impl AdminApiKeysApi {
    /// List API keys
    ///
    /// Every key, newest first, with its state (`active`, `expired`, `revoked`) and when it
    /// was last used; never a key's secret. Administrators only.
    #[oai(path = "/admin/api-keys", method = "get", operation_id = "list_api_keys")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The page, from 1 (default 1).
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<ApiKeyView>>> {
        auth.0.require_staff(Role::Admin)?;
        let page = PageQuery::new(page.0, per_page.0);
        let (records, total) = store::list(&state.db, page).await?;
        let now = state.clock.now();
        Ok(Json(Page::new(records.into_iter().map(|record| view(record, now)).collect(), page, total)))
    }

    /// Make an API key
    ///
    /// A key for an integrator: its scopes (one or more, each once), optionally a unit (the
    /// key then reaches that unit and the units below it), an expiry in the future and a rate
    /// limit. The answer carries the whole key, `mc_live_<id>_<secret>`, this once: only a
    /// hash of it is kept. Administrators only; recorded in the audit log.
    #[oai(path = "/admin/api-keys", method = "post", operation_id = "create_api_key")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewApiKey>,
    ) -> ApiResult<KeyIssued> {
        auth.0.require_staff(Role::Admin)?;
        let audit = audit_by(&state, &auth.0);
        let mut errors = Vec::new();
        let unit = match &body.unit_code {
            Some(code) => {
                existing_unit(&state.db, "unit_code", &code.to_ascii_uppercase(), &mut errors).await?
            }
            None => None,
        };
        if body.expires_at.is_some_and(|expiry| expiry <= audit.at) {
            errors.push(FieldError::new(
                "expires_at",
                "Thời hạn của khóa phải ở tương lai.",
                "The key's expiry must be in the future.",
            ));
        }
        if body.scopes.iter().enumerate().any(|(at, scope)| body.scopes[..at].contains(scope)) {
            errors.push(FieldError::new(
                "scopes",
                "Mỗi phạm vi chỉ được nêu một lần.",
                "Each scope may be given only once.",
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let new = NewKey {
            name: &body.name,
            scopes: &body.scopes,
            unit_id: unit.as_ref().map(|unit| unit.id),
            rate_limit: body.rate_limit,
            expires_at: body.expires_at,
            created_by: auth.0.id,
        };
        let (row, material) =
            write_transaction(&state.writer, async |tx| store::create(tx, new, &audit).await).await?;
        let record = (row, unit.map(|unit| unit.code));
        Ok(KeyIssued::Created(issued(record, &material, audit.at), NO_STORE.to_owned()))
    }

    /// Read an API key
    ///
    /// Never its secret. Administrators only. A revoked key (`DELETE`) is 404 here; the list
    /// still shows it, revoked.
    #[oai(path = "/admin/api-keys/:id", method = "get", operation_id = "get_api_key")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The key's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<ApiKeyView>> {
        auth.0.require_staff(Role::Admin)?;
        // A revoked key is gone for this address, as its `DELETE` says; the list still shows it.
        let record = store::one(&state.db, id.0)
            .await?
            .filter(|(key, _)| key.revoked_at.is_none())
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(view(record, state.clock.now())))
    }

    /// Revoke an API key
    ///
    /// The key stops working at once, on every server process; it is kept, revoked, for the
    /// record. Revoking it again changes nothing. Administrators only; recorded in the audit
    /// log.
    #[oai(path = "/admin/api-keys/:id", method = "delete", operation_id = "revoke_api_key")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The key's id.
        id: Path<Uuid>,
    ) -> ApiResult<NoContent> {
        auth.0.require_staff(Role::Admin)?;
        let audit = audit_by(&state, &auth.0);
        write_transaction(&state.writer, async |tx| store::revoke(tx, id.0, &audit).await).await?;
        Ok(NoContent::Done)
    }

    /// Rotate an API key
    ///
    /// Gives the key a new secret, shown this once, with the same id, scopes and unit. The
    /// secret it replaces keeps working for `grace_hours` (`{}`: the server's setting, a
    /// week), so the integrator can switch without an outage; 0 ends it at once. A secret from
    /// an earlier rotation stops now. A revoked key cannot be rotated (`api_key_revoked`).
    /// Administrators only; recorded in the audit log.
    #[oai(path = "/admin/api-keys/:id/rotate", method = "post", operation_id = "rotate_api_key")]
    async fn rotate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The key's id.
        id: Path<Uuid>,
        body: Json<KeyRotation>,
    ) -> ApiResult<KeyRotated> {
        auth.0.require_staff(Role::Admin)?;
        let audit = audit_by(&state, &auth.0);
        let grace = body.grace_hours.unwrap_or(state.config.auth.api_key_rotation_grace_hours);
        let old_valid_until = audit.at + Duration::hours(i64::from(grace));
        let (row, material) = write_transaction(&state.writer, async |tx| {
            store::rotate(tx, id.0, old_valid_until, &audit).await
        })
        .await?;
        let unit_code = crate::units::store::unit_code(&state.db, row.unit_id).await?;
        Ok(KeyRotated::Ok(issued((row, unit_code), &material, audit.at), NO_STORE.to_owned()))
    }
}
