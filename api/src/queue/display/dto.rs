//! What a waiting-room screen is told.

use chrono::{DateTime, Utc};
use entity::values::{CounterState, TicketStatus};
use poem_openapi::{Object, types::Example};

pub use crate::calendar::dto::OpeningInterval;

/// Everything a waiting-room screen shows, as of one queue event.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Display {
    /// The last queue event of the unit this reflects (0 before any): the event stream's ids,
    /// and what `Last-Event-ID` resumes from.
    pub event_id: i64,
    /// The unit.
    pub unit_code: String,
    /// The unit's name.
    pub unit_name: String,
    /// When this was put together.
    pub generated_at: DateTime<Utc>,
    /// Whether the desk is within its opening hours now.
    pub open_now: bool,
    /// Today's opening hours, in the unit's time zone (`07:30`–`11:30`, ...).
    pub hours_today: Vec<OpeningInterval>,
    /// The tickets at the counters now, by counter.
    pub now_serving: Vec<Serving>,
    /// The last five calls of the day, latest first.
    pub recent_calls: Vec<RecentCall>,
    /// Who waits, per service group.
    pub waiting: Vec<GroupWaiting>,
    /// Every counter of the desk and its state.
    pub counters: Vec<CounterStatus>,
    /// What the voice and the banner say of the latest call; absent before the day's first.
    #[oai(skip_serializing_if_is_none)]
    pub announcement: Option<Announcement>,
    /// The procedures the desk handles, for the screen to rotate through.
    pub procedures: Vec<DisplayedProcedure>,
    /// The legal documents those procedures are based on.
    pub legal_documents: Vec<DisplayedLegalDocument>,
}

/// A ticket at a counter.
#[derive(Debug, Clone, Object)]
pub struct Serving {
    /// The counter.
    pub counter: i32,
    /// The ticket's number as shown.
    pub display_number: String,
    /// `called` (on the way) or `serving`.
    pub status: TicketStatus,
}

/// A call, as the screen lists it.
#[derive(Debug, Clone, Object)]
pub struct RecentCall {
    /// The ticket's number as shown.
    pub display_number: String,
    /// The counter it was called to.
    pub counter: i32,
    /// When.
    pub at: DateTime<Utc>,
}

/// The waiting line of one service group.
#[derive(Debug, Clone, Object)]
pub struct GroupWaiting {
    /// The group's code.
    pub service_group: String,
    /// The group's name.
    pub name: String,
    /// Its numbers' prefix.
    pub prefix: String,
    /// Tickets waiting.
    pub waiting: i32,
    /// About how many minutes a ticket taken now waits: the median service time of the day's
    /// last served tickets of the group, per round of the counters open to it. Absent before
    /// any ticket was served or while no counter calls the group.
    #[oai(skip_serializing_if_is_none)]
    pub estimated_wait_minutes: Option<i64>,
}

/// A counter as the screen shows it.
#[derive(Debug, Clone, Object)]
pub struct CounterStatus {
    /// Its number.
    pub number: i32,
    /// Open, paused or closed.
    pub state: CounterState,
    /// Why it is paused.
    #[oai(skip_serializing_if_is_none)]
    pub pause_reason: Option<String>,
}

/// The words of a call.
#[derive(Debug, Clone, Object)]
pub struct Announcement {
    /// The event of the call.
    pub event_id: i64,
    /// In Vietnamese: "Mời số A042 đến quầy 2".
    pub vi: String,
    /// In English.
    pub en: String,
}

/// A procedure as the screen shows it.
#[derive(Debug, Clone, Object)]
pub struct DisplayedProcedure {
    /// Its code in the national catalogue.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Statutory processing time in working days.
    pub processing_days: f64,
    /// The fee in đồng.
    pub fee_vnd: i64,
    /// Numbers of the legal documents it is based on.
    pub legal_basis: Vec<String>,
}

/// A legal document as the screen shows it.
#[derive(Debug, Clone, Object)]
pub struct DisplayedLegalDocument {
    /// Its number (`123/2015/NĐ-CP`).
    pub number: String,
    /// Its title.
    pub title: String,
}

impl Example for Display {
    fn example() -> Self {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).unwrap_or_default();
        Display {
            event_id: 1187,
            unit_code: "000.20.33.H12".into(),
            unit_name: "UBND phường Hòa Cường".into(),
            generated_at: at("2026-12-03T09:12:04+07:00"),
            open_now: true,
            hours_today: vec![
                OpeningInterval { start: "07:30".into(), end: "11:30".into() },
                OpeningInterval { start: "13:30".into(), end: "17:00".into() },
            ],
            now_serving: vec![Serving {
                counter: 2,
                display_number: "A042".into(),
                status: TicketStatus::Called,
            }],
            recent_calls: vec![RecentCall {
                display_number: "A042".into(),
                counter: 2,
                at: at("2026-12-03T09:12:00+07:00"),
            }],
            waiting: vec![GroupWaiting {
                service_group: "general".into(),
                name: "Tiếp nhận và trả kết quả".into(),
                prefix: "A".into(),
                waiting: 7,
                estimated_wait_minutes: Some(21),
            }],
            counters: vec![
                CounterStatus {
                    number: 1,
                    state: CounterState::Paused,
                    pause_reason: Some("Nghỉ giải lao".into()),
                },
                CounterStatus { number: 2, state: CounterState::Open, pause_reason: None },
            ],
            announcement: Some(Announcement {
                event_id: 1187,
                vi: "Mời số A042 đến quầy 2".into(),
                en: "Number A042, please come to counter 2".into(),
            }),
            procedures: vec![DisplayedProcedure {
                code: "1.001193".into(),
                name: "Đăng ký khai sinh".into(),
                processing_days: 0.0,
                fee_vnd: 0,
                legal_basis: vec!["60/2014/QH13".into()],
            }],
            legal_documents: vec![DisplayedLegalDocument {
                number: "60/2014/QH13".into(),
                title: "Luật Hộ tịch".into(),
            }],
        }
    }
}
