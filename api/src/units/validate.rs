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
    Ok(ValidSettings { schedule, counters: input.counters, slot_minutes: input.slot_minutes })
}
