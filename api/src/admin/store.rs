//! Queries for the unit tree, staff accounts and the audit log.
//!
//! Every change runs in one write transaction together with its audit row, so there is never
//! a change without its record, nor a record of a change that was rolled back.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    audit_log, unit, user,
    values::{AuditAction, UnitKind},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, ExprTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, TryIntoModel,
    sea_query::{Expr, Func, LikeExpr, Query, SimpleExpr},
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    accounts::store::{NewUser, insert_user, revoke_sessions_except, unit_code},
    auth::{Role, UnitScope},
    db::write_transaction,
    pagination::PageQuery,
    units::store::unit_and_descendants,
};

/// Who makes a change, for its audit row.
#[derive(Debug, Clone)]
pub struct Audit {
    /// `None` when the change comes from the `motcua` command line.
    pub actor_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("no such record")]
    NotFound,
    #[error("the unit code is taken")]
    UnitCodeTaken,
    #[error("the unit would end up below itself")]
    UnitCycle,
    #[error("the phone number is taken")]
    PhoneTaken,
    #[error(transparent)]
    Db(#[from] DbErr),
}

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
            "active": self.unit.active,
        })
    }
}

/// A staff account with the code of its unit.
#[derive(Debug, Clone)]
pub struct StaffRecord {
    pub user: user::Model,
    pub unit_code: Option<String>,
}

impl StaffRecord {
    /// What the audit log keeps of an account: the fields are listed one by one so that the
    /// password hash, or any secret column added later, never reaches the log.
    fn state(&self) -> Value {
        json!({
            "id": self.user.id,
            "phone": self.user.phone,
            "full_name": self.user.full_name,
            "role": self.user.role,
            "unit_code": self.unit_code,
            "active": self.user.active,
        })
    }
}

async fn write_audit(
    db: &impl ConnectionTrait,
    audit: &Audit,
    change: AuditAction,
    (target_id, unit_id): (String, Option<Uuid>),
    before: Option<Value>,
    after: Value,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(audit.actor_id),
        action: Set(change),
        target_type: Set(change.target()),
        target_id: Set(target_id),
        unit_id: Set(unit_id),
        before_state: Set(before.map(|state| state.to_string())),
        after_state: Set(Some(after.to_string())),
        at: Set(audit.at),
        request_id: Set(audit.request_id.clone()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// One page of a query, and how many rows the whole query has.
async fn page_of<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    page: PageQuery,
) -> Result<(Vec<E::Model>, u64), DbErr>
where
    E::Model: Sync,
{
    let total = select.clone().count(db).await?;
    let rows = select.offset(page.offset()).limit(page.per_page).all(db).await?;
    Ok((rows, total))
}

/// The codes of these units, by id.
async fn unit_codes(
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
    Ok(units.into_iter().map(|unit| (unit.id, unit.code)).collect())
}

/// `column` is the id of the unit with this code.
fn is_unit_with_code(column: impl ColumnTrait, code: &str) -> SimpleExpr {
    column.in_subquery(
        Query::select()
            .column(unit::Column::Id)
            .from(unit::Entity)
            .and_where(unit::Column::Code.eq(code))
            .to_owned(),
    )
}

pub async fn unit_by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<unit::Model>, DbErr> {
    unit::Entity::find().filter(unit::Column::Code.eq(code)).one(db).await
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
    let (units, total) = page_of(db, select, page).await?;
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
}

pub async fn create_unit(
    db: &DatabaseConnection,
    new: NewUnitRow<'_>,
    audit: &Audit,
) -> Result<UnitRecord, WriteError> {
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
    db: &DatabaseConnection,
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

/// Which staff accounts to list.
#[derive(Debug, Default)]
pub struct StaffFilter<'a> {
    pub role: Option<Role>,
    /// Only the staff of the unit with this code.
    pub unit_code: Option<&'a str>,
    pub active: Option<bool>,
    /// Part of a phone number (digits) or of a name.
    pub q: Option<&'a str>,
}

/// The condition for `q`: digits are looked for in the phone number (a leading 0 is the
/// trunk prefix, which the stored `+84…` form replaces), anything else in the name,
/// ignoring case (PostgreSQL folds every letter; SQLite's `lower` only ASCII ones).
fn staff_matching(q: &str) -> SimpleExpr {
    let digits: String = q.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '+' | '(' | ')')).collect();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let national = digits.strip_prefix('0').unwrap_or(&digits);
        return user::Column::Phone.like(format!("%{national}%"));
    }
    // Stored names have their whitespace collapsed (FullName::parse); so has the query.
    let words = q.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    Expr::expr(Func::lower(Expr::col(user::Column::FullName)))
        .like(LikeExpr::new(format!("%{}%", escape_like(&words))).escape('\\'))
}

/// `text` with the LIKE wildcards escaped, to be matched literally.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

fn staff() -> Select<user::Entity> {
    user::Entity::find().filter(user::Column::Role.ne(Role::Citizen))
}

/// Staff accounts in the scope, sorted by phone number.
pub async fn list_staff(
    db: &impl ConnectionTrait,
    scope: &UnitScope,
    filter: StaffFilter<'_>,
    page: PageQuery,
) -> Result<(Vec<StaffRecord>, u64), DbErr> {
    let mut select = staff().order_by_asc(user::Column::Phone);
    if let UnitScope::Units(ids) = scope {
        select = select.filter(user::Column::UnitId.is_in(ids.iter().copied()));
    }
    if let Some(role) = filter.role {
        select = select.filter(user::Column::Role.eq(role));
    }
    if let Some(code) = filter.unit_code {
        select = select.filter(is_unit_with_code(user::Column::UnitId, code));
    }
    if let Some(active) = filter.active {
        select = select.filter(user::Column::Active.eq(active));
    }
    if let Some(q) = filter.q.filter(|q| !q.trim().is_empty()) {
        select = select.filter(staff_matching(q));
    }
    let (users, total) = page_of(db, select, page).await?;
    let codes = unit_codes(db, users.iter().filter_map(|user| user.unit_id)).await?;
    let records = users
        .into_iter()
        .map(|user| StaffRecord { unit_code: user.unit_id.and_then(|id| codes.get(&id).cloned()), user })
        .collect();
    Ok((records, total))
}

/// A staff account by id (citizens are not staff: `None`).
pub async fn staff_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<StaffRecord>, DbErr> {
    let Some(user) = staff().filter(user::Column::Id.eq(id)).one(db).await? else { return Ok(None) };
    Ok(Some(StaffRecord { unit_code: unit_code(db, user.unit_id).await?, user }))
}

/// A staff account to create: validated fields, the password already hashed, the unit looked up.
pub struct NewStaff<'a> {
    pub phone: &'a str,
    pub full_name: &'a str,
    pub password_hash: String,
    pub role: Role,
    pub unit: Option<&'a unit::Model>,
}

pub async fn create_staff(
    db: &DatabaseConnection,
    new: NewStaff<'_>,
    audit: &Audit,
) -> Result<StaffRecord, WriteError> {
    write_transaction(db, async |txn| {
        if crate::accounts::store::user_by_phone(txn, new.phone).await?.is_some() {
            return Err(WriteError::PhoneTaken);
        }
        let row = NewUser {
            phone: new.phone,
            full_name: new.full_name,
            password_hash: new.password_hash,
            role: new.role,
            unit_id: new.unit.map(|unit| unit.id),
        };
        // A concurrent creation of the same phone loses on users_phone_key.
        let user = insert_user(txn, row, audit.at).await?;
        let record = StaffRecord { unit_code: new.unit.map(|unit| unit.code.clone()), user };
        let target = (record.user.id.to_string(), record.user.unit_id);
        write_audit(txn, audit, AuditAction::UserCreate, target, None, record.state()).await?;
        Ok(record)
    })
    .await
}

/// Changes to a staff account; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct StaffUpdate {
    pub full_name: Option<String>,
    pub role: Option<Role>,
    /// The new unit (`Some(None)`: none), looked up by the caller.
    pub unit: Option<Option<unit::Model>>,
    pub active: Option<bool>,
}

/// Changes a staff account. `decide` sees the account as it is inside the transaction (locked
/// on PostgreSQL) and says what to change, or refuses: so the caller's permission checks hold
/// for the row that is written, even when it changed since the caller last read it.
pub async fn update_staff<E: From<WriteError> + From<DbErr>>(
    db: &DatabaseConnection,
    id: Uuid,
    audit: &Audit,
    decide: impl FnOnce(&StaffRecord) -> Result<StaffUpdate, E>,
) -> Result<StaffRecord, E> {
    write_transaction(db, async |txn| {
        let current = staff()
            .filter(user::Column::Id.eq(id))
            .lock_exclusive()
            .one(txn)
            .await?
            .ok_or(WriteError::NotFound)?;
        let before = StaffRecord { unit_code: unit_code(txn, current.unit_id).await?, user: current };
        let update = decide(&before)?;
        Ok(apply_staff_update(txn, &before, update, audit).await?)
    })
    .await
}

async fn apply_staff_update(
    txn: &impl ConnectionTrait,
    before: &StaffRecord,
    update: StaffUpdate,
    audit: &Audit,
) -> Result<StaffRecord, WriteError> {
    let mut unit_code = before.unit_code.clone();
    let mut user = before.user.clone().into_active_model();
    if let Some(full_name) = update.full_name {
        user.full_name = Set(full_name);
    }
    if let Some(role) = update.role {
        user.role = Set(role);
    }
    if let Some(unit) = update.unit {
        user.unit_id = Set(unit.as_ref().map(|u| u.id));
        unit_code = unit.map(|u| u.code);
    }
    if let Some(active) = update.active {
        user.active = Set(active);
    }
    let after = StaffRecord { user: user.clone().try_into_model()?, unit_code };
    if after.state() == before.state() {
        return Ok(after);
    }
    user.updated_at = Set(audit.at);
    let after = StaffRecord { user: user.update(txn).await?, ..after };
    if before.user.active && !after.user.active {
        // A deactivated account must not get new access tokens from its refresh tokens.
        revoke_sessions_except(txn, after.user.id, None, audit.at).await?;
    }
    let target = (after.user.id.to_string(), after.user.unit_id.or(before.user.unit_id));
    write_audit(txn, audit, AuditAction::UserUpdate, target, Some(before.state()), after.state()).await?;
    Ok(after)
}

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
    let (entries, total) = page_of(db, select, page).await?;
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
