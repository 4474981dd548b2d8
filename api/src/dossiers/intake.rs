//! Taking in a dossier: the request parsed once into a [`NewDossier`], numbered and dated in
//! one transaction.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::{dossier, dossier_event, procedure, unit};
use poem_openapi::{ApiResponse, payload::Json};
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use super::{dto::*, lifecycle, store, view::receipt_of};
use crate::{
    auth::{Caller, Role, scope_of},
    calendar::store::working_calendar,
    db::{CalendarLock, lock_calendars, write_transaction},
    documents::numbers::{Series, next_number},
    domain::{
        account::{FullName, PhoneNumber},
        calendar::ProcessingTime,
        dossier::{format_code, generate_secret},
        intake::{initial_status, is_email, is_id_number},
        text,
    },
    error::{ApiError, ApiResult, FieldError},
    procedures::store::{procedure_by_code, procedure_offered_by},
    state::AppState,
    units::store::{unit_by_code, unit_by_id},
};

#[derive(ApiResponse)]
pub enum IntakeResponse {
    /// Received: the receipt, with the lookup secret and the printable page (shown only now).
    #[oai(status = 201)]
    Created(Json<Receipt>),
}

/// A dossier request that passed every rule that needs no numbering: what intake stores.
#[derive(Debug)]
pub struct NewDossier {
    pub applicant_name: FullName,
    pub applicant_id_number: String,
    pub applicant_phone: PhoneNumber,
    pub applicant_email: Option<String>,
    pub applicant_kind: ApplicantKind,
    pub documents: Vec<ReceivedDocument>,
    pub channel: Channel,
    pub notes: Option<String>,
}

impl NewDossier {
    /// Checks a request against the rules of intake and the procedure's list of documents
    /// (`listed`: their names), naming every field that breaks one.
    pub fn parse(request: &IntakeRequest, listed: &[String]) -> Result<NewDossier, Vec<FieldError>> {
        let mut errors = Vec::new();
        let id_number = request.applicant.id_number.trim();
        if !is_id_number(id_number) {
            errors.push(FieldError::new(
                "applicant.id_number",
                "Số giấy tờ phải có 6–20 chữ số hoặc chữ cái.",
                "The ID number must have 6–20 letters or digits.",
            ));
        }
        let email = request.applicant.email.as_ref().map(|email| email.trim().to_owned());
        if email.as_deref().is_some_and(|email| !is_email(email)) {
            errors.push(FieldError::new(
                "applicant.email",
                "Địa chỉ email không hợp lệ.",
                "Not a valid e-mail address.",
            ));
        }
        for (i, document) in request.documents.iter().enumerate() {
            if !listed.iter().any(|name| *name == *document.name) {
                errors.push(FieldError::new(
                    format!("documents[{i}].name"),
                    "Giấy tờ này không có trong danh mục của thủ tục.",
                    "This document is not in the procedure's list.",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewDossier {
            applicant_name: request.applicant.full_name.clone(),
            applicant_id_number: id_number.to_owned(),
            applicant_phone: request.applicant.phone.clone(),
            applicant_email: email,
            applicant_kind: request.applicant.kind,
            documents: request.documents.clone(),
            channel: request.channel,
            notes: request.notes.clone().map(String::from),
        })
    }
}

/// The names of the documents a procedure asks for.
pub(crate) fn listed_documents(procedure: &procedure::Model) -> ApiResult<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Listed {
        name: String,
    }
    let listed: Vec<Listed> = serde_json::from_str(&procedure.documents).map_err(ApiError::internal)?;
    Ok(listed.into_iter().map(|document| document.name).collect())
}

/// The receiving unit: the one named, or the officer's own; one outside the caller's units
/// (or none of that code) is 404.
async fn receiving_unit(state: &AppState, caller: &Caller, named: Option<&str>) -> ApiResult<unit::Model> {
    let scope = scope_of(&state.db, caller).await?;
    let unit = match (named, caller.unit_id) {
        (Some(code), _) => unit_by_code(&state.db, code).await?,
        (None, Some(own)) => unit_by_id(&state.db, own).await?,
        (None, None) => {
            return Err(ApiError::invalid_field(
                "unit_code",
                "Cần chỉ rõ đơn vị tiếp nhận.",
                "Name the receiving unit.",
            ));
        }
    };
    // A unit outside the caller's units is hidden, as every other route hides it.
    unit.filter(|unit| scope.contains(unit.id)).ok_or_else(ApiError::not_found)
}

/// An active procedure that the unit handles.
pub(crate) async fn offered_procedure(
    state: &AppState,
    unit: &unit::Model,
    code: &str,
) -> ApiResult<procedure::Model> {
    let procedure = procedure_by_code(&state.db, code).await?.filter(|p| p.active).ok_or_else(|| {
        ApiError::invalid_field("procedure_code", "Không có thủ tục này.", "No such procedure.")
    })?;
    if !procedure_offered_by(&state.db, procedure.id, unit.id).await? {
        return Err(ApiError::invalid_field(
            "procedure_code",
            "Đơn vị này không giải quyết thủ tục này.",
            "This unit does not handle this procedure.",
        ));
    }
    Ok(procedure)
}

/// Where a new dossier stands once numbered: its code, the day it was received and its
/// receipt's number in the unit's series for the year.
struct Numbering {
    code: String,
    receipt_date: NaiveDate,
    sequence: u32,
    receipt_number: i32,
}

/// The stored dossier and its first timeline entry.
struct Intake<'a> {
    new: NewDossier,
    unit: &'a unit::Model,
    procedure: &'a procedure::Model,
    /// The receiving officer; none for a submission online, which the officer who first moves
    /// it on receives.
    officer: Option<Uuid>,
    lookup_secret_hash: String,
    due_at: DateTime<Utc>,
}

impl Intake<'_> {
    fn records(
        self,
        numbering: Numbering,
        now: DateTime<Utc>,
    ) -> ApiResult<(dossier::Model, dossier_event::Model)> {
        let status = initial_status(self.new.channel);
        let name = self.new.applicant_name.as_str().to_owned();
        let event = dossier_event::Model {
            id: Uuid::now_v7(),
            dossier_id: Uuid::now_v7(),
            at: now,
            kind: DossierEventKind::Intake,
            from_status: None,
            to_status: status,
            actor_id: self.officer,
            note: None,
            public_note: None,
            new_due_at: None,
            document_number: None,
        };
        let mut dossier = dossier::Model {
            id: event.dossier_id,
            code: numbering.code,
            unit_id: self.unit.id,
            receipt_date: numbering.receipt_date,
            sequence: numbering.sequence as i32,
            procedure_id: self.procedure.id,
            processing_half_days: self.procedure.processing_half_days,
            lookup_secret_hash: self.lookup_secret_hash,
            status,
            applicant_name_folded: text::fold(&name),
            applicant_name: name,
            applicant_id_number: self.new.applicant_id_number,
            applicant_phone: self.new.applicant_phone.as_str().to_owned(),
            applicant_email: self.new.applicant_email,
            applicant_kind: self.new.applicant_kind,
            documents: serde_json::to_string(&self.new.documents).map_err(ApiError::internal)?,
            channel: self.new.channel,
            notes: self.new.notes,
            fee_vnd: self.procedure.fee_vnd,
            received_at: now,
            due_at: self.due_at,
            paused_at: None,
            completed_at: None,
            returned_at: None,
            closed_at: None,
            timeliness: None,
            public_timeline: "[]".into(),
            received_by: self.officer,
            assigned_to: None,
            citizen_id: None,
            receipt_number: Some(numbering.receipt_number),
            letter_suppressed_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        lifecycle::record_public_step(&mut dossier.public_timeline, &event).map_err(ApiError::internal)?;
        Ok((dossier, event))
    }
}

/// Takes in a dossier for the caller, an officer of the receiving unit (or above it): the
/// receipt, with the lookup secret that only this answer shows.
pub async fn take_in(state: &AppState, caller: &Caller, request: &IntakeRequest) -> ApiResult<Receipt> {
    caller.require_staff(Role::Officer)?;
    let unit = receiving_unit(state, caller, request.unit_code.as_deref()).await?;
    let procedure = offered_procedure(state, &unit, &request.procedure_code).await?;
    let new = NewDossier::parse(request, &listed_documents(&procedure)?).map_err(ApiError::validation)?;
    let secret = generate_secret();
    let dossier = write_transaction(&state.writer, async |tx| -> ApiResult<dossier::Model> {
        store_new(
            tx,
            state,
            Received { unit: &unit, procedure: &procedure, new, officer: Some(caller.id) },
            &secret,
        )
        .await
    })
    .await?;
    receipt_of(state, &dossier, Some(secret)).await
}

/// A dossier, checked and ready to store, and who received it.
pub struct Received<'a> {
    pub unit: &'a unit::Model,
    pub procedure: &'a procedure::Model,
    pub new: NewDossier,
    /// None for a submission online (see [`Intake`]).
    pub officer: Option<Uuid>,
}

/// Stores a new dossier inside `tx`, numbered and dated there, with `secret` as its lookup
/// secret: the one way a dossier comes to exist, at the desk or online.
pub async fn store_new(
    tx: &DatabaseTransaction,
    state: &AppState,
    received: Received<'_>,
    secret: &str,
) -> ApiResult<dossier::Model> {
    let Received { unit, procedure, new, officer } = received;
    let now = state.clock.now();
    let processing = ProcessingTime::from_half_days(procedure.processing_half_days.max(0) as u32);
    // The due date is computed from the calendar as it is when the dossier is stored: a
    // holiday change waits for this intake, or this intake for it.
    lock_calendars(tx, CalendarLock::Reading).await?;
    let calendar = working_calendar(tx, unit).await?;
    let receipt_date = calendar.local_date(now);
    let sequence = store::next_sequence(tx, unit.id, receipt_date).await?;
    let code = format_code(&unit.code, receipt_date, sequence);
    let receipt_number = next_number(tx, unit.id, receipt_date.year(), Series::Receipt).await?;
    let intake = Intake {
        new,
        unit,
        procedure,
        officer,
        lookup_secret_hash: state.keys.lookup_secrets.hash(&code, secret),
        due_at: calendar.due_at(now, processing),
    };
    let (dossier, event) = intake.records(Numbering { code, receipt_date, sequence, receipt_number }, now)?;
    Ok(store::insert_intake(tx, dossier, event).await?)
}
