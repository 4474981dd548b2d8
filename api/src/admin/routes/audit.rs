//! The audit log of every change to units and staff accounts (administrators).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{OpenApi, param::Query, payload::Json};
use sea_orm::ActiveEnum;
use uuid::Uuid;

use super::page_body;
use crate::admin::{dto::*, store};
use crate::{
    auth::{BearerAuth, Role},
    error::ApiResult,
    pagination::{Page, PageQuery},
    spec::ApiTags,
    state::AppState,
};

pub fn audit_dto((entry, unit_code): (entity::audit_log::Model, Option<String>)) -> AuditEntry {
    // The states were written by the store as JSON; text that is not JSON cannot come from it.
    let state = |text: Option<String>| text.and_then(|text| serde_json::from_str(&text).ok());
    AuditEntry {
        id: entry.id,
        actor_id: entry.actor_id,
        action: entry.action.to_value(),
        target_type: entry.target_type.to_value(),
        target_id: entry.target_id,
        unit_code,
        before_state: state(entry.before_state),
        after_state: state(entry.after_state),
        at: entry.at,
        request_id: entry.request_id,
        address: entry.address,
        user_agent: entry.user_agent,
    }
}

pub struct AdminAuditApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminAuditApi {
    /// Read the audit log
    ///
    /// Who changed which unit or account, when, and how it looked before and after; newest
    /// first. Administrators only.
    #[oai(path = "/admin/audit-log", method = "get", operation_id = "list_audit_log")]
    // poem-openapi takes each query parameter as an argument of its own.
    #[allow(clippy::too_many_arguments)]
    async fn list_audit_log(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only changes made by this account.
        actor_id: Query<Option<Uuid>>,
        /// Only changes to this kind of record (`unit`, `user`, `api_key`, …).
        target_type: Query<Option<String>>,
        /// Only changes to this record (a unit's code, an account's or an API key's id).
        target_id: Query<Option<String>>,
        /// Only this action (`unit.create`, `user.update`, `api_key.rotate`, …).
        action: Query<Option<String>>,
        /// Only changes at or after this time (RFC 3339).
        from: Query<Option<DateTime<Utc>>>,
        /// Only changes before this time (RFC 3339).
        to: Query<Option<DateTime<Utc>>>,
        /// The page, from 1 (default 1).
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<AuditEntry>>> {
        auth.0.require_staff(Role::Admin)?;
        let page = PageQuery::new(page.0, per_page.0);
        let filter = store::AuditFilter {
            actor_id: actor_id.0,
            target_type: target_type.0.as_deref(),
            target_id: target_id.0.as_deref(),
            action: action.0.as_deref(),
            from: from.0,
            to: to.0,
        };
        Ok(page_body(store::list_audit(&state.db, filter, page).await?, page, audit_dto))
    }
}
