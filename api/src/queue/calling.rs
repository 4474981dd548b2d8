//! Calling: a counter calls its next ticket, and an officer moves a called ticket on (start,
//! served, no-show, recall, back to the queue, transfer, cancel).

use chrono::{DateTime, Utc};
use entity::{
    ticket,
    values::{AppointmentStatus, CounterState, EventType, QueueEventKind, TicketStatus, VisitOutcome},
};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{QueueDesk, checkin::settle_appointment, store};
use crate::{
    appointments::store as appointments,
    domain::queue::{self, Recall, TicketAction, Waiting, allows, count_after_call, pick_next},
    error::{ApiError, ApiResult},
    problems,
    webhooks::payloads::{TicketCalledData, announce},
};

/// Calls the next ticket waiting for counter `number`, or `None` when nobody waits for it.
pub async fn call_next(
    tx: &impl ConnectionTrait,
    desk: &QueueDesk,
    number: i32,
    officer: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Option<ticket::Model>> {
    desk.check_counter(number)?;
    let today = desk.today(now);
    let day = store::lock_day(tx, desk.unit.id, today, 0).await?;
    let counter = store::counter(tx, desk.unit.id, number)
        .await?
        .filter(|counter| counter.state == CounterState::Open)
        .ok_or_else(|| ApiError::of(&problems::COUNTER_NOT_OPEN))?;
    if store::at_counter(tx, desk.unit.id, number).await?.is_some() {
        return Err(ApiError::of(&problems::COUNTER_BUSY));
    }
    let groups = store::groups_of(&counter);
    let calls_for_counter = |t: &ticket::Model| match t.target_counter {
        Some(target) => target == number,
        None => groups.as_ref().is_none_or(|groups| groups.contains(&t.service_group)),
    };
    let waiting: Vec<ticket::Model> =
        store::waiting(tx, desk.unit.id, today).await?.into_iter().filter(calls_for_counter).collect();
    let weighed: Vec<Waiting> = waiting
        .iter()
        .map(|t| Waiting {
            id: t.id,
            kind: t.kind,
            priority_class: t.priority_class,
            slot_start: t.slot_start,
            queue_key: t.queue_key,
            number: t.number,
        })
        .collect();
    let normals = u32::try_from(day.normals_since_priority).unwrap_or(0);
    let Some((next, line)) = pick_next(&weighed, now, &desk.rules, normals) else { return Ok(None) };
    let mut ticket = waiting
        .into_iter()
        .find(|t| t.id == next.id)
        .ok_or_else(|| ApiError::internal("picked ticket vanished"))?;
    store::set_normals_since_priority(tx, desk.unit.id, today, count_after_call(normals, line)).await?;
    ticket.status = TicketStatus::Called;
    ticket.counter = Some(number);
    ticket.target_counter = None;
    ticket.officer_id = Some(officer);
    ticket.called_at = Some(now);
    ticket.first_called_at = ticket.first_called_at.or(Some(now));
    save(tx, &mut ticket, QueueEventKind::Call, Some(number), now).await?;
    let data = TicketCalledData {
        ticket_id: ticket.id,
        unit_code: desk.unit.code.clone(),
        service_day: ticket.service_day,
        display_number: ticket.display_number.clone(),
        counter: number,
        appointment_id: ticket.appointment_id,
    };
    announce(tx, now, EventType::TicketCalled, desk.unit.id, &data).await?;
    Ok(Some(ticket))
}

/// What an officer does to a ticket, with what it needs.
#[derive(Debug, Clone)]
pub enum Act {
    Start,
    Serve { outcome: VisitOutcome, dossier_id: Option<Uuid> },
    NoShow,
    Recall,
    ReturnToQueue { first: bool },
    Transfer { counter: Option<i32>, service_group: Option<String> },
    Cancel,
}

impl Act {
    fn action(&self) -> TicketAction {
        match self {
            Act::Start => TicketAction::Start,
            Act::Serve { .. } => TicketAction::Serve,
            Act::NoShow => TicketAction::NoShow,
            Act::Recall => TicketAction::Recall,
            Act::ReturnToQueue { .. } => TicketAction::ReturnToQueue,
            Act::Transfer { .. } => TicketAction::Transfer,
            Act::Cancel => TicketAction::Cancel,
        }
    }
}

/// Does `act` to the ticket, under its unit's queue lock of the ticket's day.
pub async fn act(
    tx: &impl ConnectionTrait,
    desk: &QueueDesk,
    id: Uuid,
    act: Act,
    officer: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<ticket::Model> {
    let before = store::ticket(tx, id).await?.ok_or_else(ApiError::not_found)?;
    store::lock_day(tx, before.unit_id, before.service_day, 0).await?;
    // Read again under the lock: another officer may have moved it meanwhile.
    let mut ticket = store::ticket(tx, id).await?.ok_or_else(ApiError::not_found)?;
    if !allows(ticket.status, act.action()) {
        return Err(ApiError::of(&problems::TICKET_NOT_IN_STATE));
    }
    let mut event = QueueEventKind::Ticket;
    let was_at = ticket.counter;
    ticket.officer_id = Some(officer);
    match act {
        Act::Start => {
            ticket.status = TicketStatus::Serving;
            ticket.serving_at = Some(now);
        }
        Act::Serve { outcome, dossier_id } => {
            ticket.serving_at = ticket.serving_at.or(Some(now));
            ticket.outcome = Some(outcome);
            ticket.dossier_id = dossier_id;
            finish(tx, &mut ticket, TicketStatus::Served, now).await?;
        }
        Act::NoShow => finish(tx, &mut ticket, TicketStatus::NoShow, now).await?,
        Act::Recall => {
            match queue::recall(u32::try_from(ticket.recalls).unwrap_or(0), desk.rules.max_recalls) {
                Recall::Again { recalls } => {
                    ticket.recalls = i32::try_from(recalls).unwrap_or(i32::MAX);
                    ticket.called_at = Some(now);
                    event = QueueEventKind::Call;
                }
                Recall::NoShow => finish(tx, &mut ticket, TicketStatus::NoShow, now).await?,
            }
        }
        Act::ReturnToQueue { first } => {
            let key = store::edge_of_queue(tx, ticket.unit_id, ticket.service_day, first).await?;
            requeue(&mut ticket, key);
        }
        Act::Transfer { counter, service_group } => {
            let key = store::edge_of_queue(tx, ticket.unit_id, ticket.service_day, true).await?;
            requeue(&mut ticket, key);
            ticket.target_counter = counter;
            if let Some(group) = service_group {
                ticket.service_group = group;
            }
        }
        Act::Cancel => finish(tx, &mut ticket, TicketStatus::Cancelled, now).await?,
    }
    save(tx, &mut ticket, event, was_at, now).await?;
    Ok(ticket)
}

/// Puts a ticket back among those waiting, at `queue_key`.
fn requeue(ticket: &mut ticket::Model, queue_key: i64) {
    ticket.status = TicketStatus::Waiting;
    ticket.counter = None;
    ticket.serving_at = None;
    ticket.queue_key = queue_key;
}

/// Ends a ticket's visit, and its booking's with it: a served ticket serves its booking, a
/// missed one misses it. A cancelled ticket leaves its booking checked in: it did come.
pub async fn finish(
    tx: &impl ConnectionTrait,
    ticket: &mut ticket::Model,
    status: TicketStatus,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    ticket.status = status;
    ticket.counter = None;
    ticket.finished_at = Some(now);
    let booking_status = match status {
        TicketStatus::Served => AppointmentStatus::Served,
        TicketStatus::NoShow => AppointmentStatus::NoShow,
        _ => return Ok(()),
    };
    let Some(id) = ticket.appointment_id else { return Ok(()) };
    if let Some(booking) = appointments::by_id_for_update(tx, id).await?
        && booking.status == AppointmentStatus::CheckedIn
    {
        settle_appointment(tx, booking, booking_status, now).await?;
    }
    Ok(())
}

/// Writes the ticket's new state and the event screens see, naming the counter it was at.
pub async fn save(
    tx: &impl ConnectionTrait,
    ticket: &mut ticket::Model,
    kind: QueueEventKind,
    counter: Option<i32>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    ticket.version += 1;
    store::update_ticket(tx, ticket.clone()).await?;
    store::record(tx, ticket.unit_id, now, store::Event { kind, ticket_id: Some(ticket.id), counter })
        .await?;
    Ok(())
}
