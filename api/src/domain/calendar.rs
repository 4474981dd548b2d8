//! The working-day calendar of a one-stop desk (bộ phận một cửa).
//!
//! Dossiers received at a desk are due after a processing time counted in *working* days:
//! the desk's weekly opening hours, its time zone, its intake cut-off and its dated
//! exceptions (public holidays, make-up working Saturdays) decide which days count and
//! at what instant a dossier falls due.
//!
//! Everything here is total: no input (an unvalidated schedule, a schedule without any
//! opening hours, instants at the edges of chrono's range, huge processing times) makes it
//! panic. A schedule without opening hours treats every day as a day off: nothing can
//! become due, so [`WorkingCalendar::due_at`] returns the received instant itself.
//! [`DeskSchedule::validate`] rejects such a schedule, so it only shows up when a caller
//! skipped validation.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Included, Unbounded};

use chrono::{
    DateTime, Datelike, Days, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
    Weekday,
};
use chrono_tz::{GapInfo, Tz};
use serde::{Deserialize, Serialize};

/// The longest processing time a procedure may declare, in days.
const MAX_PROCESSING_DAYS: f64 = 365.0;

/// How far [`WorkingCalendar::next_opening`] looks ahead before concluding the desk never opens.
const NEXT_OPENING_HORIZON_DAYS: u32 = 400;

/// Builds a clock time in constant context, so a mistyped literal fails the build instead of
/// panicking at run time.
const fn clock(hour: u32, minute: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(time) => time,
        None => panic!("clock time out of range"),
    }
}

const DEFAULT_MORNING: Interval = Interval { start: clock(7, 30), end: clock(11, 30) };
const DEFAULT_AFTERNOON: Interval = Interval { start: clock(13, 30), end: clock(17, 0) };
const DEFAULT_INTAKE_CUTOFF: NaiveTime = clock(15, 0);

/// An opening interval within one day, start < end.
///
/// The end is exclusive: a desk open 07:30–11:30 is closed at 11:30 sharp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Interval {
    /// Whether the desk is open at `time` during this interval (start inclusive, end exclusive).
    pub fn contains(&self, time: NaiveTime) -> bool {
        self.start <= time && time < self.end
    }
}

/// Whether a dated exception closes or opens a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOverride {
    /// A public holiday (or any closure) on a day that would otherwise be worked.
    Off,
    /// A make-up working day, typically a Saturday worked in exchange for a bridge holiday.
    Working,
}

/// A processing time in half working days: 0 = same day, 1 = half a day, 2n = n days.
///
/// Counting in half days keeps the arithmetic exact: regulations only ever use whole days
/// and half days, and floating-point day counts would invite rounding disputes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProcessingTime {
    half_days: u32,
}

impl ProcessingTime {
    pub fn from_half_days(half_days: u32) -> Self {
        Self { half_days }
    }

    pub fn half_days(self) -> u32 {
        self.half_days
    }

    /// Parses days given as a number: 0, 0.5, 1, 1.5, ... up to 365; anything else
    /// (negative, NaN, infinite, 0.3, > 365) is `None`.
    pub fn from_days(days: f64) -> Option<Self> {
        if !(0.0..=MAX_PROCESSING_DAYS).contains(&days) {
            return None;
        }
        let half_days = days * 2.0;
        if half_days.fract() != 0.0 {
            return None;
        }
        // In range and integral, so the conversion is exact.
        Some(Self { half_days: half_days as u32 })
    }

    pub fn days(self) -> f64 {
        f64::from(self.half_days) / 2.0
    }

    /// Whether the time ends on a half day (0.5, 1.5, ...), which makes it due at the end of a
    /// morning rather than at closing time.
    pub fn has_half_day(self) -> bool {
        self.half_days % 2 == 1
    }

    fn whole_days(self) -> u32 {
        self.half_days / 2
    }
}

/// Weekly hours, time zone and cut-off of one desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskSchedule {
    pub time_zone: Tz,
    /// Opening intervals per weekday, index 0 = Monday, sorted and non-overlapping.
    pub weekly_hours: [Vec<Interval>; 7],
    /// Dossiers received at or after this local time count from the next working day.
    pub intake_cutoff: NaiveTime,
}

impl Default for DeskSchedule {
    /// The common Vietnamese office week: Monday–Friday 07:30–11:30 and 13:30–17:00,
    /// weekends closed, Asia/Ho_Chi_Minh, intake cut-off 15:00.
    fn default() -> Self {
        let office_day = vec![DEFAULT_MORNING, DEFAULT_AFTERNOON];
        Self {
            time_zone: chrono_tz::Asia::Ho_Chi_Minh,
            weekly_hours: std::array::from_fn(|weekday_index| {
                if weekday_index < 5 { office_day.clone() } else { Vec::new() }
            }),
            intake_cutoff: DEFAULT_INTAKE_CUTOFF,
        }
    }
}

impl DeskSchedule {
    /// Checks that the schedule can drive a calendar: every interval starts before it ends,
    /// each day's intervals are sorted and do not overlap (touching is allowed), at least one
    /// weekday has opening hours, and the cut-off is later than the opening of at least one
    /// weekday (otherwise no dossier handed in during opening hours could ever count for the
    /// day it was received). The cut-off may lie outside opening hours, e.g. at lunch, or
    /// after closing to mean "no cut-off". Returns an English message on the first problem.
    pub fn validate(&self) -> Result<(), String> {
        for (weekday, hours) in weekdays().zip(&self.weekly_hours) {
            for (position, interval) in hours.iter().enumerate() {
                if interval.start >= interval.end {
                    return Err(format!(
                        "{weekday}: interval {} ({}–{}) must start before it ends",
                        position + 1,
                        interval.start,
                        interval.end
                    ));
                }
            }
            for (position, pair) in hours.windows(2).enumerate() {
                if pair[0].end > pair[1].start {
                    return Err(format!(
                        "{weekday}: intervals {} and {} overlap or are out of order",
                        position + 1,
                        position + 2
                    ));
                }
            }
        }
        if !self.has_opening_hours() {
            return Err("the schedule has no opening hours on any weekday".to_string());
        }
        let cutoff_after_some_opening = self
            .weekly_hours
            .iter()
            .filter_map(|hours| hours.first())
            .any(|first| self.intake_cutoff > first.start);
        if !cutoff_after_some_opening {
            return Err(format!(
                "the intake cut-off {} is not later than the opening of any weekday",
                self.intake_cutoff
            ));
        }
        Ok(())
    }

    /// The regular opening intervals of a weekday, before dated exceptions.
    pub fn hours_for(&self, weekday: Weekday) -> &[Interval] {
        &self.weekly_hours[weekday.num_days_from_monday() as usize]
    }

    fn has_opening_hours(&self) -> bool {
        self.weekly_hours.iter().any(|hours| !hours.is_empty())
    }

    /// The hours of a make-up working day: that weekday's own hours if it has any (a public
    /// holiday moved onto a normal weekday), otherwise the first weekday's that has hours,
    /// since a make-up Saturday is worked like an ordinary weekday.
    fn make_up_day_hours(&self, weekday: Weekday) -> &[Interval] {
        let own = self.hours_for(weekday);
        if !own.is_empty() {
            return own;
        }
        self.weekly_hours.iter().find(|hours| !hours.is_empty()).map_or(&[], Vec::as_slice)
    }

    fn working_weekday_count(&self) -> u32 {
        weekdays().filter(|weekday| !self.hours_for(*weekday).is_empty()).count() as u32
    }
}

/// Monday through Sunday, in the order of [`DeskSchedule::weekly_hours`].
fn weekdays() -> impl Iterator<Item = Weekday> {
    std::iter::successors(Some(Weekday::Mon), |weekday| Some(weekday.succ())).take(7)
}

/// A desk's schedule plus its dated exceptions: the working-day calendar.
///
/// A working day is a day with opening hours after exceptions are applied. The calendar does
/// not validate its schedule (see [`DeskSchedule::validate`]); with an invalid one its answers
/// are unspecified but it still never panics.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    schedule: DeskSchedule,
    exceptions: BTreeMap<NaiveDate, DayOverride>,
}

impl WorkingCalendar {
    /// Builds the calendar; when a date appears more than once, the last entry wins.
    pub fn new(
        schedule: DeskSchedule,
        exceptions: impl IntoIterator<Item = (NaiveDate, DayOverride)>,
    ) -> Self {
        Self { schedule, exceptions: exceptions.into_iter().collect() }
    }

    pub fn schedule(&self) -> &DeskSchedule {
        &self.schedule
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !self.hours_on(date).is_empty()
    }

    /// Whether a dated exception closes a day that the weekly hours open.
    pub fn is_closed_by_exception(&self, date: NaiveDate) -> bool {
        self.hours_on(date).is_empty() && !self.schedule.hours_for(date.weekday()).is_empty()
    }

    /// The opening intervals of that date (empty on a day off).
    pub fn hours_on(&self, date: NaiveDate) -> &[Interval] {
        match self.exceptions.get(&date) {
            Some(DayOverride::Off) => &[],
            Some(DayOverride::Working) => self.schedule.make_up_day_hours(date.weekday()),
            None => self.schedule.hours_for(date.weekday()),
        }
    }

    /// The first working day strictly after `date`.
    ///
    /// When there is none (a schedule without opening hours, or the end of chrono's date
    /// range) it returns `date` itself rather than panicking; callers that loop on it must
    /// therefore check for progress.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        self.working_day_after(date).unwrap_or(date)
    }

    /// `date` moved forward by `n` working days (n = 0 gives `date` itself, even if it is not
    /// a working day). Stops at the last working day that exists when the count would run past
    /// the end of chrono's date range.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let working_weekdays = self.schedule.working_weekday_count();
        let mut current = date;
        let mut remaining = n;
        while remaining > 0 {
            if let Some((landed, consumed)) = self.skip_whole_weeks(current, remaining, working_weekdays) {
                current = landed;
                remaining -= consumed;
                continue;
            }
            match self.working_day_after(current) {
                Some(next) => {
                    current = next;
                    remaining -= 1;
                }
                None => break,
            }
        }
        current
    }

    /// When a dossier received at `received` is due, for a processing time `time`.
    ///
    /// The clock starts on the start day: the day of receipt if it is a working day and the
    /// dossier arrived before both the intake cut-off and closing time (arriving before opening
    /// counts), otherwise the next working day. With `N` working days after the start day:
    ///
    /// - `N` whole days are due at the closing time (end of the last opening interval) of the
    ///   day `N` working days after the start day, so 0 days is the start day's closing time;
    /// - `N` and a half days are due at the end of the first opening interval (the morning) of
    ///   the day `N + 1` working days after the start day, so 0.5 days is the end of the next
    ///   working day's morning.
    ///
    /// Whether the dossier arrived in the morning or the afternoon plays no part: one rule for
    /// both keeps every extra half day strictly later than the one before it.
    ///
    /// Returns `received` when the schedule has no opening hours at all, and the latest
    /// representable instant when the due date falls outside chrono's range.
    pub fn due_at(&self, received: DateTime<Utc>, time: ProcessingTime) -> DateTime<Utc> {
        if !self.schedule.has_opening_hours() {
            return received;
        }
        self.due_local(received, time).and_then(|due| self.to_utc(due)).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Working days in the local dates (from's date, to's date], used for the paused clock: a
    /// dossier paused on Monday and resumed on Wednesday was paused 2 working days (Tuesday
    /// and Wednesday) if both are working days; paused and resumed the same day, 0. It is 0
    /// when `to <= from`.
    pub fn working_days_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
        if to <= from {
            return 0;
        }
        self.working_days_in(self.local_date(from), self.local_date(to))
    }

    /// A due instant moved by `n` working days: the local date moves by
    /// [`add_working_days`](Self::add_working_days) and the result is the closing time of that
    /// day (end of its last interval); n = 0 returns `due` unchanged.
    ///
    /// Like [`due_at`](Self::due_at), returns `due` when the schedule has no opening hours and
    /// the latest representable instant past the end of chrono's range.
    pub fn extend_due(&self, due: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        if n == 0 || !self.schedule.has_opening_hours() {
            return due;
        }
        let day = self.add_working_days(self.local_date(due), n);
        self.closing_time(day)
            .and_then(|closing| self.to_utc(day.and_time(closing)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The next instant >= `after` at which the desk is open: `after` itself when it falls
    /// inside an opening interval, otherwise the start of the next interval. `None` if no
    /// working day comes within 400 days.
    pub fn next_opening(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = self.local_naive(after)?;
        let mut day = local.date();
        for _ in 0..=NEXT_OPENING_HORIZON_DAYS {
            let opening = self
                .hours_on(day)
                .iter()
                .filter_map(|interval| {
                    if day == local.date() && interval.contains(local.time()) {
                        Some(after)
                    } else {
                        // In a DST fold a later local start can map to an earlier instant.
                        self.to_utc(day.and_time(interval.start)).filter(|start| *start >= after)
                    }
                })
                .min();
            if opening.is_some() {
                return opening;
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// The local calendar date of an instant in the desk's time zone (the UTC date for the
    /// few instants at the edge of chrono's range whose local time is not representable).
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local_naive(at).map_or_else(|| at.date_naive(), |local| local.date())
    }

    /// Whether the local date of `at`, in the desk's time zone, is a working day: an instant
    /// stored in UTC can fall on another date there (06:00 on a Vietnamese Sunday is still
    /// Saturday in UTC).
    pub fn falls_on_working_day(&self, at: DateTime<Utc>) -> bool {
        self.is_working_day(self.local_date(at))
    }

    /// The due instant in local time; `None` only past the edges of chrono's range.
    fn due_local(&self, received: DateTime<Utc>, time: ProcessingTime) -> Option<NaiveDateTime> {
        let start = self.clock_start_day(received)?;
        if time.has_half_day() {
            let day = self.add_working_days(start, time.whole_days() + 1);
            return Some(day.and_time(self.end_of_first_interval(day)?));
        }
        let day = self.add_working_days(start, time.whole_days());
        Some(day.and_time(self.closing_time(day)?))
    }

    /// The working day on which the processing clock of a dossier received at `received`
    /// starts (see [`due_at`](Self::due_at)).
    fn clock_start_day(&self, received: DateTime<Utc>) -> Option<NaiveDate> {
        let local = self.local_naive(received)?;
        let (date, time) = (local.date(), local.time());
        if let Some(closing) = self.closing_time(date)
            && time < self.schedule.intake_cutoff
            && time < closing
        {
            return Some(date);
        }
        self.working_day_after(date)
    }

    /// The end of the last opening interval of `date`, if it has any.
    fn closing_time(&self, date: NaiveDate) -> Option<NaiveTime> {
        self.hours_on(date).last().map(|interval| interval.end)
    }

    /// The end of the first opening interval of `date` (the morning), if it has any.
    fn end_of_first_interval(&self, date: NaiveDate) -> Option<NaiveTime> {
        self.hours_on(date).first().map(|interval| interval.end)
    }

    fn working_day_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        // Without weekly hours no day can open (even make-up days borrow weekly hours), and
        // the search below would never end.
        if !self.schedule.has_opening_hours() {
            return None;
        }
        // Terminates: at most a week past the last exception, some weekday opens.
        let mut candidate = date.succ_opt()?;
        while !self.is_working_day(candidate) {
            candidate = candidate.succ_opt()?;
        }
        Some(candidate)
    }

    /// Between dated exceptions every week holds exactly `working_weekdays` working days, so a
    /// long count is covered a week at a time instead of a day at a time (processing times and
    /// extensions are `u32`, far more days than chrono can represent). Returns the date landed
    /// on and the working days consumed, always leaving at least one to count day by day.
    fn skip_whole_weeks(
        &self,
        from: NaiveDate,
        remaining: u32,
        working_weekdays: u32,
    ) -> Option<(NaiveDate, u32)> {
        if working_weekdays == 0 || remaining <= working_weekdays {
            return None;
        }
        let plain_days_ahead = match self.exceptions.range((Excluded(from), Unbounded)).next() {
            Some((next_exception, _)) => next_exception.signed_duration_since(from).num_days() - 1,
            None => NaiveDate::MAX.signed_duration_since(from).num_days(),
        };
        let wanted_weeks = i64::from((remaining - 1) / working_weekdays);
        let weeks = u32::try_from(wanted_weeks.min(plain_days_ahead / 7)).ok()?;
        if weeks == 0 {
            return None;
        }
        let landed = from.checked_add_days(Days::new(u64::from(weeks) * 7))?;
        Some((landed, weeks * working_weekdays))
    }

    /// Working days in (after, through], counted by whole weeks plus dated exceptions so that
    /// any span, however long, costs the same.
    fn working_days_in(&self, after: NaiveDate, through: NaiveDate) -> u32 {
        let span = through.signed_duration_since(after).num_days();
        if span <= 0 {
            return 0;
        }
        let mut count = span / 7 * i64::from(self.schedule.working_weekday_count());
        // Any 7 consecutive days hold each weekday once, so the leftover days can be taken
        // as the first ones after `after`.
        let mut weekday = after.weekday();
        for _ in 0..span % 7 {
            weekday = weekday.succ();
            if !self.schedule.hours_for(weekday).is_empty() {
                count += 1;
            }
        }
        let any_hours = self.schedule.has_opening_hours();
        for (date, day_override) in self.exceptions.range((Excluded(after), Included(through))) {
            let normally_working = !self.schedule.hours_for(date.weekday()).is_empty();
            match day_override {
                DayOverride::Off if normally_working => count -= 1,
                DayOverride::Working if !normally_working && any_hours => count += 1,
                _ => {}
            }
        }
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// The local wall-clock time of an instant; `None` only at the edges of chrono's range
    /// (chrono's own `naive_local` panics there).
    pub fn local_naive(&self, at: DateTime<Utc>) -> Option<NaiveDateTime> {
        let utc = at.naive_utc();
        let offset = self.schedule.time_zone.offset_from_utc_datetime(&utc).fix();
        utc.checked_add_offset(offset)
    }

    /// The instant of a local wall-clock time. An ambiguous time (clocks turned back) takes its
    /// earlier instant; a time skipped by a DST jump is read with the offset in force before
    /// the jump, which lands as far after the jump as it was after the gap's start (02:30 in a
    /// 02:00→03:00 gap becomes 03:30). `None` only at the edges of chrono's range.
    pub fn to_utc(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let time_zone = self.schedule.time_zone;
        let offset = match time_zone.offset_from_local_datetime(&local) {
            MappedLocalTime::Single(offset) | MappedLocalTime::Ambiguous(offset, _) => offset.fix(),
            MappedLocalTime::None => GapInfo::new(&local, &time_zone)?.begin?.1.fix(),
        };
        local.checked_sub_offset(offset).map(|utc| utc.and_utc())
    }
}

/// Where a due date lands when the desk's calendar changes from `old` to `new` (a holiday or a
/// make-up working day added or removed): `Some(new_due)` when the change moves it, `None` when
/// it does not.
///
/// What the change preserves is the number of working days from the start of the processing
/// clock to the due date, so the rule serves a due computed by [`WorkingCalendar::due_at`] as
/// well as one set by hand (an apology) or pushed back by a pause. With `start` the start day
/// under the old calendar (the rule of `due_at`) and `due_day` the local date of `due`:
///
/// - the new due day is `new.add_working_days(new_start, k)`, with `k` the old calendar's
///   working days in (start, due_day] and `new_start` the start day under the new calendar; a
///   change before the start day, or after the due day, therefore moves nothing;
/// - a due at the old closing time of its day lands at the closing time of the new day, a due
///   at the end of its day's first interval (a half-day due) at the end of the new day's first
///   interval (on a day of one interval, where the two are the same, `time` says which it
///   was), and any other due keeps its local wall-clock time (also when the new day has no
///   opening hours, which only happens when it is the start day and the change closed it).
///
/// A due that is not on a working day of the old calendar on or after the start day (only a
/// hand-set one that skipped validation can be) has no working day of its own to count: it
/// stays while both calendars count as many working days from the start day up to the day
/// before it, and otherwise moves to `new.add_working_days(start, k)` like any other.
///
/// Local dates and times are read in the old calendar's time zone and the new due is placed in
/// the new one's. Returns `None` when either calendar has no opening hours (nothing can fall
/// due there, so the due is left alone) and at the edges of chrono's range; a new due past the
/// end of chrono's range is the latest representable instant, as in `due_at`.
pub fn reschedule_due(
    old: &WorkingCalendar,
    new: &WorkingCalendar,
    received: DateTime<Utc>,
    due: DateTime<Utc>,
    time: ProcessingTime,
) -> Option<DateTime<Utc>> {
    if !new.schedule.has_opening_hours() {
        return None;
    }
    let start = old.clock_start_day(received)?;
    // A clock that started on the day of receipt has started; one due to start on a later day
    // moves when that day is declared off (or an earlier one becomes a working day), and the
    // working days counted under the old calendar follow it.
    let new_start = if start == old.local_date(received) { start } else { new.clock_start_day(received)? };
    let due_local = old.local_naive(due)?;
    let (due_day, due_time) = (due_local.date(), due_local.time());
    let working_days = old.working_days_in(start, due_day);
    let new_day = if due_day >= start && old.is_working_day(due_day) {
        new.add_working_days(new_start, working_days)
    } else {
        let day_before = due_day.pred_opt()?;
        if new_start == start
            && new.working_days_in(start, day_before) == old.working_days_in(start, day_before)
        {
            due_day
        } else {
            new.add_working_days(new_start, working_days)
        }
    };
    // On a day of one interval its end is both the end of the morning and the closing time:
    // the processing time says which a due there was.
    let ends_morning = old.end_of_first_interval(due_day) == Some(due_time);
    let ends_day = old.closing_time(due_day) == Some(due_time);
    let same_place_in_new_day = if ends_morning && (time.has_half_day() || !ends_day) {
        new.end_of_first_interval(new_day)
    } else if ends_day {
        new.closing_time(new_day)
    } else {
        None
    };
    let rescheduled_local = new_day.and_time(same_place_in_new_day.unwrap_or(due_time));
    // Compared as wall-clock time first: inside a DST fold the round trip through UTC could pick
    // the other occurrence of the same local time and report a move that is none.
    if rescheduled_local == due_local && old.schedule.time_zone == new.schedule.time_zone {
        return None;
    }
    let rescheduled = new.to_utc(rescheduled_local).unwrap_or(DateTime::<Utc>::MAX_UTC);
    (rescheduled != due).then_some(rescheduled)
}

/// How a dossier stands against its due date (see [`timeliness`]); a stored value set.
pub use entity::values::Timeliness;

/// How a dossier stands against `due`.
///
/// Closed dossiers (`completed_at` is `Some`) are judged by local date in the desk's time zone,
/// because results are reported per day: finishing on the due date is on time even after
/// closing time. Half-day processing times are the exception: their due instant is the end of a
/// morning, so completing after it on the due date is late. Open dossiers compare the
/// instant: `now <= due` is in time, later is overdue.
pub fn timeliness(
    cal: &WorkingCalendar,
    due: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    time: ProcessingTime,
) -> Timeliness {
    let Some(completed) = completed_at else {
        return if now <= due { Timeliness::InTime } else { Timeliness::Overdue };
    };
    let (completed_date, due_date) = (cal.local_date(completed), cal.local_date(due));
    if completed_date < due_date {
        Timeliness::Early
    } else if completed_date > due_date || (time.has_half_day() && completed > due) {
        Timeliness::Late
    } else {
        Timeliness::OnTime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The processing time of the rescheduling tests that do not turn on it.
    fn three_days() -> ProcessingTime {
        ProcessingTime::from_half_days(6)
    }
    use chrono_tz::Asia::Ho_Chi_Minh;
    use chrono_tz::Europe::Paris;
    use proptest::prelude::*;

    /// An instant given as Vietnamese local time.
    fn vn(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        local(Ho_Chi_Minh, year, month, day, hour, minute)
    }

    fn local(tz: Tz, year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(year, month, day, hour, minute, 0).single().unwrap().to_utc()
    }

    fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, hour, minute, 0).single().unwrap()
    }

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn days(days: f64) -> ProcessingTime {
        ProcessingTime::from_days(days).unwrap()
    }

    fn standard_calendar() -> WorkingCalendar {
        WorkingCalendar::new(DeskSchedule::default(), [])
    }

    fn calendar_with(exceptions: &[(NaiveDate, DayOverride)]) -> WorkingCalendar {
        WorkingCalendar::new(DeskSchedule::default(), exceptions.iter().copied())
    }

    fn closed_schedule() -> DeskSchedule {
        DeskSchedule { weekly_hours: Default::default(), ..DeskSchedule::default() }
    }

    // 2026-03-02 is a Monday; the week runs to Sunday 2026-03-08.

    #[test]
    fn monday_morning_with_three_days_is_due_thursday_close() {
        let due = standard_calendar().due_at(vn(2026, 3, 2, 9, 0), days(3.0));
        assert_eq!(due, vn(2026, 3, 5, 17, 0));
    }

    #[test]
    fn friday_after_cutoff_with_one_day_is_due_tuesday_close() {
        let due = standard_calendar().due_at(vn(2026, 3, 6, 16, 0), days(1.0));
        assert_eq!(due, vn(2026, 3, 10, 17, 0));
    }

    #[test]
    fn cutoff_instant_itself_counts_from_next_working_day() {
        let calendar = standard_calendar();
        assert_eq!(calendar.due_at(vn(2026, 3, 2, 14, 59), days(0.0)), vn(2026, 3, 2, 17, 0));
        assert_eq!(calendar.due_at(vn(2026, 3, 2, 15, 0), days(0.0)), vn(2026, 3, 3, 17, 0));
    }

    #[test]
    fn saturday_receipt_counts_from_monday() {
        let calendar = standard_calendar();
        assert_eq!(calendar.due_at(vn(2026, 3, 7, 10, 0), days(1.0)), vn(2026, 3, 10, 17, 0));
        assert_eq!(calendar.due_at(vn(2026, 3, 7, 10, 0), days(0.0)), vn(2026, 3, 9, 17, 0));
        assert_eq!(calendar.due_at(vn(2026, 3, 7, 10, 0), days(0.5)), vn(2026, 3, 10, 11, 30));
    }

    #[test]
    fn after_closing_on_a_weekday_counts_from_next_morning() {
        let calendar =
            WorkingCalendar::new(DeskSchedule { intake_cutoff: clock(23, 0), ..DeskSchedule::default() }, []);
        assert_eq!(calendar.due_at(vn(2026, 3, 2, 16, 59), days(0.0)), vn(2026, 3, 2, 17, 0));
        assert_eq!(calendar.due_at(vn(2026, 3, 2, 17, 0), days(0.5)), vn(2026, 3, 4, 11, 30));
    }

    #[test]
    fn zero_days_is_due_at_same_day_close() {
        let due = standard_calendar().due_at(vn(2026, 3, 4, 8, 15), days(0.0));
        assert_eq!(due, vn(2026, 3, 4, 17, 0));
    }

    #[test]
    fn morning_and_afternoon_intakes_fall_due_at_the_same_instants() {
        let calendar = standard_calendar();
        let expected = [
            (0.0, vn(2026, 3, 3, 17, 0)),
            (0.5, vn(2026, 3, 4, 11, 30)),
            (1.0, vn(2026, 3, 4, 17, 0)),
            (1.5, vn(2026, 3, 5, 11, 30)),
            (3.0, vn(2026, 3, 6, 17, 0)),
        ];
        // Tuesday: before opening, in the morning, in the afternoon before the cut-off.
        for received in [vn(2026, 3, 3, 6, 0), vn(2026, 3, 3, 9, 0), vn(2026, 3, 3, 14, 0)] {
            for (processing_days, due) in expected {
                assert_eq!(
                    calendar.due_at(received, days(processing_days)),
                    due,
                    "{received} + {processing_days}"
                );
            }
        }
    }

    #[test]
    fn half_day_runs_over_a_weekend_and_a_holiday_to_the_next_working_morning() {
        let calendar = calendar_with(&[(date(2026, 3, 9), DayOverride::Off)]);
        // Friday 6 March, then Saturday, Sunday and the Monday holiday are skipped.
        assert_eq!(calendar.due_at(vn(2026, 3, 6, 9, 0), days(0.5)), vn(2026, 3, 10, 11, 30));
        assert_eq!(calendar.due_at(vn(2026, 3, 6, 14, 0), days(0.5)), vn(2026, 3, 10, 11, 30));
        assert_eq!(calendar.due_at(vn(2026, 3, 5, 9, 0), days(1.5)), vn(2026, 3, 10, 11, 30));
        assert_eq!(calendar.due_at(vn(2026, 3, 6, 9, 0), days(1.0)), vn(2026, 3, 10, 17, 0));
    }

    #[test]
    fn every_extra_half_day_is_due_strictly_later() {
        let calendar =
            calendar_with(&[(date(2026, 3, 9), DayOverride::Off), (date(2026, 3, 14), DayOverride::Working)]);
        let intakes =
            [vn(2026, 3, 3, 9, 0), vn(2026, 3, 3, 14, 0), vn(2026, 3, 6, 16, 0), vn(2026, 3, 7, 10, 0)];
        for received in intakes {
            let dues: Vec<_> = (0..=20)
                .map(|half_days| calendar.due_at(received, ProcessingTime::from_half_days(half_days)))
                .collect();
            for (half_days, pair) in dues.windows(2).enumerate() {
                assert!(
                    pair[0] < pair[1],
                    "{received}: {} half days due {}, one more {}",
                    half_days,
                    pair[0],
                    pair[1]
                );
            }
        }
    }

    #[test]
    fn half_day_received_in_the_afternoon_is_due_next_working_morning() {
        let calendar = standard_calendar();
        assert_eq!(calendar.due_at(vn(2026, 3, 4, 14, 0), days(0.5)), vn(2026, 3, 5, 11, 30));
        // The lunch break already belongs to the afternoon.
        assert_eq!(calendar.due_at(vn(2026, 3, 4, 11, 30), days(0.5)), vn(2026, 3, 5, 11, 30));
        // Friday afternoon runs over the weekend.
        assert_eq!(calendar.due_at(vn(2026, 3, 6, 14, 0), days(0.5)), vn(2026, 3, 9, 11, 30));
    }

    #[test]
    fn one_and_a_half_days_does_not_depend_on_the_half_of_receipt() {
        let calendar = standard_calendar();
        assert_eq!(calendar.due_at(vn(2026, 3, 2, 9, 0), days(1.5)), vn(2026, 3, 4, 11, 30));
        assert_eq!(calendar.due_at(vn(2026, 3, 2, 14, 0), days(1.5)), vn(2026, 3, 4, 11, 30));
    }

    #[test]
    fn holiday_inside_the_interval_pushes_the_due_date() {
        let calendar = calendar_with(&[(date(2026, 3, 4), DayOverride::Off)]);
        assert_eq!(calendar.due_at(vn(2026, 3, 2, 9, 0), days(3.0)), vn(2026, 3, 6, 17, 0));
    }

    #[test]
    fn make_up_working_saturday_counts_with_weekday_hours() {
        let saturday = date(2026, 3, 7);
        let calendar = calendar_with(&[(saturday, DayOverride::Working)]);
        assert!(calendar.is_working_day(saturday));
        assert_eq!(calendar.hours_on(saturday), &[DEFAULT_MORNING, DEFAULT_AFTERNOON]);
        assert_eq!(calendar.due_at(vn(2026, 3, 6, 9, 0), days(1.0)), vn(2026, 3, 7, 17, 0));
        assert_eq!(calendar.due_at(vn(2026, 3, 6, 9, 0), days(0.5)), vn(2026, 3, 7, 11, 30));
        assert_eq!(calendar.due_at(vn(2026, 3, 6, 14, 0), days(0.5)), vn(2026, 3, 7, 11, 30));
    }

    #[test]
    fn make_up_day_keeps_its_own_weekday_hours_when_it_has_some() {
        let mut schedule = DeskSchedule::default();
        schedule.weekly_hours[5] = vec![Interval { start: clock(8, 0), end: clock(11, 0) }];
        let saturday = date(2026, 3, 7);
        let calendar = WorkingCalendar::new(schedule, [(saturday, DayOverride::Working)]);
        assert_eq!(calendar.hours_on(saturday), &[Interval { start: clock(8, 0), end: clock(11, 0) }]);
    }

    #[test]
    fn tet_holiday_block_of_nine_days_is_skipped() {
        // Tết 2026: Saturday 14 February to Sunday 22 February.
        let tet = (16..=20).map(|day| (date(2026, 2, day), DayOverride::Off));
        let calendar = WorkingCalendar::new(DeskSchedule::default(), tet);
        assert_eq!(calendar.due_at(vn(2026, 2, 13, 9, 0), days(2.0)), vn(2026, 2, 24, 17, 0));
        assert_eq!(calendar.due_at(vn(2026, 2, 18, 9, 0), days(0.0)), vn(2026, 2, 23, 17, 0));
        assert_eq!(calendar.next_working_day(date(2026, 2, 13)), date(2026, 2, 23));
    }

    #[test]
    fn new_year_holiday_is_skipped_across_the_year_boundary() {
        let calendar = calendar_with(&[(date(2026, 1, 1), DayOverride::Off)]);
        assert_eq!(calendar.due_at(vn(2025, 12, 31, 9, 0), days(1.0)), vn(2026, 1, 2, 17, 0));
        assert_eq!(calendar.due_at(vn(2025, 12, 31, 16, 0), days(0.0)), vn(2026, 1, 2, 17, 0));
    }

    #[test]
    fn paris_desk_gets_the_right_utc_instant_across_dst_changes() {
        let calendar = WorkingCalendar::new(DeskSchedule { time_zone: Paris, ..DeskSchedule::default() }, []);
        // Spring forward on Sunday 2026-03-29: Friday is UTC+1, Monday UTC+2.
        let received = local(Paris, 2026, 3, 27, 9, 0);
        assert_eq!(received, utc(2026, 3, 27, 8, 0));
        assert_eq!(calendar.due_at(received, days(1.0)), utc(2026, 3, 30, 15, 0));
        // Fall back on Sunday 2026-10-25: Friday is UTC+2, Monday UTC+1.
        let received = local(Paris, 2026, 10, 23, 9, 0);
        assert_eq!(received, utc(2026, 10, 23, 7, 0));
        assert_eq!(calendar.due_at(received, days(1.0)), utc(2026, 10, 26, 16, 0));
    }

    #[test]
    fn closing_time_inside_a_dst_gap_is_shifted_forward_by_the_gap() {
        let mut schedule =
            DeskSchedule { time_zone: Paris, intake_cutoff: clock(2, 0), ..DeskSchedule::default() };
        schedule.weekly_hours = Default::default();
        schedule.weekly_hours[6] = vec![Interval { start: clock(1, 0), end: clock(2, 30) }];
        let calendar = WorkingCalendar::new(schedule, []);
        // 02:30 does not exist on 2026-03-29; it is read as 03:30 CEST = 01:30 UTC.
        let due = calendar.due_at(local(Paris, 2026, 3, 29, 0, 30), days(0.0));
        assert_eq!(due, utc(2026, 3, 29, 1, 30));
    }

    #[test]
    fn working_days_between_counts_days_after_the_pause() {
        let calendar = calendar_with(&[(date(2026, 3, 10), DayOverride::Off)]);
        let between = |from, to| calendar.working_days_between(from, to);
        assert_eq!(between(vn(2026, 3, 2, 9, 0), vn(2026, 3, 4, 8, 0)), 2);
        assert_eq!(between(vn(2026, 3, 2, 9, 0), vn(2026, 3, 2, 16, 0)), 0);
        assert_eq!(between(vn(2026, 3, 4, 9, 0), vn(2026, 3, 2, 9, 0)), 0);
        // Friday to Monday: only Monday.
        assert_eq!(between(vn(2026, 3, 6, 9, 0), vn(2026, 3, 9, 9, 0)), 1);
        // Monday to Wednesday with Tuesday a holiday.
        assert_eq!(between(vn(2026, 3, 9, 9, 0), vn(2026, 3, 11, 9, 0)), 1);
        // Local dates decide: 23:30 UTC on Monday is already Tuesday in Vietnam.
        assert_eq!(between(utc(2026, 3, 2, 1, 0), utc(2026, 3, 2, 23, 30)), 1);
    }

    #[test]
    fn extend_due_moves_to_the_close_of_a_later_working_day() {
        let calendar = standard_calendar();
        assert_eq!(calendar.extend_due(vn(2026, 3, 5, 17, 0), 2), vn(2026, 3, 9, 17, 0));
        assert_eq!(calendar.extend_due(vn(2026, 3, 5, 11, 30), 1), vn(2026, 3, 6, 17, 0));
        assert_eq!(calendar.extend_due(vn(2026, 3, 5, 11, 30), 0), vn(2026, 3, 5, 11, 30));
    }

    #[test]
    fn working_day_of_an_instant_is_judged_by_its_local_date() {
        let calendar =
            calendar_with(&[(date(2026, 3, 4), DayOverride::Off), (date(2026, 3, 7), DayOverride::Working)]);
        // Sunday 03:00 in Vietnam is still the make-up Saturday in UTC.
        let sunday_night = vn(2026, 3, 8, 3, 0);
        assert_eq!(sunday_night, utc(2026, 3, 7, 20, 0));
        assert!(!calendar.falls_on_working_day(sunday_night));
        // Monday 05:00 in Vietnam is still Sunday in UTC.
        assert!(calendar.falls_on_working_day(vn(2026, 3, 9, 5, 0)));
        assert!(calendar.falls_on_working_day(vn(2026, 3, 7, 10, 0)));
        assert!(!calendar.falls_on_working_day(vn(2026, 3, 4, 10, 0)));
        assert!(!calendar.falls_on_working_day(vn(2026, 3, 14, 10, 0)));
        assert!(calendar.falls_on_working_day(vn(2026, 3, 5, 23, 59)));
    }

    fn off(day: NaiveDate) -> (NaiveDate, DayOverride) {
        (day, DayOverride::Off)
    }

    #[test]
    fn a_half_day_due_on_a_morning_only_day_stays_a_morning_due() {
        // Saturdays open 07:30–11:30 only: there the end of the morning is also the closing.
        let mut schedule = DeskSchedule::default();
        schedule.weekly_hours[5] = vec![DEFAULT_MORNING];
        let old = WorkingCalendar::new(schedule.clone(), []);
        let saturday_off = WorkingCalendar::new(schedule, [off(date(2026, 3, 7))]);
        let received = vn(2026, 3, 6, 9, 0);
        let half_day = ProcessingTime::from_half_days(1);
        let due = old.due_at(received, half_day);

        assert_eq!(due, vn(2026, 3, 7, 11, 30));
        assert_eq!(
            reschedule_due(&old, &saturday_off, received, due, half_day),
            Some(vn(2026, 3, 9, 11, 30))
        );
        assert_eq!(saturday_off.due_at(received, half_day), vn(2026, 3, 9, 11, 30));
        // The same instant as a whole-day due (a hand-set one) lands at the next closing.
        assert_eq!(
            reschedule_due(&old, &saturday_off, received, due, three_days()),
            Some(vn(2026, 3, 9, 17, 0))
        );
    }

    #[test]
    fn day_off_added_inside_the_window_moves_the_due_one_working_day() {
        let old = standard_calendar();
        let received = vn(2026, 3, 2, 9, 0);
        let due = old.due_at(received, days(3.0));
        assert_eq!(due, vn(2026, 3, 5, 17, 0));
        let wednesday_off = calendar_with(&[off(date(2026, 3, 4))]);
        assert_eq!(
            reschedule_due(&old, &wednesday_off, received, due, three_days()),
            Some(vn(2026, 3, 6, 17, 0))
        );
        // A day off on the due day itself is inside the window too.
        let thursday_off = calendar_with(&[off(date(2026, 3, 5))]);
        assert_eq!(
            reschedule_due(&old, &thursday_off, received, due, three_days()),
            Some(vn(2026, 3, 6, 17, 0))
        );
    }

    #[test]
    fn a_day_off_declared_on_the_day_the_clock_was_to_start_moves_the_start() {
        // Received on Friday after the cut-off: the clock starts on Monday, due Thursday.
        let received = vn(2026, 2, 27, 16, 0);
        let due = vn(2026, 3, 5, 17, 0);
        let monday_off = calendar_with(&[off(date(2026, 3, 2))]);
        assert_eq!(
            reschedule_due(&standard_calendar(), &monday_off, received, due, three_days()),
            Some(vn(2026, 3, 6, 17, 0))
        );
    }

    #[test]
    fn day_off_outside_the_window_moves_nothing() {
        let old = standard_calendar();
        let received = vn(2026, 3, 2, 9, 0);
        let due = vn(2026, 3, 5, 17, 0);
        let after_the_due = calendar_with(&[off(date(2026, 3, 6))]);
        assert_eq!(reschedule_due(&old, &after_the_due, received, due, three_days()), None);
        let before_the_start = calendar_with(&[off(date(2026, 2, 27))]);
        assert_eq!(reschedule_due(&old, &before_the_start, received, due, three_days()), None);
        // The clock already started on the day of receipt; only the days after it count.
        let on_the_start_day = calendar_with(&[off(date(2026, 3, 2))]);
        assert_eq!(reschedule_due(&old, &on_the_start_day, received, due, three_days()), None);
        assert_eq!(reschedule_due(&old, &old, received, due, three_days()), None);
    }

    #[test]
    fn removing_a_day_off_moves_the_due_back() {
        let old = calendar_with(&[off(date(2026, 3, 4))]);
        let received = vn(2026, 3, 2, 9, 0);
        let due = old.due_at(received, days(3.0));
        assert_eq!(due, vn(2026, 3, 6, 17, 0));
        assert_eq!(
            reschedule_due(&old, &standard_calendar(), received, due, three_days()),
            Some(vn(2026, 3, 5, 17, 0))
        );
    }

    #[test]
    fn make_up_saturday_inside_the_window_moves_the_due_one_working_day_earlier() {
        let old = standard_calendar();
        let received = vn(2026, 3, 6, 9, 0);
        let due = old.due_at(received, days(3.0));
        assert_eq!(due, vn(2026, 3, 11, 17, 0));
        let saturday_worked = calendar_with(&[(date(2026, 3, 7), DayOverride::Working)]);
        assert_eq!(
            reschedule_due(&old, &saturday_worked, received, due, three_days()),
            Some(vn(2026, 3, 10, 17, 0))
        );
    }

    #[test]
    fn half_day_due_keeps_landing_at_the_end_of_a_morning() {
        let old = standard_calendar();
        let received = vn(2026, 3, 3, 9, 0);
        let due = old.due_at(received, days(1.5));
        assert_eq!(due, vn(2026, 3, 5, 11, 30));
        let wednesday_off = calendar_with(&[off(date(2026, 3, 4))]);
        assert_eq!(
            reschedule_due(&old, &wednesday_off, received, due, three_days()),
            Some(vn(2026, 3, 6, 11, 30))
        );
        // Over the weekend onto a Monday whose morning ends at 10:00.
        let mut schedule = DeskSchedule::default();
        schedule.weekly_hours[0] =
            vec![Interval { start: clock(8, 0), end: clock(10, 0) }, DEFAULT_AFTERNOON];
        let thursday_and_friday_off =
            WorkingCalendar::new(schedule, [off(date(2026, 3, 5)), off(date(2026, 3, 6))]);
        assert_eq!(
            reschedule_due(&old, &thursday_and_friday_off, received, due, three_days()),
            Some(vn(2026, 3, 9, 10, 0))
        );
    }

    #[test]
    fn hand_set_due_keeps_its_wall_clock_time() {
        let old = standard_calendar();
        let received = vn(2026, 3, 2, 9, 0);
        let wednesday_off = calendar_with(&[off(date(2026, 3, 4))]);
        let due = vn(2026, 3, 5, 16, 0);
        assert_eq!(
            reschedule_due(&old, &wednesday_off, received, due, three_days()),
            Some(vn(2026, 3, 6, 16, 0))
        );
        // An apology a week later, over a weekend.
        let apology_due = vn(2026, 3, 11, 16, 0);
        assert_eq!(
            reschedule_due(&old, &wednesday_off, received, apology_due, three_days()),
            Some(vn(2026, 3, 12, 16, 0))
        );
        assert_eq!(reschedule_due(&old, &old, received, apology_due, three_days()), None);
    }

    #[test]
    fn due_pushed_back_by_a_pause_keeps_its_working_days() {
        let old = standard_calendar();
        let received = vn(2026, 3, 2, 9, 0);
        let paused_due = old.extend_due(old.due_at(received, days(3.0)), 2);
        assert_eq!(paused_due, vn(2026, 3, 9, 17, 0));
        let friday_off = calendar_with(&[off(date(2026, 3, 6))]);
        assert_eq!(
            reschedule_due(&old, &friday_off, received, paused_due, three_days()),
            Some(vn(2026, 3, 10, 17, 0))
        );
    }

    #[test]
    fn due_on_a_day_off_moves_only_when_the_working_days_before_it_change() {
        let old = standard_calendar();
        let received = vn(2026, 3, 2, 9, 0);
        let saturday_due = vn(2026, 3, 7, 10, 0);
        assert_eq!(reschedule_due(&old, &old, received, saturday_due, three_days()), None);
        let saturday_worked = calendar_with(&[(date(2026, 3, 7), DayOverride::Working)]);
        assert_eq!(reschedule_due(&old, &saturday_worked, received, saturday_due, three_days()), None);
        let after_it = calendar_with(&[off(date(2026, 3, 9))]);
        assert_eq!(reschedule_due(&old, &after_it, received, saturday_due, three_days()), None);
        // Tuesday to Friday were 4 working days; without Wednesday the 4th is Monday.
        let wednesday_off = calendar_with(&[off(date(2026, 3, 4))]);
        assert_eq!(
            reschedule_due(&old, &wednesday_off, received, saturday_due, three_days()),
            Some(vn(2026, 3, 9, 10, 0))
        );
        // A due before the clock started has no working days to keep.
        let before_start = vn(2026, 3, 1, 10, 0);
        assert_eq!(reschedule_due(&old, &wednesday_off, received, before_start, three_days()), None);
    }

    #[test]
    fn next_opening_finds_the_next_interval_start() {
        let calendar = standard_calendar();
        // Lunch break.
        assert_eq!(calendar.next_opening(vn(2026, 3, 2, 12, 0)), Some(vn(2026, 3, 2, 13, 30)));
        // Closing time itself is closed.
        assert_eq!(calendar.next_opening(vn(2026, 3, 2, 11, 30)), Some(vn(2026, 3, 2, 13, 30)));
        // After closing on Friday.
        assert_eq!(calendar.next_opening(vn(2026, 3, 6, 18, 0)), Some(vn(2026, 3, 9, 7, 30)));
        // Before opening.
        assert_eq!(calendar.next_opening(vn(2026, 3, 3, 6, 0)), Some(vn(2026, 3, 3, 7, 30)));
        // Already open.
        let open = vn(2026, 3, 3, 9, 17);
        assert_eq!(calendar.next_opening(open), Some(open));
    }

    #[test]
    fn next_opening_gives_up_when_the_desk_never_opens() {
        let calendar = WorkingCalendar::new(closed_schedule(), []);
        assert_eq!(calendar.next_opening(vn(2026, 3, 2, 9, 0)), None);
    }

    #[test]
    fn timeliness_of_closed_dossiers_is_judged_by_local_date() {
        let calendar = standard_calendar();
        let due = vn(2026, 3, 5, 17, 0);
        let now = vn(2026, 3, 20, 9, 0);
        let judge = |completed| timeliness(&calendar, due, Some(completed), now, days(3.0));
        assert_eq!(judge(vn(2026, 3, 4, 16, 0)), Timeliness::Early);
        assert_eq!(judge(vn(2026, 3, 5, 8, 0)), Timeliness::OnTime);
        assert_eq!(judge(vn(2026, 3, 5, 19, 0)), Timeliness::OnTime);
        assert_eq!(judge(vn(2026, 3, 6, 7, 30)), Timeliness::Late);
    }

    #[test]
    fn timeliness_of_half_day_dossiers_is_late_after_the_due_instant() {
        let calendar = standard_calendar();
        let due = vn(2026, 3, 5, 11, 30);
        let now = vn(2026, 3, 20, 9, 0);
        let judge = |completed| timeliness(&calendar, due, Some(completed), now, days(0.5));
        assert_eq!(judge(vn(2026, 3, 4, 16, 0)), Timeliness::Early);
        assert_eq!(judge(vn(2026, 3, 5, 11, 30)), Timeliness::OnTime);
        assert_eq!(judge(vn(2026, 3, 5, 14, 0)), Timeliness::Late);
        assert_eq!(judge(vn(2026, 3, 6, 8, 0)), Timeliness::Late);
    }

    #[test]
    fn timeliness_of_open_dossiers_compares_now_with_due() {
        let calendar = standard_calendar();
        let due = vn(2026, 3, 5, 17, 0);
        let judge = |now| timeliness(&calendar, due, None, now, days(3.0));
        assert_eq!(judge(vn(2026, 3, 4, 9, 0)), Timeliness::InTime);
        assert_eq!(judge(due), Timeliness::InTime);
        assert_eq!(judge(vn(2026, 3, 5, 17, 1)), Timeliness::Overdue);
    }

    #[test]
    fn processing_time_parses_whole_and_half_days_only() {
        assert_eq!(ProcessingTime::from_days(0.0), Some(ProcessingTime::from_half_days(0)));
        assert_eq!(ProcessingTime::from_days(0.5), Some(ProcessingTime::from_half_days(1)));
        assert_eq!(ProcessingTime::from_days(2.5), Some(ProcessingTime::from_half_days(5)));
        assert_eq!(ProcessingTime::from_days(365.0), Some(ProcessingTime::from_half_days(730)));
        for invalid in [-0.5, 0.3, 365.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(ProcessingTime::from_days(invalid), None, "{invalid}");
        }
        assert_eq!(ProcessingTime::from_half_days(7).days(), 3.5);
        assert!(ProcessingTime::from_half_days(7).has_half_day());
    }

    #[test]
    fn default_schedule_is_valid() {
        assert_eq!(DeskSchedule::default().validate(), Ok(()));
    }

    #[test]
    fn validate_rejects_broken_schedules() {
        let with_monday = |hours: Vec<Interval>| {
            let mut schedule = DeskSchedule::default();
            schedule.weekly_hours[0] = hours;
            schedule
        };
        let backwards = with_monday(vec![Interval { start: clock(11, 0), end: clock(8, 0) }]);
        assert!(backwards.validate().unwrap_err().contains("must start before it ends"));
        let unsorted = with_monday(vec![DEFAULT_AFTERNOON, DEFAULT_MORNING]);
        assert!(unsorted.validate().unwrap_err().contains("overlap"));
        let overlapping = with_monday(vec![
            Interval { start: clock(8, 0), end: clock(12, 0) },
            Interval { start: clock(11, 0), end: clock(17, 0) },
        ]);
        assert!(overlapping.validate().unwrap_err().contains("overlap"));
        assert!(closed_schedule().validate().unwrap_err().contains("no opening hours"));
        let early_cutoff = DeskSchedule { intake_cutoff: clock(7, 0), ..DeskSchedule::default() };
        assert!(early_cutoff.validate().unwrap_err().contains("cut-off"));
        let touching = with_monday(vec![
            Interval { start: clock(8, 0), end: clock(12, 0) },
            Interval { start: clock(12, 0), end: clock(17, 0) },
        ]);
        assert_eq!(touching.validate(), Ok(()));
    }

    #[test]
    fn adding_zero_working_days_keeps_even_a_day_off() {
        let calendar = standard_calendar();
        assert_eq!(calendar.add_working_days(date(2026, 3, 7), 0), date(2026, 3, 7));
        assert_eq!(calendar.add_working_days(date(2026, 3, 7), 1), date(2026, 3, 9));
        assert_eq!(calendar.add_working_days(date(2026, 3, 2), 10), date(2026, 3, 16));
        assert_eq!(calendar.next_working_day(date(2026, 3, 6)), date(2026, 3, 9));
        assert_eq!(calendar.local_date(utc(2026, 3, 2, 20, 0)), date(2026, 3, 3));
    }

    #[test]
    fn schedule_without_hours_never_makes_anything_due() {
        let calendar = WorkingCalendar::new(closed_schedule(), [(date(2026, 3, 7), DayOverride::Working)]);
        let received = vn(2026, 3, 2, 9, 0);
        assert!(!calendar.is_working_day(date(2026, 3, 7)));
        assert_eq!(calendar.due_at(received, days(3.0)), received);
        assert_eq!(calendar.extend_due(received, 3), received);
        assert_eq!(calendar.next_working_day(date(2026, 3, 2)), date(2026, 3, 2));
        assert_eq!(calendar.add_working_days(date(2026, 3, 2), 5), date(2026, 3, 2));
        assert_eq!(calendar.working_days_between(received, vn(2026, 4, 2, 9, 0)), 0);
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        let far_west = DeskSchedule { time_zone: chrono_tz::America::Los_Angeles, ..DeskSchedule::default() };
        for schedule in [DeskSchedule::default(), far_west, closed_schedule()] {
            let calendar = WorkingCalendar::new(schedule, [(date(2026, 1, 1), DayOverride::Off)]);
            for instant in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, vn(2026, 3, 2, 9, 0)] {
                for time in [0, 1, 730, u32::MAX - 1, u32::MAX] {
                    let due = calendar.due_at(instant, ProcessingTime::from_half_days(time));
                    assert!(due >= instant || !calendar.schedule().has_opening_hours());
                }
                calendar.extend_due(instant, u32::MAX);
                calendar.next_opening(instant);
                calendar.local_date(instant);
                calendar.working_days_between(DateTime::<Utc>::MIN_UTC, instant);
            }
            for day in [NaiveDate::MIN, NaiveDate::MAX] {
                calendar.next_working_day(day);
                calendar.add_working_days(day, u32::MAX);
            }
        }
    }

    /// The reference the fast counting paths are checked against: one day at a time.
    fn add_working_days_one_by_one(calendar: &WorkingCalendar, date: NaiveDate, n: u32) -> NaiveDate {
        (0..n).fold(date, |day, _| calendar.next_working_day(day))
    }

    fn count_working_days_one_by_one(
        calendar: &WorkingCalendar,
        after: NaiveDate,
        through: NaiveDate,
    ) -> u32 {
        after
            .iter_days()
            .skip(1)
            .take_while(|day| *day <= through)
            .filter(|day| calendar.is_working_day(*day))
            .count() as u32
    }

    /// A default desk with random holidays and make-up days over 2026–2028.
    fn arbitrary_calendar() -> impl Strategy<Value = WorkingCalendar> {
        prop::collection::vec((0u64..1096, any::<bool>()), 0..40).prop_map(|exceptions| {
            let first_day = date(2026, 1, 1);
            WorkingCalendar::new(
                DeskSchedule::default(),
                exceptions.into_iter().map(|(offset, off)| {
                    let kind = if off { DayOverride::Off } else { DayOverride::Working };
                    (first_day + Days::new(offset), kind)
                }),
            )
        })
    }

    /// An instant in 2026–2027.
    fn arbitrary_instant() -> impl Strategy<Value = DateTime<Utc>> {
        let start = utc(2026, 1, 1, 0, 0).timestamp();
        let end = utc(2028, 1, 1, 0, 0).timestamp();
        (start..end).prop_map(|seconds| DateTime::from_timestamp(seconds, 0).unwrap())
    }

    fn arbitrary_interval() -> impl Strategy<Value = Interval> {
        (0u32..86_400, 0u32..86_400).prop_map(|(start, end)| Interval {
            start: NaiveTime::from_num_seconds_from_midnight_opt(start, 0).unwrap(),
            end: NaiveTime::from_num_seconds_from_midnight_opt(end, 0).unwrap(),
        })
    }

    /// Any schedule at all, valid or not, in zones with and without DST.
    fn arbitrary_schedule() -> impl Strategy<Value = DeskSchedule> {
        let day = prop::collection::vec(arbitrary_interval(), 0..3);
        let zones = prop::sample::select(vec![
            Ho_Chi_Minh,
            Paris,
            chrono_tz::America::Los_Angeles,
            chrono_tz::Pacific::Apia,
            chrono_tz::Pacific::Kiritimati,
        ]);
        (prop::collection::vec(day, 7), zones, 0u32..86_400).prop_map(|(hours, time_zone, cutoff)| {
            DeskSchedule {
                time_zone,
                weekly_hours: std::array::from_fn(|index| hours[index].clone()),
                intake_cutoff: NaiveTime::from_num_seconds_from_midnight_opt(cutoff, 0).unwrap(),
            }
        })
    }

    proptest! {
        #[test]
        fn due_date_is_a_working_day(
            calendar in arbitrary_calendar(),
            received in arbitrary_instant(),
            half_days in 0u32..=40,
        ) {
            let due = calendar.due_at(received, ProcessingTime::from_half_days(half_days));
            prop_assert!(due >= received);
            prop_assert!(calendar.is_working_day(calendar.local_date(due)));
        }

        #[test]
        fn due_date_grows_with_processing_time(
            calendar in arbitrary_calendar(),
            received in arbitrary_instant(),
            shorter in 0u32..=40,
            extra in 1u32..=40,
        ) {
            let short_due = calendar.due_at(received, ProcessingTime::from_half_days(shorter));
            let long_due = calendar.due_at(received, ProcessingTime::from_half_days(shorter + extra));
            prop_assert!(short_due < long_due);
        }

        #[test]
        fn due_date_grows_with_received_instant(
            calendar in arbitrary_calendar(),
            received in arbitrary_instant(),
            later_by_seconds in 0i64..(10 * 86_400),
            half_days in 0u32..=40,
        ) {
            let time = ProcessingTime::from_half_days(half_days);
            let later = received + chrono::TimeDelta::seconds(later_by_seconds);
            prop_assert!(calendar.due_at(received, time) <= calendar.due_at(later, time));
        }

        #[test]
        fn working_days_until_due_match_the_processing_time(
            calendar in arbitrary_calendar(),
            received in arbitrary_instant(),
            half_days in 0u32..=40,
        ) {
            let time = ProcessingTime::from_half_days(half_days);
            let counted = calendar.working_days_between(received, calendar.due_at(received, time));
            prop_assert!(counted <= half_days.div_ceil(2) + 1);
            let local = received.with_timezone(&Ho_Chi_Minh).naive_local();
            let received_on_working_day_before_cutoff = calendar.is_working_day(local.date())
                && local.time() < calendar.schedule().intake_cutoff;
            if received_on_working_day_before_cutoff {
                prop_assert_eq!(counted, half_days.div_ceil(2));
            }
        }

        #[test]
        fn rescheduling_a_computed_due_agrees_with_computing_it_anew(
            old in arbitrary_calendar(),
            days_after_receipt in 0u64..40,
            change in prop::sample::select(vec![None, Some(DayOverride::Off), Some(DayOverride::Working)]),
            received in arbitrary_instant(),
            half_days in 0u32..=40,
        ) {
            let mut exceptions = old.exceptions.clone();
            // Near the receipt, where a change can fall inside the window.
            let changed_day = old.local_date(received) + Days::new(days_after_receipt);
            match change {
                Some(day_override) => exceptions.insert(changed_day, day_override),
                None => exceptions.remove(&changed_day),
            };
            let new = WorkingCalendar::new(old.schedule().clone(), exceptions);
            // Rescheduling keeps the old start day on purpose; due_at under the new calendar
            // only agrees when the change leaves the start day alone.
            prop_assume!(old.clock_start_day(received) == new.clock_start_day(received));
            let time = ProcessingTime::from_half_days(half_days);
            let old_due = old.due_at(received, time);
            let new_due = new.due_at(received, time);
            let rescheduled = reschedule_due(&old, &new, received, old_due, time);
            prop_assert_eq!(rescheduled.unwrap_or(old_due), new_due);
            prop_assert_eq!(rescheduled.is_some(), new_due != old_due);
        }

        #[test]
        fn rescheduling_without_a_change_moves_nothing(
            calendar in arbitrary_calendar(),
            received in arbitrary_instant(),
            due in arbitrary_instant(),
        ) {
            prop_assert_eq!(reschedule_due(&calendar, &calendar, received, due, three_days()), None);
        }

        #[test]
        fn fast_day_counting_matches_counting_one_by_one(
            calendar in arbitrary_calendar(),
            received in arbitrary_instant(),
            n in 0u32..400,
        ) {
            let start = calendar.local_date(received);
            let landed = calendar.add_working_days(start, n);
            prop_assert_eq!(landed, add_working_days_one_by_one(&calendar, start, n));
            prop_assert_eq!(calendar.working_days_in(start, landed), count_working_days_one_by_one(&calendar, start, landed));
        }

        #[test]
        fn nothing_panics_for_any_schedule_or_instant(
            schedule in arbitrary_schedule(),
            exceptions in prop::collection::vec((-100_000_000i32..100_000_000, any::<bool>()), 0..10),
            received_seconds in any::<i64>(),
            other_seconds in any::<i64>(),
            half_days in any::<u32>(),
            extension in any::<u32>(),
        ) {
            let exceptions = exceptions.into_iter().filter_map(|(day, off)| {
                let kind = if off { DayOverride::Off } else { DayOverride::Working };
                NaiveDate::from_num_days_from_ce_opt(day).map(|date| (date, kind))
            });
            let without_exceptions = WorkingCalendar::new(schedule.clone(), []);
            let calendar = WorkingCalendar::new(schedule, exceptions);
            let clamp = |seconds: i64| DateTime::from_timestamp(seconds % 8_000_000_000_000, 0).unwrap();
            let (received, other) = (clamp(received_seconds), clamp(other_seconds));
            let time = ProcessingTime::from_half_days(half_days);
            let due = calendar.due_at(received, time);
            calendar.extend_due(due, extension);
            calendar.working_days_between(received, other);
            calendar.next_opening(received);
            calendar.falls_on_working_day(other);
            reschedule_due(&calendar, &without_exceptions, received, other, three_days());
            reschedule_due(&without_exceptions, &calendar, other, due, three_days());
            timeliness(&calendar, due, Some(other), other, time);
            let day = calendar.local_date(received);
            calendar.add_working_days(day, extension);
            calendar.hours_on(day);
            let _ = calendar.schedule().validate();
        }
    }
}
