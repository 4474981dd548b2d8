//! The waiting-room screen: what it shows ([`snapshot`]), the feed and the event stream that
//! pushes it again after every change ([`routes`], through the [`hub`]), and the page itself.

pub mod dto;
pub mod hub;
pub mod page;
pub mod routes;

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime, Utc};
use entity::{
    legal_document, procedure, procedure_legal_basis, procedure_unit, queue_event, ticket,
    values::{CounterState, QueueEventKind, TicketStatus},
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use self::dto::{
    Announcement, CounterStatus, Display, DisplayedLegalDocument, DisplayedProcedure, GroupWaiting,
    OpeningInterval, RecentCall, Serving,
};
use super::{QueueDesk, store};
use crate::domain::queue::{estimated_wait, median_seconds};

/// Calls a screen lists.
const RECENT_CALLS: u64 = 5;
/// Served tickets of a group whose median service time estimates the wait.
const SERVICE_SAMPLE: usize = 20;
/// Procedures a screen rotates through.
const PROCEDURES_SHOWN: u64 = 30;

/// What the desk's screens show now.
pub async fn snapshot(
    db: &impl ConnectionTrait,
    desk: &QueueDesk,
    now: DateTime<Utc>,
) -> Result<Display, DbErr> {
    let unit_id = desk.unit.id;
    // The event id first: what follows is at least as new, so a screen resuming from it
    // misses nothing (a change after it sends a new snapshot anyway).
    let event_id = queue_event::Entity::find()
        .filter(queue_event::Column::UnitId.eq(unit_id))
        .order_by_desc(queue_event::Column::Id)
        .one(db)
        .await?
        .map_or(0, |event| event.id);
    let today = desk.today(now);
    let hours = desk.calendar.hours_on(today);
    let local_now = desk.calendar.local_naive(now).map(|at| at.time());
    let at_counters = store::at_counters(db, unit_id).await?;
    let mut now_serving: Vec<Serving> = at_counters
        .iter()
        .map(|(counter, t)| Serving {
            counter: *counter,
            display_number: t.display_number.clone(),
            status: t.status,
        })
        .collect();
    now_serving.sort_by_key(|serving| serving.counter);
    let stored_counters = store::counters(db, unit_id).await?;
    let counters: Vec<CounterStatus> = (1..=desk.unit.counters)
        .map(|number| {
            let stored = stored_counters.iter().find(|c| c.number == number);
            CounterStatus {
                number,
                state: stored.map_or(CounterState::Closed, |c| c.state),
                pause_reason: stored.and_then(|c| c.pause_reason.clone()),
            }
        })
        .collect();
    let midnight = desk.calendar.to_utc(today.and_time(NaiveTime::MIN)).unwrap_or(now);
    let recent_calls = recent_calls(db, unit_id, midnight).await?;
    let announcement = recent_calls.first().map(|(event_id, call)| Announcement {
        event_id: *event_id,
        vi: format!("Mời số {} đến quầy {}", call.display_number, call.counter),
        en: format!("Number {}, please come to counter {}", call.display_number, call.counter),
    });
    let waiting = waiting_lines(db, desk, today, &stored_counters).await?;
    let (procedures, legal_documents) = catalogue(db, unit_id).await?;
    Ok(Display {
        event_id,
        unit_code: desk.unit.code.clone(),
        unit_name: desk.unit.name.clone(),
        generated_at: now,
        open_now: local_now.is_some_and(|time| hours.iter().any(|i| i.start <= time && time < i.end)),
        hours_today: hours.iter().map(OpeningInterval::from).collect(),
        now_serving,
        recent_calls: recent_calls.into_iter().map(|(_, call)| call).collect(),
        waiting,
        counters,
        announcement,
        procedures,
        legal_documents,
    })
}

/// The day's last calls, latest first, with their event ids.
async fn recent_calls(
    db: &impl ConnectionTrait,
    unit_id: uuid::Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, RecentCall)>, DbErr> {
    let calls = queue_event::Entity::find()
        .filter(queue_event::Column::UnitId.eq(unit_id))
        .filter(queue_event::Column::Kind.eq(QueueEventKind::Call))
        .filter(queue_event::Column::At.gte(since))
        .order_by_desc(queue_event::Column::Id)
        .limit(RECENT_CALLS)
        .all(db)
        .await?;
    let ids: Vec<uuid::Uuid> = calls.iter().filter_map(|call| call.ticket_id).collect();
    let numbers: HashMap<uuid::Uuid, String> = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.display_number))
        .collect();
    Ok(calls
        .into_iter()
        .filter_map(|call| {
            let display_number = numbers.get(&call.ticket_id?)?.clone();
            Some((call.id, RecentCall { display_number, counter: call.counter?, at: call.at }))
        })
        .collect())
}

/// Who waits in each group, and about how long a ticket taken now would.
async fn waiting_lines(
    db: &impl ConnectionTrait,
    desk: &QueueDesk,
    today: chrono::NaiveDate,
    counters: &[entity::counter::Model],
) -> Result<Vec<GroupWaiting>, DbErr> {
    let waiting = store::waiting(db, desk.unit.id, today).await?;
    let served = ticket::Entity::find()
        .filter(ticket::Column::UnitId.eq(desk.unit.id))
        .filter(ticket::Column::ServiceDay.eq(today))
        .filter(ticket::Column::Status.eq(TicketStatus::Served))
        .order_by_desc(ticket::Column::FinishedAt)
        .limit((SERVICE_SAMPLE * desk.rules.groups.len()) as u64)
        .all(db)
        .await?;
    Ok(desk
        .rules
        .groups
        .iter()
        .map(|group| {
            let in_group = |t: &&ticket::Model| t.service_group == group.code;
            let ahead = waiting.iter().filter(in_group).count();
            let seconds: Vec<i64> = served
                .iter()
                .filter(in_group)
                .filter_map(|t| Some((t.finished_at? - t.serving_at?).num_seconds()))
                .take(SERVICE_SAMPLE)
                .collect();
            let open = counters
                .iter()
                .filter(|c| c.state == CounterState::Open)
                .filter(|c| store::groups_of(c).is_none_or(|groups| groups.contains(&group.code)))
                .count();
            let wait = estimated_wait(median_seconds(seconds), ahead as u64, open as u64);
            GroupWaiting {
                service_group: group.code.clone(),
                name: group.name.clone(),
                prefix: group.prefix.clone(),
                waiting: i32::try_from(ahead).unwrap_or(i32::MAX),
                estimated_wait_minutes: wait.map(|seconds| (seconds + 59) / 60),
            }
        })
        .collect())
}

/// The procedures the desk handles and the legal documents they rest on.
async fn catalogue(
    db: &impl ConnectionTrait,
    unit_id: uuid::Uuid,
) -> Result<(Vec<DisplayedProcedure>, Vec<DisplayedLegalDocument>), DbErr> {
    let offered: Vec<uuid::Uuid> = procedure_unit::Entity::find()
        .select_only()
        .column(procedure_unit::Column::ProcedureId)
        .filter(procedure_unit::Column::UnitId.eq(unit_id))
        .into_tuple()
        .all(db)
        .await?;
    let procedures = procedure::Entity::find()
        .filter(procedure::Column::Id.is_in(offered))
        .filter(procedure::Column::Active.eq(true))
        .order_by_asc(procedure::Column::Code)
        .limit(PROCEDURES_SHOWN)
        .all(db)
        .await?;
    let bases = procedure_legal_basis::Entity::find()
        .filter(procedure_legal_basis::Column::ProcedureId.is_in(procedures.iter().map(|p| p.id)))
        .all(db)
        .await?;
    let documents: HashMap<uuid::Uuid, legal_document::Model> = legal_document::Entity::find()
        .filter(legal_document::Column::Id.is_in(bases.iter().map(|b| b.legal_document_id)))
        .order_by_asc(legal_document::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let shown = procedures
        .iter()
        .map(|p| {
            let mut legal_basis: Vec<String> = bases
                .iter()
                .filter(|b| b.procedure_id == p.id)
                .filter_map(|b| documents.get(&b.legal_document_id).map(|d| d.number.clone()))
                .collect();
            legal_basis.sort();
            DisplayedProcedure {
                code: p.code.clone(),
                name: p.name.clone(),
                processing_days: f64::from(p.processing_half_days) / 2.0,
                fee_vnd: p.fee_vnd,
                legal_basis,
            }
        })
        .collect();
    let mut legal: Vec<DisplayedLegalDocument> = documents
        .into_values()
        .map(|d| DisplayedLegalDocument { number: d.number, title: d.title })
        .collect();
    legal.sort_by(|a, b| a.number.cmp(&b.number));
    Ok((shown, legal))
}
