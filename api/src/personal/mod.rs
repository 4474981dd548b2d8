//! A person's own data: all of it exported, or the account erased (`GET /me/export`, and
//! `DELETE /me`, which lives with the other `/me` operations in `accounts::routes` because
//! one path's operations must be of one API). Both are security events of the audit log.

pub mod erase;
mod examples;
pub mod export;

use entity::values::AuditAction;
use poem::{Request, web::Data};
use poem_openapi::{Object, OpenApi, payload::Json};
use serde_json::json;

use crate::{
    accounts::store::user_by_id,
    auth::BearerAuth,
    db::write_transaction,
    error::{ApiError, ApiResult},
    input::Secret,
    security::{self, Origin},
    spec::ApiTags,
    state::AppState,
};

/// The password that confirms an erasure.
#[derive(Debug, Object)]
#[oai(example)]
pub struct EraseRequest {
    /// The account's current password.
    pub password: Secret<1, 1024>,
}

impl poem_openapi::types::Example for EraseRequest {
    fn example() -> Self {
        EraseRequest { password: Secret::from_stored("lúa chín vàng đồng".into()) }
    }
}

pub struct PersonalDataApi;

#[OpenApi(tag = "ApiTags::Me")]
impl PersonalDataApi {
    /// Export my data
    ///
    /// Everything the service holds about the caller, as one JSON document: the profile,
    /// sessions, linked dossiers, appointments and their tickets, ratings given, complaints
    /// made, letters received, the inbox, and the audit log's entries of what the account did.
    /// Recorded in the audit log (`account.export`).
    #[oai(path = "/me/export", method = "get", operation_id = "export_my_data")]
    async fn export(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
    ) -> ApiResult<Json<export::PersonalData>> {
        let user = user_by_id(&state.db, auth.0.id).await?.ok_or_else(ApiError::unauthenticated)?;
        let origin = Origin::of(&state, req);
        let now = state.clock.now();
        write_transaction(&state.writer, async |tx| {
            let target = auth.0.id.to_string();
            security::record(tx, &origin, now, AuditAction::AccountExport, Some(auth.0.id), target, json!({}))
                .await
        })
        .await?;
        Ok(Json(export::gather(&state, user).await?))
    }
}
