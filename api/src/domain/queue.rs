//! The desk's queue: when an appointment may check in, which waiting ticket a counter calls
//! next, what a recall leads to, how a ticket may move on, and how long the wait looks.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::values::{PriorityClass, PriorityStrategy, TicketKind, TicketStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar::WorkingCalendar;

/// A service group of a desk: its tickets share a prefix (`A042`) and a waiting count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceGroup {
    pub code: String,
    pub prefix: String,
    pub name: String,
}

/// A unit's queue rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRules {
    /// How long before its slot an appointment may check in.
    pub checkin_early: Duration,
    /// How long after its slot began an appointment still checks in as one.
    pub checkin_late: Duration,
    /// Recalls a called ticket gets before it is a no-show.
    pub max_recalls: u32,
    pub strategy: PriorityStrategy,
    /// Under `interleaved`: one priority ticket after this many normal ones.
    pub priority_every: u32,
    /// Never empty; the first is the group of a ticket that names none.
    pub groups: Vec<ServiceGroup>,
}

/// The group every desk has until its supervisor sets others.
pub fn default_group() -> ServiceGroup {
    ServiceGroup {
        code: "general".into(), prefix: "A".into(), name: "Tiếp nhận và trả kết quả".into()
    }
}

impl Default for QueueRules {
    fn default() -> QueueRules {
        QueueRules {
            checkin_early: Duration::minutes(30),
            checkin_late: Duration::minutes(15),
            max_recalls: 3,
            strategy: PriorityStrategy::Strict,
            priority_every: 3,
            groups: vec![default_group()],
        }
    }
}

impl QueueRules {
    pub fn group(&self, code: Option<&str>) -> Option<&ServiceGroup> {
        match code {
            Some(code) => self.groups.iter().find(|group| group.code == code),
            None => self.groups.first(),
        }
    }
}

/// The number a screen shows and a voice reads: the group's prefix and at least three digits.
pub fn display_number(prefix: &str, number: i32) -> String {
    format!("{prefix}{number:03}")
}

/// An appointment arriving earlier than its window opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooEarly {
    pub opens_at: DateTime<Utc>,
}

/// How an appointment arriving `now` for a slot starting `slot_start` joins the queue: as an
/// appointment within its window, or as a walk-in once the window has passed.
pub fn arrival(
    slot_start: DateTime<Utc>,
    now: DateTime<Utc>,
    rules: &QueueRules,
) -> Result<TicketKind, TooEarly> {
    let opens_at = slot_start - rules.checkin_early;
    if now < opens_at {
        Err(TooEarly { opens_at })
    } else if now <= slot_start + rules.checkin_late {
        Ok(TicketKind::Appointment)
    } else {
        Ok(TicketKind::WalkIn)
    }
}

/// When the desk closes on `day`: the end of its last opening interval; `None` when it does not
/// open that day (a holiday, a weekend), so it gives out no tickets.
pub fn closing_time(calendar: &WorkingCalendar, day: NaiveDate) -> Option<DateTime<Utc>> {
    let end = calendar.hours_on(day).iter().map(|interval| interval.end).max()?;
    calendar.to_utc(day.and_time(end))
}

/// A waiting ticket as "call next" weighs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub id: Uuid,
    pub kind: TicketKind,
    pub priority_class: PriorityClass,
    pub slot_start: Option<DateTime<Utc>>,
    pub queue_key: i64,
    pub number: i32,
}

/// Which line of the queue a called ticket came from; the unit counts normal calls since the
/// last priority one, for `interleaved`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Line {
    /// An appointment whose slot has begun.
    InSlot,
    Priority,
    Normal,
    /// An appointment checked in before its slot: called when nobody else waits.
    Early,
}

impl Waiting {
    fn line(&self, now: DateTime<Utc>) -> Line {
        match (self.kind, self.slot_start) {
            (TicketKind::Appointment, Some(start)) if start <= now => Line::InSlot,
            _ if self.priority_class == PriorityClass::Priority => Line::Priority,
            (TicketKind::Appointment, _) => Line::Early,
            _ => Line::Normal,
        }
    }

    /// The order within a line: slot first for appointments, then place in the queue.
    fn place(&self) -> (Option<DateTime<Utc>>, i64, i32) {
        (self.slot_start, self.queue_key, self.number)
    }
}

/// The ticket a counter calls next among those waiting for it, and its line: appointments in
/// their slot first, then priority tickets by the unit's strategy, then walk-ins in order,
/// then appointments that came early. `normals_since_priority` counts the unit's normal calls
/// since its last priority call.
pub fn pick_next<'a>(
    waiting: &'a [Waiting],
    now: DateTime<Utc>,
    rules: &QueueRules,
    normals_since_priority: u32,
) -> Option<(&'a Waiting, Line)> {
    let first_of = |line: Line| {
        waiting.iter().filter(|ticket| ticket.line(now) == line).min_by_key(|ticket| ticket.place())
    };
    let priority_turn = match rules.strategy {
        PriorityStrategy::Strict => true,
        PriorityStrategy::Interleaved => normals_since_priority >= rules.priority_every,
    };
    let order: [Line; 4] = if priority_turn {
        [Line::InSlot, Line::Priority, Line::Normal, Line::Early]
    } else {
        [Line::InSlot, Line::Normal, Line::Priority, Line::Early]
    };
    order.into_iter().find_map(|line| first_of(line).map(|ticket| (ticket, line)))
}

/// The unit's count of normal calls since the last priority one, after a call from `line`.
pub fn count_after_call(normals_since_priority: u32, line: Line) -> u32 {
    match line {
        Line::Priority => 0,
        Line::Normal | Line::Early => normals_since_priority.saturating_add(1),
        Line::InSlot => normals_since_priority,
    }
}

/// What recalling a called ticket does: call it again, or, once it was recalled
/// `max_recalls` times, mark it a no-show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recall {
    Again { recalls: u32 },
    NoShow,
}

pub fn recall(recalls: u32, max_recalls: u32) -> Recall {
    if recalls >= max_recalls { Recall::NoShow } else { Recall::Again { recalls: recalls + 1 } }
}

/// What an officer does to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketAction {
    Start,
    Serve,
    NoShow,
    Recall,
    ReturnToQueue,
    Transfer,
    Cancel,
}

/// Whether a ticket in `status` may take `action`.
pub fn allows(status: TicketStatus, action: TicketAction) -> bool {
    use TicketAction as A;
    use TicketStatus as S;
    match action {
        A::Start | A::NoShow | A::Recall => status == S::Called,
        A::Serve | A::ReturnToQueue => matches!(status, S::Called | S::Serving),
        A::Transfer => matches!(status, S::Waiting | S::Called | S::Serving),
        A::Cancel => matches!(status, S::Waiting | S::Called),
    }
}

/// The median of recent service times, in seconds.
pub fn median_seconds(mut seconds: Vec<i64>) -> Option<i64> {
    seconds.sort_unstable();
    let middle = seconds.len() / 2;
    match seconds.len() {
        0 => None,
        n if n % 2 == 1 => Some(seconds[middle]),
        _ => Some((seconds[middle - 1] + seconds[middle]) / 2),
    }
}

/// How long a citizen joining now would wait: the tickets ahead, served `counters` at a time,
/// each taking the median service time. `None` without a median or an open counter.
pub fn estimated_wait(median: Option<i64>, ahead: u64, counters: u64) -> Option<i64> {
    let median = median?;
    if counters == 0 {
        return None;
    }
    let rounds = i64::try_from(ahead.div_ceil(counters)).unwrap_or(i64::MAX);
    Some(median.saturating_mul(rounds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn ticket(number: i32, kind: TicketKind, priority: bool, slot: Option<&str>) -> Waiting {
        Waiting {
            id: Uuid::new_v4(),
            kind,
            priority_class: if priority { PriorityClass::Priority } else { PriorityClass::Normal },
            slot_start: slot.map(at),
            queue_key: i64::from(number),
            number,
        }
    }

    fn walk_in(number: i32) -> Waiting {
        ticket(number, TicketKind::WalkIn, false, None)
    }

    fn priority(number: i32) -> Waiting {
        ticket(number, TicketKind::WalkIn, true, None)
    }

    const NOW: &str = "2026-12-03T09:00:00+07:00";

    fn called_in_order(mut waiting: Vec<Waiting>, rules: &QueueRules) -> Vec<i32> {
        let mut count = 0;
        let mut order = Vec::new();
        while let Some((next, line)) = pick_next(&waiting, at(NOW), rules, count) {
            order.push(next.number);
            count = count_after_call(count, line);
            let id = next.id;
            waiting.retain(|ticket| ticket.id != id);
        }
        order
    }

    #[test]
    fn an_appointment_checks_in_from_its_window_and_late_ones_become_walk_ins() {
        let rules = QueueRules::default();
        let slot = at("2026-12-03T09:00:00+07:00");
        assert_eq!(
            arrival(slot, at("2026-12-03T08:29:59+07:00"), &rules),
            Err(TooEarly { opens_at: at("2026-12-03T08:30:00+07:00") })
        );
        assert_eq!(arrival(slot, at("2026-12-03T08:30:00+07:00"), &rules), Ok(TicketKind::Appointment));
        assert_eq!(arrival(slot, at("2026-12-03T09:15:00+07:00"), &rules), Ok(TicketKind::Appointment));
        assert_eq!(arrival(slot, at("2026-12-03T09:15:01+07:00"), &rules), Ok(TicketKind::WalkIn));
    }

    #[test]
    fn appointments_in_their_slot_come_first_and_early_ones_last() {
        let waiting = vec![
            walk_in(1),
            ticket(2, TicketKind::Appointment, false, Some("2026-12-03T09:15:00+07:00")),
            ticket(3, TicketKind::Appointment, false, Some("2026-12-03T08:45:00+07:00")),
            priority(4),
            ticket(5, TicketKind::Appointment, false, Some("2026-12-03T08:30:00+07:00")),
        ];
        assert_eq!(called_in_order(waiting, &QueueRules::default()), vec![5, 3, 4, 1, 2]);
    }

    #[test]
    fn strict_calls_every_priority_ticket_before_walk_ins() {
        let waiting = vec![walk_in(1), walk_in(2), priority(3), walk_in(4), priority(5)];
        assert_eq!(called_in_order(waiting, &QueueRules::default()), vec![3, 5, 1, 2, 4]);
    }

    #[test]
    fn interleaved_calls_one_priority_ticket_every_n_normal_ones() {
        let rules =
            QueueRules { strategy: PriorityStrategy::Interleaved, priority_every: 2, ..Default::default() };
        let waiting =
            vec![priority(1), walk_in(2), walk_in(3), priority(4), walk_in(5), walk_in(6), walk_in(7)];
        assert_eq!(called_in_order(waiting, &rules), vec![2, 3, 1, 5, 6, 4, 7]);
        // With nobody normal waiting, a priority ticket does not wait for its turn.
        assert_eq!(called_in_order(vec![priority(1), priority(2)], &rules), vec![1, 2]);
    }

    #[test]
    fn a_ticket_put_first_goes_ahead_of_its_line() {
        let mut returned = walk_in(9);
        returned.queue_key = 0;
        assert_eq!(
            called_in_order(vec![walk_in(1), walk_in(2), returned], &QueueRules::default()),
            vec![9, 1, 2]
        );
    }

    #[test]
    fn a_ticket_is_recalled_max_recalls_times_then_is_a_no_show() {
        assert_eq!(recall(0, 3), Recall::Again { recalls: 1 });
        assert_eq!(recall(2, 3), Recall::Again { recalls: 3 });
        assert_eq!(recall(3, 3), Recall::NoShow);
    }

    #[test]
    fn only_called_tickets_are_started_recalled_or_missed() {
        assert!(allows(TicketStatus::Called, TicketAction::Start));
        assert!(!allows(TicketStatus::Waiting, TicketAction::Recall));
        assert!(!allows(TicketStatus::Served, TicketAction::Transfer));
        assert!(allows(TicketStatus::Waiting, TicketAction::Cancel));
        assert!(!allows(TicketStatus::Serving, TicketAction::Cancel));
    }

    #[test]
    fn display_numbers_have_three_digits_at_least() {
        assert_eq!(display_number("A", 42), "A042");
        assert_eq!(display_number("B", 1234), "B1234");
    }

    #[test]
    fn the_wait_is_the_median_service_time_per_round_of_open_counters() {
        assert_eq!(median_seconds(vec![300, 100, 200]), Some(200));
        assert_eq!(median_seconds(vec![100, 200]), Some(150));
        assert_eq!(median_seconds(Vec::new()), None);
        assert_eq!(estimated_wait(Some(300), 5, 2), Some(900));
        assert_eq!(estimated_wait(Some(300), 0, 2), Some(0));
        assert_eq!(estimated_wait(Some(300), 5, 0), None);
    }
}
