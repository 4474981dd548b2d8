//! Desk settings from a request, checked field by field and then as a whole schedule.

use chrono::NaiveTime;
use chrono_tz::Tz;

use super::dto::{DeskSettings, WEEKDAY_FIELDS};
use crate::{
    calendar::store::parse_time,
    domain::calendar::{DeskSchedule, Interval},
    error::FieldError,
    i18n::Text,
};

pub const COUNTERS: std::ops::RangeInclusive<i32> = 1..=200;
pub const SLOT_MINUTES: std::ops::RangeInclusive<i32> = 5..=240;

/// Settings that passed every rule.
pub struct ValidSettings {
    pub schedule: DeskSchedule,
    pub counters: i32,
    pub slot_minutes: i32,
    pub booking: BookingSettings,
}

/// How a desk takes appointments.
pub struct BookingSettings {
    /// `None`: one seat per counter.
    pub appointment_seats: Option<i32>,
    pub min_lead_minutes: i32,
    pub booking_horizon_days: i32,
    pub cancel_cutoff_minutes: i32,
}

/// A week, in minutes: the longest lead time or cut-off.
const WEEK_MINUTES: std::ops::RangeInclusive<i32> = 0..=10_080;

/// The value of an optional whole-number setting, its default when left out, or an error.
fn setting(
    field: &str,
    value: Option<i32>,
    (default, range): (i32, std::ops::RangeInclusive<i32>),
    errors: &mut Vec<FieldError>,
) -> i32 {
    let value = value.unwrap_or(default);
    if !range.contains(&value) {
        errors.push(FieldError {
            field: field.to_owned(),
            message: Text::new(
                format!("Giá trị phải từ {} đến {}.", range.start(), range.end()),
                format!("The value must be {}–{}.", range.start(), range.end()),
            ),
        });
    }
    value
}

fn booking_settings(input: &DeskSettings, errors: &mut Vec<FieldError>) -> BookingSettings {
    if input.appointment_seats.is_some_and(|seats| !(0..=200).contains(&seats)) {
        errors.push(FieldError::new(
            "appointment_seats",
            "Số chỗ hẹn mỗi lượt phải từ 0 đến 200.",
            "Seats per slot must be 0–200.",
        ));
    }
    BookingSettings {
        appointment_seats: input.appointment_seats,
        min_lead_minutes: setting("min_lead_minutes", input.min_lead_minutes, (60, WEEK_MINUTES), errors),
        booking_horizon_days: setting(
            "booking_horizon_days",
            input.booking_horizon_days,
            (30, 1..=366),
            errors,
        ),
        cancel_cutoff_minutes: setting(
            "cancel_cutoff_minutes",
            input.cancel_cutoff_minutes,
            (120, WEEK_MINUTES),
            errors,
        ),
    }
}

fn time(field: String, text: &str, errors: &mut Vec<FieldError>) -> Option<NaiveTime> {
    let parsed = parse_time(text);
    if parsed.is_none() {
        errors.push(FieldError {
            field,
            message: Text::new("Giờ phải có dạng HH:MM.", "Times are written HH:MM."),
        });
    }
    parsed
}

pub fn settings(input: &DeskSettings) -> Result<ValidSettings, Vec<FieldError>> {
    let mut errors = Vec::new();
    let time_zone = input.time_zone.parse::<Tz>().ok();
    if time_zone.is_none() {
        errors.push(FieldError::new(
            "time_zone",
            "Múi giờ không hợp lệ; dùng tên IANA như Asia/Ho_Chi_Minh.",
            "Unknown time zone; use an IANA name such as Asia/Ho_Chi_Minh.",
        ));
    }
    let mut weekly_hours: [Vec<Interval>; 7] = Default::default();
    for ((day, intervals), hours) in
        WEEKDAY_FIELDS.iter().zip(input.opening_hours.days()).zip(&mut weekly_hours)
    {
        for (position, interval) in intervals.iter().enumerate() {
            let path = format!("opening_hours.{day}[{position}]");
            let start = time(format!("{path}.start"), &interval.start, &mut errors);
            let end = time(format!("{path}.end"), &interval.end, &mut errors);
            if let (Some(start), Some(end)) = (start, end) {
                hours.push(Interval { start, end });
            }
        }
    }
    let intake_cutoff = time("intake_cutoff".into(), &input.intake_cutoff, &mut errors);
    if !COUNTERS.contains(&input.counters) {
        errors.push(FieldError::new("counters", "Số quầy phải từ 1 đến 200.", "Counters must be 1–200."));
    }
    if !SLOT_MINUTES.contains(&input.slot_minutes) {
        errors.push(FieldError::new(
            "slot_minutes",
            "Thời lượng mỗi lượt hẹn phải từ 5 đến 240 phút.",
            "The slot length must be 5–240 minutes.",
        ));
    }
    let booking = booking_settings(input, &mut errors);
    let (Some(time_zone), Some(intake_cutoff), true) = (time_zone, intake_cutoff, errors.is_empty()) else {
        return Err(errors);
    };
    let schedule = DeskSchedule { time_zone, weekly_hours, intake_cutoff };
    if let Err(problem) = schedule.validate() {
        return Err(vec![FieldError {
            field: "opening_hours".into(),
            message: Text::new(format!("Lịch làm việc không hợp lệ: {problem}"), problem),
        }]);
    }
    Ok(ValidSettings { schedule, counters: input.counters, slot_minutes: input.slot_minutes, booking })
}
