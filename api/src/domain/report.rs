//! Review reports and public figures: the period a report covers, the columns of form
//! II.06a/VPCP/KSTT and how they add up, the shares computed from them, and the hiding of
//! small cells before figures are published.
//!
//! Where each dossier counts (one definition, shared by `GET /reports/summary`,
//! `GET /stats/units/{code}` and the transparency page; the SQL in `reports::store` writes it
//! out). The period runs from `from` 00:00 to the end of `to` in the unit's time zone; a
//! dossier *closes* when it is processed (`completed_at`) or refused, withdrawn or stopped (the
//! instant of that move):
//! - **received** in the period (by `channel`: online; at the desk or by post), and
//!   **carried over**: received before the period and not closed at its start;
//! - **processed**: processed within the period, as early, on time or late by the timeliness
//!   stored when it was processed (so "done on its due day is on time" and "paused time is not
//!   late" are the dossier's own rule);
//! - **withdrawn**, **refused**, **stopped**: closed that way within the period; neither
//!   processed nor open;
//! - **open** at the end of the period: received before its end and not closed by then;
//!   **overdue** when its due date had passed at the end of the period (for a dossier paused
//!   then, at the instant it was paused: a stopped clock cannot make it late), else **in time**.
//!
//! So `carried_over + received = processed + withdrawn + refused + stopped + open`.

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The longest period a report covers, in days (a leap year).
pub const MAX_PERIOD_DAYS: i64 = 366;

/// The smallest count that public figures show: fewer people than this could be recognised.
pub const SMALLEST_SHOWN: i64 = 5;

/// Dates from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Why a period is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// `to` is before `from`.
    Reversed,
    /// Longer than [`MAX_PERIOD_DAYS`].
    TooLong,
}

impl Period {
    pub fn parse(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::Reversed);
        }
        if (to - from).num_days() + 1 > MAX_PERIOD_DAYS {
            return Err(PeriodError::TooLong);
        }
        Ok(Period { from, to })
    }

    /// The twelve months up to `today`: from the first day of the month eleven months back.
    pub fn last_twelve_months(today: NaiveDate) -> Period {
        let first = today.with_day(1).unwrap_or(today);
        let from = first.checked_sub_months(Months::new(11)).unwrap_or(first);
        Period { from, to: today }
    }

    /// The instants the period starts at and ends before, in this time zone.
    pub fn bounds(&self, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (start_of(self.from, zone), start_of(self.to.succ_opt().unwrap_or(self.to), zone))
    }

    /// The calendar months the period touches, each as its label (`2026-12`) and the instant
    /// its part of the period starts at; the first starts with the period.
    pub fn months(&self, zone: Tz) -> Vec<Month> {
        let mut months = Vec::new();
        let mut day = self.from;
        while day <= self.to {
            months.push(Month {
                label: format!("{:04}-{:02}", day.year(), day.month()),
                starts: start_of(day, zone),
            });
            let first = day.with_day(1).unwrap_or(day);
            match first.checked_add_months(Months::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        }
        months
    }
}

/// A month of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// `YYYY-MM`.
    pub label: String,
    /// Where the month's part of the period starts.
    pub starts: DateTime<Utc>,
}

/// Midnight at the start of `day` in `zone` (the earliest, should a change of offset repeat it).
fn start_of(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&midnight).earliest().map_or_else(|| midnight.and_utc(), |at| at.to_utc())
}

/// The dossier columns of form II.06a, for one group or the total. Each column adds up over
/// groups, so a total is the sum of its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DossierCounts {
    pub received_online: i64,
    pub received_desk_or_post: i64,
    pub carried_over: i64,
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
    pub open_in_time: i64,
    pub open_overdue: i64,
    pub withdrawn: i64,
    pub refused: i64,
    pub stopped: i64,
}

impl DossierCounts {
    pub fn received(&self) -> i64 {
        self.received_online + self.received_desk_or_post
    }

    pub fn processed(&self) -> i64 {
        self.early + self.on_time + self.late
    }

    pub fn open(&self) -> i64 {
        self.open_in_time + self.open_overdue
    }

    /// The headline: (early + on time) ÷ processed; none when nothing was processed.
    pub fn on_time_rate(&self) -> Option<f64> {
        share(self.early + self.on_time, self.processed())
    }

    pub fn add(&mut self, other: &DossierCounts) {
        self.received_online += other.received_online;
        self.received_desk_or_post += other.received_desk_or_post;
        self.carried_over += other.carried_over;
        self.early += other.early;
        self.on_time += other.on_time;
        self.late += other.late;
        self.open_in_time += other.open_in_time;
        self.open_overdue += other.open_overdue;
        self.withdrawn += other.withdrawn;
        self.refused += other.refused;
        self.stopped += other.stopped;
    }

    /// Adds `n` dossiers of one class: how each counts in the period, as one number that SQL
    /// works out per dossier (see [`class`]).
    pub fn add_class(&mut self, class: i64, n: i64) {
        match class % 3 {
            1 => self.received_online += n,
            2 => self.received_desk_or_post += n,
            _ => {}
        }
        match (class / class::PROCESSED) % 4 {
            1 => self.early += n,
            2 => self.on_time += n,
            3 => self.late += n,
            _ => {}
        }
        match (class / class::ENDED) % 4 {
            1 => self.withdrawn += n,
            2 => self.refused += n,
            3 => self.stopped += n,
            _ => {}
        }
        if (class / class::CARRIED_OVER) % 2 == 1 {
            self.carried_over += n;
        }
        match (class / class::OPEN_AT_END) % 3 {
            1 => self.open_in_time += n,
            2 => self.open_overdue += n,
            _ => {}
        }
    }

    /// The sum of rows.
    pub fn total<'a>(rows: impl IntoIterator<Item = &'a DossierCounts>) -> DossierCounts {
        let mut total = DossierCounts::default();
        for row in rows {
            total.add(row);
        }
        total
    }
}

/// How a dossier counts in a period, as one number: the sum of each part's value times its
/// place. Received (the ones): 0 before the period, 1 online, 2 at the desk or by post;
/// processed in the period: 0 no, 1 early, 2 on time, 3 late; refused, withdrawn or stopped in
/// the period: 0 no, 1 withdrawn, 2 refused, 3 stopped; carried over: 0 or 1; at the end of the
/// period: 0 closed, 1 open in time, 2 open and overdue.
pub mod class {
    pub const PROCESSED: i64 = 3;
    pub const ENDED: i64 = 12;
    pub const CARRIED_OVER: i64 = 48;
    pub const OPEN_AT_END: i64 = 96;
}

/// `part ÷ whole`, none when the whole is zero.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A count as published: hidden (`None`) from 1 to 4, so that nobody in a small unit can be
/// recognised; 0 tells nothing about anyone and is shown.
pub fn published(count: i64) -> Option<i64> {
    (count == 0 || count >= SMALLEST_SHOWN).then_some(count)
}

/// The parts of a published total, each hidden as [`published`] says; and when exactly one
/// part would be hidden while the total is shown, the smallest other part is hidden too, so
/// the hidden one cannot be worked out by subtraction.
pub fn published_parts(parts: &[i64]) -> Vec<Option<i64>> {
    let mut shown: Vec<Option<i64>> = parts.iter().map(|&n| published(n)).collect();
    let total_shown = published(parts.iter().sum()).is_some();
    if total_shown && shown.iter().filter(|p| p.is_none()).count() == 1 {
        let smallest = shown
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_some_and(|n| n > 0))
            .min_by_key(|(_, p)| p.unwrap_or(i64::MAX))
            .map(|(i, _)| i);
        if let Some(i) = smallest {
            shown[i] = None;
        }
    }
    shown
}

/// A share published only when every count it is made of is shown.
pub fn published_share(part: i64, whole: i64, inputs: &[Option<i64>]) -> Option<f64> {
    if inputs.iter().any(Option::is_none) { None } else { share(part, whole) }
}

#[cfg(test)]
mod tests {
    use chrono_tz::Asia::Ho_Chi_Minh;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_runs_from_midnight_to_midnight_after_its_last_day_in_the_unit_zone() {
        let period = Period::parse(day(2026, 12, 1), day(2026, 12, 31)).unwrap();
        let (start, end) = period.bounds(Ho_Chi_Minh);
        assert_eq!(start.to_rfc3339(), "2026-11-30T17:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-12-31T17:00:00+00:00");
    }

    #[test]
    fn periods_must_run_forward_and_last_at_most_a_leap_year() {
        assert_eq!(Period::parse(day(2026, 12, 2), day(2026, 12, 1)), Err(PeriodError::Reversed));
        assert!(Period::parse(day(2026, 12, 1), day(2026, 12, 1)).is_ok());
        assert!(Period::parse(day(2024, 1, 1), day(2024, 12, 31)).is_ok());
        assert_eq!(Period::parse(day(2024, 1, 1), day(2025, 1, 1)), Err(PeriodError::TooLong));
    }

    #[test]
    fn months_start_with_the_period_then_on_the_first() {
        let period = Period::parse(day(2026, 11, 15), day(2027, 1, 10)).unwrap();
        let months = period.months(Ho_Chi_Minh);
        let labels: Vec<&str> = months.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["2026-11", "2026-12", "2027-01"]);
        assert_eq!(months[0].starts, period.bounds(Ho_Chi_Minh).0);
        assert_eq!(months[2].starts.to_rfc3339(), "2026-12-31T17:00:00+00:00");
    }

    #[test]
    fn the_last_twelve_months_start_on_a_first() {
        let period = Period::last_twelve_months(day(2026, 12, 7));
        assert_eq!(period, Period { from: day(2026, 1, 1), to: day(2026, 12, 7) });
        assert_eq!(period.months(Ho_Chi_Minh).len(), 12);
    }

    #[test]
    fn columns_add_up_and_the_on_time_rate_counts_early_and_on_time() {
        let a = DossierCounts { early: 3, on_time: 5, late: 2, received_online: 1, ..Default::default() };
        let b = DossierCounts { late: 2, received_desk_or_post: 4, open_overdue: 1, ..Default::default() };
        let total = DossierCounts::total([&a, &b]);
        assert_eq!((total.processed(), total.received(), total.open()), (12, 5, 1));
        assert_eq!(total.on_time_rate(), Some(8.0 / 12.0));
        assert_eq!(DossierCounts::default().on_time_rate(), None);
    }

    #[test]
    fn a_class_adds_each_of_its_parts() {
        let mut counts = DossierCounts::default();
        // Received online and processed on time in the period.
        counts.add_class(1 + class::PROCESSED * 2, 3);
        // Carried over, then withdrawn.
        counts.add_class(class::ENDED + class::CARRIED_OVER, 2);
        // Received at the desk, still open and overdue at the end.
        counts.add_class(2 + class::OPEN_AT_END * 2, 1);
        // Carried over and still open in time.
        counts.add_class(class::CARRIED_OVER + class::OPEN_AT_END, 4);
        let expected = DossierCounts {
            received_online: 3,
            received_desk_or_post: 1,
            carried_over: 6,
            on_time: 3,
            withdrawn: 2,
            open_in_time: 4,
            open_overdue: 1,
            ..Default::default()
        };
        assert_eq!(counts, expected);
    }

    #[test]
    fn counts_from_one_to_four_are_hidden() {
        let shown: Vec<Option<i64>> = [0, 1, 4, 5, 120].into_iter().map(published).collect();
        assert_eq!(shown, [Some(0), None, None, Some(5), Some(120)]);
    }

    #[test]
    fn a_lone_hidden_part_takes_the_smallest_other_with_it() {
        // 3 late of 100 processed: hiding 3 alone, 100 − 50 − 47 would give it away.
        assert_eq!(published_parts(&[50, 47, 3]), [Some(50), None, None]);
        // Two hidden already: nothing to work out.
        assert_eq!(published_parts(&[50, 2, 3]), [Some(50), None, None]);
        // A hidden total hides nothing more.
        assert_eq!(published_parts(&[0, 3]), [Some(0), None]);
        // Zeros are not worth hiding: the smallest part above zero goes.
        assert_eq!(published_parts(&[0, 10, 2, 7]), [Some(0), Some(10), None, None]);
        assert_eq!(published_parts(&[5, 6]), [Some(5), Some(6)]);
    }

    #[test]
    fn a_share_of_a_hidden_count_is_hidden() {
        assert_eq!(published_share(8, 10, &[Some(8), Some(10)]), Some(0.8));
        assert_eq!(published_share(8, 10, &[Some(8), None]), None);
    }
}
