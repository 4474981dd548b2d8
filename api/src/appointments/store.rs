//! Queries for appointments, their seats and their reminders. Every write here runs inside the
//! caller's transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    appointment, appointment_reminder, appointment_seat,
    values::{AppointmentStatus, ReminderState},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::{
    domain::slots::Slot,
    pagination::{PageQuery, fetch_page},
};

pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<appointment::Model>, DbErr> {
    appointment::Entity::find_by_id(id).one(db).await
}

/// The appointment, locked for the rest of the transaction on PostgreSQL (SQLite's write
/// transactions already exclude each other).
pub async fn by_id_for_update(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<appointment::Model>, DbErr> {
    appointment::Entity::find_by_id(id).lock_exclusive().one(db).await
}

/// Holds a citizen's bookings still for the rest of the transaction, so that two of their
/// bookings at once cannot both pass the per-citizen limits (a row lock on PostgreSQL; on
/// SQLite write transactions exclude each other anyway).
pub async fn lock_citizen(db: &impl ConnectionTrait, citizen: Uuid) -> Result<(), DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT id FROM users WHERE id = $1 FOR UPDATE",
            [citizen.into()],
        ))
        .await?;
    }
    Ok(())
}

/// How many seats are taken at each slot start of a unit in `[from, to)`, leaving out one
/// appointment's (the one its owner is moving). The counts are the database's own (see the
/// `appointment_slot_counts` migration): one row a slot, however many seats it holds.
pub async fn seats_taken(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    leaving_out: Option<Uuid>,
) -> Result<HashMap<DateTime<Utc>, u32>, DbErr> {
    let backend = db.get_database_backend();
    let sql = if backend == DatabaseBackend::Postgres { SLOT_COUNTS_POSTGRES } else { SLOT_COUNTS_SQLITE };
    let statement = Statement::from_sql_and_values(backend, sql, [unit_id.into(), from.into(), to.into()]);
    let listed: Option<String> = match db.query_one_raw(statement).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => None,
    };
    let pairs: Vec<(i64, i64)> = match listed {
        Some(json) => serde_json::from_str(&json).map_err(|e| DbErr::Custom(format!("slot counts: {e}")))?,
        None => Vec::new(),
    };
    let mut taken: HashMap<DateTime<Utc>, u32> = pairs
        .into_iter()
        .filter_map(|(at, taken)| Some((DateTime::from_timestamp(at, 0)?, u32::try_from(taken).unwrap_or(0))))
        .collect();
    if let Some(id) = leaving_out {
        let own: Vec<DateTime<Utc>> = appointment_seat::Entity::find()
            .select_only()
            .column(appointment_seat::Column::StartsAt)
            .filter(appointment_seat::Column::AppointmentId.eq(id))
            .filter(appointment_seat::Column::UnitId.eq(unit_id))
            .into_tuple()
            .all(db)
            .await?;
        for start in own {
            if let Some(count) = taken.get_mut(&start) {
                *count = count.saturating_sub(1);
            }
        }
    }
    Ok(taken)
}

/// The counts of a unit's slots in `[$2, $3)` as one JSON array of `[unix seconds, taken]`: one
/// row, where a row a slot costs a hand-off each from SQLite's worker thread.
const SLOT_COUNTS_SQLITE: &str = "SELECT json_group_array(json_array(CAST(strftime('%s', starts_at) AS INTEGER), taken)) \
    FROM appointment_slot_counts WHERE unit_id = ?1 AND starts_at >= ?2 AND starts_at < ?3";
const SLOT_COUNTS_POSTGRES: &str = "SELECT json_agg(json_build_array(EXTRACT(EPOCH FROM starts_at)::bigint, taken))::text \
    FROM appointment_slot_counts WHERE unit_id = $1 AND starts_at >= $2 AND starts_at < $3";

/// Takes a free seat of the slot for the appointment, or `false` when all `seats` are taken.
///
/// Each seat is a row under the primary key (unit, start, seat); an insert that finds its seat
/// taken does nothing. Seats are mostly taken in order, so the first try is the seat numbered
/// by how many are held, in one statement. When that one is taken (a cancellation left a gap,
/// or a booking in flight on PostgreSQL took it, which the insert waits for at the key), the
/// seats held are read and each free number tried in turn.
pub async fn take_seat(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    slot: &Slot,
    seats: u32,
    appointment: &appointment::Model,
) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let sql = NEXT_SEAT.replace('$', if backend == DatabaseBackend::Postgres { "$" } else { "?" });
    let values = [
        unit_id.into(),
        slot.start.into(),
        appointment.id.into(),
        appointment.citizen_id.into(),
        i64::from(seats).into(),
    ];
    if db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?.rows_affected() == 1 {
        return Ok(true);
    }
    let held: Vec<i32> = appointment_seat::Entity::find()
        .select_only()
        .column(appointment_seat::Column::Seat)
        .filter(appointment_seat::Column::UnitId.eq(unit_id))
        .filter(appointment_seat::Column::StartsAt.eq(slot.start))
        .into_tuple()
        .all(db)
        .await?;
    let seats = i32::try_from(seats).unwrap_or(i32::MAX);
    for seat in (0..seats).filter(|seat| !held.contains(seat)) {
        let row = appointment_seat::ActiveModel {
            unit_id: Set(unit_id),
            starts_at: Set(slot.start),
            seat: Set(seat),
            appointment_id: Set(appointment.id),
            citizen_id: Set(appointment.citizen_id),
        };
        let inserted = appointment_seat::Entity::insert(row)
            .on_conflict(seat_taken())
            .exec_without_returning(db)
            .await?;
        if inserted == 1 {
            return Ok(true);
        }
    }
    Ok(false)
}

fn seat_taken() -> OnConflict {
    OnConflict::columns([
        appointment_seat::Column::UnitId,
        appointment_seat::Column::StartsAt,
        appointment_seat::Column::Seat,
    ])
    .do_nothing()
    .to_owned()
}

/// Inserts the seat numbered by how many seats of the slot are held (the slot's count), if that
/// is below `$5` (parameters: unit, start, appointment, citizen, seats; `$n` is `?n` on SQLite).
const NEXT_SEAT: &str = "INSERT INTO appointment_seats (unit_id, starts_at, seat, appointment_id, citizen_id) \
    SELECT $1, $2, held.n, $3, $4 FROM \
        (SELECT COALESCE((SELECT taken FROM appointment_slot_counts WHERE unit_id = $1 AND starts_at = $2), 0) \
            AS n) AS held \
    WHERE held.n < $5 \
    ON CONFLICT (unit_id, starts_at, seat) DO NOTHING";

/// Lets go of the appointment's seat at `start`.
pub async fn free_seat(
    db: &impl ConnectionTrait,
    appointment_id: Uuid,
    start: DateTime<Utc>,
) -> Result<(), DbErr> {
    appointment_seat::Entity::delete_many()
        .filter(appointment_seat::Column::AppointmentId.eq(appointment_id))
        .filter(appointment_seat::Column::StartsAt.eq(start))
        .exec(db)
        .await?;
    Ok(())
}

/// The seats of a slot, lowest first.
pub async fn seats_of_slot(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    start: DateTime<Utc>,
) -> Result<Vec<appointment_seat::Model>, DbErr> {
    appointment_seat::Entity::find()
        .filter(appointment_seat::Column::UnitId.eq(unit_id))
        .filter(appointment_seat::Column::StartsAt.eq(start))
        .order_by_asc(appointment_seat::Column::Seat)
        .all(db)
        .await
}

/// Moves a seat to a lower free number (after the unit lowered its seats per slot).
pub async fn renumber_seat(
    db: &impl ConnectionTrait,
    seat: &appointment_seat::Model,
    to: i32,
) -> Result<(), DbErr> {
    appointment_seat::Entity::update_many()
        .col_expr(appointment_seat::Column::Seat, Expr::value(to))
        .filter(appointment_seat::Column::UnitId.eq(seat.unit_id))
        .filter(appointment_seat::Column::StartsAt.eq(seat.starts_at))
        .filter(appointment_seat::Column::Seat.eq(seat.seat))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn insert(db: &impl ConnectionTrait, appointment: appointment::Model) -> Result<(), DbErr> {
    appointment::ActiveModel::from(appointment).insert(db).await?;
    Ok(())
}

/// Writes a changed appointment (its version already raised by the caller).
pub async fn update(db: &impl ConnectionTrait, appointment: appointment::Model) -> Result<(), DbErr> {
    appointment::ActiveModel::from(appointment).reset_all().update(db).await?;
    Ok(())
}

/// What a citizen's booking limits look at.
pub struct Standing {
    /// Bookings that hold a seat from now on.
    pub upcoming: usize,
    /// The starts of missed appointments in the window, latest first.
    pub no_shows: Vec<DateTime<Utc>>,
}

/// A citizen's upcoming bookings and their no-shows since `since`, in one query.
pub async fn standing(
    db: &impl ConnectionTrait,
    citizen: Uuid,
    now: DateTime<Utc>,
    since: DateTime<Utc>,
) -> Result<Standing, DbErr> {
    let upcoming =
        appointment::Column::Status.eq(AppointmentStatus::Booked).and(appointment::Column::StartsAt.gte(now));
    let missed = appointment::Column::Status
        .eq(AppointmentStatus::NoShow)
        .and(appointment::Column::StartsAt.gte(since));
    let rows: Vec<(AppointmentStatus, DateTime<Utc>)> = appointment::Entity::find()
        .select_only()
        .column(appointment::Column::Status)
        .column(appointment::Column::StartsAt)
        .filter(appointment::Column::CitizenId.eq(citizen))
        .filter(upcoming.or(missed))
        .order_by_desc(appointment::Column::StartsAt)
        .into_tuple()
        .all(db)
        .await?;
    let (booked, no_shows): (Vec<_>, Vec<_>) =
        rows.into_iter().partition(|(status, _)| *status == AppointmentStatus::Booked);
    Ok(Standing { upcoming: booked.len(), no_shows: no_shows.into_iter().map(|(_, start)| start).collect() })
}

/// Which of a citizen's bookings to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Slots from now on, soonest first.
    Upcoming,
    /// Slots before now, latest first.
    Past,
}

pub async fn of_citizen(
    db: &impl ConnectionTrait,
    citizen: Uuid,
    period: Option<Period>,
    now: DateTime<Utc>,
    page: PageQuery,
) -> Result<(Vec<appointment::Model>, u64), DbErr> {
    let query = appointment::Entity::find().filter(appointment::Column::CitizenId.eq(citizen));
    let query = match period {
        Some(Period::Upcoming) => {
            query.filter(appointment::Column::StartsAt.gte(now)).order_by_asc(appointment::Column::StartsAt)
        }
        Some(Period::Past) => {
            query.filter(appointment::Column::StartsAt.lt(now)).order_by_desc(appointment::Column::StartsAt)
        }
        None => query.order_by_desc(appointment::Column::StartsAt),
    };
    fetch_page(db, query.order_by_asc(appointment::Column::Id), page).await
}

/// A unit's appointments in `[from, to)`, by start.
pub async fn of_unit(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    page: PageQuery,
) -> Result<(Vec<appointment::Model>, u64), DbErr> {
    let query = appointment::Entity::find()
        .filter(appointment::Column::UnitId.eq(unit_id))
        .filter(appointment::Column::StartsAt.gte(from))
        .filter(appointment::Column::StartsAt.lt(to))
        .order_by_asc(appointment::Column::StartsAt)
        .order_by_asc(appointment::Column::CreatedAt)
        .order_by_asc(appointment::Column::Id);
    fetch_page(db, query, page).await
}

/// Bookings holding a seat from `now` on, in these units (every unit for `None`), earliest
/// booked first within each slot.
pub async fn booked_from(
    db: &impl ConnectionTrait,
    units: Option<&[Uuid]>,
    now: DateTime<Utc>,
) -> Result<Vec<appointment::Model>, DbErr> {
    let mut query = appointment::Entity::find()
        .filter(appointment::Column::Status.eq(AppointmentStatus::Booked))
        .filter(appointment::Column::StartsAt.gt(now));
    if let Some(units) = units {
        query = query.filter(appointment::Column::UnitId.is_in(units.iter().copied()));
    }
    query
        .order_by_asc(appointment::Column::UnitId)
        .order_by_asc(appointment::Column::StartsAt)
        .order_by_asc(appointment::Column::CreatedAt)
        .order_by_asc(appointment::Column::Id)
        .all(db)
        .await
}

/// Writes the reminder of an appointment's current version.
pub async fn schedule_reminder(
    db: &impl ConnectionTrait,
    appointment: &appointment::Model,
    due_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    appointment_reminder::ActiveModel {
        id: Set(Uuid::now_v7()),
        appointment_id: Set(appointment.id),
        appointment_version: Set(appointment.version),
        due_at: Set(due_at),
        state: Set(ReminderState::Pending),
        settled_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Voids the appointment's reminders still waiting.
pub async fn void_reminders(
    db: &impl ConnectionTrait,
    appointment_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    appointment_reminder::Entity::update_many()
        .col_expr(appointment_reminder::Column::State, Expr::value(ReminderState::Void))
        .col_expr(appointment_reminder::Column::SettledAt, Expr::value(now))
        .filter(appointment_reminder::Column::AppointmentId.eq(appointment_id))
        .filter(appointment_reminder::Column::State.eq(ReminderState::Pending))
        .exec(db)
        .await?;
    Ok(())
}
