//! What the appointment operations take and answer.

use chrono::{DateTime, FixedOffset, Utc};
use entity::values::{AppointmentStatus, CancelledBy};
use poem_openapi::{Enum, Object, types::Example};
use uuid::Uuid;

use crate::{domain::slots::Unavailable, input::Line};

/// Why a slot cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum UnavailableReason {
    /// Every seat is taken.
    Full,
    /// It has begun or is over.
    Past,
    /// It begins sooner than the unit's minimum lead time.
    LeadTime,
    /// The unit takes no appointments.
    Closed,
    /// A holiday closes the desk that day.
    Holiday,
}

impl From<Unavailable> for UnavailableReason {
    fn from(reason: Unavailable) -> Self {
        match reason {
            Unavailable::Full => UnavailableReason::Full,
            Unavailable::Past => UnavailableReason::Past,
            Unavailable::LeadTime => UnavailableReason::LeadTime,
            Unavailable::Closed => UnavailableReason::Closed,
            Unavailable::Holiday => UnavailableReason::Holiday,
        }
    }
}

/// One appointment slot of a unit.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct SlotView {
    /// When it begins, in the unit's time zone.
    pub start: DateTime<FixedOffset>,
    /// When it ends, in the unit's time zone.
    pub end: DateTime<FixedOffset>,
    /// Seats the slot has for appointments.
    pub capacity: i32,
    /// Seats still free.
    pub available: i32,
    /// True when it can be booked now.
    pub bookable: bool,
    /// Why it cannot be booked; absent when it can.
    #[oai(skip_serializing_if_is_none)]
    pub unavailable_reason: Option<UnavailableReason>,
}

/// A booking to make.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct NewAppointment {
    /// The unit whose desk to visit.
    pub unit_code: Line<1, 40>,
    /// The procedure to do there; the unit must offer it.
    pub procedure_code: Line<1, 40>,
    /// The start of a slot, as `GET /units/{code}/slots` gives it (any offset).
    pub start: DateTime<FixedOffset>,
}

/// Move a booking to another slot of the same unit.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct RescheduleRequest {
    /// The start of the new slot.
    pub start: DateTime<FixedOffset>,
}

/// Cancel a booking.
#[derive(Debug, Clone, Object, Default)]
#[oai(example)]
pub struct CancelRequest {
    /// Why, in a few words (at most 500 characters).
    pub reason: Option<Line<1, 500>>,
}

/// A booking at a unit's desk.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Appointment {
    /// The booking's id; it stays the same when the booking moves.
    pub id: Uuid,
    /// Where it stands.
    pub status: AppointmentStatus,
    /// The unit.
    pub unit_code: String,
    /// The procedure.
    pub procedure_code: String,
    /// When the slot begins, in the unit's time zone.
    pub start: DateTime<FixedOffset>,
    /// When the slot ends, in the unit's time zone.
    pub end: DateTime<FixedOffset>,
    /// Until when it can be cancelled or moved (the unit's cut-off before the start).
    pub changeable_until: DateTime<FixedOffset>,
    /// Where the slot began before the last move; absent if it never moved.
    #[oai(skip_serializing_if_is_none)]
    pub previous_start: Option<DateTime<FixedOffset>>,
    /// How often it was moved.
    pub reschedule_count: i32,
    /// Who cancelled it; absent until cancelled.
    #[oai(skip_serializing_if_is_none)]
    pub cancelled_by: Option<CancelledBy>,
    /// Why it was cancelled; absent without a reason.
    #[oai(skip_serializing_if_is_none)]
    pub cancel_reason: Option<String>,
    /// When it was cancelled; absent until cancelled.
    #[oai(skip_serializing_if_is_none)]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// When it was booked.
    pub created_at: DateTime<Utc>,
    /// Its version, as in the `ETag`; changes take it in `If-Match`.
    pub version: i32,
}

fn example_instant(local: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(local).unwrap_or_default()
}

impl Example for SlotView {
    fn example() -> Self {
        SlotView {
            start: example_instant("2026-12-03T08:00:00+07:00"),
            end: example_instant("2026-12-03T08:15:00+07:00"),
            capacity: 3,
            available: 2,
            bookable: true,
            unavailable_reason: None,
        }
    }
}

impl Example for NewAppointment {
    fn example() -> Self {
        NewAppointment {
            unit_code: "000.20.33.H12".into(),
            procedure_code: "1.001193".into(),
            start: example_instant("2026-12-03T08:00:00+07:00"),
        }
    }
}

impl Example for RescheduleRequest {
    fn example() -> Self {
        RescheduleRequest { start: example_instant("2026-12-04T09:30:00+07:00") }
    }
}

impl Example for CancelRequest {
    fn example() -> Self {
        CancelRequest { reason: Some("Tôi có việc đột xuất".into()) }
    }
}

impl Example for Appointment {
    fn example() -> Self {
        Appointment {
            id: Uuid::from_u128(0x0193_8a1e_2b3c_7d4e_8f90_1a2b_3c4d_5e6f),
            status: AppointmentStatus::Booked,
            unit_code: "000.20.33.H12".into(),
            procedure_code: "1.001193".into(),
            start: example_instant("2026-12-03T08:00:00+07:00"),
            end: example_instant("2026-12-03T08:15:00+07:00"),
            changeable_until: example_instant("2026-12-03T06:00:00+07:00"),
            previous_start: None,
            reschedule_count: 0,
            cancelled_by: None,
            cancel_reason: None,
            cancelled_at: None,
            created_at: DateTime::<Utc>::from_timestamp(1_796_000_000, 0).unwrap_or_default(),
            version: 1,
        }
    }
}
