//! The report's SQL: one aggregate query per section, written once for both engines. Each
//! function counts what [`crate::domain::report`] defines, for a set of units over a period
//! (`start` included, `end` excluded), and the review report and the public figures both call
//! these same functions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::values::{ComplaintCategory, LetterKind};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use uuid::Uuid;

use super::{
    dto::ComplaintCounts,
    sql::{Columns, Sql},
};
use crate::domain::{
    rating::LevelCounts,
    report::{DossierCounts, Month, class},
};

/// What the figures are about: these units, from `start` to before `end`.
#[derive(Debug, Clone)]
pub struct Scope {
    pub units: Vec<Uuid>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// How dossier rows are grouped in SQL: by procedure (fields are merged from procedures) or by
/// the receiving officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DossierKey {
    Procedure,
    Officer,
}

/// The dossier columns of form II.06a per procedure or receiving officer: every dossier of
/// the units received before the period's end is put in its class (see
/// [`crate::domain::report::class`]) by one expression, and the classes are counted per group.
pub async fn dossier_counts(
    db: &impl ConnectionTrait,
    scope: &Scope,
    key: DossierKey,
) -> Result<Vec<(Uuid, DossierCounts)>, DbErr> {
    let (start, end) = (scope.start, scope.end);
    let column = match key {
        DossierKey::Procedure => "procedure_id",
        DossierKey::Officer => "received_by",
    };
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(&format!("SELECT k, c, COUNT(*) FROM (SELECT {column} AS k, CAST("));
    // Received: before the period (0), online (1), at the desk or by post (2).
    sql.push("(CASE WHEN received_at >= ")
        .bind(start)
        .push(" THEN (CASE WHEN channel = 'online' THEN 1 ELSE 2 END) ELSE 0 END)");
    // Processed in the period, by the timeliness stored then.
    sql.push(&format!(" + {} * (CASE WHEN completed_at >= ", class::PROCESSED)).bind(start);
    sql.push(" AND completed_at < ").bind(end);
    sql.push(" THEN (CASE timeliness WHEN 'early' THEN 1 WHEN 'on_time' THEN 2 ELSE 3 END) ELSE 0 END)");
    // Withdrawn, refused or stopped in the period.
    sql.push(&format!(
        " + {} * (CASE WHEN status IN ('withdrawn', 'refused', 'stopped') AND closed_at >= ",
        class::ENDED
    ));
    sql.bind(start).push(" AND closed_at < ").bind(end);
    sql.push(" THEN (CASE status WHEN 'withdrawn' THEN 1 WHEN 'refused' THEN 2 ELSE 3 END) ELSE 0 END)");
    // Carried over: received before the period, not closed at its start.
    sql.push(&format!(" + {} * (CASE WHEN received_at < ", class::CARRIED_OVER)).bind(start);
    sql.push(" AND (closed_at IS NULL OR closed_at >= ").bind(start).push(") THEN 1 ELSE 0 END)");
    // At the end: closed, open in time, open overdue (a paused clock stopped when it paused).
    sql.push(&format!(" + {} * (CASE WHEN closed_at < ", class::OPEN_AT_END)).bind(end);
    sql.push(" THEN 0 WHEN (CASE WHEN paused_at < ").bind(end).push(" THEN paused_at ELSE ").bind(end);
    sql.push(" END) <= due_at THEN 1 ELSE 2 END) AS BIGINT) AS c FROM dossiers WHERE ");
    sql.units("unit_id", &scope.units).push(" AND received_at < ").bind(end);
    sql.push(") x GROUP BY k, c");
    let mut groups: HashMap<Uuid, DossierCounts> = HashMap::new();
    for row in sql.all(db).await? {
        let mut c = Columns::of(&row);
        let (key, class, n) = (c.get::<Uuid>()?, c.get::<i64>()?, c.get::<i64>()?);
        groups.entry(key).or_default().add_class(class, n);
    }
    Ok(groups.into_iter().collect())
}

/// Dossiers processed in each month of the period (early, on time, late), by month index: one
/// range of the (unit, completed_at) index per month, so no row is sorted or bucketed.
pub async fn processed_by_month(
    db: &impl ConnectionTrait,
    scope: &Scope,
    months: &[Month],
) -> Result<HashMap<i64, DossierCounts>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    for (i, month) in months.iter().enumerate() {
        let until = months.get(i + 1).map_or(scope.end, |next| next.starts);
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push(&format!("SELECT CAST({i} AS BIGINT)"));
        for timeliness in ["early", "on_time", "late"] {
            sql.push(", ").count_if(|s| {
                s.push(&format!("timeliness = '{timeliness}'"));
            });
        }
        sql.push(" FROM dossiers WHERE ").units("unit_id", &scope.units);
        sql.push(" AND completed_at >= ").bind(month.starts).push(" AND completed_at < ").bind(until);
    }
    if months.is_empty() {
        return Ok(HashMap::new());
    }
    sql.all(db)
        .await?
        .iter()
        .map(|row| {
            let mut c = Columns::of(row);
            let month = c.get::<i64>()?;
            Ok((
                month,
                DossierCounts {
                    early: c.count()?,
                    on_time: c.count()?,
                    late: c.count()?,
                    ..Default::default()
                },
            ))
        })
        .collect()
}

/// Appointments whose slot falls in the period, and the desk's median times.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Visits {
    pub booked: i64,
    pub served: i64,
    pub no_show: i64,
    pub cancelled: i64,
    /// Seconds from check-in to the first call, over the tickets called.
    pub median_wait: Option<f64>,
    /// Seconds from the first call to done, over the tickets served.
    pub median_service: Option<f64>,
}

pub async fn visits(db: &impl ConnectionTrait, scope: &Scope) -> Result<Visits, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT ");
    for (i, condition) in
        ["status <> 'cancelled'", "status = 'served'", "status = 'no_show'", "status = 'cancelled'"]
            .iter()
            .enumerate()
    {
        if i > 0 {
            sql.push(", ");
        }
        sql.count_if(|s| {
            s.push(condition);
        });
    }
    sql.push(" FROM appointments WHERE ").units("unit_id", &scope.units).push(" AND ");
    sql.within("starts_at", scope);
    let rows = sql.all(db).await?;
    let mut visits = Visits::default();
    if let Some(row) = rows.first() {
        let mut c = Columns::of(row);
        (visits.booked, visits.served, visits.no_show, visits.cancelled) =
            (c.count()?, c.count()?, c.count()?, c.count()?);
    }
    visits.median_wait =
        median_seconds(db, scope, "checked_in_at", "first_called_at", "first_called_at IS NOT NULL").await?;
    visits.median_service =
        median_seconds(db, scope, "first_called_at", "finished_at", "status = 'served'").await?;
    Ok(visits)
}

/// The median of `until − since` in seconds over the tickets checked in during the period that
/// meet `condition`: `percentile_cont` on PostgreSQL; on SQLite the middle row (the mean of
/// the two middle rows of an even count), which is the same number.
async fn median_seconds(
    db: &impl ConnectionTrait,
    scope: &Scope,
    since: &str,
    until: &str,
    condition: &str,
) -> Result<Option<f64>, DbErr> {
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    match backend {
        DbBackend::Postgres => {
            sql.push(&format!(
                "SELECT CAST(EXTRACT(EPOCH FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY {until} - {since})) \
                 AS DOUBLE PRECISION) FROM tickets WHERE "
            ));
        }
        _ => {
            sql.push(&format!(
                "WITH x(s) AS (SELECT CAST(strftime('%s', {until}) AS INTEGER) - CAST(strftime('%s', {since}) AS INTEGER) \
                 FROM tickets WHERE "
            ));
        }
    }
    sql.units("unit_id", &scope.units).push(" AND ").within("checked_in_at", scope);
    sql.push(&format!(" AND {condition}"));
    if backend != DbBackend::Postgres {
        sql.push(
            ") SELECT CAST(AVG(s) AS REAL) FROM (SELECT s FROM x ORDER BY s \
             LIMIT 2 - (SELECT COUNT(*) FROM x) % 2 OFFSET ((SELECT COUNT(*) FROM x) - 1) / 2) AS middle",
        );
    }
    let rows = sql.all(db).await?;
    rows.first().map_or(Ok(None), |row| row.try_get_by_index::<Option<f64>>(0))
}

/// Ratings by level per officer rated in the period.
pub async fn ratings_by_officer(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<(Uuid, LevelCounts)>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT officer_id");
    level_columns(&mut sql);
    sql.push(" FROM ratings WHERE ").units("unit_id", &scope.units).push(" AND ");
    sql.within("rated_at", scope).push(" GROUP BY officer_id");
    sql.all(db)
        .await?
        .iter()
        .map(|row| {
            let mut c = Columns::of(row);
            Ok((c.get::<Uuid>()?, levels(&mut c)?))
        })
        .collect()
}

/// Ratings by level in each month of the period, by month index.
pub async fn ratings_by_month(
    db: &impl ConnectionTrait,
    scope: &Scope,
    months: &[Month],
) -> Result<HashMap<i64, LevelCounts>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT ").month_of("rated_at", months).push(" AS m");
    level_columns(&mut sql);
    sql.push(" FROM ratings WHERE ").units("unit_id", &scope.units).push(" AND ");
    sql.within("rated_at", scope).push(" GROUP BY m");
    sql.all(db)
        .await?
        .iter()
        .map(|row| {
            let mut c = Columns::of(row);
            Ok((c.get::<i64>()?, levels(&mut c)?))
        })
        .collect()
}

fn level_columns(sql: &mut Sql) {
    for level in ["very_satisfied", "satisfied", "not_satisfied"] {
        sql.push(", ").count_if(|s| {
            s.push(&format!("level = '{level}'"));
        });
    }
}

fn levels(c: &mut Columns<'_>) -> Result<LevelCounts, DbErr> {
    let mut count = || c.count().map(|n| n.max(0) as u64);
    Ok(LevelCounts { very_satisfied: count()?, satisfied: count()?, not_satisfied: count()? })
}

/// Complaints received in the period about conduct in the units, per category: how many,
/// and where they stand (by outcome once resolved).
pub async fn complaints(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<(ComplaintCategory, ComplaintCounts)>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT category, COUNT(*)");
    for condition in [
        "status IN ('received', 'accepted', 'investigating')",
        "status = 'not_accepted'",
        "status = 'dismissed'",
        "status = 'withdrawn'",
        "status = 'resolved' AND outcome = 'unfounded'",
        "status = 'resolved' AND outcome = 'reminded'",
        "status = 'resolved' AND outcome = 'warned'",
        "status = 'resolved' AND outcome = 'rotated'",
        "status = 'resolved' AND outcome = 'disciplined'",
    ] {
        sql.push(", ").count_if(|s| {
            s.push(condition);
        });
    }
    sql.push(" FROM complaints WHERE ").units("unit_id", &scope.units).push(" AND ");
    sql.within("received_at", scope).push(" GROUP BY category");
    sql.all(db)
        .await?
        .iter()
        .map(|row| {
            let mut c = Columns::of(row);
            let category = c.get::<ComplaintCategory>()?;
            Ok((
                category,
                ComplaintCounts {
                    total: c.get::<i64>()?,
                    open: c.count()?,
                    not_accepted: c.count()?,
                    dismissed: c.count()?,
                    withdrawn: c.count()?,
                    unfounded: c.count()?,
                    reminded: c.count()?,
                    warned: c.count()?,
                    rotated: c.count()?,
                    disciplined: c.count()?,
                },
            ))
        })
        .collect()
}

/// Letters issued in the period, by kind.
pub async fn letters(db: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<(LetterKind, i64)>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT kind, COUNT(*) FROM letters WHERE ").units("unit_id", &scope.units).push(" AND ");
    sql.within("issued_at", scope).push(" GROUP BY kind");
    sql.all(db)
        .await?
        .iter()
        .map(|row| {
            let mut c = Columns::of(row);
            Ok((c.get::<LetterKind>()?, c.get::<i64>()?))
        })
        .collect()
}
