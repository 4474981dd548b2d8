//! Changing a dossier: status moves, apologies and assignment. Each goes through
//! [`update_dossier`] and [`write_change`]: decided on the dossier and calendar as they are
//! inside the transaction, with the version checked, a timeline entry and a notice to the
//! citizen who follows it.

use chrono::{DateTime, Utc};
use entity::{dossier, dossier_event, values::NotificationKind};
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Header, Path},
    payload::Json,
};
use sea_orm::{ActiveEnum, ConnectionTrait};
use uuid::Uuid;

use super::{
    apology,
    dto::*,
    lifecycle, store,
    view::{DossierResponse, unit_of},
};
use crate::{
    auth::{BearerAuth, Caller, Role, scope_of},
    calendar::store::working_calendar,
    db::{CalendarLock, lock_calendars, write_transaction},
    domain::{
        calendar::WorkingCalendar,
        dossier::{StaffRole, StatusRules, allowed_next, can_transition, canonical_code, required_role},
    },
    error::{ApiError, ApiResult},
    http::etag::{check_if_match, stale},
    i18n::Text,
    notifications::store::{NewNotice, Subject, notify},
    problems,
    push::Push,
    spec::ApiTags,
    state::AppState,
};

/// What a change to a dossier records besides the dossier itself.
pub struct Change {
    pub kind: DossierEventKind,
    pub from_status: Option<Status>,
    pub note: Option<String>,
    pub public_note: Option<String>,
    pub new_due_at: Option<DateTime<Utc>>,
    /// Title and text of the notice to the citizen following the dossier.
    pub notice: Option<(Text, Text)>,
}

/// The one way a dossier changes: writes the changed dossier (read at version
/// `changed.version`), its timeline entry and the follower's notice inside `tx`, unless
/// someone changed it since (412). Returns the dossier as written.
pub async fn write_change(
    tx: &impl ConnectionTrait,
    push: Push,
    actor: Uuid,
    changed: dossier::Model,
    change: Change,
    now: DateTime<Utc>,
) -> ApiResult<dossier::Model> {
    let expected = changed.version;
    let mut dossier = changed;
    dossier.version = expected + 1;
    dossier.updated_at = now;
    let event_kind = change.kind;
    let event = dossier_event::Model {
        id: Uuid::now_v7(),
        dossier_id: dossier.id,
        at: now,
        kind: change.kind,
        from_status: change.from_status,
        to_status: dossier.status,
        actor_id: Some(actor),
        note: change.note,
        public_note: change.public_note,
        new_due_at: change.new_due_at,
        document_number: apology::document_number(tx, &dossier, event_kind, now).await?,
    };
    lifecycle::record_public_step(&mut dossier.public_timeline, &event).map_err(ApiError::internal)?;
    if !store::update_if_version(tx, dossier.clone(), expected).await? {
        return Err(stale());
    }
    store::insert_event(tx, event).await?;
    if let Some(from) = change.from_status.filter(|from| *from != dossier.status) {
        store::record_outbox_event(tx, &dossier, Some(from), now).await?;
    }
    if let (Some(citizen), Some((title, body))) = (dossier.citizen_id, change.notice) {
        let notice = NewNotice {
            user_id: citizen,
            subject: Subject::Dossier(dossier.id),
            kind: match event_kind {
                DossierEventKind::Apology => NotificationKind::DossierApology,
                _ => NotificationKind::DossierStatus,
            },
            title,
            body,
        };
        notify(tx, push, notice, now).await?;
    }
    // The letter its completion brings, if any, in this transaction (see `on_processed`).
    if event_kind == DossierEventKind::Transition && dossier.status == Status::Processed {
        crate::letters::automatic::on_processed(tx, push, &dossier, now).await?;
    }
    Ok(dossier)
}

/// The one way a dossier changes over HTTP. In one transaction: the dossier is read again and
/// locked, its `If-Match` checked against that version (428 without it, 412 when stale), its
/// unit's calendar read and held still against holiday changes; `decide` then changes the
/// dossier or refuses, and [`write_change`] writes it. Answers with the dossier as it now is.
async fn update_dossier(
    state: &AppState,
    caller: &Caller,
    code: &str,
    if_match: Option<&str>,
    decide: impl FnOnce(&mut dossier::Model, &WorkingCalendar) -> ApiResult<Change>,
) -> ApiResult<DossierResponse> {
    caller.require_staff(Role::Officer)?;
    let scope = scope_of(&state.db, caller).await?;
    let code = canonical_code(code);
    let now = state.clock.now();
    let dossier = write_transaction(&state.writer, async |tx| {
        lock_calendars(tx, CalendarLock::Reading).await?;
        let mut dossier = store::by_code_for_update(tx, &code)
            .await?
            .filter(|d| scope.contains(d.unit_id))
            .ok_or_else(ApiError::not_found)?;
        check_if_match(if_match, dossier.version)?;
        let calendar = working_calendar(tx, &unit_of(tx, &dossier).await?).await?;
        let change = decide(&mut dossier, &calendar)?;
        write_change(tx, state.push(), caller.id, dossier, change, now).await
    })
    .await?;
    DossierResponse::of(state, &dossier).await
}

fn illegal_transition(from: Status, to: Status) -> ApiError {
    let allowed: Vec<String> = allowed_next(from).iter().map(|s| s.to_value()).collect();
    let list = if allowed.is_empty() { "—".to_owned() } else { allowed.join(", ") };
    let (from, to) = (from.to_value(), to.to_value());
    ApiError::of(&problems::ILLEGAL_TRANSITION).with_detail(Text::new(
        format!("Không thể chuyển hồ sơ từ {from} sang {to}. Được phép: {list}."),
        format!("A dossier cannot move from {from} to {to}. Allowed: {list}."),
    ))
}

pub struct DossierUpdateApi;

#[OpenApi(tag = "ApiTags::Dossiers")]
impl DossierUpdateApi {
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
        let caller = &auth.0;
        let now = state.clock.now();
        update_dossier(&state, caller, &code, if_match.0.as_deref(), |dossier, calendar| {
            let (from, to) = (dossier.status, body.to_status);
            if !can_transition(from, to) {
                return Err(illegal_transition(from, to));
            }
            if required_role(to) == StaffRole::Supervisor {
                caller.require_staff(Role::Supervisor)?;
            }
            lifecycle::apply_transition(dossier, to, calendar, now);
            // A dossier submitted online is received by the officer who first moves it on.
            dossier.received_by.get_or_insert(caller.id);
            let public_note = body.public_note.clone().map(String::from);
            let title = Text::new(
                format!("Hồ sơ {}: {}", dossier.code, to.label_vi()),
                format!("Dossier {}: {}", dossier.code, to.label_en()),
            );
            // The officer's public note is written in Vietnamese, for both readers.
            let text = match &public_note {
                Some(note) => Text::new(note.clone(), note.clone()),
                None => Text::new(
                    format!("Hồ sơ của bạn chuyển sang trạng thái \"{}\".", to.label_vi()),
                    format!("Your dossier is now \"{}\".", to.label_en()),
                ),
            };
            Ok(Change {
                kind: DossierEventKind::Transition,
                from_status: Some(from),
                note: body.note.clone().map(String::from),
                public_note,
                new_due_at: None,
                notice: Some((title, text)),
            })
        })
        .await
    }

    /// Apologise for a late dossier
    ///
    /// Issues the apology slip (Mẫu 04): a new, later due date, on a working day of the unit,
    /// and the reason, kept in the timeline and shown to the citizen. Needs `If-Match`.
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
        update_dossier(&state, &auth.0, &code, if_match.0.as_deref(), |dossier, calendar| {
            if dossier.status.is_closed() {
                return Err(ApiError::of(&problems::DOSSIER_CLOSED));
            }
            if body.new_due_at <= dossier.due_at {
                return Err(ApiError::invalid_field(
                    "new_due_at",
                    "Hạn mới phải sau hạn hiện tại.",
                    "The new due date must be later than the current one.",
                ));
            }
            if !calendar.falls_on_working_day(body.new_due_at) {
                return Err(ApiError::invalid_field(
                    "new_due_at",
                    "Hạn mới phải là một ngày làm việc của đơn vị.",
                    "The new due date must be a working day of the unit.",
                ));
            }
            let reason = body.reason.trim().to_owned();
            dossier.due_at = body.new_due_at;
            Ok(Change {
                kind: DossierEventKind::Apology,
                from_status: None,
                note: None,
                public_note: Some(reason.clone()),
                new_due_at: Some(body.new_due_at),
                notice: Some((
                    Text::new(
                        format!("Hồ sơ {}: thư xin lỗi và hẹn lại", dossier.code),
                        format!("Dossier {}: an apology and a new due date", dossier.code),
                    ),
                    Text::new(reason.clone(), reason),
                )),
            })
        })
        .await
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
        let officer = crate::accounts::store::user_by_id(&state.db, body.officer_id)
            .await?
            .filter(|u| u.active && matches!(u.role, Role::Officer | Role::Supervisor));
        update_dossier(&state, &auth.0, &code, if_match.0.as_deref(), |dossier, _| {
            let officer = officer.filter(|u| u.unit_id == Some(dossier.unit_id)).ok_or_else(|| {
                ApiError::invalid_field(
                    "officer_id",
                    "Không có cán bộ này ở đơn vị của hồ sơ.",
                    "No such officer in the dossier's unit.",
                )
            })?;
            dossier.assigned_to = Some(officer.id);
            Ok(Change {
                kind: DossierEventKind::Assignment,
                from_status: None,
                note: Some(format!("assigned to {}", officer.id)),
                public_note: None,
                new_due_at: None,
                notice: None,
            })
        })
        .await
    }
}
