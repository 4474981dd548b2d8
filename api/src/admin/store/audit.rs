//! The audit log: every change to units and staff accounts.

use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    pagination::{PageQuery, fetch_page},
    units::store::unit_codes,
};

/// Which audit entries to list.
#[derive(Debug, Default)]
pub struct AuditFilter<'a> {
    pub actor_id: Option<Uuid>,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub action: Option<&'a str>,
    /// From this time on (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this time (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// Audit entries, newest first, each with the code of its unit.
pub async fn list_audit(
    db: &impl ConnectionTrait,
    filter: AuditFilter<'_>,
    page: PageQuery,
) -> Result<(Vec<(audit_log::Model, Option<String>)>, u64), DbErr> {
    // Ids are UUIDv7, in time order: they break ties between entries of the same instant.
    let mut select =
        audit_log::Entity::find().order_by_desc(audit_log::Column::At).order_by_desc(audit_log::Column::Id);
    if let Some(actor_id) = filter.actor_id {
        select = select.filter(audit_log::Column::ActorId.eq(actor_id));
    }
    if let Some(target_type) = filter.target_type {
        select = select.filter(audit_log::Column::TargetType.eq(target_type));
    }
    if let Some(target_id) = filter.target_id {
        select = select.filter(audit_log::Column::TargetId.eq(target_id));
    }
    if let Some(action) = filter.action {
        select = select.filter(audit_log::Column::Action.eq(action));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(audit_log::Column::At.lt(to));
    }
    let (entries, total) = fetch_page(db, select, page).await?;
    let codes = unit_codes(db, entries.iter().filter_map(|entry| entry.unit_id)).await?;
    let rows = entries
        .into_iter()
        .map(|entry| {
            let code = entry.unit_id.and_then(|id| codes.get(&id).cloned());
            (entry, code)
        })
        .collect();
    Ok((rows, total))
}
