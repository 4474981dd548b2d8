//! What the queue operations take and answer.

use chrono::{DateTime, NaiveDate, Utc};
use entity::values::{CounterState, PriorityClass, PriorityStrategy, TicketKind, TicketStatus, VisitOutcome};
use poem_openapi::{Enum, Object, types::Example};
use uuid::Uuid;

use crate::input::Line;

/// A check-in at the desk.
#[derive(Debug, Clone, Object, Default)]
#[oai(example)]
pub struct NewTicket {
    /// The booking of the citizen checking in; absent for a walk-in.
    #[oai(skip_serializing_if_is_none)]
    pub appointment_id: Option<Uuid>,
    /// The service group to queue in (see the queue settings); default the desk's first.
    #[oai(skip_serializing_if_is_none)]
    pub service_group: Option<Line<1, 40>>,
    /// `priority` for those the law serves first (the elderly, people with disabilities,
    /// pregnant women, ...); default `normal`.
    #[oai(skip_serializing_if_is_none)]
    pub priority_class: Option<PriorityClass>,
    /// Why the ticket is a priority one; required with `priority`, refused without.
    #[oai(skip_serializing_if_is_none)]
    pub priority_reason: Option<Line<1, 200>>,
}

/// A ticket of the desk's queue.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Ticket {
    /// The ticket's id.
    pub id: Uuid,
    /// The unit whose desk it queues at.
    pub unit_code: String,
    /// The unit's local date of the check-in; numbers restart each day.
    pub service_day: NaiveDate,
    /// The number of the day, gap-free from 1.
    pub number: i32,
    /// The number as the screen shows and the voice reads it: the group's prefix and three digits.
    pub display_number: String,
    /// The service group it queues in.
    pub service_group: String,
    /// `appointment` when checked in within its window, else `walk_in`.
    pub kind: TicketKind,
    /// `priority` tickets are called by the desk's priority strategy.
    pub priority_class: PriorityClass,
    /// Why it is a priority ticket; absent for normal ones.
    #[oai(skip_serializing_if_is_none)]
    pub priority_reason: Option<String>,
    /// The booking it checked in for; a late booking keeps this link as a walk-in.
    #[oai(skip_serializing_if_is_none)]
    pub appointment_id: Option<Uuid>,
    /// When the booking's slot begins, for `appointment` tickets.
    #[oai(skip_serializing_if_is_none)]
    pub slot_start: Option<DateTime<Utc>>,
    /// Where it stands.
    pub status: TicketStatus,
    /// The counter it is called to or served at, while `called` or `serving`.
    #[oai(skip_serializing_if_is_none)]
    pub counter: Option<i32>,
    /// The counter it was transferred to: only that counter calls it.
    #[oai(skip_serializing_if_is_none)]
    pub target_counter: Option<i32>,
    /// How often it was called again.
    pub recalls: i32,
    /// What the visit came to, once served.
    #[oai(skip_serializing_if_is_none)]
    pub outcome: Option<VisitOutcome>,
    /// The dossier received during the visit.
    #[oai(skip_serializing_if_is_none)]
    pub dossier_code: Option<String>,
    /// When it was taken.
    pub checked_in_at: DateTime<Utc>,
    /// When it was last called.
    #[oai(skip_serializing_if_is_none)]
    pub called_at: Option<DateTime<Utc>>,
    /// When service began.
    #[oai(skip_serializing_if_is_none)]
    pub serving_at: Option<DateTime<Utc>>,
    /// When it was served, missed or cancelled.
    #[oai(skip_serializing_if_is_none)]
    pub finished_at: Option<DateTime<Utc>>,
    /// Seconds from check-in to the first call.
    #[oai(skip_serializing_if_is_none)]
    pub wait_seconds: Option<i64>,
    /// Seconds from the start of service to its end.
    #[oai(skip_serializing_if_is_none)]
    pub service_seconds: Option<i64>,
    /// The one-time token to print as a QR code on the ticket: once served, the citizen rates
    /// the officer with it (`POST /ratings`) away from the counter. Only in the check-in answer.
    #[oai(skip_serializing_if_is_none)]
    pub rating_token: Option<String>,
}

/// A counter of the desk.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Counter {
    /// Its number, from 1 to the desk's count of counters.
    pub number: i32,
    /// Open counters call; paused and closed ones do not.
    pub state: CounterState,
    /// Why it is paused.
    #[oai(skip_serializing_if_is_none)]
    pub pause_reason: Option<String>,
    /// The officer at it.
    #[oai(skip_serializing_if_is_none)]
    pub officer_id: Option<Uuid>,
    /// The service groups it calls; absent: every group.
    #[oai(skip_serializing_if_is_none)]
    pub service_groups: Option<Vec<String>>,
    /// The ticket called to it or served at it now.
    #[oai(skip_serializing_if_is_none)]
    pub ticket_id: Option<Uuid>,
    /// That ticket's number.
    #[oai(skip_serializing_if_is_none)]
    pub display_number: Option<String>,
}

/// A counter's new state.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct CounterChange {
    /// `open` (the caller staffs it), `paused` (with a reason) or `closed`.
    pub state: CounterState,
    /// Why it pauses; required with `paused`, refused otherwise.
    #[oai(skip_serializing_if_is_none)]
    pub pause_reason: Option<Line<1, 200>>,
    /// The service groups it calls (codes of the queue settings); absent: every group.
    #[oai(skip_serializing_if_is_none)]
    pub service_groups: Option<Vec<Line<1, 40>>>,
}

/// The end of a visit.
#[derive(Debug, Clone, Object, Default)]
#[oai(example)]
pub struct ServedRequest {
    /// What it came to; default `dossier_received` with a dossier, else `other`.
    #[oai(skip_serializing_if_is_none)]
    pub outcome: Option<VisitOutcome>,
    /// The code of the dossier received, a dossier of the unit.
    #[oai(skip_serializing_if_is_none)]
    pub dossier_code: Option<Line<1, 40>>,
}

/// Where a ticket goes back to in its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Default)]
#[oai(rename_all = "snake_case")]
pub enum QueuePosition {
    /// Ahead of every ticket waiting (the citizen stepped away for a moment).
    First,
    /// Behind every ticket waiting.
    #[default]
    Last,
}

/// Put a called or served ticket back in the queue.
#[derive(Debug, Clone, Object, Default)]
#[oai(example)]
pub struct ReturnRequest {
    /// Where in the line; default `last`.
    #[oai(skip_serializing_if_is_none)]
    pub position: Option<QueuePosition>,
}

/// Send a ticket to another counter or group, ahead of those waiting there.
#[derive(Debug, Clone, Object, Default)]
#[oai(example)]
pub struct TransferRequest {
    /// The counter that alone will call it.
    #[oai(skip_serializing_if_is_none)]
    pub counter: Option<i32>,
    /// The service group it moves to.
    #[oai(skip_serializing_if_is_none)]
    pub service_group: Option<Line<1, 40>>,
}

/// A service group of the desk.
#[derive(Debug, Clone, Object)]
pub struct ServiceGroup {
    /// Its code: lower-case letters, digits and `_`, unique at the desk.
    #[oai(validator(pattern = "^[a-z0-9_]{1,40}$"))]
    pub code: String,
    /// The letters its ticket numbers begin with (1–3 capitals), unique at the desk.
    #[oai(validator(pattern = "^[A-Z]{1,3}$"))]
    pub prefix: String,
    /// Its name as the screen shows it.
    pub name: Line<1, 120>,
}

/// A desk's queue rules.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct QueueSettings {
    /// Minutes before its slot an appointment may check in (0–240, default 30).
    #[oai(validator(minimum(value = "0"), maximum(value = "240")))]
    pub checkin_early_minutes: i32,
    /// Minutes after its slot began an appointment still checks in as one (0–240, default 15);
    /// later it queues as a walk-in.
    #[oai(validator(minimum(value = "0"), maximum(value = "240")))]
    pub checkin_late_minutes: i32,
    /// Recalls a called ticket gets before it is a no-show (1–10, default 3).
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub max_recalls: i32,
    /// `strict`: every priority ticket before walk-ins; `interleaved`: one every `priority_every`.
    pub priority_strategy: PriorityStrategy,
    /// Under `interleaved`, normal tickets called between priority ones (1–50, default 3).
    #[oai(validator(minimum(value = "1"), maximum(value = "50")))]
    pub priority_every: i32,
    /// The groups tickets queue in (1–20, codes and prefixes unique); the first takes tickets
    /// that name none.
    #[oai(validator(min_items = 1, max_items = 20))]
    pub service_groups: Vec<ServiceGroup>,
}

fn example_instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).map(|at| at.to_utc()).unwrap_or_default()
}

impl Example for NewTicket {
    fn example() -> Self {
        NewTicket {
            priority_class: Some(PriorityClass::Priority),
            priority_reason: Some("Người cao tuổi".into()),
            ..NewTicket::default()
        }
    }
}

impl Example for Ticket {
    fn example() -> Self {
        Ticket {
            id: Uuid::from_u128(0x0193_8a1e_2b3c_7d4e_8f90_1a2b_3c4d_5e70),
            unit_code: "000.20.33.H12".into(),
            service_day: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default(),
            number: 42,
            display_number: "A042".into(),
            service_group: "general".into(),
            kind: TicketKind::WalkIn,
            priority_class: PriorityClass::Normal,
            priority_reason: None,
            appointment_id: None,
            slot_start: None,
            status: TicketStatus::Called,
            counter: Some(2),
            target_counter: None,
            recalls: 0,
            outcome: None,
            dossier_code: None,
            checked_in_at: example_instant("2026-12-03T08:41:00+07:00"),
            called_at: Some(example_instant("2026-12-03T08:55:30+07:00")),
            serving_at: None,
            finished_at: None,
            wait_seconds: Some(870),
            service_seconds: None,
            rating_token: None,
        }
    }
}

impl Example for Counter {
    fn example() -> Self {
        Counter {
            number: 2,
            state: CounterState::Open,
            pause_reason: None,
            officer_id: Some(Uuid::from_u128(0x0193_8a1e_2b3c_7d4e_8f90_1a2b_3c4d_5e71)),
            service_groups: None,
            ticket_id: Some(Uuid::from_u128(0x0193_8a1e_2b3c_7d4e_8f90_1a2b_3c4d_5e70)),
            display_number: Some("A042".into()),
        }
    }
}

impl Example for CounterChange {
    fn example() -> Self {
        CounterChange {
            state: CounterState::Paused,
            pause_reason: Some("Nghỉ giải lao".into()),
            service_groups: None,
        }
    }
}

impl Example for ServedRequest {
    fn example() -> Self {
        ServedRequest {
            outcome: Some(VisitOutcome::DossierReceived),
            dossier_code: Some("000.20.33.H12-261203-0001".into()),
        }
    }
}

impl Example for ReturnRequest {
    fn example() -> Self {
        ReturnRequest { position: Some(QueuePosition::First) }
    }
}

impl Example for TransferRequest {
    fn example() -> Self {
        TransferRequest { counter: Some(3), service_group: None }
    }
}

impl Example for QueueSettings {
    fn example() -> Self {
        QueueSettings {
            checkin_early_minutes: 30,
            checkin_late_minutes: 15,
            max_recalls: 3,
            priority_strategy: PriorityStrategy::Interleaved,
            priority_every: 3,
            service_groups: vec![
                ServiceGroup {
                    code: "general".into(),
                    prefix: "A".into(),
                    name: "Tiếp nhận và trả kết quả".into(),
                },
                ServiceGroup { code: "civil_status".into(), prefix: "B".into(), name: "Hộ tịch".into() },
            ],
        }
    }
}
