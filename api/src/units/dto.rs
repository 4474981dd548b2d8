use chrono::NaiveDate;
use poem_openapi::Object;

use crate::{calendar::dto::OpeningInterval, input::Line};

/// Weekly opening hours: for each weekday, its opening intervals in order (none = closed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Object)]
pub struct WeeklyHours {
    /// Monday's intervals.
    #[oai(default)]
    pub monday: Vec<OpeningInterval>,
    /// Tuesday's intervals.
    #[oai(default)]
    pub tuesday: Vec<OpeningInterval>,
    /// Wednesday's intervals.
    #[oai(default)]
    pub wednesday: Vec<OpeningInterval>,
    /// Thursday's intervals.
    #[oai(default)]
    pub thursday: Vec<OpeningInterval>,
    /// Friday's intervals.
    #[oai(default)]
    pub friday: Vec<OpeningInterval>,
    /// Saturday's intervals.
    #[oai(default)]
    pub saturday: Vec<OpeningInterval>,
    /// Sunday's intervals.
    #[oai(default)]
    pub sunday: Vec<OpeningInterval>,
}

/// The weekday names of [`WeeklyHours`], Monday first, as they appear in field paths.
pub const WEEKDAY_FIELDS: [&str; 7] =
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

impl WeeklyHours {
    /// The days Monday first.
    pub fn days(&self) -> [&Vec<OpeningInterval>; 7] {
        [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ]
    }

    pub fn from_days(days: [Vec<OpeningInterval>; 7]) -> WeeklyHours {
        let [monday, tuesday, wednesday, thursday, friday, saturday, sunday] = days;
        WeeklyHours { monday, tuesday, wednesday, thursday, friday, saturday, sunday }
    }
}

/// Whether a desk works today, in its own time zone.
#[derive(Debug, Clone, Object)]
pub struct UnitToday {
    /// Today's local date at the unit.
    pub date: NaiveDate,
    /// True when the desk is open today.
    pub working: bool,
    /// Today's opening intervals (empty on a day off).
    pub hours: Vec<OpeningInterval>,
}

/// A unit as the public sees it: where its desk is, when it is open, how it runs its queue.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct PublicUnit {
    /// The unit's code (e.g. `000.20.33.H12`).
    pub code: String,
    /// The unit's name.
    pub name: String,
    /// What kind of unit this is.
    pub kind: crate::admin::dto::UnitKind,
    /// The code of the unit above it, if any.
    pub parent_code: Option<String>,
    /// The desk's street address.
    pub address: Option<String>,
    /// False once the unit was deactivated (merged or abolished).
    pub active: bool,
    /// The IANA time zone its hours are in.
    pub time_zone: String,
    /// Regular weekly opening hours (holidays aside).
    pub opening_hours: WeeklyHours,
    /// Dossiers received at or after this local time (`HH:MM`) count from the next working day.
    pub intake_cutoff: String,
    /// How many counters serve at the desk.
    pub counters: i32,
    /// Length of an appointment slot, in minutes.
    pub slot_minutes: i32,
    /// Seats per appointment slot (0 = the unit takes no appointments); counters beyond it
    /// serve walk-ins.
    pub appointment_seats: i32,
    /// Booking closes this many minutes before a slot.
    pub min_lead_minutes: i32,
    /// Slots can be booked this many days ahead.
    pub booking_horizon_days: i32,
    /// Bookings can be cancelled or moved until this many minutes before their slot.
    pub cancel_cutoff_minutes: i32,
    /// Today's status at the unit.
    pub today: UnitToday,
}

fn office_day() -> Vec<OpeningInterval> {
    vec![
        OpeningInterval { start: "07:30".into(), end: "11:30".into() },
        OpeningInterval { start: "13:30".into(), end: "17:00".into() },
    ]
}

fn office_week() -> WeeklyHours {
    WeeklyHours::from_days(std::array::from_fn(|day| if day < 5 { office_day() } else { Vec::new() }))
}

impl poem_openapi::types::Example for PublicUnit {
    fn example() -> Self {
        PublicUnit {
            code: "000.20.33.H12".into(),
            name: "UBND phường Lái Thiêu".into(),
            kind: crate::admin::dto::UnitKind::Ward,
            parent_code: Some("000.00.20.H12".into()),
            address: Some("Đường Phan Đình Phùng, khu phố Long Thới, phường Lái Thiêu".into()),
            active: true,
            time_zone: "Asia/Ho_Chi_Minh".into(),
            opening_hours: office_week(),
            intake_cutoff: "15:00".into(),
            counters: 3,
            slot_minutes: 15,
            appointment_seats: 2,
            min_lead_minutes: 60,
            booking_horizon_days: 30,
            cancel_cutoff_minutes: 120,
            today: UnitToday {
                date: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default(),
                working: true,
                hours: office_day(),
            },
        }
    }
}

/// A desk's settings, replaced as a whole.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct DeskSettings {
    /// An IANA time zone name, e.g. `Asia/Ho_Chi_Minh`.
    pub time_zone: Line<1, 64>,
    /// Weekly opening hours; a weekday left out is closed.
    pub opening_hours: WeeklyHours,
    /// Intake cut-off, `HH:MM` local time.
    pub intake_cutoff: Line<1, 5>,
    /// Counters at the desk, 1–200.
    pub counters: i32,
    /// Appointment slot length in minutes, 5–240.
    pub slot_minutes: i32,
    /// Seats per appointment slot, 0–200 (0: no appointments); left out, one per counter.
    pub appointment_seats: Option<i32>,
    /// Minutes before a slot that booking closes, 0–10080 (default 60).
    pub min_lead_minutes: Option<i32>,
    /// Days ahead that slots can be booked, 1–366 (default 30).
    pub booking_horizon_days: Option<i32>,
    /// Minutes before a slot until which a booking can be cancelled or moved, 0–10080 (default 120).
    pub cancel_cutoff_minutes: Option<i32>,
}

/// Desk settings as saved, with the bookings they cancelled.
#[derive(Debug, Clone, Object)]
pub struct SettingsSaved {
    #[oai(flatten)]
    pub unit: PublicUnit,
    /// Bookings that no longer fit (fewer seats, other hours or slot length), cancelled by the
    /// unit (with `dry_run`: that would be).
    pub cancelled_appointments: Vec<crate::appointments::dto::Appointment>,
}

impl poem_openapi::types::Example for DeskSettings {
    fn example() -> Self {
        let mut opening_hours = office_week();
        opening_hours.saturday = vec![OpeningInterval { start: "07:30".into(), end: "11:30".into() }];
        DeskSettings {
            time_zone: "Asia/Ho_Chi_Minh".into(),
            opening_hours,
            intake_cutoff: "15:00".into(),
            counters: 4,
            slot_minutes: 20,
            appointment_seats: Some(3),
            min_lead_minutes: Some(60),
            booking_horizon_days: Some(30),
            cancel_cutoff_minutes: Some(120),
        }
    }
}
