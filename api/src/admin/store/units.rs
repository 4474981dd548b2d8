//! The unit tree: listing, creating and moving units.

use entity::{
    unit,
    values::{AuditAction, UnitKind},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, TryIntoModel,
    sea_query::{Query, SimpleExpr},
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Audit, WriteError, write_audit};
use crate::{
    db::{Writer, write_transaction},
    pagination::{PageQuery, fetch_page},
    units::store::{unit_and_descendants, unit_by_code, unit_code, unit_codes},
};

/// A unit with the code of its parent.
#[derive(Debug, Clone)]
pub struct UnitRecord {
    pub unit: unit::Model,
    pub parent_code: Option<String>,
}

impl UnitRecord {
    /// What the audit log keeps of a unit.
    fn state(&self) -> Value {
        json!({
            "code": self.unit.code,
            "name": self.unit.name,
            "kind": self.unit.kind,
            "parent_code": self.parent_code,
            "address": self.unit.address,
            "locality": self.unit.locality,
            "active": self.unit.active,
        })
    }
}

/// `column` is the id of the unit with this code.
pub(super) fn is_unit_with_code(column: impl ColumnTrait, code: &str) -> SimpleExpr {
    column.in_subquery(
        Query::select()
            .column(unit::Column::Id)
            .from(unit::Entity)
            .and_where(unit::Column::Code.eq(code))
            .to_owned(),
    )
}

/// Which units to list.
#[derive(Debug, Default)]
pub struct UnitFilter<'a> {
    pub active: Option<bool>,
    /// Only the direct sub-units of the unit with this code.
    pub parent_code: Option<&'a str>,
}

/// Units sorted by code.
pub async fn list_units(
    db: &impl ConnectionTrait,
    filter: UnitFilter<'_>,
    page: PageQuery,
) -> Result<(Vec<UnitRecord>, u64), DbErr> {
    let mut select = unit::Entity::find().order_by_asc(unit::Column::Code);
    if let Some(active) = filter.active {
        select = select.filter(unit::Column::Active.eq(active));
    }
    if let Some(parent_code) = filter.parent_code {
        select = select.filter(is_unit_with_code(unit::Column::ParentId, parent_code));
    }
    let (units, total) = fetch_page(db, select, page).await?;
    let codes = unit_codes(db, units.iter().filter_map(|unit| unit.parent_id)).await?;
    let records = units
        .into_iter()
        .map(|unit| UnitRecord { parent_code: unit.parent_id.and_then(|id| codes.get(&id).cloned()), unit })
        .collect();
    Ok((records, total))
}

/// A unit to create; the parent was looked up by the caller (codes never change and units are
/// never deleted, so it cannot vanish in between).
pub struct NewUnitRow<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: UnitKind,
    pub parent: Option<&'a unit::Model>,
    pub address: Option<&'a str>,
    pub locality: Option<&'a str>,
}

pub async fn create_unit(db: &Writer, new: NewUnitRow<'_>, audit: &Audit) -> Result<UnitRecord, WriteError> {
    write_transaction(db, async |txn| {
        if unit_by_code(txn, new.code).await?.is_some() {
            return Err(WriteError::UnitCodeTaken);
        }
        // The desk settings (hours, counters, ...) start at the schema's defaults.
        let unit = unit::ActiveModel {
            id: Set(Uuid::now_v7()),
            code: Set(new.code.to_owned()),
            name: Set(new.name.to_owned()),
            kind: Set(new.kind),
            parent_id: Set(new.parent.map(|parent| parent.id)),
            address: Set(new.address.map(str::to_owned)),
            locality: Set(new.locality.map(str::to_owned)),
            active: Set(true),
            created_at: Set(audit.at),
            updated_at: Set(audit.at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let record = UnitRecord { parent_code: new.parent.map(|parent| parent.code.clone()), unit };
        let target = (record.unit.code.clone(), Some(record.unit.id));
        write_audit(txn, audit, AuditAction::UnitCreate, target, None, record.state()).await?;
        Ok(record)
    })
    .await
}

/// Changes to a unit; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UnitUpdate {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    pub address: Option<Option<String>>,
    pub locality: Option<Option<String>>,
    /// The new parent (`Some(None)`: none, a top unit), looked up by the caller.
    pub parent: Option<Option<unit::Model>>,
    pub active: Option<bool>,
}

/// Serialises moves in the unit tree on PostgreSQL: two concurrent moves that are each fine
/// alone (A under B, B under A) would together make a cycle that neither transaction can see.
/// On SQLite the write transaction already excludes every other writer.
async fn lock_unit_tree(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        // An arbitrary key that names "the unit tree" among the application's advisory locks.
        db.execute_unprepared("SELECT pg_advisory_xact_lock(7242001)").await?;
    }
    Ok(())
}

pub async fn update_unit(
    db: &Writer,
    code: &str,
    update: UnitUpdate,
    audit: &Audit,
) -> Result<UnitRecord, WriteError> {
    write_transaction(db, async |txn| {
        if update.parent.is_some() {
            lock_unit_tree(txn).await?;
        }
        let current = unit::Entity::find()
            .filter(unit::Column::Code.eq(code))
            .lock_exclusive()
            .one(txn)
            .await?
            .ok_or(WriteError::NotFound)?;
        let before =
            UnitRecord { parent_code: unit_code(txn, current.parent_id).await?, unit: current.clone() };
        if let Some(Some(parent)) = &update.parent
            && unit_and_descendants(txn, current.id).await?.contains(&parent.id)
        {
            return Err(WriteError::UnitCycle);
        }

        let mut parent_code = before.parent_code.clone();
        let mut unit = current.into_active_model();
        if let Some(name) = update.name {
            unit.name = Set(name);
        }
        if let Some(kind) = update.kind {
            unit.kind = Set(kind);
        }
        if let Some(address) = update.address {
            unit.address = Set(address);
        }
        if let Some(locality) = update.locality {
            unit.locality = Set(locality);
        }
        if let Some(parent) = update.parent {
            unit.parent_id = Set(parent.as_ref().map(|p| p.id));
            parent_code = parent.map(|p| p.code);
        }
        if let Some(active) = update.active {
            unit.active = Set(active);
        }
        let after = UnitRecord { unit: unit.clone().try_into_model()?, parent_code };
        if after.state() == before.state() {
            return Ok(before);
        }
        unit.updated_at = Set(audit.at);
        let after = UnitRecord { unit: unit.update(txn).await?, ..after };
        let target = (after.unit.code.clone(), Some(after.unit.id));
        write_audit(txn, audit, AuditAction::UnitUpdate, target, Some(before.state()), after.state()).await?;
        Ok(after)
    })
    .await
}
