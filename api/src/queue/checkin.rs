//! Check-in: a ticket for an appointment or a walk-in, numbered gap-free per unit and day.

use chrono::{DateTime, Utc};
use entity::{
    appointment, ticket,
    values::{AppointmentStatus, PriorityClass, QueueEventKind, TicketKind, TicketStatus},
};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{QueueDesk, store};
use crate::{
    appointments::store as appointments,
    domain::queue::{arrival, closing_time, display_number},
    error::{ApiError, ApiResult, FieldError},
    i18n::Text,
    problems,
};

/// A check-in as the desk takes it.
#[derive(Debug, Clone)]
pub struct CheckIn {
    pub appointment_id: Option<Uuid>,
    pub service_group: Option<String>,
    pub priority_class: PriorityClass,
    pub priority_reason: Option<String>,
}

impl CheckIn {
    /// A priority ticket says why; a normal one has no reason to give.
    fn validate(&self) -> ApiResult<()> {
        match (self.priority_class, &self.priority_reason) {
            (PriorityClass::Priority, None) => Err(ApiError::validation(vec![FieldError::new(
                "priority_reason",
                "Số ưu tiên cần ghi lý do ưu tiên.",
                "A priority ticket needs a priority_reason.",
            )])),
            (PriorityClass::Normal, Some(_)) => Err(ApiError::validation(vec![FieldError::new(
                "priority_reason",
                "Chỉ số ưu tiên mới có lý do ưu tiên.",
                "Only a priority ticket takes a priority_reason.",
            )])),
            _ => Ok(()),
        }
    }
}

/// Gives out the desk's next ticket of the day.
pub async fn check_in(
    tx: &impl ConnectionTrait,
    desk: &QueueDesk,
    request: CheckIn,
    now: DateTime<Utc>,
) -> ApiResult<ticket::Model> {
    request.validate()?;
    let today = desk.today(now);
    let closes_at = closing_time(&desk.calendar, today)
        .filter(|closes_at| now < *closes_at)
        .ok_or_else(|| ApiError::of(&problems::DESK_CLOSED))?;
    let group = desk
        .rules
        .group(request.service_group.as_deref())
        .ok_or_else(|| ApiError::of(&problems::UNKNOWN_SERVICE_GROUP))?;
    let (kind, slot_start) = match request.appointment_id {
        Some(id) => {
            let booking = checkable_appointment(tx, desk, id, now).await?;
            let kind = arrival(booking.starts_at, now, &desk.rules).map_err(|early| {
                let opens =
                    desk.calendar.local_naive(early.opens_at).map(|at| at.format("%H:%M").to_string());
                let opens = opens.unwrap_or_default();
                ApiError::of(&problems::TOO_EARLY_TO_CHECK_IN).with_detail(Text::new(
                    format!("Chưa đến giờ nhận số: lịch hẹn này nhận số từ {opens}."),
                    format!("Too early: this appointment checks in from {opens}."),
                ))
            })?;
            settle_appointment(tx, booking.clone(), AppointmentStatus::CheckedIn, now).await?;
            (kind, (kind == TicketKind::Appointment).then_some(booking.starts_at))
        }
        None => (TicketKind::WalkIn, None),
    };
    let number = store::lock_day(tx, desk.unit.id, today, 1).await?.last_number;
    let ticket = ticket::Model {
        id: Uuid::now_v7(),
        unit_id: desk.unit.id,
        service_day: today,
        number,
        display_number: display_number(&group.prefix, number),
        service_group: group.code.clone(),
        kind,
        priority_class: request.priority_class,
        priority_reason: request.priority_reason,
        appointment_id: request.appointment_id,
        slot_start,
        status: TicketStatus::Waiting,
        queue_key: i64::from(number),
        counter: None,
        target_counter: None,
        recalls: 0,
        outcome: None,
        dossier_id: None,
        officer_id: None,
        checked_in_at: now,
        first_called_at: None,
        called_at: None,
        serving_at: None,
        finished_at: None,
        closes_at,
        version: 1,
    };
    store::insert_ticket(tx, ticket.clone()).await?;
    let event = store::Event { kind: QueueEventKind::Ticket, ticket_id: Some(ticket.id), counter: None };
    store::record(tx, desk.unit.id, now, event).await?;
    Ok(ticket)
}

/// The booking of a check-in: at this desk, today, and still booked.
async fn checkable_appointment(
    tx: &impl ConnectionTrait,
    desk: &QueueDesk,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<appointment::Model> {
    let booking = appointments::by_id_for_update(tx, id)
        .await?
        .filter(|a| a.unit_id == desk.unit.id && desk.calendar.local_date(a.starts_at) == desk.today(now))
        .ok_or_else(|| ApiError::of(&problems::APPOINTMENT_NOT_TODAY))?;
    match booking.status {
        AppointmentStatus::Booked => Ok(booking),
        AppointmentStatus::CheckedIn => Err(ApiError::of(&problems::ALREADY_CHECKED_IN)),
        _ => Err(ApiError::of(&problems::APPOINTMENT_NOT_CHECKABLE)),
    }
}

/// Moves a booking on as its ticket does: checked in at check-in, then served or missed.
pub async fn settle_appointment(
    tx: &impl ConnectionTrait,
    mut booking: appointment::Model,
    status: AppointmentStatus,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    booking.status = status;
    booking.version += 1;
    booking.updated_at = now;
    appointments::update(tx, booking).await?;
    Ok(())
}
