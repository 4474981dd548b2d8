//! Complaints about officers: made by citizens (with attachments), handled by the supervisors
//! of the unit where the conduct happened (or above), followed by the citizen, and never shown
//! to the officer they are about.
//!
//! Routes: [`handling`] (`/complaints`: filing, with [`intake`], and the supervisors' side) and
//! [`mine`] (the citizen's side); the rules of the path are in [`crate::domain::complaint`], the files in
//! [`files`].

pub mod dto;
pub mod files;
mod handling;
mod intake;
mod mine;
mod store;

use crate::i18n::Text;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    complaint, complaint_event,
    values::{ComplaintEventKind, ComplaintStatus, EventType, NotificationKind},
};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

pub use handling::ComplaintsApi;
pub use mine::MyComplaintsApi;

use crate::{
    calendar::store::working_calendar,
    db::write_transaction,
    domain::complaint::{is_open, substantiated},
    error::{ApiError, ApiResult},
    notifications::store::{NewNotice, Subject, notify},
    problems,
    push::Push,
    queue::store::dossier_codes,
    ratings::dto::OfficerRef,
    state::AppState,
    units::store::{unit_by_id, unit_codes},
    webhooks::payloads::{ComplaintStatusChangedData, announce},
};

/// The status as the citizen's inbox names it, in Vietnamese and English.
fn status_label(status: ComplaintStatus) -> (&'static str, &'static str) {
    match status {
        ComplaintStatus::Received => ("đã được tiếp nhận", "was received"),
        ComplaintStatus::Accepted => ("đã được thụ lý", "was accepted for handling"),
        ComplaintStatus::NotAccepted => ("không được thụ lý", "was not accepted"),
        ComplaintStatus::Investigating => ("đang được xác minh", "is being investigated"),
        ComplaintStatus::Resolved => ("đã được giải quyết", "was resolved"),
        ComplaintStatus::Dismissed => ("đã bị bác bỏ", "was dismissed"),
        ComplaintStatus::Withdrawn => ("đã được rút", "was withdrawn"),
    }
}

/// Tells the citizen their complaint moved on.
async fn tell_citizen(
    db: &impl ConnectionTrait,
    push: Push,
    complaint: &complaint::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let (vi, en) = status_label(complaint.status);
    let notice = NewNotice {
        user_id: complaint.citizen_id,
        subject: Subject::Complaint(complaint.id),
        kind: NotificationKind::ComplaintUpdated,
        title: Text::new("Phản ánh về cán bộ", "Your complaint about an officer"),
        body: Text::new(format!("Phản ánh của bạn {vi}."), format!("Your complaint {en}.")),
    };
    Ok(notify(db, push, notice, now).await?)
}

/// A step of the timeline, before it is stored.
pub struct Step {
    pub kind: ComplaintEventKind,
    /// The supervisor who takes it; none for the citizen.
    pub by: Option<Uuid>,
    pub note: Option<String>,
}

/// Writes a changed complaint with the step that changed it, and tells the citizen, in one
/// transaction. Another change since it was read is a 409: the caller reads it again.
async fn save_step(
    state: &AppState,
    read: complaint::Model,
    mut changed: complaint::Model,
    step: Step,
) -> ApiResult<complaint::Model> {
    let now = state.clock.now();
    changed.version = read.version + 1;
    changed.updated_at = now;
    let event = complaint_event::Model {
        id: Uuid::now_v7(),
        complaint_id: read.id,
        at: now,
        kind: step.kind,
        by_citizen: step.by.is_none(),
        actor_id: step.by,
        from_status: Some(read.status),
        to_status: changed.status,
        note: step.note,
    };
    let saved = changed.clone();
    write_transaction(&state.writer, async |tx| {
        if !store::update(tx, saved.clone()).await? {
            return Err(ApiError::of(&problems::COMPLAINT_NOT_IN_STATE).with_detail(crate::i18n::Text::new(
                "Phản ánh vừa được cập nhật; hãy tải lại.",
                "The complaint changed meanwhile; read it again.",
            )));
        }
        store::record(tx, event).await?;
        if read.status != saved.status {
            let unit_code = unit_by_id(tx, saved.unit_id).await?.map(|u| u.code).unwrap_or_default();
            let data = ComplaintStatusChangedData {
                complaint_id: saved.id,
                unit_code,
                from_status: read.status,
                status: saved.status,
            };
            announce(tx, now, EventType::ComplaintStatusChanged, saved.unit_id, &data).await?;
        }
        // Feedback is the citizen's own word: no notice to themselves.
        if step.kind != ComplaintEventKind::Feedback {
            tell_citizen(tx, state.push(), &saved, now).await?;
        }
        Ok(())
    })
    .await?;
    Ok(changed)
}

/// The due date `working_days` after `from`, on the calendar of the unit where the conduct
/// happened.
async fn due_after(
    db: &impl ConnectionTrait,
    complaint: &complaint::Model,
    from: DateTime<Utc>,
    working_days: u32,
) -> ApiResult<DateTime<Utc>> {
    let unit =
        unit_by_id(db, complaint.unit_id).await?.ok_or_else(|| ApiError::internal("a complaint's unit"))?;
    Ok(working_calendar(db, &unit).await?.extend_due(from, working_days))
}

/// 409 with the complaint's status in the detail.
fn not_in_state(status: ComplaintStatus) -> ApiError {
    let name =
        serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    ApiError::of(&problems::COMPLAINT_NOT_IN_STATE).with_detail(crate::i18n::Text::new(
        format!("Phản ánh đang ở trạng thái {name}."),
        format!("The complaint is {name}."),
    ))
}

/// Complaints as the API shows them, with their timelines and files (a few queries whatever
/// their number). `for_handlers` adds who made them.
pub async fn views(
    db: &impl ConnectionTrait,
    complaints: Vec<complaint::Model>,
    for_handlers: bool,
    now: DateTime<Utc>,
) -> ApiResult<Vec<dto::Complaint>> {
    let ids: Vec<Uuid> = complaints.iter().map(|c| c.id).collect();
    let mut timelines = store::timelines(db, ids.clone()).await?;
    let mut files = store::attachments(db, ids).await?;
    let people: Vec<Uuid> = complaints.iter().flat_map(|c| [c.officer_id, c.citizen_id]).collect();
    let users: HashMap<Uuid, entity::user::Model> =
        crate::accounts::store::users_by_id(db, people).await?.into_iter().map(|u| (u.id, u)).collect();
    let units = unit_codes(db, complaints.iter().flat_map(|c| [c.unit_id, c.handling_unit_id])).await?;
    let dossiers = dossier_codes(db, complaints.iter().filter_map(|c| c.dossier_id).collect()).await?;
    Ok(complaints
        .into_iter()
        .map(|c| dto::Complaint {
            id: c.id,
            officer: OfficerRef {
                id: c.officer_id,
                full_name: users.get(&c.officer_id).map(|u| u.full_name.clone()).unwrap_or_default(),
            },
            unit_code: units.get(&c.unit_id).cloned().unwrap_or_default(),
            handling_unit_code: units.get(&c.handling_unit_id).cloned().unwrap_or_default(),
            category: c.category,
            description: c.description,
            dossier_code: c.dossier_id.and_then(|id| dossiers.get(&id).cloned()),
            appointment_id: c.appointment_id,
            status: c.status,
            state: if is_open(c.status) { dto::ComplaintState::Open } else { dto::ComplaintState::Closed },
            outcome: c.outcome,
            substantiated: c.outcome.map(substantiated),
            conclusion: c.conclusion,
            reason: c.reason,
            received_at: c.received_at,
            accepted_at: c.accepted_at,
            due_at: c.due_at,
            overdue: is_open(c.status) && c.due_at.is_some_and(|due| due < now),
            extension_reason: c.extension_reason,
            closed_at: c.closed_at,
            reopened: c.reopened,
            feedback_level: c.feedback_level,
            attachments: files
                .remove(&c.id)
                .unwrap_or_default()
                .into_iter()
                .map(|f| dto::Attachment {
                    position: f.position,
                    content_type: f.content_type,
                    size_bytes: f.size_bytes,
                    file_name: f.file_name,
                })
                .collect(),
            timeline: timelines
                .remove(&c.id)
                .unwrap_or_default()
                .into_iter()
                .map(|e| dto::ComplaintStep {
                    at: e.at,
                    kind: e.kind,
                    by_citizen: e.by_citizen,
                    status: e.to_status,
                    note: e.note,
                })
                .collect(),
            complainant: for_handlers.then(|| {
                let citizen = users.get(&c.citizen_id);
                dto::Complainant {
                    full_name: citizen.map(|u| u.full_name.clone()).unwrap_or_default(),
                    phone: citizen.map(|u| u.phone.clone()).unwrap_or_default(),
                }
            }),
        })
        .collect())
}

pub async fn view(
    db: &impl ConnectionTrait,
    complaint: complaint::Model,
    for_handlers: bool,
    now: DateTime<Utc>,
) -> ApiResult<dto::Complaint> {
    views(db, vec![complaint], for_handlers, now)
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("a complaint's view"))
}
