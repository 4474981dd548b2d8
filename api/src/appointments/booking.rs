//! The rules of each write to an appointment, run inside the caller's write transaction:
//! booking, moving, cancelling, marking a no-show. Each returns the appointment as written.

use chrono::{DateTime, Duration, Utc};
use entity::{
    appointment,
    values::{AppointmentStatus, CancelledBy, EventType, NotificationKind},
};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{
    Desk,
    dto::Appointment,
    store,
    views::{view, when},
};
use crate::{
    config::AppointmentConfig,
    db::{CalendarLock, lock_calendars},
    domain::slots::{self, Slot},
    error::{ApiError, ApiResult},
    http::etag::{check_if_match, require_if_match},
    i18n::Text,
    notifications::store::{NewNotice, Subject, notify},
    problems,
    procedures::store::{procedure_by_id, unit_offering},
    push::Push,
    units::store::unit_by_id,
    webhooks::payloads::{AppointmentData, announce},
};

/// What a citizen asks to book, parsed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BookingRequest {
    pub unit_code: String,
    pub procedure_code: String,
    pub start: DateTime<Utc>,
}

async fn tell(
    db: &impl ConnectionTrait,
    push: Push,
    appointment: &appointment::Model,
    kind: NotificationKind,
    (title, body): (Text, Text),
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let notice = NewNotice {
        user_id: appointment.citizen_id,
        subject: Subject::Appointment(appointment.id),
        kind,
        title,
        body,
    };
    Ok(notify(db, push, notice, now).await?)
}

/// The slot beginning at `start` if it can be booked now at this desk, else 422.
fn bookable_slot(desk: &Desk, start: DateTime<Utc>, now: DateTime<Utc>) -> ApiResult<Slot> {
    let slot = slots::slot_starting_at(&desk.calendar, start, desk.rules.slot_minutes)
        .ok_or_else(|| ApiError::of(&problems::NOT_A_SLOT))?;
    let listed = slots::ListedSlot { slot, holiday: false };
    let beyond_horizon =
        desk.calendar.local_date(start) > slots::last_bookable_date(&desk.calendar, now, &desk.rules);
    let refusal = match slots::unavailable(&listed, now, &desk.rules) {
        Some(slots::Unavailable::Past) => Some(("Lượt hẹn đã qua.", "The slot has begun or is over.")),
        Some(slots::Unavailable::LeadTime) => Some((
            "Lượt hẹn bắt đầu quá sớm; cần đặt trước lâu hơn.",
            "The slot begins too soon; the unit needs more notice.",
        )),
        Some(_) => Some(("Đơn vị không nhận lịch hẹn.", "The unit takes no appointments.")),
        None if beyond_horizon => Some((
            "Lượt hẹn ở quá xa; đơn vị chưa mở đặt lịch cho ngày đó.",
            "The slot is beyond the unit's booking horizon.",
        )),
        None => None,
    };
    match refusal {
        Some((vi, en)) => Err(ApiError::of(&problems::SLOT_NOT_BOOKABLE).with_detail(Text::new(vi, en))),
        None => Ok(slot),
    }
}

/// Refuses a citizen over the limits: too many upcoming bookings, or blocked after no-shows.
async fn check_limits(
    db: &impl ConnectionTrait,
    (config, desk): (&AppointmentConfig, &Desk),
    citizen: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let window = Duration::days(i64::from(config.no_show_window_days));
    let standing = store::standing(db, citizen, now, now - window).await?;
    if config.no_show_limit > 0 && config.block_days > 0 {
        let missed = &standing.no_shows;
        // The block runs from the no-show that reached the limit: the latest of them.
        if missed.len() >= config.no_show_limit as usize {
            let until = missed[0] + Duration::days(i64::from(config.block_days));
            if now < until {
                let local = until.with_timezone(&desk.calendar.schedule().time_zone);
                let (vi, en) = (local.format("%H:%M ngày %d/%m/%Y"), local.format("%H:%M on %d/%m/%Y"));
                return Err(ApiError::of(&problems::BOOKING_BLOCKED).with_detail(Text::new(
                    format!("Bạn đã vắng mặt {} lần gần đây; có thể đặt lịch lại từ {vi}.", missed.len()),
                    format!("You missed {} appointments lately; you can book again from {en}.", missed.len()),
                )));
            }
        }
    }
    if config.max_upcoming > 0 && standing.upcoming >= config.max_upcoming as usize {
        return Err(ApiError::of(&problems::BOOKING_LIMIT_REACHED));
    }
    Ok(())
}

/// A booking of `citizen` at a unit's slot for a procedure, made `now`, before it holds a seat.
pub fn new_booking(
    (unit_id, procedure_id, citizen_id): (Uuid, Uuid, Uuid),
    slot: &Slot,
    now: DateTime<Utc>,
) -> appointment::Model {
    appointment::Model {
        // Ids in time order break ties between bookings of the same instant: the earlier keeps
        // its seat when the unit has fewer (see `unit_changes`).
        id: Uuid::now_v7(),
        unit_id,
        procedure_id,
        citizen_id,
        starts_at: slot.start,
        ends_at: slot.end,
        status: AppointmentStatus::Booked,
        version: 1,
        previous_start: None,
        reschedule_count: 0,
        cancelled_by: None,
        cancel_reason: None,
        cancelled_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Books a seat for `citizen`: 409 `slot_full` when none is left.
pub async fn book(
    tx: &impl ConnectionTrait,
    push: Push,
    config: &AppointmentConfig,
    citizen: Uuid,
    request: &BookingRequest,
    now: DateTime<Utc>,
) -> ApiResult<Appointment> {
    // Seat counts and calendars hold still while this booking reads them (a unit lowering its
    // seats or adding a holiday waits, and cancels what no longer fits).
    lock_calendars(tx, CalendarLock::Reading).await?;
    let (unit, procedure_id) = unit_offering(tx, &request.unit_code, &request.procedure_code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let procedure_id = procedure_id.ok_or_else(|| ApiError::of(&problems::PROCEDURE_NOT_OFFERED))?;
    let desk = Desk::of(tx, unit).await?;
    let slot = bookable_slot(&desk, request.start, now)?;
    store::lock_citizen(tx, citizen).await?;
    check_limits(tx, (config, &desk), citizen, now).await?;
    let appointment = new_booking((desk.unit.id, procedure_id, citizen), &slot, now);
    store::insert(tx, appointment.clone()).await?;
    if !store::take_seat(tx, desk.unit.id, &slot, desk.rules.seats, &appointment).await? {
        return Err(ApiError::of(&problems::SLOT_FULL));
    }
    store::schedule_reminder(tx, &appointment, slots::reminder_due(&desk.calendar, slot.start)).await?;
    let at = when(desk.calendar.schedule().time_zone, slot.start);
    let notice = (
        Text::new("Đã đặt lịch hẹn", "Appointment booked"),
        Text::new(
            format!("Lịch hẹn tại {} lúc {at} đã được xác nhận.", desk.unit.name),
            format!("Your appointment at {} at {at} is confirmed.", desk.unit.name),
        ),
    );
    tell(tx, push, &appointment, NotificationKind::AppointmentBooked, notice, now).await?;
    let data = AppointmentData::of(&appointment, &desk.unit.code, &request.procedure_code);
    announce(tx, now, EventType::AppointmentBooked, desk.unit.id, &data).await?;
    Ok(view(&appointment, &desk, &request.procedure_code))
}

/// A citizen's own appointment, locked, with its desk and procedure code (404 for anyone
/// else's).
async fn own_appointment(
    tx: &impl ConnectionTrait,
    citizen: Uuid,
    id: Uuid,
) -> ApiResult<(appointment::Model, Desk, String)> {
    let appointment = store::by_id_for_update(tx, id)
        .await?
        .filter(|a| a.citizen_id == citizen)
        .ok_or_else(ApiError::not_found)?;
    locked_context(tx, appointment).await
}

/// The desk and procedure code of an appointment.
pub async fn locked_context(
    tx: &impl ConnectionTrait,
    appointment: appointment::Model,
) -> ApiResult<(appointment::Model, Desk, String)> {
    let unit = unit_by_id(tx, appointment.unit_id).await?.ok_or_else(|| ApiError::internal("unit gone"))?;
    let procedure = procedure_by_id(tx, appointment.procedure_id)
        .await?
        .ok_or_else(|| ApiError::internal("procedure gone"))?;
    Ok((appointment, Desk::of(tx, unit).await?, procedure.code))
}

/// Moves a citizen's booking to the slot at `start` of the same unit. The new seat is taken
/// before the old one is let go, in this transaction: when the new slot is full, the booking
/// keeps its old seat.
pub async fn reschedule(
    tx: &impl ConnectionTrait,
    push: Push,
    config: &AppointmentConfig,
    citizen: Uuid,
    (id, if_match): (Uuid, Option<&str>),
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<Appointment> {
    require_if_match(if_match)?;
    lock_calendars(tx, CalendarLock::Reading).await?;
    let (mut appointment, desk, procedure_code) = own_appointment(tx, citizen, id).await?;
    let limit_reached =
        config.max_reschedules > 0 && appointment.reschedule_count >= config.max_reschedules as i32;
    if appointment.status != AppointmentStatus::Booked || limit_reached {
        return Err(ApiError::of(&problems::APPOINTMENT_NOT_RESCHEDULABLE));
    }
    check_if_match(if_match, appointment.version)?;
    if !slots::before_cutoff(appointment.starts_at, now, &desk.rules) {
        return Err(ApiError::of(&problems::CHANGE_CUTOFF_PASSED));
    }
    let slot = bookable_slot(&desk, start, now)?;
    if slot.start == appointment.starts_at {
        return Err(ApiError::invalid_field(
            "start",
            "Lịch hẹn đã ở đúng giờ này.",
            "The booking is already at this time.",
        ));
    }
    if !store::take_seat(tx, desk.unit.id, &slot, desk.rules.seats, &appointment).await? {
        return Err(ApiError::of(&problems::SLOT_FULL));
    }
    store::free_seat(tx, appointment.id, appointment.starts_at).await?;
    appointment.previous_start = Some(appointment.starts_at);
    appointment.starts_at = slot.start;
    appointment.ends_at = slot.end;
    appointment.reschedule_count += 1;
    appointment.version += 1;
    appointment.updated_at = now;
    store::update(tx, appointment.clone()).await?;
    store::void_reminders(tx, appointment.id, now).await?;
    store::schedule_reminder(tx, &appointment, slots::reminder_due(&desk.calendar, slot.start)).await?;
    let at = when(desk.calendar.schedule().time_zone, slot.start);
    let notice = (
        Text::new("Đã đổi giờ hẹn", "Appointment moved"),
        Text::new(
            format!("Lịch hẹn tại {} đã chuyển sang {at}.", desk.unit.name),
            format!("Your appointment at {} moved to {at}.", desk.unit.name),
        ),
    );
    tell(tx, push, &appointment, NotificationKind::AppointmentRescheduled, notice, now).await?;
    let data = AppointmentData::of(&appointment, &desk.unit.code, &procedure_code);
    announce(tx, now, EventType::AppointmentRescheduled, desk.unit.id, &data).await?;
    Ok(view(&appointment, &desk, &procedure_code))
}

/// Cancels a citizen's booking before the cut-off. Cancelling a cancelled booking answers it
/// as it is: a retry changes nothing.
pub async fn cancel_own(
    tx: &impl ConnectionTrait,
    push: Push,
    citizen: Uuid,
    (id, if_match): (Uuid, Option<&str>),
    reason: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<Appointment> {
    require_if_match(if_match)?;
    lock_calendars(tx, CalendarLock::Reading).await?;
    let (appointment, desk, procedure_code) = own_appointment(tx, citizen, id).await?;
    // A repeat finds it cancelled already, at a version after the one it names: the same answer.
    if appointment.status == AppointmentStatus::Cancelled {
        return Ok(view(&appointment, &desk, &procedure_code));
    }
    if appointment.status != AppointmentStatus::Booked {
        return Err(ApiError::of(&problems::APPOINTMENT_NOT_CANCELLABLE));
    }
    check_if_match(if_match, appointment.version)?;
    if !slots::before_cutoff(appointment.starts_at, now, &desk.rules) {
        return Err(ApiError::of(&problems::CHANGE_CUTOFF_PASSED));
    }
    let cancelled = cancel(tx, push, appointment, &desk, (CancelledBy::Citizen, reason), now).await?;
    Ok(view(&cancelled, &desk, &procedure_code))
}

/// Cancels a booking, frees its seat, voids its reminder and tells the citizen.
pub async fn cancel(
    tx: &impl ConnectionTrait,
    push: Push,
    mut appointment: appointment::Model,
    desk: &Desk,
    (by, reason): (CancelledBy, Option<String>),
    now: DateTime<Utc>,
) -> ApiResult<appointment::Model> {
    store::free_seat(tx, appointment.id, appointment.starts_at).await?;
    appointment.status = AppointmentStatus::Cancelled;
    appointment.cancelled_by = Some(by);
    appointment.cancel_reason = reason;
    appointment.cancelled_at = Some(now);
    appointment.version += 1;
    appointment.updated_at = now;
    store::update(tx, appointment.clone()).await?;
    store::void_reminders(tx, appointment.id, now).await?;
    let place =
        format!("{} lúc {}", desk.unit.name, when(desk.calendar.schedule().time_zone, appointment.starts_at));
    let body = match (by, &appointment.cancel_reason) {
        (CancelledBy::Citizen, _) => Text::new(
            format!("Bạn đã hủy lịch hẹn tại {place}."),
            format!("You cancelled your appointment at {place}."),
        ),
        (_, Some(reason)) => Text::new(
            format!("Lịch hẹn tại {place} đã bị hủy: {reason}. Xin lỗi vì sự bất tiện."),
            format!(
                "Your appointment at {place} was cancelled: {reason}. We apologise for the inconvenience."
            ),
        ),
        (_, None) => Text::new(
            format!("Lịch hẹn tại {place} đã bị hủy. Xin lỗi vì sự bất tiện."),
            format!("Your appointment at {place} was cancelled. We apologise for the inconvenience."),
        ),
    };
    let notice = (Text::new("Lịch hẹn đã hủy", "Appointment cancelled"), body);
    tell(tx, push, &appointment, NotificationKind::AppointmentCancelled, notice, now).await?;
    let procedure = procedure_by_id(tx, appointment.procedure_id).await?.map(|p| p.code).unwrap_or_default();
    let data = AppointmentData::of(&appointment, &desk.unit.code, &procedure);
    announce(tx, now, EventType::AppointmentCancelled, desk.unit.id, &data).await?;
    Ok(appointment)
}

/// Marks a booking whose slot is over as missed (an officer of its unit, checked by the caller).
pub async fn mark_no_show(
    tx: &impl ConnectionTrait,
    appointment: appointment::Model,
    if_match: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<Appointment> {
    let (mut appointment, desk, procedure_code) = locked_context(tx, appointment).await?;
    if appointment.status != AppointmentStatus::Booked || now < appointment.ends_at {
        return Err(ApiError::of(&problems::APPOINTMENT_NOT_DUE));
    }
    check_if_match(if_match, appointment.version)?;
    appointment.status = AppointmentStatus::NoShow;
    appointment.version += 1;
    appointment.updated_at = now;
    store::update(tx, appointment.clone()).await?;
    store::void_reminders(tx, appointment.id, now).await?;
    Ok(view(&appointment, &desk, &procedure_code))
}
