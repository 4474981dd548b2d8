//! The unit cancels too: when a holiday closes a booked day, or the unit changes its hours,
//! slot length or seats so that a booking no longer fits, the bookings that do not fit are
//! cancelled (`cancelled_by: unit`), their citizens told, and each cancellation audited.
//!
//! Within a slot the earliest bookings keep their seats; the seats they hold are renumbered
//! below the new seat count, so that the seat key keeps meaning "no more than the seats".
//! Callers hold the calendars' exclusive lock, so no booking reads the old settings meanwhile.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::{
    appointment,
    values::{AuditAction, CancelledBy},
};
use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

use super::{Desk, booking, dto::Appointment, store};
use crate::{
    admin::store::{Audit, write_audit},
    domain::slots,
    error::{ApiError, ApiResult},
    procedures::store::procedure_by_id,
    push::Push,
    units::store::unit_by_id,
};

/// Cancels the upcoming bookings of these units (every unit for `None`) that their desks, as
/// they now are, no longer hold; `why` is the reason each citizen reads.
pub async fn cancel_unfitting(
    tx: &impl ConnectionTrait,
    push: Push,
    units: Option<&[Uuid]>,
    audit: &Audit,
    why: &str,
) -> ApiResult<Vec<Appointment>> {
    let booked = store::booked_from(tx, units, audit.at).await?;
    let mut by_slot: BTreeMap<(Uuid, DateTime<Utc>), Vec<appointment::Model>> = BTreeMap::new();
    for appointment in booked {
        by_slot.entry((appointment.unit_id, appointment.starts_at)).or_default().push(appointment);
    }
    let mut desk: Option<Desk> = None;
    let mut cancelled = Vec::new();
    for ((unit_id, start), bookings) in by_slot {
        if desk.as_ref().is_none_or(|desk| desk.unit.id != unit_id) {
            let unit = unit_by_id(tx, unit_id).await?.ok_or_else(|| ApiError::internal("unit gone"))?;
            desk = Some(Desk::of(tx, unit).await?);
        }
        let Some(desk) = desk.as_ref() else { continue };
        let slot = slots::slot_starting_at(&desk.calendar, start, desk.rules.slot_minutes);
        let seats = match slot {
            Some(slot) if bookings.iter().all(|b| b.ends_at == slot.end) => desk.rules.seats as usize,
            _ => 0,
        };
        for appointment in bookings.into_iter().skip(seats) {
            let before = json!({"status": appointment.status, "start": appointment.starts_at});
            let code =
                procedure_by_id(tx, appointment.procedure_id).await?.map(|p| p.code).unwrap_or_default();
            let reason = (CancelledBy::Unit, Some(why.to_owned()));
            let done = booking::cancel(tx, push, appointment, desk, reason, audit.at).await?;
            let after = json!({"status": done.status, "cancelled_by": done.cancelled_by, "reason": why});
            let target = (done.id.to_string(), Some(done.unit_id));
            write_audit(tx, audit, AuditAction::AppointmentCancel, target, Some(before), after).await?;
            cancelled.push(super::views::view(&done, desk, &code));
        }
        renumber_seats(tx, unit_id, start, seats).await?;
    }
    Ok(cancelled)
}

/// Moves the seats of a slot numbered at or above `seats` into the free numbers below it.
async fn renumber_seats(
    tx: &impl ConnectionTrait,
    unit_id: Uuid,
    start: DateTime<Utc>,
    seats: usize,
) -> ApiResult<()> {
    let held = store::seats_of_slot(tx, unit_id, start).await?;
    let seats = i32::try_from(seats).unwrap_or(i32::MAX);
    let mut free = (0..seats).filter(|n| !held.iter().any(|seat| seat.seat == *n));
    for seat in held.iter().filter(|seat| seat.seat >= seats) {
        if let Some(to) = free.next() {
            store::renumber_seat(tx, seat, to).await?;
        }
    }
    Ok(())
}
