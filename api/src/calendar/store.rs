//! Building a unit's [`WorkingCalendar`] from its settings and the holidays that apply to it:
//! national ones, and those set for the unit or any unit above it (a unit's holiday covers its
//! sub-units). The nearest wins: the unit's own over its parent's, over the national one.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use entity::{holiday, unit, values::HolidayKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait,
    QueryFilter,
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
///
/// Sorted by date and, within a date, nearest last: national first, then from the root down
/// to the unit, so that whoever reads them in order lets the nearest override.
pub async fn applicable_holidays(
    db: &impl ConnectionTrait,
    unit_id: Option<Uuid>,
    range: Option<(NaiveDate, NaiveDate)>,
) -> Result<Vec<holiday::Model>, DbErr> {
    let chain = match unit_id {
        Some(unit_id) => crate::units::store::unit_and_ancestors(db, unit_id).await?,
        None => Vec::new(),
    };
    let mut query = holiday::Entity::find()
        .filter(holiday::Column::UnitId.is_null().or(holiday::Column::UnitId.is_in(chain.clone())));
    if let Some((from, to)) = range {
        query = query.filter(holiday::Column::Date.between(from, to));
    }
    let mut holidays = query.all(db).await?;
    let distance = |h: &holiday::Model| match h.unit_id {
        None => usize::MAX,
        Some(id) => chain.iter().position(|c| *c == id).unwrap_or(usize::MAX - 1),
    };
    holidays.sort_by_key(|h| (h.date, std::cmp::Reverse(distance(h))));
    Ok(holidays)
}

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
