//! Queries for units and their desk settings.

use std::collections::HashMap;

use entity::{unit, values::UnitKind};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::validate::ValidSettings;
use crate::pagination::PageQuery;

pub async fn unit_by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<unit::Model>, DbErr> {
    unit::Entity::find().filter(unit::Column::Code.eq(code)).one(db).await
}

pub async fn unit_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<unit::Model>, DbErr> {
    unit::Entity::find_by_id(id).one(db).await
}

/// The codes of these units, by id.
pub async fn unit_codes(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, DbErr> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let units = unit::Entity::find().filter(unit::Column::Id.is_in(ids)).all(db).await?;
    Ok(units.into_iter().map(|u| (u.id, u.code)).collect())
}

/// Which units a public list shows.
pub struct UnitFilter {
    /// Only the children of this unit; `Some(None)` when the parent code named no unit.
    pub parent: Option<Option<Uuid>>,
    pub kind: Option<UnitKind>,
    pub active: bool,
}

/// One page of units sorted by code, and how many match in all.
pub async fn list_units(
    db: &impl ConnectionTrait,
    filter: UnitFilter,
    page: u64,
    per_page: u64,
) -> Result<(Vec<unit::Model>, u64), DbErr> {
    let mut query = unit::Entity::find().filter(unit::Column::Active.eq(filter.active));
    match filter.parent {
        Some(Some(parent)) => query = query.filter(unit::Column::ParentId.eq(parent)),
        Some(None) => return Ok((Vec::new(), 0)),
        None => {}
    }
    if let Some(kind) = filter.kind {
        query = query.filter(unit::Column::Kind.eq(kind));
    }
    let total = query.clone().count(db).await?;
    let units = query
        .order_by_asc(unit::Column::Code)
        .offset(PageQuery { page, per_page }.offset())
        .limit(per_page)
        .all(db)
        .await?;
    Ok((units, total))
}

/// Replaces a unit's desk settings.
pub async fn save_settings(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    settings: &ValidSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    let opening_hours = serde_json::to_string(&settings.schedule.weekly_hours)
        .map_err(|e| DbErr::Custom(format!("opening hours do not serialise: {e}")))?;
    unit::Entity::update(unit::ActiveModel {
        id: Set(unit_id),
        time_zone: Set(settings.schedule.time_zone.name().to_owned()),
        opening_hours: Set(opening_hours),
        intake_cutoff: Set(settings.schedule.intake_cutoff.format("%H:%M").to_string()),
        counters: Set(settings.counters),
        slot_minutes: Set(settings.slot_minutes),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}
