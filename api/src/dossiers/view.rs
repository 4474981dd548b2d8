//! Reading dossiers as staff see them: the worklist, one dossier with its timeline, and its
//! receipt; and the views of a dossier that every dossier answer shares.
//!
//! The collection's `POST` (intake, see [`super::intake`]) is routed here too: poem-openapi
//! writes each API's paths on their own, so one path split over two APIs would appear twice.

use crate::domain::rating::TokenSubject;
use std::collections::{HashMap, hash_map::Entry};

use chrono::{DateTime, Utc};
use entity::dossier;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    dto::*,
    intake::{self, IntakeResponse},
    lifecycle,
    receipt::{self, ReceiptFormat, ReceiptResponse},
    store,
};
use crate::{
    auth::{BearerAuth, Caller, Role, UnitScope, scope_of},
    domain::{
        account::{FullName, PhoneNumber},
        dossier::{StatusRules, canonical_code},
        text,
    },
    error::{ApiError, ApiResult},
    http::etag::version_tag,
    i18n::Lang,
    input::Line,
    pagination::{Page, PageQuery},
    procedures::store::procedure_by_id,
    spec::ApiTags,
    state::AppState,
    units::store::unit_by_id,
};

#[derive(ApiResponse)]
pub enum DossierResponse {
    /// The dossier; `ETag` carries its version for `If-Match`.
    #[oai(status = 200)]
    Ok(Json<DossierDetail>, #[oai(header = "ETag")] String),
}

impl DossierResponse {
    pub async fn of(state: &AppState, dossier: &dossier::Model) -> ApiResult<DossierResponse> {
        Ok(DossierResponse::Ok(Json(detail(state, dossier).await?), etag(dossier)))
    }
}

pub fn status_label(status: Status) -> String {
    match Lang::current() {
        Lang::Vi => status.label_vi().to_owned(),
        Lang::En => status.label_en().to_owned(),
    }
}

fn documents_of(dossier: &dossier::Model) -> ApiResult<Vec<ReceivedDocument>> {
    serde_json::from_str(&dossier.documents).map_err(ApiError::internal)
}

fn applicant_of(dossier: &dossier::Model) -> Applicant {
    Applicant {
        full_name: FullName::from_stored(dossier.applicant_name.clone()),
        id_number: Line::from_stored(dossier.applicant_id_number.clone()),
        phone: PhoneNumber::from_stored(dossier.applicant_phone.clone()),
        email: dossier.applicant_email.clone().map(Line::from_stored),
        kind: dossier.applicant_kind,
    }
}

fn etag(dossier: &dossier::Model) -> String {
    version_tag(dossier.version)
}

/// The dossier with this code, if the caller's units include it; 404 otherwise.
pub(super) async fn dossier_in_scope(
    state: &AppState,
    caller: &Caller,
    code: &str,
) -> ApiResult<dossier::Model> {
    caller.require_staff(Role::Officer)?;
    let scope = scope_of(&state.db, caller).await?;
    store::by_code(&state.db, &canonical_code(code))
        .await?
        .filter(|d| scope.contains(d.unit_id))
        .ok_or_else(ApiError::not_found)
}

/// A stored reference that must exist: a missing one is a broken row, a logged 500.
fn referenced<T>(found: Option<T>, what: &str, dossier: &dossier::Model) -> ApiResult<T> {
    found.ok_or_else(|| ApiError::internal(format!("dossier {} names a missing {what}", dossier.id)))
}

/// The unit a dossier belongs to, which must exist (a missing one is a broken row, a logged 500).
pub async fn unit_of(
    db: &impl sea_orm::ConnectionTrait,
    dossier: &dossier::Model,
) -> ApiResult<entity::unit::Model> {
    referenced(unit_by_id(db, dossier.unit_id).await?, "unit", dossier)
}

async fn detail(state: &AppState, dossier: &dossier::Model) -> ApiResult<DossierDetail> {
    let unit = unit_of(&state.db, dossier).await?;
    let procedure =
        referenced(procedure_by_id(&state.db, dossier.procedure_id).await?, "procedure", dossier)?;
    let timeline = store::timeline(&state.db, dossier.id)
        .await?
        .into_iter()
        .map(|event| TimelineEntry {
            id: event.id,
            document_number: event.document_number,
            at: event.at,
            kind: event.kind,
            from_status: event.from_status,
            to_status: event.to_status,
            actor_id: event.actor_id,
            note: event.note,
            public_note: event.public_note,
            new_due_at: event.new_due_at,
        })
        .collect();
    Ok(DossierDetail {
        code: dossier.code.clone(),
        status: dossier.status,
        status_code: dossier.status.code(),
        status_label: status_label(dossier.status),
        unit_code: unit.code,
        procedure: ProcedureRef { code: procedure.code, name: procedure.name },
        applicant: applicant_of(dossier),
        documents: documents_of(dossier)?,
        channel: dossier.channel,
        notes: dossier.notes.clone(),
        fee_vnd: dossier.fee_vnd,
        received_at: dossier.received_at,
        due_at: dossier.due_at,
        paused_at: dossier.paused_at,
        completed_at: dossier.completed_at,
        returned_at: dossier.returned_at,
        timeliness: lifecycle::current_timeliness(dossier.into(), state.clock.now()),
        assigned_to: dossier.assigned_to,
        received_by: dossier.received_by,
        claimed: dossier.citizen_id.is_some(),
        letter_suppressed_reason: dossier.letter_suppressed_reason.clone(),
        receipt_number: dossier.receipt_number,
        version: dossier.version,
        timeline,
    })
}

/// The receipt of a dossier; with the lookup secret (known only at intake) it carries the
/// printable page with the secret's QR code.
pub async fn receipt_of(
    state: &AppState,
    dossier: &dossier::Model,
    secret: Option<String>,
) -> ApiResult<Receipt> {
    let unit = unit_of(&state.db, dossier).await?;
    let procedure =
        referenced(procedure_by_id(&state.db, dossier.procedure_id).await?, "procedure", dossier)?;
    let officer = match dossier.received_by {
        Some(officer) => crate::accounts::store::user_by_id(&state.db, officer).await?,
        None => None,
    };
    let place = unit
        .address
        .clone()
        .map_or_else(|| unit.name.clone(), |address| format!("{} — {address}", unit.name));
    let mut receipt = Receipt {
        code: dossier.code.clone(),
        lookup_secret: secret.clone(),
        status: dossier.status,
        status_code: dossier.status.code(),
        status_label: status_label(dossier.status),
        desk: UnitRef { code: unit.code.clone(), name: unit.name.clone(), address: unit.address.clone() },
        applicant: applicant_of(dossier),
        procedure: ProcedureRef { code: procedure.code, name: procedure.name },
        documents: documents_of(dossier)?,
        processing_days: lifecycle::processing_time(dossier).days(),
        fee_vnd: dossier.fee_vnd,
        received_at: dossier.received_at,
        due_at: dossier.due_at,
        result_returned_at: place,
        received_by: officer.map(|o| o.full_name).unwrap_or_default(),
        rating_token: state.keys.rating_tokens.issue(TokenSubject::Dossier(dossier.id)),
        receipt_number: dossier.receipt_number,
        lookup_url: receipt::lookup_url(&state.config.server.public_url, &dossier.code, secret.as_deref()),
        receipt_html: None,
    };
    if secret.is_some() {
        receipt.receipt_html = Some(receipt::render_html(state, &unit, &receipt).await?);
    }
    Ok(receipt)
}

/// Summaries of a page of dossiers, with unit and procedure codes and current timeliness.
pub async fn summaries(state: &AppState, dossiers: Vec<dossier::Model>) -> ApiResult<Vec<DossierSummary>> {
    let mut unit_codes: HashMap<Uuid, String> = HashMap::new();
    let mut procedure_codes: HashMap<Uuid, String> = HashMap::new();
    let now = state.clock.now();
    let mut out = Vec::with_capacity(dossiers.len());
    for dossier in dossiers {
        if let Entry::Vacant(slot) = unit_codes.entry(dossier.unit_id) {
            slot.insert(unit_of(&state.db, &dossier).await?.code);
        }
        if let Entry::Vacant(slot) = procedure_codes.entry(dossier.procedure_id) {
            let procedure = procedure_by_id(&state.db, dossier.procedure_id).await?;
            slot.insert(referenced(procedure, "procedure", &dossier)?.code);
        }
        out.push(DossierSummary {
            code: dossier.code.clone(),
            status: dossier.status,
            status_code: dossier.status.code(),
            status_label: status_label(dossier.status),
            unit_code: unit_codes[&dossier.unit_id].clone(),
            procedure_code: procedure_codes[&dossier.procedure_id].clone(),
            timeliness: lifecycle::current_timeliness((&dossier).into(), now),
            applicant_name: dossier.applicant_name,
            received_at: dossier.received_at,
            due_at: dossier.due_at,
            assigned_to: dossier.assigned_to,
        });
    }
    Ok(out)
}

pub struct DossiersApi;

#[OpenApi(tag = "ApiTags::Dossiers")]
impl DossiersApi {
    /// Take in a dossier
    ///
    /// Assigns the code `{unit code}-{yymmdd}-{NNNN}` (a per-unit daily sequence, gap-free
    /// across processes) and a lookup secret, and computes the due date from the procedure's
    /// processing time with the unit's working calendar (cut-off, half days, holidays). The
    /// secret and the printable receipt are in this answer only.
    #[oai(path = "/dossiers", method = "post", operation_id = "take_in_dossier")]
    async fn intake(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<IntakeRequest>,
    ) -> ApiResult<IntakeResponse> {
        Ok(IntakeResponse::Created(Json(intake::take_in(&state, &auth.0, &body).await?)))
    }

    /// The worklist
    ///
    /// Dossiers of the caller's units (an officer's unit; a supervisor's and everything below
    /// it; every unit for an administrator), soonest due first (or `sort=newest`).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/dossiers", method = "get", operation_id = "list_dossiers")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only these statuses (repeat the parameter for several).
        status: Query<Vec<Status>>,
        /// Only open dossiers past their due date.
        overdue: Query<Option<bool>>,
        /// Only dossiers due before this instant.
        due_before: Query<Option<DateTime<Utc>>>,
        /// Only dossiers assigned to this officer.
        assigned_to: Query<Option<Uuid>>,
        /// Only dossiers of this procedure (code).
        procedure: Query<Option<String>>,
        /// Received at or after this instant.
        received_from: Query<Option<DateTime<Utc>>>,
        /// Received before this instant.
        received_to: Query<Option<DateTime<Utc>>>,
        /// Search the code and the applicant's name, with or without diacritics.
        q: Query<Option<String>>,
        /// `due` (default: soonest due first) or `newest` (latest received first).
        sort: Query<Option<WorklistOrder>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<DossierSummary>>> {
        let caller = &auth.0;
        caller.require_staff(Role::Officer)?;
        let scope = scope_of(&state.db, caller).await?;
        let page = PageQuery::new(page.0, per_page.0);
        let procedure_id = match procedure.0.as_deref() {
            Some(code) => match crate::procedures::store::procedure_by_code(&state.db, code).await? {
                Some(p) => Some(p.id),
                None => return Ok(Json(Page::new(vec![], page, 0))),
            },
            None => None,
        };
        let filter = store::Worklist {
            unit_ids: match scope {
                UnitScope::All => None,
                UnitScope::Units(ids) => Some(ids),
            },
            statuses: status.0,
            overdue_at: overdue.0.unwrap_or(false).then(|| state.clock.now()),
            due_before: due_before.0,
            assigned_to: assigned_to.0,
            procedure_id,
            received_from: received_from.0,
            received_to: received_to.0,
            citizen_id: None,
            terms: q.0.as_deref().map(text::search_terms).unwrap_or_default(),
            newest_first: sort.0 == Some(WorklistOrder::Newest),
        };
        let (dossiers, total) = store::worklist(&state.db, &filter, page).await?;
        Ok(Json(Page::new(summaries(&state, dossiers).await?, page, total)))
    }

    /// Read a dossier
    ///
    /// The full record with its timeline and internal notes; `ETag` is its version.
    #[oai(path = "/dossiers/:code", method = "get", operation_id = "get_dossier")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
    ) -> ApiResult<DossierResponse> {
        let dossier = dossier_in_scope(&state, &auth.0, &code).await?;
        DossierResponse::of(&state, &dossier).await
    }

    /// The receipt
    ///
    /// The receipt data (Mẫu 01) as JSON, or `?format=html` for a printable page. The lookup
    /// secret is not in it: it is shown only at intake.
    #[oai(path = "/dossiers/:code/receipt", method = "get", operation_id = "get_dossier_receipt")]
    async fn receipt(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        /// `json` (default) or `html`.
        format: Query<Option<ReceiptFormat>>,
    ) -> ApiResult<ReceiptResponse> {
        let dossier = dossier_in_scope(&state, &auth.0, &code).await?;
        let receipt = receipt_of(&state, &dossier, None).await?;
        Ok(match format.0.unwrap_or(ReceiptFormat::Json) {
            ReceiptFormat::Html => {
                let unit = unit_of(&state.db, &dossier).await?;
                ReceiptResponse::Html(receipt::render_html(&state, &unit, &receipt).await?)
            }
            ReceiptFormat::Json => ReceiptResponse::Json(Box::new(receipt)),
        })
    }
}
