//! The `data` of each event type: thin, codes and statuses, never a person's name, phone or
//! identity number. The same structs write the events and describe them in the spec; a value
//! that does not apply is left out rather than `null`, as those schemas say.

use chrono::{DateTime, NaiveDate, Utc};
use entity::values::{
    AppointmentStatus, CancelledBy, ComplaintStatus, DossierStatus, EventType, LetterKind, RatingChannel,
    RatingLevel,
};
use poem_openapi::Object;
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use uuid::Uuid;

use crate::events;

/// Records an event of `unit_id` with `data`, in the transaction of the change it announces.
pub async fn announce(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    event_type: EventType,
    unit_id: Uuid,
    data: &impl Serialize,
) -> Result<(), DbErr> {
    let data = serde_json::to_value(data).map_err(|err| DbErr::Custom(err.to_string()))?;
    events::record(tx, now, event_type, Some(unit_id), data).await?;
    Ok(())
}

/// The body a receiver gets for `event`: `{id, type, created_at, data}`, one of the `…Event`
/// schemas of the spec.
pub fn envelope(event: &entity::event::Model) -> serde_json::Value {
    let data: serde_json::Value = serde_json::from_str(&event.data).unwrap_or(serde_json::Value::Null);
    serde_json::json!({ "id": event.id, "type": event.event_type, "created_at": event.created_at, "data": data })
}

/// `dossier.created`, `dossier.status_changed` (written by `dossiers::store`).
#[derive(Debug, Clone, Object, Serialize)]
#[oai(rename = "DossierEventData")]
pub struct DossierEventData {
    /// The dossier's code, as on its receipt.
    pub code: String,
    pub status: DossierStatus,
    /// The national code of the status (1–10).
    pub status_code: i32,
    /// The unit that holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<String>,
    /// The status before the change (`dossier.status_changed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<DossierStatus>,
}

/// `appointment.booked`, `appointment.rescheduled`, `appointment.cancelled`.
#[derive(Debug, Clone, Object, Serialize)]
#[oai(rename = "AppointmentEventData")]
pub struct AppointmentData {
    /// The booking (`GET /appointments/{id}`).
    pub appointment_id: Uuid,
    /// The unit whose desk it is at.
    pub unit_code: String,
    /// The procedure it is for.
    pub procedure_code: String,
    /// When the slot begins, after the change.
    pub starts_at: DateTime<Utc>,
    /// When the slot ends.
    pub ends_at: DateTime<Utc>,
    pub status: AppointmentStatus,
    /// Where a moved booking was before (`appointment.rescheduled`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_starts_at: Option<DateTime<Utc>>,
    /// Who cancelled it (`appointment.cancelled`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_by: Option<CancelledBy>,
}

impl AppointmentData {
    pub fn of(
        appointment: &entity::appointment::Model,
        unit_code: &str,
        procedure_code: &str,
    ) -> AppointmentData {
        AppointmentData {
            appointment_id: appointment.id,
            unit_code: unit_code.to_owned(),
            procedure_code: procedure_code.to_owned(),
            starts_at: appointment.starts_at,
            ends_at: appointment.ends_at,
            status: appointment.status,
            previous_starts_at: appointment.previous_start,
            cancelled_by: appointment.cancelled_by,
        }
    }
}

/// `ticket.called`: a counter called a ticket of the desk's queue.
#[derive(Debug, Clone, Object, Serialize)]
#[oai(rename = "TicketCalledData")]
pub struct TicketCalledData {
    /// The ticket.
    pub ticket_id: Uuid,
    /// The unit whose queue it is in.
    pub unit_code: String,
    /// The unit's local date of the queue.
    pub service_day: NaiveDate,
    /// The number as the screen shows it (`A012`).
    pub display_number: String,
    /// The counter it is called to.
    pub counter: i32,
    /// The booking it checked in for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment_id: Option<Uuid>,
}

/// `rating.created`: a citizen rated the officer who served them.
#[derive(Debug, Clone, Object, Serialize)]
#[oai(rename = "RatingCreatedData")]
pub struct RatingCreatedData {
    /// The rating.
    pub rating_id: Uuid,
    /// The unit of the officer rated.
    pub unit_code: String,
    pub level: RatingLevel,
    pub channel: RatingChannel,
}

/// `complaint.status_changed`: a complaint about an officer moved on.
#[derive(Debug, Clone, Object, Serialize)]
#[oai(rename = "ComplaintStatusChangedData")]
pub struct ComplaintStatusChangedData {
    /// The complaint.
    pub complaint_id: Uuid,
    /// The unit where the conduct happened.
    pub unit_code: String,
    pub from_status: ComplaintStatus,
    pub status: ComplaintStatus,
}

/// `letter.issued`: a unit issued a letter.
#[derive(Debug, Clone, Object, Serialize)]
#[oai(rename = "LetterIssuedData")]
pub struct LetterIssuedData {
    /// The letter (`GET /letters/{id}`).
    pub letter_id: Uuid,
    /// The unit that issued it.
    pub unit_code: String,
    pub kind: LetterKind,
    /// Its number in the unit's register of the year.
    pub number: i32,
    /// The year of the register.
    pub year: i32,
    /// True when issued on a dossier's completion, false when by hand.
    pub automatic: bool,
}

/// `ping`: sent by `POST /webhooks/{id}/test` to that endpoint only.
#[derive(Debug, Clone, Object, Serialize)]
#[oai(rename = "PingData")]
pub struct PingData {
    /// The endpoint tested.
    pub webhook_id: Uuid,
}
