//! Staff accounts: listing, creating and changing them.

use entity::{
    unit, user,
    values::{AuditAction, SessionEnd},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Select, TryIntoModel,
    sea_query::{Expr, Func, LikeExpr, SimpleExpr},
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Audit, WriteError, units::is_unit_with_code, write_audit};
use crate::{
    accounts::store::{NewUser, insert_user},
    auth::{Role, UnitScope},
    db::{Writer, write_transaction},
    pagination::{PageQuery, fetch_page},
    units::store::{unit_code, unit_codes},
};

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
            "oidc_subject": self.user.oidc_subject,
        })
    }
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
    let (users, total) = fetch_page(db, select, page).await?;
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

/// A staff account by id inside a transaction that changes it: locked on PostgreSQL, so the
/// permission checks made on it hold for the row that is written.
pub async fn staff_for_update(txn: &impl ConnectionTrait, id: Uuid) -> Result<Option<StaffRecord>, DbErr> {
    let Some(user) = staff().filter(user::Column::Id.eq(id)).lock_exclusive().one(txn).await? else {
        return Ok(None);
    };
    Ok(Some(StaffRecord { unit_code: unit_code(txn, user.unit_id).await?, user }))
}

/// A staff account to create: validated fields, the password already hashed, the unit looked up.
pub struct NewStaff<'a> {
    pub phone: &'a str,
    pub full_name: &'a str,
    pub password_hash: String,
    pub role: Role,
    pub unit: Option<&'a unit::Model>,
}

pub async fn create_staff(db: &Writer, new: NewStaff<'_>, audit: &Audit) -> Result<StaffRecord, WriteError> {
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
            phone_verified: true,
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
    /// The new single sign-on subject (`Some(None)`: unlinked).
    pub oidc_subject: Option<Option<String>>,
}

/// Changes a staff account. `decide` sees the account as it is inside the transaction (locked
/// on PostgreSQL) and says what to change, or refuses: so the caller's permission checks hold
/// for the row that is written, even when it changed since the caller last read it.
pub async fn update_staff<E: From<WriteError> + From<DbErr>>(
    db: &Writer,
    id: Uuid,
    audit: &Audit,
    decide: impl FnOnce(&StaffRecord) -> Result<StaffUpdate, E>,
) -> Result<StaffRecord, E> {
    write_transaction(db, async |txn| {
        let before = staff_for_update(txn, id).await?.ok_or(WriteError::NotFound)?;
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
    if let Some(subject) = update.oidc_subject {
        user.oidc_subject = Set(subject);
    }
    let after = StaffRecord { user: user.clone().try_into_model()?, unit_code };
    if after.state() == before.state() {
        return Ok(after);
    }
    user.updated_at = Set(audit.at);
    let after = StaffRecord { user: user.update(txn).await?, ..after };
    if before.user.active && !after.user.active {
        // A deactivated account's sessions end (its requests are refused already: every
        // request reads the account).
        let sessions = crate::sessions::Which::AllOf(after.user.id);
        crate::sessions::store::revoke(txn, sessions, SessionEnd::Deactivated, audit.at).await?;
    }
    let target = (after.user.id.to_string(), after.user.unit_id.or(before.user.unit_id));
    write_audit(txn, audit, AuditAction::UserUpdate, target, Some(before.state()), after.state()).await?;
    Ok(after)
}
