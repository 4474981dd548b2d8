use crate::appointments::dto::Appointment;
use chrono::NaiveDate;
use poem_openapi::{Enum, Object, types::Example};
use uuid::Uuid;

use crate::{domain::calendar::Interval, input::Line};

/// An opening interval of a desk, in the unit's local time.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub struct OpeningInterval {
    /// Opening time, `HH:MM`.
    pub start: Line<1, 5>,
    /// Closing time, `HH:MM` (closed from this minute on).
    pub end: Line<1, 5>,
}

impl From<&Interval> for OpeningInterval {
    fn from(interval: &Interval) -> Self {
        OpeningInterval {
            start: Line::from_stored(interval.start.format("%H:%M").to_string()),
            end: Line::from_stored(interval.end.format("%H:%M").to_string()),
        }
    }
}

pub use entity::values::HolidayKind;

/// A dated exception to the weekly hours: national, or of a unit (and then of its sub-units).
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Holiday {
    /// The holiday's id.
    pub id: Uuid,
    /// The date it applies to.
    pub date: NaiveDate,
    /// `off` closes the day, `working` opens it.
    pub kind: HolidayKind,
    /// What the day is, e.g. "Tết Dương lịch".
    pub name: String,
    /// The unit that set it; absent for a national holiday.
    pub unit_code: Option<String>,
}

impl Example for Holiday {
    fn example() -> Self {
        Holiday {
            id: Uuid::nil(),
            date: NaiveDate::from_ymd_opt(2026, 9, 2).unwrap_or_default(),
            kind: HolidayKind::Off,
            name: "Quốc khánh".into(),
            unit_code: None,
        }
    }
}

/// A holiday just recorded, and the open dossiers whose due dates it moved.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct HolidayAdded {
    #[oai(flatten)]
    pub holiday: Holiday,
    /// How many open dossiers of the units it covers got a new due date; each has a
    /// `due_rescheduled` entry in its timeline.
    pub rescheduled_dossiers: u64,
    /// The bookings on a day it closes, cancelled by the unit (with `dry_run`: that would be).
    pub cancelled_appointments: Vec<Appointment>,
}

impl Example for HolidayAdded {
    fn example() -> Self {
        HolidayAdded {
            holiday: Holiday::example(),
            rescheduled_dossiers: 3,
            cancelled_appointments: vec![Appointment::example()],
        }
    }
}

/// What removing a holiday moved.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct HolidayRemoved {
    /// How many open dossiers of the units it covered got a new due date; each has a
    /// `due_rescheduled` entry in its timeline.
    pub rescheduled_dossiers: u64,
    /// The bookings on a make-up day it removes, cancelled by the unit (with `dry_run`: that
    /// would be).
    pub cancelled_appointments: Vec<Appointment>,
}

impl Example for HolidayRemoved {
    fn example() -> Self {
        HolidayRemoved { rescheduled_dossiers: 3, cancelled_appointments: Vec::new() }
    }
}

/// A new holiday or make-up working day.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct NewHoliday {
    /// The date.
    pub date: NaiveDate,
    /// `off` closes the day, `working` opens it.
    pub kind: HolidayKind,
    /// What the day is, 1–200 characters.
    pub name: Line<1, 200>,
    /// The unit it is for (and its sub-units); absent for a national holiday (administrators only).
    pub unit_code: Option<Line<1, 40>>,
}

impl Example for NewHoliday {
    fn example() -> Self {
        NewHoliday {
            date: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap_or_default(),
            kind: HolidayKind::Working,
            name: "Làm bù ngày 02/01/2026".into(),
            unit_code: Some("000.20.33.H12".into()),
        }
    }
}

/// Whether a desk works on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DayStatus {
    /// The desk is open.
    Working,
    /// The desk is closed all day.
    Off,
}

/// One day of a unit's calendar.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct CalendarDay {
    /// The local date.
    pub date: NaiveDate,
    /// True when the desk is open that day.
    pub working: bool,
    /// `working` or `off`, the same as `working` in words.
    pub status: DayStatus,
    /// Opening intervals of the day, empty on a day off.
    pub hours: Vec<OpeningInterval>,
    /// The holiday or make-up day that decides this day, if any.
    pub holiday_name: Option<String>,
}

impl Example for CalendarDay {
    fn example() -> Self {
        CalendarDay {
            date: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap_or_default(),
            working: true,
            status: DayStatus::Working,
            hours: vec![
                OpeningInterval { start: "07:30".into(), end: "11:30".into() },
                OpeningInterval { start: "13:30".into(), end: "17:00".into() },
            ],
            holiday_name: Some("Làm bù ngày 02/01/2026".into()),
        }
    }
}
