//! The desk's queue: check-in, counters, "call next" and what officers do to a called ticket,
//! the queue settings, and the sweep that closes the day.
//!
//! Every write to a unit's queue runs in one transaction that first takes the unit's row of
//! `queue_days` for the ticket's day ([`store::lock_day`]): numbers are handed out without gaps,
//! "call next" is decided by the database for one counter at a time, and each write records
//! the events screens follow ([`store::record`]).
//!
//! Routes: [`routes`] (check-in, the day's tickets, counters, call next, settings) and
//! [`tickets`] (a ticket's actions); the rules of each write are in [`checkin`] and
//! [`calling`], the sweep in [`sweep`], the waiting-room screen in [`display`], the pure rules
//! in [`crate::domain::queue`].

pub mod calling;
pub mod checkin;
pub mod display;
pub mod dto;
pub mod routes;
pub mod settings;
pub mod store;
pub mod sweep;
pub mod tickets;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{queue_setting, ticket, unit};
use sea_orm::{ConnectionTrait, DbErr};

use crate::{
    auth::{Caller, Role, scope_of},
    calendar::store::working_calendar,
    domain::{
        calendar::WorkingCalendar,
        queue::{QueueRules, ServiceGroup},
    },
    error::{ApiError, ApiResult},
    state::AppState,
    units::store::unit_by_id,
};

/// Runs a write of a unit's queue and, once it committed, tells the unit's screens.
pub async fn write_queue<T>(
    state: &AppState,
    unit_id: uuid::Uuid,
    work: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> ApiResult<T>,
) -> ApiResult<T> {
    let done = crate::db::write_transaction(&state.writer, work).await?;
    display::hub::changed(state, unit_id);
    Ok(done)
}

/// A unit's desk as its queue sees it: the unit, its calendar and its queue rules.
#[derive(Debug, Clone)]
pub struct QueueDesk {
    pub unit: unit::Model,
    pub calendar: WorkingCalendar,
    pub rules: QueueRules,
}

impl QueueDesk {
    pub async fn of(db: &impl ConnectionTrait, unit: unit::Model) -> Result<QueueDesk, DbErr> {
        let calendar = working_calendar(db, &unit).await?;
        let rules = rules_of(store::settings(db, unit.id).await?.as_ref());
        Ok(QueueDesk { unit, calendar, rules })
    }

    /// The unit's local date at `now`: the day of the queue a check-in joins.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        self.calendar.local_date(now)
    }

    /// 404 for a counter the desk does not have.
    pub fn check_counter(&self, number: i32) -> ApiResult<()> {
        if (1..=self.unit.counters).contains(&number) { Ok(()) } else { Err(ApiError::not_found()) }
    }
}

/// The queue rules stored for a unit, or the defaults.
pub fn rules_of(settings: Option<&queue_setting::Model>) -> QueueRules {
    let Some(settings) = settings else { return QueueRules::default() };
    let minutes = |m: i32| chrono::Duration::minutes(i64::from(m));
    let groups: Vec<ServiceGroup> = serde_json::from_str(&settings.service_groups).unwrap_or_default();
    QueueRules {
        checkin_early: minutes(settings.checkin_early_minutes),
        checkin_late: minutes(settings.checkin_late_minutes),
        max_recalls: u32::try_from(settings.max_recalls).unwrap_or(1),
        strategy: settings.priority_strategy,
        priority_every: u32::try_from(settings.priority_every).unwrap_or(1),
        groups: if groups.is_empty() { QueueRules::default().groups } else { groups },
    }
}

/// The desk of a unit, by code, for a staff caller of at least `role` who works there (404
/// for a unit outside their scope).
pub async fn staff_desk(state: &AppState, caller: &Caller, code: &str, role: Role) -> ApiResult<QueueDesk> {
    let unit = crate::units::staff_unit(state, caller, code, role).await?;
    Ok(QueueDesk::of(&state.db, unit).await?)
}

/// A ticket and its desk, for an officer who works at that desk.
pub async fn staff_ticket(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
) -> ApiResult<(ticket::Model, QueueDesk)> {
    caller.require_staff(Role::Officer)?;
    let scope = scope_of(&state.db, caller).await?;
    let ticket = store::ticket(&state.db, id)
        .await?
        .filter(|t| scope.contains(t.unit_id))
        .ok_or_else(ApiError::not_found)?;
    let unit = unit_by_id(&state.db, ticket.unit_id).await?.ok_or_else(ApiError::not_found)?;
    Ok((ticket, QueueDesk::of(&state.db, unit).await?))
}

/// A ticket as the API shows it.
pub fn view(ticket: &ticket::Model, unit_code: &str, dossier_code: Option<String>) -> dto::Ticket {
    let seconds = |from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>| Some((to? - from?).num_seconds());
    dto::Ticket {
        id: ticket.id,
        unit_code: unit_code.to_owned(),
        service_day: ticket.service_day,
        number: ticket.number,
        display_number: ticket.display_number.clone(),
        service_group: ticket.service_group.clone(),
        kind: ticket.kind,
        priority_class: ticket.priority_class,
        priority_reason: ticket.priority_reason.clone(),
        appointment_id: ticket.appointment_id,
        slot_start: ticket.slot_start,
        status: ticket.status,
        counter: ticket.counter,
        target_counter: ticket.target_counter,
        recalls: ticket.recalls,
        outcome: ticket.outcome,
        dossier_code,
        checked_in_at: ticket.checked_in_at,
        called_at: ticket.called_at,
        serving_at: ticket.serving_at,
        finished_at: ticket.finished_at,
        wait_seconds: seconds(Some(ticket.checked_in_at), ticket.first_called_at),
        service_seconds: seconds(ticket.serving_at, ticket.finished_at),
        rating_token: None,
    }
}

/// Tickets as the API shows them, with the codes of their dossiers.
pub async fn views(
    db: &impl ConnectionTrait,
    tickets: &[ticket::Model],
    unit_code: &str,
) -> ApiResult<Vec<dto::Ticket>> {
    let codes = store::dossier_codes(db, tickets.iter().filter_map(|t| t.dossier_id).collect()).await?;
    Ok(tickets
        .iter()
        .map(|t| view(t, unit_code, t.dossier_id.and_then(|id| codes.get(&id).cloned())))
        .collect())
}
