use chrono::{DateTime, Utc};
use entity::dossier;
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    dto::*,
    lifecycle,
    receipt::{self, ReceiptFormat, ReceiptResponse},
    store,
};
use crate::{
    ApiTags, AppState,
    accounts::validate,
    auth::{BearerAuth, Caller, Role, UnitScope, scope_of},
    calendar::store::working_calendar,
    clock,
    domain::{
        calendar::ProcessingTime,
        dossier::{
            StaffRole, Status, allowed_next, canonical_code, format_code, generate_secret, mask_name,
            normalize_secret, required_role,
        },
        text,
    },
    error::{ApiError, ApiResult, FieldError},
    http::{client::client_ip, json::SerdeJson},
    i18n::{Lang, Text},
    input::Line,
    pagination::{Page, PageQuery},
    throttle::Limit,
};

fn status_label(status: Status) -> String {
    match Lang::current() {
        Lang::Vi => status.label_vi().to_owned(),
        Lang::En => status.label_en().to_owned(),
    }
}

fn documents_of(dossier: &dossier::Model) -> Vec<ReceivedDocument> {
    serde_json::from_str(&dossier.documents).unwrap_or_default()
}

fn applicant_of(dossier: &dossier::Model) -> Applicant {
    Applicant {
        full_name: crate::domain::account::FullName::from_stored(dossier.applicant_name.clone()),
        id_number: Line::from_stored(dossier.applicant_id_number.clone()),
        phone: crate::domain::account::PhoneNumber::from_stored(dossier.applicant_phone.clone()),
        email: dossier.applicant_email.clone().map(Line::from_stored),
        kind: if dossier.applicant_kind == "business" {
            ApplicantKind::Business
        } else {
            ApplicantKind::Citizen
        },
    }
}

fn etag(dossier: &dossier::Model) -> String {
    format!("\"{}\"", dossier.version)
}

/// Whether an `If-Match` (`"3"`, `W/"3"`, `3`, a list of them, or `*` for any version)
/// names this version: 428 when it is missing, 412 when it names another.
fn check_if_match(if_match: Option<&str>, version: i32) -> ApiResult<()> {
    let raw = if_match.ok_or_else(|| {
        ApiError::new(
            poem::http::StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            Text::new(
                "Cần gửi tiêu đề If-Match với phiên bản (ETag) của hồ sơ.",
                "Send an If-Match header with the dossier's version (its ETag).",
            ),
        )
    })?;
    let names_it =
        |tag: &str| tag == "*" || tag.trim_start_matches("W/").trim_matches('"').parse() == Ok(version);
    if raw.split(',').map(str::trim).any(names_it) { Ok(()) } else { Err(stale()) }
}

fn stale() -> ApiError {
    ApiError::new(
        poem::http::StatusCode::PRECONDITION_FAILED,
        "version_mismatch",
        Text::new(
            "Hồ sơ đã được người khác cập nhật; hãy tải lại và thử lại.",
            "The dossier was changed by someone else; reload it and try again.",
        ),
    )
}

/// The dossier with this code, if the caller's units include it; 404 otherwise.
async fn dossier_in_scope(state: &AppState, caller: &Caller, code: &str) -> ApiResult<dossier::Model> {
    caller.require_staff(Role::Officer)?;
    let scope = scope_of(&state.db, caller).await?;
    store::by_code(&state.db, &canonical_code(code))
        .await?
        .filter(|d| scope.contains(d.unit_id))
        .ok_or_else(ApiError::not_found)
}

/// The dossier to change and the version its `If-Match` names, which must be the current one
/// (428 without `If-Match`, 412 when stale). The write checks the version again, in the database.
async fn dossier_for_update(
    state: &AppState,
    caller: &Caller,
    code: &str,
    if_match: Option<&str>,
) -> ApiResult<(dossier::Model, i32)> {
    let dossier = dossier_in_scope(state, caller, code).await?;
    check_if_match(if_match, dossier.version)?;
    let expected = dossier.version;
    Ok((dossier, expected))
}

async fn detail(state: &AppState, dossier: &dossier::Model) -> ApiResult<DossierDetail> {
    let unit = store::unit_by_id(&state.db, dossier.unit_id).await?.ok_or_else(ApiError::not_found)?;
    let procedure =
        store::procedure_by_id(&state.db, dossier.procedure_id).await?.ok_or_else(ApiError::not_found)?;
    let status = lifecycle::status_of(dossier);
    let timeline = store::timeline(&state.db, dossier.id)
        .await?
        .into_iter()
        .map(|event| TimelineEntry {
            at: event.at,
            kind: event.kind,
            from_status: event.from_status.as_deref().and_then(Status::parse).map(Into::into),
            to_status: Status::parse(&event.to_status).unwrap_or(status).into(),
            actor_id: event.actor_id,
            note: event.note,
            public_note: event.public_note,
            new_due_at: event.new_due_at,
        })
        .collect();
    Ok(DossierDetail {
        code: dossier.code.clone(),
        status: status.into(),
        status_code: status.code(),
        status_label: status_label(status),
        unit_code: unit.code,
        procedure: ProcedureRef { code: procedure.code, name: procedure.name },
        applicant: applicant_of(dossier),
        documents: documents_of(dossier),
        channel: match dossier.channel.as_str() {
            "online" => Channel::Online,
            "post" => Channel::Post,
            _ => Channel::Desk,
        },
        notes: dossier.notes.clone(),
        fee_vnd: dossier.fee_vnd,
        received_at: dossier.received_at,
        due_at: dossier.due_at,
        paused_at: dossier.paused_at,
        completed_at: dossier.completed_at,
        returned_at: dossier.returned_at,
        timeliness: lifecycle::current_timeliness(dossier.into(), clock::now()).map(Into::into),
        assigned_to: dossier.assigned_to,
        received_by: dossier.received_by,
        claimed: dossier.citizen_id.is_some(),
        version: dossier.version,
        timeline,
    })
}

async fn receipt_of(
    state: &AppState,
    dossier: &dossier::Model,
    secret: Option<String>,
) -> ApiResult<Receipt> {
    let unit = store::unit_by_id(&state.db, dossier.unit_id).await?.ok_or_else(ApiError::not_found)?;
    let procedure =
        store::procedure_by_id(&state.db, dossier.procedure_id).await?.ok_or_else(ApiError::not_found)?;
    let officer = crate::accounts::store::user_by_id(&state.db, dossier.received_by).await?;
    let status = lifecycle::status_of(dossier);
    let place = unit
        .address
        .clone()
        .map_or_else(|| unit.name.clone(), |address| format!("{} — {address}", unit.name));
    let mut receipt = Receipt {
        code: dossier.code.clone(),
        lookup_secret: secret.clone(),
        status: status.into(),
        status_code: status.code(),
        status_label: status_label(status),
        desk: UnitRef { code: unit.code, name: unit.name, address: unit.address },
        applicant: applicant_of(dossier),
        procedure: ProcedureRef { code: procedure.code, name: procedure.name },
        documents: documents_of(dossier),
        processing_days: lifecycle::processing_time(dossier).days(),
        fee_vnd: dossier.fee_vnd,
        received_at: dossier.received_at,
        due_at: dossier.due_at,
        result_returned_at: place,
        received_by: officer.map(|o| o.full_name).unwrap_or_default(),
        receipt_html: None,
    };
    if let Some(secret) = secret {
        receipt.receipt_html = Some(receipt::render_html(&receipt, Some(&secret)));
    }
    Ok(receipt)
}

fn summary(
    dossier: dossier::Model,
    unit_code: String,
    procedure_code: String,
    timeliness: Option<TimelinessName>,
) -> DossierSummary {
    let status = lifecycle::status_of(&dossier);
    DossierSummary {
        code: dossier.code,
        status: status.into(),
        status_code: status.code(),
        status_label: status_label(status),
        unit_code,
        procedure_code,
        applicant_name: dossier.applicant_name,
        received_at: dossier.received_at,
        due_at: dossier.due_at,
        timeliness,
        assigned_to: dossier.assigned_to,
    }
}

/// Summaries of a page of dossiers, with unit and procedure codes and current timeliness.
async fn summaries(state: &AppState, dossiers: Vec<dossier::Model>) -> ApiResult<Vec<DossierSummary>> {
    use std::collections::{HashMap, hash_map::Entry};
    let mut units = HashMap::new();
    let mut procedures = HashMap::new();
    let now = clock::now();
    let mut out = Vec::with_capacity(dossiers.len());
    for dossier in dossiers {
        if let Entry::Vacant(slot) = units.entry(dossier.unit_id) {
            slot.insert(
                store::unit_by_id(&state.db, dossier.unit_id).await?.map(|u| u.code).unwrap_or_default(),
            );
        }
        if let Entry::Vacant(slot) = procedures.entry(dossier.procedure_id) {
            slot.insert(
                store::procedure_by_id(&state.db, dossier.procedure_id)
                    .await?
                    .map(|p| p.code)
                    .unwrap_or_default(),
            );
        }
        let unit_code = &units[&dossier.unit_id];
        let timeliness = lifecycle::current_timeliness((&dossier).into(), now).map(Into::into);
        let procedure_code = procedures[&dossier.procedure_id].clone();
        out.push(summary(dossier, unit_code.clone(), procedure_code, timeliness));
    }
    Ok(out)
}

#[derive(ApiResponse)]
pub enum IntakeResponse {
    /// Received: the receipt, with the lookup secret and the printable page (shown only now).
    #[oai(status = 201)]
    Created(Json<Receipt>),
}

#[derive(ApiResponse)]
pub enum DossierResponse {
    /// The dossier; `ETag` carries its version for `If-Match`.
    #[oai(status = 200)]
    Ok(Json<DossierDetail>, #[oai(header = "ETag")] String),
}

fn validate_intake(body: &IntakeRequest, procedure: &entity::procedure::Model) -> Vec<FieldError> {
    let mut errors = Vec::new();
    validate::full_name("applicant.full_name", &body.applicant.full_name, &mut errors);

    let id = body.applicant.id_number.trim();
    if !(6..=20).contains(&id.len()) || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        errors.push(FieldError::new(
            "applicant.id_number",
            "Số giấy tờ phải có 6–20 chữ số hoặc chữ cái.",
            "The ID number must have 6–20 letters or digits.",
        ));
    }
    if let Some(email) = &body.applicant.email
        && (email.len() > 254 || !email.contains('@') || email.starts_with('@') || email.ends_with('@'))
    {
        errors.push(FieldError::new(
            "applicant.email",
            "Địa chỉ email không hợp lệ.",
            "Not a valid e-mail address.",
        ));
    }
    if body.notes.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        errors.push(FieldError::new(
            "notes",
            "Ghi chú tối đa 2000 ký tự.",
            "Notes may have at most 2000 characters.",
        ));
    }
    #[derive(serde::Deserialize)]
    struct Required {
        name: String,
    }
    let required: Vec<Required> = serde_json::from_str(&procedure.documents).unwrap_or_default();
    for (i, document) in body.documents.iter().enumerate() {
        if !required.iter().any(|r| r.name == *document.name) {
            errors.push(FieldError::new(
                format!("documents[{i}].name"),
                "Giấy tờ này không có trong danh mục của thủ tục.",
                "This document is not in the procedure's list.",
            ));
        }
        if !(1..=20).contains(&document.count) {
            errors.push(FieldError::new(
                format!("documents[{i}].count"),
                "Số bản từ 1 đến 20.",
                "The count must be 1–20.",
            ));
        }
    }
    if body.documents.len() > 50 {
        errors.push(FieldError::new(
            "documents",
            "Tối đa 50 loại giấy tờ.",
            "At most 50 kinds of documents.",
        ));
    }
    errors
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
        let caller = &auth.0;
        caller.require_staff(Role::Officer)?;
        let scope = scope_of(&state.db, caller).await?;
        let unit = match &body.unit_code {
            Some(code) => store::unit_by_code(&state.db, code).await?,
            None => {
                store::unit_by_id(
                    &state.db,
                    caller.unit_id.ok_or_else(|| {
                        ApiError::invalid_field(
                            "unit_code",
                            "Cần chỉ rõ đơn vị tiếp nhận.",
                            "Name the receiving unit.",
                        )
                    })?,
                )
                .await?
            }
        }
        .filter(|u| scope.contains(u.id))
        .ok_or_else(|| {
            ApiError::invalid_field(
                "unit_code",
                "Không có đơn vị này trong phạm vi của bạn.",
                "No such unit in your scope.",
            )
        })?;
        let procedure = store::procedure_by_code(&state.db, &body.procedure_code)
            .await?
            .filter(|p| p.active)
            .ok_or_else(|| {
                ApiError::invalid_field("procedure_code", "Không có thủ tục này.", "No such procedure.")
            })?;
        if !store::procedure_offered_by(&state.db, procedure.id, unit.id).await? {
            return Err(ApiError::invalid_field(
                "procedure_code",
                "Đơn vị này không giải quyết thủ tục này.",
                "This unit does not handle this procedure.",
            ));
        }
        let errors = validate_intake(&body, &procedure);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let phone = body.applicant.phone.as_str().to_owned();
        let name = crate::domain::account::FullName::parse(&body.applicant.full_name)
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default();

        let calendar = working_calendar(&state.db, &unit).await?;
        let secret = generate_secret();
        let dossier = crate::db::write_transaction(&state.db, async |tx| -> ApiResult<dossier::Model> {
            let now = clock::now();
            let receipt_date = calendar.local_date(now);
            let sequence = store::next_sequence(tx, unit.id, receipt_date).await?;
            let code = format_code(&unit.code, receipt_date, sequence);
            let status =
                if body.channel == Channel::Online { Status::NewlySubmitted } else { Status::Accepted };
            let processing = ProcessingTime::from_half_days(procedure.processing_half_days.max(0) as u32);
            let intake = entity::dossier_event::Model {
                id: Uuid::now_v7(),
                dossier_id: Uuid::now_v7(),
                at: now,
                kind: "intake".into(),
                from_status: None,
                to_status: status.name().into(),
                actor_id: Some(caller.id),
                note: None,
                public_note: None,
                new_due_at: None,
            };
            let mut dossier = dossier::Model {
                id: intake.dossier_id,
                code: code.clone(),
                unit_id: unit.id,
                receipt_date,
                sequence: sequence as i32,
                procedure_id: procedure.id,
                processing_half_days: procedure.processing_half_days,
                lookup_secret_hash: state.keys.lookup_secrets.hash(&code, &secret),
                status: status.name().to_owned(),
                applicant_name_folded: text::fold(&name),
                applicant_name: name,
                applicant_id_number: body.applicant.id_number.trim().to_owned(),
                applicant_phone: phone,
                applicant_email: body.applicant.email.as_ref().map(|e| e.trim().to_owned()),
                applicant_kind: if body.applicant.kind == ApplicantKind::Business {
                    "business"
                } else {
                    "citizen"
                }
                .to_owned(),
                documents: serde_json::to_string(&body.documents).map_err(ApiError::internal)?,
                channel: match body.channel {
                    Channel::Desk => "desk",
                    Channel::Online => "online",
                    Channel::Post => "post",
                }
                .to_owned(),
                notes: body.notes.clone().map(String::from),
                fee_vnd: procedure.fee_vnd,
                received_at: now,
                due_at: calendar.due_at(now, processing),
                paused_at: None,
                completed_at: None,
                returned_at: None,
                timeliness: None,
                public_timeline: "[]".into(),
                received_by: caller.id,
                assigned_to: None,
                citizen_id: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            lifecycle::record_public_step(&mut dossier.public_timeline, &intake)
                .map_err(ApiError::internal)?;
            use sea_orm::ActiveModelTrait;
            let dossier = dossier::ActiveModel::from(dossier).insert(tx).await?;
            store::insert_event(tx, intake).await?;
            Ok(dossier)
        })
        .await?;
        Ok(IntakeResponse::Created(Json(receipt_of(&state, &dossier, Some(secret)).await?)))
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
        status: Query<Vec<StatusName>>,
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
        let procedure_id = match procedure.0.as_deref() {
            Some(code) => match store::procedure_by_code(&state.db, code).await? {
                Some(p) => Some(p.id),
                None => return Ok(Json(Page::new(vec![], PageQuery::new(page.0, per_page.0), 0))),
            },
            None => None,
        };
        let filter = store::Worklist {
            unit_ids: match scope {
                UnitScope::All => None,
                UnitScope::Units(ids) => Some(ids),
            },
            statuses: status.0.iter().map(|s| Status::from(*s).name().to_owned()).collect(),
            overdue_at: overdue.0.unwrap_or(false).then(clock::now),
            due_before: due_before.0,
            assigned_to: assigned_to.0,
            procedure_id,
            received_from: received_from.0,
            received_to: received_to.0,
            citizen_id: None,
            terms: q.0.as_deref().map(text::search_terms).unwrap_or_default(),
            newest_first: sort.0 == Some(WorklistOrder::Newest),
        };
        let page = PageQuery::new(page.0, per_page.0);
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
        Ok(DossierResponse::Ok(Json(detail(&state, &dossier).await?), etag(&dossier)))
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
            ReceiptFormat::Html => ReceiptResponse::Html(receipt::render_html(&receipt, None)),
            ReceiptFormat::Json => ReceiptResponse::Json(Box::new(receipt)),
        })
    }

    /// Move a dossier to another status
    ///
    /// Follows the national status codes. Needs `If-Match` with the dossier's version: a stale
    /// one gets 412. An illegal move gets 409 `illegal_transition` listing the allowed ones.
    /// Requesting a supplement or payment stops the clock; resuming moves the due date by the
    /// working days paused. Stopping processing needs a supervisor.
    #[oai(path = "/dossiers/:code/transitions", method = "post", operation_id = "transition_dossier")]
    async fn transition(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        /// The dossier's version, from its `ETag`.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<TransitionRequest>,
    ) -> ApiResult<DossierResponse> {
        let (mut dossier, expected) =
            dossier_for_update(&state, &auth.0, &code, if_match.0.as_deref()).await?;
        let from = lifecycle::status_of(&dossier);
        let to = Status::from(body.to_status);
        if !crate::domain::dossier::can_transition(from, to) {
            let allowed: Vec<&str> = allowed_next(from).iter().map(|s| s.name()).collect();
            let list = if allowed.is_empty() { "—".to_owned() } else { allowed.join(", ") };
            return Err(ApiError::conflict(
                "illegal_transition",
                Text::new(
                    format!(
                        "Không thể chuyển hồ sơ từ {} sang {}. Được phép: {list}.",
                        from.name(),
                        to.name()
                    ),
                    format!("A dossier cannot move from {} to {}. Allowed: {list}.", from.name(), to.name()),
                ),
            ));
        }
        if required_role(to) == StaffRole::Supervisor {
            auth.0.require_staff(Role::Supervisor)?;
        }
        let unit = store::unit_by_id(&state.db, dossier.unit_id).await?.ok_or_else(ApiError::not_found)?;
        let calendar = working_calendar(&state.db, &unit).await?;
        lifecycle::apply_transition(&mut dossier, to, &calendar, clock::now());
        let notice = (
            format!("Hồ sơ {}: {}", dossier.code, to.label_vi()),
            body.public_note
                .clone()
                .map(String::from)
                .unwrap_or_else(|| format!("Hồ sơ của bạn chuyển sang trạng thái \"{}\".", to.label_vi())),
        );
        let change = Change {
            kind: "transition",
            from_status: Some(from),
            note: body.note.clone().map(String::from),
            public_note: body.public_note.clone().map(String::from),
            new_due_at: None,
            notice: Some(notice),
        };
        record_change(&state, auth.0.id, &dossier, expected, change).await
    }

    /// Apologise for a late dossier
    ///
    /// Issues the apology slip (Mẫu 04): a new, later due date and the reason, kept in the
    /// timeline and shown to the citizen. Needs `If-Match`.
    #[oai(path = "/dossiers/:code/apologies", method = "post", operation_id = "apologise_for_dossier")]
    async fn apologise(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        /// The dossier's version, from its `ETag`.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<ApologyRequest>,
    ) -> ApiResult<DossierResponse> {
        let (mut dossier, expected) =
            dossier_for_update(&state, &auth.0, &code, if_match.0.as_deref()).await?;
        let status = lifecycle::status_of(&dossier);
        if status.is_closed() {
            return Err(ApiError::conflict(
                "dossier_closed",
                Text::new("Hồ sơ đã kết thúc xử lý.", "The dossier is no longer being processed."),
            ));
        }
        if body.new_due_at <= dossier.due_at {
            return Err(ApiError::invalid_field(
                "new_due_at",
                "Hạn mới phải sau hạn hiện tại.",
                "The new due date must be later than the current one.",
            ));
        }
        let reason = body.reason.trim();
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(ApiError::invalid_field(
                "reason",
                "Cần nêu lý do (tối đa 2000 ký tự).",
                "Give the reason (at most 2000 characters).",
            ));
        }
        dossier.due_at = body.new_due_at;
        let change = Change {
            kind: "apology",
            from_status: None,
            note: None,
            public_note: Some(reason.to_owned()),
            new_due_at: Some(body.new_due_at),
            notice: Some((format!("Hồ sơ {}: thư xin lỗi và hẹn lại", dossier.code), reason.to_owned())),
        };
        record_change(&state, auth.0.id, &dossier, expected, change).await
    }

    /// Assign a dossier to an officer
    ///
    /// The officer must be an active officer or supervisor of the dossier's unit. Needs `If-Match`.
    #[oai(path = "/dossiers/:code/assignment", method = "put", operation_id = "assign_dossier")]
    async fn assign(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        /// The dossier's version, from its `ETag`.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<AssignmentRequest>,
    ) -> ApiResult<DossierResponse> {
        let (mut dossier, expected) =
            dossier_for_update(&state, &auth.0, &code, if_match.0.as_deref()).await?;
        let officer = crate::accounts::store::user_by_id(&state.db, body.officer_id)
            .await?
            .filter(|u| {
                u.active
                    && u.unit_id == Some(dossier.unit_id)
                    && matches!(u.role.as_str(), "officer" | "supervisor")
            })
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "officer_id",
                    "Không có cán bộ này ở đơn vị của hồ sơ.",
                    "No such officer in the dossier's unit.",
                )
            })?;
        dossier.assigned_to = Some(officer.id);
        let change = Change {
            kind: "assignment",
            from_status: None,
            note: Some(format!("assigned to {}", officer.id)),
            public_note: None,
            new_due_at: None,
            notice: None,
        };
        record_change(&state, auth.0.id, &dossier, expected, change).await
    }
}

/// What a change to a dossier records besides the dossier itself.
struct Change {
    kind: &'static str,
    from_status: Option<Status>,
    note: Option<String>,
    public_note: Option<String>,
    new_due_at: Option<DateTime<Utc>>,
    /// Title and text of the notice to the citizen following the dossier.
    notice: Option<(String, String)>,
}

/// Writes a changed dossier, its timeline entry and the follower's notice in one
/// transaction, unless someone changed it since version `expected` (412); answers with the
/// dossier as it now is.
async fn record_change(
    state: &AppState,
    actor: Uuid,
    changed: &dossier::Model,
    expected: i32,
    change: Change,
) -> ApiResult<DossierResponse> {
    let now = clock::now();
    let mut dossier = changed.clone();
    dossier.version = expected + 1;
    dossier.updated_at = now;
    let event = entity::dossier_event::Model {
        id: Uuid::now_v7(),
        dossier_id: dossier.id,
        at: now,
        kind: change.kind.into(),
        from_status: change.from_status.map(|s| s.name().into()),
        to_status: dossier.status.clone(),
        actor_id: Some(actor),
        note: change.note,
        public_note: change.public_note,
        new_due_at: change.new_due_at,
    };
    lifecycle::record_public_step(&mut dossier.public_timeline, &event).map_err(ApiError::internal)?;
    crate::db::write_transaction(&state.db, async |tx| -> ApiResult<()> {
        if !store::update_if_version(tx, dossier.clone(), expected).await? {
            return Err(stale());
        }
        store::insert_event(tx, event).await?;
        if let (Some(citizen), Some((title, text))) = (dossier.citizen_id, change.notice) {
            store::notify(tx, citizen, dossier.id, title, text, now).await?;
        }
        Ok(())
    })
    .await?;
    Ok(DossierResponse::Ok(Json(detail(state, &dossier).await?), etag(&dossier)))
}

/// Whether `secret` opens the dossier found (code and stored hash), spending the same work
/// when nothing was found, so neither the answer nor its timing tells a wrong secret from an
/// unknown code.
fn secret_opens(state: &AppState, found: Option<(&str, &str)>, secret: &str) -> bool {
    let hasher = &state.keys.lookup_secrets;
    match (found, normalize_secret(secret)) {
        (Some((code, hash)), Some(secret)) => hasher.verify(code, &secret, hash),
        (Some(_), None) => false,
        (None, _) => {
            hasher.dummy_verify();
            false
        }
    }
}

/// The dossier that a code and secret open; 404 otherwise.
async fn open_with_secret(state: &AppState, code: &str, secret: &str) -> ApiResult<dossier::Model> {
    let code = canonical_code(code);
    let found = if code.len() <= 80 { store::by_code(&state.db, &code).await? } else { None };
    let opened =
        secret_opens(state, found.as_ref().map(|d| (d.code.as_str(), d.lookup_secret_hash.as_str())), secret);
    found.filter(|_| opened).ok_or_else(ApiError::not_found)
}

/// Counts a lookup against the limits per client address and per code.
async fn throttle_lookup(state: &AppState, req: &Request, code: &str) -> ApiResult<()> {
    let per_minute = state.config.lookup.limit_per_minute;
    if per_minute == 0 {
        return Ok(());
    }
    let window = std::time::Duration::from_secs(60);
    let client = client_ip(req, &state.config.server.trusted_proxies)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let code: String = code.chars().take(80).collect();
    let now = clock::now();
    for limit in [
        Limit::new(format!("lookup:client:{client}"), per_minute, window),
        Limit::new(format!("lookup:code:{code}"), per_minute, window),
    ] {
        limit.check(&state.db, now).await?;
        limit.record(&state.db, now).await?;
    }
    Ok(())
}

pub struct LookupApi;

#[OpenApi(tag = "ApiTags::Lookup")]
impl LookupApi {
    /// Look up a dossier by its code and secret
    ///
    /// For anyone holding the receipt: status, procedure, unit, dates, timeliness and the
    /// public timeline — never the applicant's personal data. A wrong secret and an unknown
    /// code get the same 404. Limited per client address and per code (429 with `Retry-After`).
    #[oai(path = "/dossiers/lookup", method = "post", operation_id = "look_up_dossier")]
    async fn lookup(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<LookupRequest>,
    ) -> ApiResult<SerdeJson<LookupResult>> {
        let code = canonical_code(&body.code);
        throttle_lookup(&state, req, &code).await?;
        let found = state.lookup_reader.row(&state.db, &code).await?;
        let opened = secret_opens(
            &state,
            found.as_ref().map(|row| (row.code.as_str(), row.lookup_secret_hash.as_str())),
            &body.secret,
        );
        let Some(dossier) = found.filter(|_| opened) else {
            return Err(ApiError::not_found());
        };
        let status = Status::parse(&dossier.status).unwrap_or(Status::Accepted);
        let clock_state = lifecycle::ClockState {
            status: &dossier.status,
            stored_timeliness: dossier.timeliness.as_deref(),
            due_at: dossier.due_at,
            paused_at: dossier.paused_at,
        };
        let timeliness = lifecycle::current_timeliness(clock_state, clock::now())
            .map_or(TimelinessName::InTime, Into::into);
        let names = &state.lookup_names;
        let unit = names.unit(&state.db, dossier.unit_id).await?.ok_or_else(ApiError::not_found)?;
        let procedure =
            names.procedure(&state.db, dossier.procedure_id).await?.ok_or_else(ApiError::not_found)?;
        let timeline = lifecycle::public_steps(&dossier.public_timeline)
            .map_err(ApiError::internal)?
            .into_iter()
            .map(|step| {
                let step_status = Status::parse(&step.status).unwrap_or(status);
                PublicTimelineEntry {
                    at: step.at,
                    status: step_status.into(),
                    status_label: status_label(step_status),
                    note: step.note,
                    new_due_at: step.new_due_at,
                }
            })
            .collect();
        Ok(SerdeJson(LookupResult {
            code: dossier.code,
            status: status.into(),
            status_code: status.code(),
            status_label: status_label(status),
            procedure,
            unit,
            applicant: mask_name(&dossier.applicant_name),
            received_at: dossier.received_at,
            due_at: dossier.due_at,
            completed_at: dossier.completed_at,
            returned_at: dossier.returned_at,
            timeliness,
            timeline,
        }))
    }
}

pub struct MyDossiersApi;

#[OpenApi(tag = "ApiTags::Me")]
impl MyDossiersApi {
    /// Follow a dossier
    ///
    /// Links the dossier of this code and secret to the citizen's account, so its status
    /// changes reach the inbox. Claiming again is harmless; a dossier another account follows
    /// gets 409.
    #[oai(path = "/me/dossiers/claim", method = "post", operation_id = "claim_dossier")]
    async fn claim(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        req: &Request,
        body: Json<LookupRequest>,
    ) -> ApiResult<Json<DossierSummary>> {
        auth.0.require_citizen()?;
        throttle_lookup(&state, req, &body.code).await?;
        let dossier = open_with_secret(&state, body.code.trim(), &body.secret).await?;
        if store::claim(&state.db, dossier.id, auth.0.id).await? != Some(auth.0.id) {
            return Err(ApiError::conflict(
                "dossier_already_claimed",
                Text::new(
                    "Hồ sơ này đã được một tài khoản khác theo dõi.",
                    "Another account already follows this dossier.",
                ),
            ));
        }
        let mut items = summaries(&state, vec![dossier]).await?;
        items.pop().map(Json).ok_or_else(ApiError::not_found)
    }

    /// My dossiers
    ///
    /// The dossiers the citizen follows, latest received first.
    #[oai(path = "/me/dossiers", method = "get", operation_id = "list_my_dossiers")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<DossierSummary>>> {
        auth.0.require_citizen()?;
        let filter =
            store::Worklist { citizen_id: Some(auth.0.id), newest_first: true, ..Default::default() };
        let page = PageQuery::new(page.0, per_page.0);
        let (dossiers, total) = store::worklist(&state.db, &filter, page).await?;
        Ok(Json(Page::new(summaries(&state, dossiers).await?, page, total)))
    }
}
