//! Appointments at a unit's desk: open slots, booking under an `Idempotency-Key`, moving and
//! cancelling, the unit's own cancellations, and reminders.
//!
//! Routes by use: [`routes`] (slots, booking, reading) and [`changes`] (cancel, reschedule,
//! no-show); the rules of each write are in [`booking`], the unit-side cancellations in
//! [`unit_changes`], the reminder sender in [`reminders`].

pub mod booking;
pub mod changes;
pub mod dto;
pub mod reminders;
pub mod routes;
pub mod store;
pub mod unit_changes;
pub mod views;

use chrono::Duration;
use entity::unit;
use sea_orm::ConnectionTrait;

use crate::{
    calendar::store::working_calendar,
    domain::{calendar::WorkingCalendar, slots::BookingRules},
};

/// A unit's desk as booking sees it: the unit, its working calendar and its booking rules.
#[derive(Debug, Clone)]
pub struct Desk {
    pub unit: unit::Model,
    pub calendar: WorkingCalendar,
    pub rules: BookingRules,
}

/// The booking rules stored on a unit. A deactivated unit takes no appointments.
pub fn rules_of(unit: &unit::Model) -> BookingRules {
    let seats = if unit.active { unit.appointment_seats.unwrap_or(unit.counters) } else { 0 };
    let minutes = |m: i32| Duration::minutes(i64::from(m.max(0)));
    BookingRules {
        slot_minutes: u32::try_from(unit.slot_minutes).unwrap_or(1).max(1),
        seats: u32::try_from(seats).unwrap_or(0),
        min_lead: minutes(unit.min_lead_minutes),
        horizon_days: u32::try_from(unit.booking_horizon_days).unwrap_or(0),
        cancel_cutoff: minutes(unit.cancel_cutoff_minutes),
    }
}

impl Desk {
    pub async fn of(db: &impl ConnectionTrait, unit: unit::Model) -> Result<Desk, sea_orm::DbErr> {
        let calendar = working_calendar(db, &unit).await?;
        Ok(Desk { rules: rules_of(&unit), calendar, unit })
    }
}

/// Desks by unit code as the slots listing shows them, kept per process for
/// `MOTCUA_SLOTS_DESK_TTL_SECS` (see [`crate::fresh`]). Booking never reads them: it reads
/// the desk again in its own transaction, so a stale listing can only offer a slot that
/// booking then refuses. Holiday and settings changes made through this process forget them.
pub type ListedDesks = crate::fresh::Fresh<String, std::sync::Arc<Desk>>;
