//! Queries for dossiers, their timelines and the per-unit daily code sequence.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{dossier, dossier_event};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, FromQueryResult,
    QueryFilter, QueryOrder, QueryResult, QuerySelect, Select, Statement,
    sea_query::{Expr, Func},
};
use uuid::Uuid;

use crate::{
    domain::{
        calendar::Timeliness,
        dossier::{Status, StatusRules, open_statuses},
    },
    events::EventType,
    pagination::{PageQuery, fetch_page},
    webhooks::payloads::{DossierEventData, announce},
};

/// Takes the next dossier number of a unit for a day. The row lock of the upsert (Postgres)
/// or the write lock of `BEGIN IMMEDIATE` (SQLite) makes concurrent intakes queue; run inside
/// the intake transaction so a failed intake gives its number back (no gaps).
pub async fn next_sequence(db: &impl ConnectionTrait, unit_id: Uuid, day: NaiveDate) -> Result<u32, DbErr> {
    #[derive(FromQueryResult)]
    struct Next {
        last_sequence: i32,
    }
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "INSERT INTO dossier_sequences (unit_id, receipt_date, last_sequence) VALUES ($1, $2, 1) \
             ON CONFLICT (unit_id, receipt_date) DO UPDATE SET last_sequence = dossier_sequences.last_sequence + 1 \
             RETURNING last_sequence"
        }
        _ => {
            "INSERT INTO dossier_sequences (unit_id, receipt_date, last_sequence) VALUES (?, ?, 1) \
             ON CONFLICT (unit_id, receipt_date) DO UPDATE SET last_sequence = dossier_sequences.last_sequence + 1 \
             RETURNING last_sequence"
        }
    };
    let next =
        Next::find_by_statement(Statement::from_sql_and_values(backend, sql, [unit_id.into(), day.into()]))
            .one(db)
            .await?
            .ok_or_else(|| DbErr::Custom("the sequence upsert returned nothing".into()))?;
    Ok(next.last_sequence as u32)
}

/// What the public lookup reads of a dossier. The fields are in the order of the columns of
/// its query (`lookup_sql!`), which are read by position.
#[derive(Debug)]
pub struct LookupRow {
    pub code: String,
    pub lookup_secret_hash: String,
    pub status: Status,
    pub applicant_name: String,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub paused_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub timeliness: Option<Timeliness>,
    pub unit_id: Uuid,
    pub procedure_id: Uuid,
    pub public_timeline: String,
}

impl FromQueryResult for LookupRow {
    // By position rather than by name (what the derive does): the busiest public call then
    // spends nothing on building and matching column names. Struct fields are evaluated in
    // the order written, which is the order of the SELECT list.
    fn from_query_result(row: &QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        let mut column = 0;
        let mut next = || {
            column += 1;
            column - 1
        };
        Ok(Self {
            code: row.try_get_by_index(next())?,
            lookup_secret_hash: row.try_get_by_index(next())?,
            status: row.try_get_by_index(next())?,
            applicant_name: row.try_get_by_index(next())?,
            received_at: row.try_get_by_index(next())?,
            due_at: row.try_get_by_index(next())?,
            paused_at: row.try_get_by_index(next())?,
            completed_at: row.try_get_by_index(next())?,
            returned_at: row.try_get_by_index(next())?,
            timeliness: row.try_get_by_index(next())?,
            unit_id: row.try_get_by_index(next())?,
            procedure_id: row.try_get_by_index(next())?,
            public_timeline: row.try_get_by_index(next())?,
        })
    }
}

/// The lookup's query, with the backend's placeholder for the code.
macro_rules! lookup_sql {
    ($placeholder:literal) => {
        concat!(
            "SELECT code, lookup_secret_hash, status, applicant_name, received_at, due_at, paused_at, ",
            "completed_at, returned_at, timeliness, unit_id, procedure_id, public_timeline ",
            "FROM dossiers WHERE code = ",
            $placeholder
        )
    };
}

/// The columns of [`LookupRow`] for the dossier of one code, on SQLite.
const LOOKUP_SQL_SQLITE: &str = lookup_sql!("?");
const LOOKUP_SQL_POSTGRES: &str = lookup_sql!("$1");

/// The dossier of a code, as the public lookup reads it: one row by the unique code (it is the
/// busiest public call, so the timeline comes from the row, not from `dossier_events`, and the
/// unit and procedure names from [`super::names`]).
pub async fn lookup_row(db: &impl ConnectionTrait, code: &str) -> Result<Option<LookupRow>, DbErr> {
    let backend = db.get_database_backend();
    let sql =
        if backend == sea_orm::DatabaseBackend::Postgres { LOOKUP_SQL_POSTGRES } else { LOOKUP_SQL_SQLITE };
    LookupRow::find_by_statement(Statement::from_sql_and_values(backend, sql, [code.into()])).one(db).await
}

pub async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<dossier::Model>, DbErr> {
    dossier::Entity::find().filter(dossier::Column::Code.eq(code)).one(db).await
}

pub async fn timeline(
    db: &impl ConnectionTrait,
    dossier_id: Uuid,
) -> Result<Vec<dossier_event::Model>, DbErr> {
    dossier_event::Entity::find()
        .filter(dossier_event::Column::DossierId.eq(dossier_id))
        .order_by_asc(dossier_event::Column::At)
        .order_by_asc(dossier_event::Column::Id)
        .all(db)
        .await
}

/// Stores a new dossier with its intake entry; the dossier as stored.
pub async fn insert_intake(
    db: &impl ConnectionTrait,
    dossier: dossier::Model,
    intake: dossier_event::Model,
) -> Result<dossier::Model, DbErr> {
    let dossier = dossier::ActiveModel::from(dossier).insert(db).await?;
    record_outbox_event(db, &dossier, None, intake.at).await?;
    insert_event(db, intake).await?;
    Ok(dossier)
}

/// The outbox entry of a dossier that was just created (`previous` none) or changed status:
/// its code and statuses, for the change feed and the webhooks.
pub async fn record_outbox_event(
    db: &impl ConnectionTrait,
    dossier: &dossier::Model,
    previous: Option<Status>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let unit_code = entity::unit::Entity::find_by_id(dossier.unit_id).one(db).await?.map(|unit| unit.code);
    let data = DossierEventData {
        code: dossier.code.clone(),
        status: dossier.status,
        status_code: i32::from(dossier.status.code()),
        unit_code,
        previous_status: previous,
    };
    let event_type =
        if previous.is_some() { EventType::DossierStatusChanged } else { EventType::DossierCreated };
    announce(db, now, event_type, dossier.unit_id, &data).await
}

pub async fn insert_event(db: &impl ConnectionTrait, event: dossier_event::Model) -> Result<(), DbErr> {
    dossier_event::ActiveModel::from(event).insert(db).await?;
    Ok(())
}

/// Writes a changed dossier if nobody changed it since `expected_version` was read; false when
/// the version moved on (the caller answers 412).
pub async fn update_if_version(
    db: &impl ConnectionTrait,
    changed: dossier::Model,
    expected_version: i32,
) -> Result<bool, DbErr> {
    // Every column is written: `from(Model)` alone marks them unchanged.
    let result = dossier::Entity::update_many()
        .set(dossier::ActiveModel::from(changed.clone()).reset_all())
        .filter(dossier::Column::Id.eq(changed.id))
        .filter(dossier::Column::Version.eq(expected_version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Links a dossier to a citizen's account unless another account holds it; returns the
/// citizen now holding it.
pub async fn claim(
    db: &impl ConnectionTrait,
    dossier_id: Uuid,
    citizen: Uuid,
) -> Result<Option<Uuid>, DbErr> {
    dossier::Entity::update_many()
        .col_expr(dossier::Column::CitizenId, Expr::value(citizen))
        .filter(dossier::Column::Id.eq(dossier_id))
        .filter(dossier::Column::CitizenId.is_null())
        .exec(db)
        .await?;
    Ok(dossier::Entity::find_by_id(dossier_id).one(db).await?.and_then(|d| d.citizen_id))
}

/// Lets go of a dossier the citizen holds; false when they hold it not (anymore).
pub async fn unclaim(db: &impl ConnectionTrait, dossier_id: Uuid, citizen: Uuid) -> Result<bool, DbErr> {
    let result = dossier::Entity::update_many()
        .col_expr(dossier::Column::CitizenId, Expr::value(Option::<Uuid>::None))
        .filter(dossier::Column::Id.eq(dossier_id))
        .filter(dossier::Column::CitizenId.eq(citizen))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Links a dossier to a citizen's account, whoever held it before (the desk's decision).
pub async fn link(db: &impl ConnectionTrait, dossier_id: Uuid, citizen: Uuid) -> Result<(), DbErr> {
    dossier::Entity::update_many()
        .col_expr(dossier::Column::CitizenId, Expr::value(citizen))
        .filter(dossier::Column::Id.eq(dossier_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Filters of the officers' worklist.
#[derive(Debug, Default)]
pub struct Worklist {
    pub unit_ids: Option<Vec<Uuid>>,
    pub statuses: Vec<Status>,
    pub overdue_at: Option<DateTime<Utc>>,
    pub due_before: Option<DateTime<Utc>>,
    pub assigned_to: Option<Uuid>,
    pub procedure_id: Option<Uuid>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
    pub citizen_id: Option<Uuid>,
    /// Folded search terms, each matched against the code or the folded applicant name.
    pub terms: Vec<String>,
    pub newest_first: bool,
}

fn worklist_query(filter: &Worklist) -> Select<dossier::Entity> {
    let mut query = dossier::Entity::find();
    if let Some(units) = &filter.unit_ids {
        query = query.filter(dossier::Column::UnitId.is_in(units.clone()));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(dossier::Column::Status.is_in(filter.statuses.clone()));
    }
    if let Some(now) = filter.overdue_at {
        query = query
            .filter(dossier::Column::Status.is_in(open_statuses()))
            .filter(dossier::Column::DueAt.lt(now));
    }
    if let Some(before) = filter.due_before {
        query = query.filter(dossier::Column::DueAt.lt(before));
    }
    if let Some(officer) = filter.assigned_to {
        query = query.filter(dossier::Column::AssignedTo.eq(officer));
    }
    if let Some(procedure) = filter.procedure_id {
        query = query.filter(dossier::Column::ProcedureId.eq(procedure));
    }
    if let Some(from) = filter.received_from {
        query = query.filter(dossier::Column::ReceivedAt.gte(from));
    }
    if let Some(to) = filter.received_to {
        query = query.filter(dossier::Column::ReceivedAt.lt(to));
    }
    if let Some(citizen) = filter.citizen_id {
        query = query.filter(dossier::Column::CitizenId.eq(citizen));
    }
    for term in &filter.terms {
        let pattern = format!("%{}%", term.replace(['%', '_'], ""));
        query = query.filter(
            Expr::col(dossier::Column::ApplicantNameFolded)
                .like(pattern.clone())
                .or(Expr::expr(Func::lower(Expr::col(dossier::Column::Code))).like(pattern)),
        );
    }
    if filter.newest_first {
        query.order_by_desc(dossier::Column::ReceivedAt).order_by_desc(dossier::Column::Id)
    } else {
        query.order_by_asc(dossier::Column::DueAt).order_by_asc(dossier::Column::Id)
    }
}

/// One page of the worklist and the total count.
pub async fn worklist(
    db: &impl ConnectionTrait,
    filter: &Worklist,
    page: PageQuery,
) -> Result<(Vec<dossier::Model>, u64), DbErr> {
    fetch_page(db, worklist_query(filter), page).await
}

/// The open dossiers of these units (every unit when `None`) received before `received_before`
/// and due from `due_from` on, locked for the transaction on PostgreSQL (SQLite's write
/// transaction already holds the database).
pub async fn open_dossiers(
    db: &impl ConnectionTrait,
    unit_ids: Option<Vec<Uuid>>,
    (received_before, due_from): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<dossier::Model>, DbErr> {
    let mut query = dossier::Entity::find()
        .filter(dossier::Column::Status.is_in(open_statuses()))
        .filter(dossier::Column::ReceivedAt.lt(received_before))
        .filter(dossier::Column::DueAt.gte(due_from));
    if let Some(units) = unit_ids {
        query = query.filter(dossier::Column::UnitId.is_in(units));
    }
    query.order_by_asc(dossier::Column::Id).lock_exclusive().all(db).await
}

/// The dossier of a code, locked for the rest of the transaction on PostgreSQL (SQLite's
/// write transaction already holds the database), so what is decided from it still holds
/// when it is written.
pub async fn by_code_for_update(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<dossier::Model>, DbErr> {
    dossier::Entity::find().filter(dossier::Column::Code.eq(code)).lock_exclusive().one(db).await
}
