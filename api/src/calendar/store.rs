//! Building a unit's [`WorkingCalendar`] from its settings and the holidays that apply to it:
//! national ones, and those set for the unit or any unit above it (a unit's holiday covers its
//! sub-units). The nearest wins: the unit's own over its parent's, over the national one.

use chrono::{NaiveTime, Weekday};
use entity::{holiday, unit};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, FromQueryResult, QueryFilter, Statement,
};
use uuid::Uuid;

use crate::domain::calendar::{DayOverride, DeskSchedule, Interval, WorkingCalendar};

/// The weekly hours as stored: seven lists (Monday first) of `{start, end}`; empty text means
/// the default hours.
pub fn parse_opening_hours(stored: &str) -> Option<[Vec<Interval>; 7]> {
    if stored.trim().is_empty() {
        return Some(DeskSchedule::default().weekly_hours);
    }
    let days: Vec<Vec<Interval>> = serde_json::from_str(stored).ok()?;
    days.try_into().ok()
}

pub fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M").ok()
}

/// The desk schedule stored on a unit (defaults where a stored value is unreadable).
pub fn schedule_of(unit: &unit::Model) -> DeskSchedule {
    let defaults = DeskSchedule::default();
    DeskSchedule {
        time_zone: unit.time_zone.parse().unwrap_or(defaults.time_zone),
        weekly_hours: parse_opening_hours(&unit.opening_hours).unwrap_or(defaults.weekly_hours),
        intake_cutoff: parse_time(&unit.intake_cutoff).unwrap_or(defaults.intake_cutoff),
    }
}

#[derive(FromQueryResult)]
struct AncestorRow {
    id: Uuid,
}

/// The unit and every unit above it, nearest first.
pub async fn unit_and_ancestors(db: &impl ConnectionTrait, unit_id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    let backend = db.get_database_backend();
    let placeholder = if backend == sea_orm::DatabaseBackend::Postgres { "$1" } else { "?" };
    let sql = format!(
        "WITH RECURSIVE chain(id, parent_id, depth) AS (\
         SELECT id, parent_id, 0 FROM units WHERE id = {placeholder} \
         UNION ALL SELECT u.id, u.parent_id, c.depth + 1 FROM units u JOIN chain c ON u.id = c.parent_id \
         WHERE c.depth < 64) SELECT id FROM chain ORDER BY depth"
    );
    let rows = AncestorRow::find_by_statement(Statement::from_sql_and_values(backend, sql, [unit_id.into()]))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

fn day_override(kind: &str) -> DayOverride {
    if kind == "working" { DayOverride::Working } else { DayOverride::Off }
}

/// The working-day calendar of a unit.
pub async fn working_calendar(
    db: &impl ConnectionTrait,
    unit: &unit::Model,
) -> Result<WorkingCalendar, DbErr> {
    let chain = unit_and_ancestors(db, unit.id).await?;
    let holidays = holiday::Entity::find()
        .filter(holiday::Column::UnitId.is_null().or(holiday::Column::UnitId.is_in(chain.clone())))
        .all(db)
        .await?;
    // Nearest last, so it overrides: national first, then from the root down to the unit.
    let rank = |h: &holiday::Model| match h.unit_id {
        None => usize::MAX,
        Some(id) => chain.iter().position(|c| *c == id).unwrap_or(usize::MAX - 1),
    };
    let mut ordered: Vec<&holiday::Model> = holidays.iter().collect();
    ordered.sort_by_key(|h| std::cmp::Reverse(rank(h)));
    let exceptions = ordered.into_iter().map(|h| (h.date, day_override(&h.kind)));
    Ok(WorkingCalendar::new(schedule_of(unit), exceptions))
}

/// Weekday names as the API spells them, Monday first.
pub const WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
