//! Who follows a dossier: a citizen claims it with the receipt's code and secret from the
//! applicant's own phone, lets go of it, or the desk links it after checking an identity
//! document. Each is recorded in the audit log under the dossier's unit.

use entity::{
    dossier,
    values::{AuditAction, Role},
};
use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use serde_json::json;
use uuid::Uuid;

use super::store;
use crate::{
    accounts::store::{user_by_id, user_by_phone},
    admin::store::write_audit,
    auth::{BearerAuth, scope_of},
    db::write_transaction,
    domain::{account::PhoneNumber, dossier::canonical_code},
    error::{ApiError, ApiResult},
    problems,
    security::Origin,
    spec::ApiTags,
    state::AppState,
};

/// Whether the account's phone is the one the applicant gave at intake (both are stored in
/// the `+84…` form; parsing again also covers rows written before that).
pub fn applicant_phone_of(user: &entity::user::Model, dossier: &dossier::Model) -> bool {
    match (PhoneNumber::parse(&user.phone), PhoneNumber::parse(&dossier.applicant_phone)) {
        (Some(account), Some(applicant)) => account == applicant,
        _ => false,
    }
}

async fn record(
    tx: &impl sea_orm::ConnectionTrait,
    state: &AppState,
    origin: &Origin,
    actor: Uuid,
    action: AuditAction,
    dossier: &dossier::Model,
    after: serde_json::Value,
) -> ApiResult<()> {
    let audit = origin.audit(Some(actor), state.clock.now());
    let before = json!({ "citizen_id": dossier.citizen_id });
    let target = (dossier.code.clone(), Some(dossier.unit_id));
    Ok(write_audit(tx, &audit, action, target, Some(before), after).await?)
}

/// Links an opened dossier to the caller's account, when no other account holds it (409
/// `dossier_already_claimed`, as before claims were checked) and the account's phone is the
/// applicant's (403 `claim_phone_mismatch` otherwise, and nothing is written).
pub async fn claim(
    state: &AppState,
    origin: &Origin,
    citizen: Uuid,
    dossier: &dossier::Model,
) -> ApiResult<()> {
    if dossier.citizen_id.is_some_and(|holder| holder != citizen) {
        return Err(ApiError::of(&problems::DOSSIER_ALREADY_CLAIMED));
    }
    let user = user_by_id(&state.db, citizen).await?.ok_or_else(ApiError::unauthenticated)?;
    if !applicant_phone_of(&user, dossier) {
        return Err(ApiError::of(&problems::CLAIM_PHONE_MISMATCH));
    }
    write_transaction(&state.writer, async |tx| {
        if store::claim(tx, dossier.id, citizen).await? != Some(citizen) {
            return Err(ApiError::of(&problems::DOSSIER_ALREADY_CLAIMED));
        }
        // Claiming again is harmless, and not a new event.
        if dossier.citizen_id != Some(citizen) {
            let after = json!({ "citizen_id": citizen });
            record(tx, state, origin, citizen, AuditAction::DossierClaim, dossier, after).await?;
        }
        Ok(())
    })
    .await
}

/// The desk's answer to a citizen's phone: the phone of an active citizen account.
#[derive(Debug, Object)]
#[oai(example)]
pub struct CitizenLink {
    /// The mobile number of the citizen's account, in any accepted form. The desk checks the
    /// citizen's identity document before linking.
    pub phone: PhoneNumber,
}

impl poem_openapi::types::Example for CitizenLink {
    fn example() -> Self {
        CitizenLink { phone: PhoneNumber::from_stored("+84912345678".into()) }
    }
}

#[derive(ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    Done,
}

pub struct ClaimsApi;

#[OpenApi]
impl ClaimsApi {
    /// Stop following a dossier
    ///
    /// Unlinks a dossier the citizen claimed (or the desk linked) from their account: it
    /// leaves their list and their inbox gets no more news of it. A dossier the caller does
    /// not follow is 404.
    #[oai(
        path = "/me/dossiers/:code/claim",
        method = "delete",
        operation_id = "unclaim_dossier",
        tag = "ApiTags::Me"
    )]
    async fn unclaim(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        /// The dossier's code.
        code: Path<String>,
    ) -> ApiResult<Done> {
        auth.0.require_citizen()?;
        let citizen = auth.0.id;
        let dossier = store::by_code(&state.db, &canonical_code(&code))
            .await?
            .filter(|d| d.citizen_id == Some(citizen))
            .ok_or_else(ApiError::not_found)?;
        let origin = Origin::of(&state, req);
        write_transaction(&state.writer, async |tx| {
            if !store::unclaim(tx, dossier.id, citizen).await? {
                return Err(ApiError::not_found());
            }
            let after = json!({ "citizen_id": null });
            record(tx, &state, &origin, citizen, AuditAction::DossierUnclaim, &dossier, after).await
        })
        .await?;
        Ok(Done::Done)
    }

    /// Link a dossier to a citizen's account
    ///
    /// For the desk, once it has checked the citizen's identity document: the dossier follows
    /// the citizen account of this phone (404 `no_citizen_account` when there is none), even
    /// if another account held it (a claim from before claims were checked, or a mistake):
    /// the desk's check outranks a claim, and the previous holder is in the audit log.
    /// Officers of the dossier's unit and up.
    #[oai(
        path = "/dossiers/:code/citizen",
        method = "put",
        operation_id = "link_dossier_citizen",
        tag = "ApiTags::Dossiers"
    )]
    async fn link(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        /// The dossier's code.
        code: Path<String>,
        body: Json<CitizenLink>,
    ) -> ApiResult<Done> {
        auth.0.require_staff(Role::Officer)?;
        let scope = scope_of(&state.db, &auth.0).await?;
        let dossier = store::by_code(&state.db, &canonical_code(&code))
            .await?
            .filter(|d| scope.contains(d.unit_id))
            .ok_or_else(ApiError::not_found)?;
        let citizen = user_by_phone(&state.db, body.phone.as_str())
            .await?
            .filter(|u| u.role == Role::Citizen && u.active && u.deleted_at.is_none())
            .ok_or_else(|| ApiError::of(&problems::NO_CITIZEN_ACCOUNT))?;
        let origin = Origin::of(&state, req);
        write_transaction(&state.writer, async |tx| {
            store::link(tx, dossier.id, citizen.id).await?;
            let after = json!({ "citizen_id": citizen.id });
            record(tx, &state, &origin, auth.0.id, AuditAction::DossierLink, &dossier, after).await
        })
        .await?;
        Ok(Done::Done)
    }
}
