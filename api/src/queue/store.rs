//! The queue's reads and writes.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    counter, dossier, queue_event, queue_setting, ticket,
    values::{QueueEventKind, TicketStatus},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Statement,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::pagination::{PageQuery, fetch_page};

/// The channel PostgreSQL notifies, with the unit's id, when a unit's queue changed.
pub const CHANNEL: &str = "motcua_queue";

/// A unit's queue on a day as a write holds it.
#[derive(Debug, Clone, Copy)]
pub struct Day {
    pub last_number: i32,
    pub normals_since_priority: i32,
}

/// Takes the unit's row of the day (creating it), adding `numbers` to its last ticket number,
/// and holds it to the end of the transaction: every queue write of a unit starts here.
pub async fn lock_day(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    day: NaiveDate,
    numbers: i32,
) -> Result<Day, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        last_number: i32,
        normals_since_priority: i32,
    }
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "INSERT INTO queue_days (unit_id, service_day, last_number, normals_since_priority) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (unit_id, service_day) DO UPDATE SET last_number = queue_days.last_number + $4 \
             RETURNING last_number, normals_since_priority"
        }
        _ => {
            "INSERT INTO queue_days (unit_id, service_day, last_number, normals_since_priority) VALUES (?, ?, ?, 0) \
             ON CONFLICT (unit_id, service_day) DO UPDATE SET last_number = queue_days.last_number + ? \
             RETURNING last_number, normals_since_priority"
        }
    };
    let values = [unit_id.into(), day.into(), numbers.into(), numbers.into()];
    let row = Row::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::Custom("the queue day upsert returned nothing".into()))?;
    Ok(Day { last_number: row.last_number, normals_since_priority: row.normals_since_priority })
}

pub async fn set_normals_since_priority(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    day: NaiveDate,
    count: u32,
) -> Result<(), DbErr> {
    entity::queue_day::Entity::update_many()
        .col_expr(
            entity::queue_day::Column::NormalsSincePriority,
            Expr::value(i32::try_from(count).unwrap_or(i32::MAX)),
        )
        .filter(entity::queue_day::Column::UnitId.eq(unit_id))
        .filter(entity::queue_day::Column::ServiceDay.eq(day))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn ticket(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<ticket::Model>, DbErr> {
    ticket::Entity::find_by_id(id).one(db).await
}

pub async fn insert_ticket(db: &impl ConnectionTrait, ticket: ticket::Model) -> Result<(), DbErr> {
    ticket::ActiveModel::from(ticket).insert(db).await?;
    Ok(())
}

pub async fn update_ticket(db: &impl ConnectionTrait, ticket: ticket::Model) -> Result<(), DbErr> {
    ticket::ActiveModel::from(ticket).reset_all().update(db).await?;
    Ok(())
}

/// The tickets waiting at a unit on a day.
pub async fn waiting(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    day: NaiveDate,
) -> Result<Vec<ticket::Model>, DbErr> {
    ticket::Entity::find()
        .filter(ticket::Column::UnitId.eq(unit_id))
        .filter(ticket::Column::ServiceDay.eq(day))
        .filter(ticket::Column::Status.eq(TicketStatus::Waiting))
        .order_by_asc(ticket::Column::QueueKey)
        .order_by_asc(ticket::Column::Number)
        .all(db)
        .await
}

/// The ticket called to or served at a counter now.
pub async fn at_counter(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    number: i32,
) -> Result<Option<ticket::Model>, DbErr> {
    ticket::Entity::find()
        .filter(ticket::Column::UnitId.eq(unit_id))
        .filter(ticket::Column::Counter.eq(number))
        .filter(ticket::Column::Status.is_in([TicketStatus::Called, TicketStatus::Serving]))
        .one(db)
        .await
}

/// The tickets at the unit's counters now, by counter.
pub async fn at_counters(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
) -> Result<HashMap<i32, ticket::Model>, DbErr> {
    let tickets = ticket::Entity::find()
        .filter(ticket::Column::UnitId.eq(unit_id))
        .filter(ticket::Column::Status.is_in([TicketStatus::Called, TicketStatus::Serving]))
        .all(db)
        .await?;
    Ok(tickets.into_iter().filter_map(|t| Some((t.counter?, t))).collect())
}

/// The queue key that puts a ticket ahead of (`first`) or behind every ticket waiting.
pub async fn edge_of_queue(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    day: NaiveDate,
    first: bool,
) -> Result<i64, DbErr> {
    let keys = waiting(db, unit_id, day).await?.into_iter().map(|t| t.queue_key);
    Ok(if first { keys.min().map_or(0, |key| key - 1) } else { keys.max().map_or(0, |key| key + 1) })
}

pub async fn tickets_of_day(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    day: NaiveDate,
    status: Option<TicketStatus>,
    page: PageQuery,
) -> Result<(Vec<ticket::Model>, u64), DbErr> {
    let mut query = ticket::Entity::find()
        .filter(ticket::Column::UnitId.eq(unit_id))
        .filter(ticket::Column::ServiceDay.eq(day))
        .order_by_asc(ticket::Column::Number);
    if let Some(status) = status {
        query = query.filter(ticket::Column::Status.eq(status));
    }
    fetch_page(db, query, page).await
}

/// The codes of these dossiers, by id.
pub async fn dossier_codes(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, String>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String)> = dossier::Entity::find()
        .select_only()
        .column(dossier::Column::Id)
        .column(dossier::Column::Code)
        .filter(dossier::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

pub async fn counters(db: &impl ConnectionTrait, unit_id: Uuid) -> Result<Vec<counter::Model>, DbErr> {
    counter::Entity::find()
        .filter(counter::Column::UnitId.eq(unit_id))
        .order_by_asc(counter::Column::Number)
        .all(db)
        .await
}

pub async fn counter(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    number: i32,
) -> Result<Option<counter::Model>, DbErr> {
    counter::Entity::find_by_id((unit_id, number)).one(db).await
}

/// The service groups a counter calls; `None`: every group.
pub fn groups_of(counter: &counter::Model) -> Option<Vec<String>> {
    counter.service_groups.as_deref().and_then(|groups| serde_json::from_str(groups).ok())
}

pub async fn save_counter(db: &impl ConnectionTrait, counter: counter::Model) -> Result<(), DbErr> {
    use counter::Column as C;
    let upsert = OnConflict::columns([C::UnitId, C::Number])
        .update_columns([C::State, C::PauseReason, C::OfficerId, C::ServiceGroups, C::UpdatedAt])
        .to_owned();
    counter::Entity::insert(counter::ActiveModel::from(counter)).on_conflict(upsert).exec(db).await?;
    Ok(())
}

pub async fn settings(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
) -> Result<Option<queue_setting::Model>, DbErr> {
    queue_setting::Entity::find_by_id(unit_id).one(db).await
}

pub async fn save_settings(db: &impl ConnectionTrait, settings: queue_setting::Model) -> Result<(), DbErr> {
    use queue_setting::Column as C;
    let upsert = OnConflict::column(C::UnitId)
        .update_columns([
            C::CheckinEarlyMinutes,
            C::CheckinLateMinutes,
            C::MaxRecalls,
            C::PriorityStrategy,
            C::PriorityEvery,
            C::ServiceGroups,
            C::UpdatedAt,
        ])
        .to_owned();
    queue_setting::Entity::insert(queue_setting::ActiveModel::from(settings))
        .on_conflict(upsert)
        .exec(db)
        .await?;
    Ok(())
}

/// What changed in a unit's queue, for its screens.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    pub kind: QueueEventKind,
    pub ticket_id: Option<Uuid>,
    pub counter: Option<i32>,
}

/// Records an event of the unit's queue and, on PostgreSQL, tells every process's screens at
/// commit (`NOTIFY` is delivered when the transaction commits, and not at all if it rolls back).
pub async fn record(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    at: DateTime<Utc>,
    event: Event,
) -> Result<(), DbErr> {
    queue_event::ActiveModel {
        unit_id: sea_orm::Set(unit_id),
        at: sea_orm::Set(at),
        kind: sea_orm::Set(event.kind),
        ticket_id: sea_orm::Set(event.ticket_id),
        counter: sea_orm::Set(event.counter),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let notify = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), unit_id.to_string().into()],
        );
        db.execute_raw(notify).await?;
    }
    Ok(())
}
