//! Appointment slots at a desk: cut from its opening hours in its own time zone, and the rules
//! that decide which can be booked, cancelled or moved, and when a reminder goes out.

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveTime, Utc};

use super::calendar::{Interval, WorkingCalendar};

/// Reminders go out "the day before", but never at night: inside these local hours.
const REMINDER_EARLIEST: NaiveTime = match NaiveTime::from_hms_opt(7, 0, 0) {
    Some(time) => time,
    None => panic!("clock time out of range"),
};
const REMINDER_LATEST: NaiveTime = match NaiveTime::from_hms_opt(20, 0, 0) {
    Some(time) => time,
    None => panic!("clock time out of range"),
};

/// How a unit takes appointments (its settings, already validated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingRules {
    /// Length of a slot, in minutes (at least 1).
    pub slot_minutes: u32,
    /// Seats per slot; 0 when the unit takes no appointments (or is deactivated).
    pub seats: u32,
    /// How long before a slot booking it closes.
    pub min_lead: Duration,
    /// How many days ahead (counted from today at the unit) slots can be booked.
    pub horizon_days: u32,
    /// Up to how long before its start a booking may be cancelled or moved.
    pub cancel_cutoff: Duration,
}

/// One slot: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Why a slot cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
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

/// A slot as the listing shows it: `holiday` when a dated exception closes its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListedSlot {
    pub slot: Slot,
    pub holiday: bool,
}

/// Each interval cut into slots of `minutes`, from its start; a remainder too short for a slot
/// is left out, so a slot always ends by the time the desk closes.
fn cut(calendar: &WorkingCalendar, date: NaiveDate, hours: &[Interval], minutes: u32) -> Vec<Slot> {
    let length = Duration::minutes(i64::from(minutes.max(1)));
    let mut slots = Vec::new();
    for interval in hours {
        let mut start = interval.start;
        loop {
            let (end, wrapped) = start.overflowing_add_signed(length);
            if wrapped != 0 || end > interval.end {
                break;
            }
            let instants = calendar.to_utc(date.and_time(start)).zip(calendar.to_utc(date.and_time(end)));
            // A slot that a DST change folds onto itself has no length: leave it out.
            if let Some((start, end)) = instants.filter(|(start, end)| start < end) {
                slots.push(Slot { start, end });
            }
            start = end;
        }
    }
    slots
}

/// The slots of a working day (none on a day off).
pub fn slots_on(calendar: &WorkingCalendar, date: NaiveDate, minutes: u32) -> Vec<Slot> {
    cut(calendar, date, calendar.hours_on(date), minutes)
}

/// The slots a listing shows for a date: the day's own; on a day a holiday closes, those its
/// weekday would have had, marked, so a citizen sees why the day cannot be booked.
pub fn listed_on(calendar: &WorkingCalendar, date: NaiveDate, minutes: u32) -> Vec<ListedSlot> {
    let holiday = calendar.is_closed_by_exception(date);
    let hours = if holiday {
        calendar.schedule().hours_for(chrono::Datelike::weekday(&date))
    } else {
        calendar.hours_on(date)
    };
    cut(calendar, date, hours, minutes).into_iter().map(|slot| ListedSlot { slot, holiday }).collect()
}

/// The slot that begins at `start`, if the desk has one then.
pub fn slot_starting_at(calendar: &WorkingCalendar, start: DateTime<Utc>, minutes: u32) -> Option<Slot> {
    slots_on(calendar, calendar.local_date(start), minutes).into_iter().find(|slot| slot.start == start)
}

/// The last local date whose slots can be booked now.
pub fn last_bookable_date(calendar: &WorkingCalendar, now: DateTime<Utc>, rules: &BookingRules) -> NaiveDate {
    let today = calendar.local_date(now);
    today.checked_add_days(Days::new(u64::from(rules.horizon_days))).unwrap_or(NaiveDate::MAX)
}

/// Why a listed slot cannot be booked now, seats apart (see [`Unavailable::Full`]); `None` when
/// it can be.
pub fn unavailable(listed: &ListedSlot, now: DateTime<Utc>, rules: &BookingRules) -> Option<Unavailable> {
    if listed.slot.start <= now {
        Some(Unavailable::Past)
    } else if listed.holiday {
        Some(Unavailable::Holiday)
    } else if rules.seats == 0 {
        Some(Unavailable::Closed)
    } else if listed.slot.start < now + rules.min_lead {
        Some(Unavailable::LeadTime)
    } else {
        None
    }
}

/// Whether a booking of the slot beginning at `start` may still be cancelled or moved: until
/// the unit's cut-off before it.
pub fn before_cutoff(start: DateTime<Utc>, now: DateTime<Utc>, rules: &BookingRules) -> bool {
    now + rules.cancel_cutoff <= start
}

/// When the reminder of a slot beginning at `start` is due: the day before at the same local
/// time, moved into 07:00–20:00 at the unit, so nobody is woken by it.
pub fn reminder_due(calendar: &WorkingCalendar, start: DateTime<Utc>) -> DateTime<Utc> {
    let Some(local) = calendar.local_naive(start) else {
        return start - Duration::days(1);
    };
    let day_before = local.date().pred_opt().unwrap_or(local.date());
    let time = local.time().clamp(REMINDER_EARLIEST, REMINDER_LATEST);
    calendar.to_utc(day_before.and_time(time)).unwrap_or(start - Duration::days(1))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Asia::Ho_Chi_Minh;

    use super::*;
    use crate::domain::calendar::{DayOverride, DeskSchedule};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn hanoi(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Ho_Chi_Minh.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
    }

    fn rules() -> BookingRules {
        BookingRules {
            slot_minutes: 15,
            seats: 3,
            min_lead: Duration::minutes(60),
            horizon_days: 30,
            cancel_cutoff: Duration::minutes(120),
        }
    }

    fn office() -> WorkingCalendar {
        WorkingCalendar::new(DeskSchedule::default(), [(date(2026, 12, 3), DayOverride::Off)])
    }

    #[test]
    fn a_day_is_cut_into_slots_that_end_by_closing_time() {
        let slots = slots_on(&office(), date(2026, 12, 1), 15);
        // 07:30–11:30 is 16 slots, 13:30–17:00 is 14.
        assert_eq!(slots.len(), 30);
        assert_eq!(slots[0], Slot { start: hanoi(2026, 12, 1, 7, 30), end: hanoi(2026, 12, 1, 7, 45) });
        assert_eq!(slots[15].end, hanoi(2026, 12, 1, 11, 30));
        assert_eq!(slots[16].start, hanoi(2026, 12, 1, 13, 30));
        // 40-minute slots leave 07:30–11:30 with six and a 10-minute remainder left out.
        let long = slots_on(&office(), date(2026, 12, 1), 40);
        assert_eq!(long.iter().filter(|s| s.end <= hanoi(2026, 12, 1, 11, 30)).count(), 6);
        assert!(long.iter().all(|s| s.end <= hanoi(2026, 12, 1, 17, 0)));
    }

    #[test]
    fn weekends_have_no_slots_and_holidays_show_theirs_marked() {
        let calendar = office();
        assert!(listed_on(&calendar, date(2026, 12, 5), 15).is_empty());
        let holiday = listed_on(&calendar, date(2026, 12, 3), 15);
        assert_eq!(holiday.len(), 30);
        assert!(holiday.iter().all(|listed| listed.holiday));
        assert!(slots_on(&calendar, date(2026, 12, 3), 15).is_empty());
        let now = hanoi(2026, 12, 1, 9, 0);
        assert_eq!(unavailable(&holiday[0], now, &rules()), Some(Unavailable::Holiday));
    }

    #[test]
    fn past_lead_time_and_closed_units_are_told_apart() {
        let calendar = office();
        let now = hanoi(2026, 12, 1, 9, 0);
        let reason = |h, m, rules: &BookingRules| {
            let listed = listed_on(&calendar, date(2026, 12, 1), 15)
                .into_iter()
                .find(|l| l.slot.start == hanoi(2026, 12, 1, h, m))
                .unwrap();
            unavailable(&listed, now, rules)
        };
        assert_eq!(reason(8, 45, &rules()), Some(Unavailable::Past));
        assert_eq!(reason(9, 0, &rules()), Some(Unavailable::Past));
        assert_eq!(reason(9, 45, &rules()), Some(Unavailable::LeadTime));
        assert_eq!(reason(10, 0, &rules()), None);
        assert_eq!(reason(10, 0, &BookingRules { seats: 0, ..rules() }), Some(Unavailable::Closed));
    }

    #[test]
    fn the_horizon_counts_days_at_the_unit() {
        // 23:30 UTC on 30 November is already 1 December in Hanoi.
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).unwrap();
        assert_eq!(last_bookable_date(&office(), now, &rules()), date(2026, 12, 31));
    }

    #[test]
    fn slots_are_found_by_their_start_in_the_units_time_zone() {
        let mut schedule = DeskSchedule::default();
        schedule.weekly_hours[2] = vec![Interval {
            start: NaiveTime::from_hms_opt(6, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(11, 30, 0).unwrap(),
        }];
        let calendar = WorkingCalendar::new(schedule, []);
        // 23:30 UTC on Tuesday is 06:30 on Wednesday in Hanoi: the first slot of Wednesday.
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
        let slot = slot_starting_at(&calendar, start, 15).unwrap();
        assert_eq!(slot.end, hanoi(2026, 12, 2, 6, 45));
        assert_eq!(slot_starting_at(&calendar, start + Duration::minutes(5), 15), None);
        assert_eq!(slot_starting_at(&calendar, hanoi(2026, 12, 5, 8, 0), 15), None);
    }

    #[test]
    fn changes_close_at_the_cutoff() {
        let start = hanoi(2026, 12, 2, 10, 0);
        assert!(before_cutoff(start, hanoi(2026, 12, 2, 8, 0), &rules()));
        assert!(!before_cutoff(start, hanoi(2026, 12, 2, 8, 1), &rules()));
    }

    #[test]
    fn reminders_go_the_day_before_in_daytime() {
        let calendar = office();
        assert_eq!(reminder_due(&calendar, hanoi(2026, 12, 2, 9, 15)), hanoi(2026, 12, 1, 9, 15));
        assert_eq!(reminder_due(&calendar, hanoi(2026, 12, 2, 6, 30)), hanoi(2026, 12, 1, 7, 0));
        assert_eq!(reminder_due(&calendar, hanoi(2026, 12, 2, 21, 0)), hanoi(2026, 12, 1, 20, 0));
    }
}
