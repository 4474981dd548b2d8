//! Building a unit's [`WorkingCalendar`] from its settings and the holidays that apply to it:
//! national ones, and those set for the unit or any unit above it (a unit's holiday covers its
//! sub-units). The nearest wins: the unit's own over its parent's, over the national one.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use entity::{holiday, unit, values::HolidayKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, Statement,
};
use uuid::Uuid;

use crate::{
    domain::calendar::{DayOverride, DeskSchedule, Interval, WorkingCalendar},
    units::store::ancestry_chain,
};

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

fn day_override(kind: HolidayKind) -> DayOverride {
    match kind {
        HolidayKind::Off => DayOverride::Off,
        HolidayKind::Working => DayOverride::Working,
    }
}

/// The working-day calendar of a unit.
pub async fn working_calendar(
    db: &impl ConnectionTrait,
    unit: &unit::Model,
) -> Result<WorkingCalendar, DbErr> {
    let holidays = applicable_holidays(db, Some(unit.id), None).await?;
    let exceptions = holidays.iter().map(|h| (h.date, day_override(h.kind)));
    Ok(WorkingCalendar::new(schedule_of(unit), exceptions))
}

/// The holidays that apply to a unit (national ones, the unit's own and those of the units
/// above it), or only the national ones without a unit; within `range` (inclusive) when given.
/// One query: the unit's ancestry is joined, not read first.
///
/// Sorted by date and, within a date, nearest last: national first, then from the root down
/// to the unit, so that whoever reads them in order lets the nearest override.
pub async fn applicable_holidays(
    db: &impl ConnectionTrait,
    unit_id: Option<Uuid>,
    range: Option<(NaiveDate, NaiveDate)>,
) -> Result<Vec<holiday::Model>, DbErr> {
    let backend = db.get_database_backend();
    let placeholder =
        |n: usize| if backend == DatabaseBackend::Postgres { format!("${n}") } else { format!("?{n}") };
    let mut values: Vec<sea_orm::Value> = vec![unit_id.into()];
    let within = match range {
        Some((from, to)) => {
            values.extend([from.into(), to.into()]);
            format!(" AND h.date BETWEEN {} AND {}", placeholder(2), placeholder(3))
        }
        None => String::new(),
    };
    // Without a unit the chain is empty (`id = NULL` matches nothing): national holidays only.
    let sql = format!(
        "{chain}SELECT h.id, h.unit_id, h.date, h.kind, h.name, h.created_at \
         FROM holidays h LEFT JOIN chain c ON c.id = h.unit_id \
         WHERE (h.unit_id IS NULL OR c.id IS NOT NULL){within} \
         ORDER BY h.date, COALESCE(c.depth, {NATIONAL}) DESC",
        chain = ancestry_chain(&placeholder(1)),
    );
    holiday::Entity::find().from_raw_sql(Statement::from_sql_and_values(backend, sql, values)).all(db).await
}

/// How far a national holiday is from any unit, for sorting: beyond every chain's depth.
const NATIONAL: i32 = 1_000;

pub async fn holiday_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<holiday::Model>, DbErr> {
    holiday::Entity::find_by_id(id).one(db).await
}

/// A holiday to record: national when `unit_id` is `None`.
pub struct NewHoliday {
    pub unit_id: Option<Uuid>,
    pub date: NaiveDate,
    pub kind: HolidayKind,
    pub name: String,
}

/// Records a holiday; a second one on the same date for the same scope breaks a unique index.
pub async fn insert_holiday(
    db: &impl ConnectionTrait,
    new: NewHoliday,
    now: DateTime<Utc>,
) -> Result<holiday::Model, DbErr> {
    holiday::ActiveModel {
        id: Set(Uuid::now_v7()),
        unit_id: Set(new.unit_id),
        date: Set(new.date),
        kind: Set(new.kind),
        name: Set(new.name),
        created_at: Set(now),
    }
    .insert(db)
    .await
}

pub async fn delete_holiday(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    holiday::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Weekday names as the API spells them, Monday first.
pub const WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
