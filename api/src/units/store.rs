//! Queries for units and their desk settings.

use std::collections::HashMap;

use entity::{unit, values::UnitKind};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, Statement,
};
use uuid::Uuid;

use super::validate::ValidSettings;
use crate::pagination::{PageQuery, fetch_page};

pub async fn unit_by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<unit::Model>, DbErr> {
    unit::Entity::find().filter(unit::Column::Code.eq(code)).one(db).await
}

pub async fn unit_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<unit::Model>, DbErr> {
    unit::Entity::find_by_id(id).one(db).await
}

/// The code of the unit of an account (staff have one, citizens none).
pub async fn unit_code(db: &impl ConnectionTrait, unit_id: Option<Uuid>) -> Result<Option<String>, DbErr> {
    let Some(unit_id) = unit_id else { return Ok(None) };
    Ok(unit_by_id(db, unit_id).await?.map(|unit| unit.code))
}

/// The codes of these units, by id.
pub async fn unit_codes(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, DbErr> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let units = unit::Entity::find().filter(unit::Column::Id.is_in(ids)).all(db).await?;
    Ok(units.into_iter().map(|u| (u.id, u.code)).collect())
}

// The unit tree, walked in the database: every process sees the same tree at once.

#[derive(FromQueryResult)]
struct UnitId {
    id: Uuid,
}

/// A unit and all units below it in the tree.
pub async fn unit_and_descendants(
    db: &impl ConnectionTrait,
    root: Uuid,
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let statement = Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DatabaseBackend::Postgres => {
                "WITH RECURSIVE tree(id) AS (SELECT id FROM units WHERE id = $1 \
                 UNION SELECT u.id FROM units u JOIN tree t ON u.parent_id = t.id) SELECT id FROM tree"
            }
            _ => {
                "WITH RECURSIVE tree(id) AS (SELECT id FROM units WHERE id = ? \
                 UNION SELECT u.id FROM units u JOIN tree t ON u.parent_id = t.id) SELECT id FROM tree"
            }
        },
        [root.into()],
    );
    Ok(UnitId::find_by_statement(statement).all(db).await?.into_iter().map(|row| row.id).collect())
}

/// A `WITH RECURSIVE chain(id, parent_id, depth)` clause: the unit bound at `placeholder` and
/// every unit above it, the unit itself at depth 0. Queries about what a unit inherits join it.
pub fn ancestry_chain(placeholder: &str) -> String {
    format!(
        "WITH RECURSIVE chain(id, parent_id, depth) AS (\
         SELECT id, parent_id, 0 FROM units WHERE id = {placeholder} \
         UNION ALL SELECT u.id, u.parent_id, c.depth + 1 FROM units u JOIN chain c ON u.id = c.parent_id \
         WHERE c.depth < 64) "
    )
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
    fetch_page(db, query.order_by_asc(unit::Column::Code), PageQuery { page, per_page }).await
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
        appointment_seats: Set(settings.booking.appointment_seats),
        min_lead_minutes: Set(settings.booking.min_lead_minutes),
        booking_horizon_days: Set(settings.booking.booking_horizon_days),
        cancel_cutoff_minutes: Set(settings.booking.cancel_cutoff_minutes),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}
