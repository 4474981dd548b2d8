//! An officer's "no letter for this dossier": the automatic letter its completion would bring
//! is not issued while a reason is recorded on the dossier. Kept in the audit log.

use entity::values::AuditAction;
use poem::web::Data;
use poem_openapi::{OpenApi, param::Path, payload::Json};
use serde_json::json;

use super::dto::LetterSuppressionRequest;
use crate::{
    admin::{routes::audit_by, store::write_audit},
    auth::{BearerAuth, Role, scope_of},
    db::write_transaction,
    domain::dossier::{StatusRules, canonical_code},
    dossiers::{
        store::{by_code_for_update, update_if_version},
        view::DossierResponse,
    },
    error::{ApiError, ApiResult},
    http::etag::stale,
    problems,
    spec::ApiTags,
    state::AppState,
};

/// Sets (or with `None` lifts) the suppression of a dossier's letter, while the dossier is
/// still open: once processed its letter is issued or not, and the record stands.
async fn set_suppression(
    state: &AppState,
    auth: &BearerAuth,
    code: &str,
    reason: Option<String>,
) -> ApiResult<DossierResponse> {
    let caller = &auth.0;
    caller.require_staff(Role::Officer)?;
    let scope = scope_of(&state.db, caller).await?;
    let audit = audit_by(state, caller);
    let dossier = write_transaction(&state.writer, async |tx| {
        let mut dossier = by_code_for_update(tx, &canonical_code(code))
            .await?
            .filter(|d| scope.contains(d.unit_id))
            .ok_or_else(ApiError::not_found)?;
        if dossier.status.is_closed() {
            return Err(ApiError::of(&problems::DOSSIER_CLOSED));
        }
        let before = json!({"letter_suppressed_reason": dossier.letter_suppressed_reason});
        let expected = dossier.version;
        dossier.letter_suppressed_reason = reason;
        dossier.version = expected + 1;
        dossier.updated_at = audit.at;
        if !update_if_version(tx, dossier.clone(), expected).await? {
            return Err(stale());
        }
        let after = json!({"letter_suppressed_reason": dossier.letter_suppressed_reason});
        let target = (dossier.code.clone(), Some(dossier.unit_id));
        write_audit(tx, &audit, AuditAction::DossierLetterSuppression, target, Some(before), after).await?;
        Ok(dossier)
    })
    .await?;
    DossierResponse::of(state, &dossier).await
}

pub struct LetterSuppressionApi;

#[OpenApi(tag = "ApiTags::Dossiers")]
impl LetterSuppressionApi {
    /// Suppress a dossier's letter
    ///
    /// The congratulation or condolence letter that the dossier's completion would bring is
    /// not issued, for the reason given (kept on the dossier and in the audit log). Only while
    /// the dossier is open (409 `dossier_closed` after). Officers of its unit.
    #[oai(
        path = "/dossiers/:code/letter-suppression",
        method = "put",
        operation_id = "suppress_dossier_letter"
    )]
    async fn suppress(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        body: Json<LetterSuppressionRequest>,
    ) -> ApiResult<DossierResponse> {
        set_suppression(&state, &auth, &code, Some(body.reason.to_string())).await
    }

    /// Lift a dossier's letter suppression
    ///
    /// Its completion brings its letter again. Only while the dossier is open.
    #[oai(
        path = "/dossiers/:code/letter-suppression",
        method = "delete",
        operation_id = "lift_dossier_letter_suppression"
    )]
    async fn lift(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
    ) -> ApiResult<DossierResponse> {
        set_suppression(&state, &auth, &code, None).await
    }
}
