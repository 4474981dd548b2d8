//! Administration: the unit tree, staff accounts, and the audit log of every change to them.

use chrono::{DateTime, Utc};
pub mod dto;
pub mod routes;
pub mod store;

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    accounts::validate,
    auth::{Role, password::PasswordHashing},
    error::FieldError,
    i18n::Lang,
};

/// Why `motcua admin create` made no account.
#[derive(Debug, thiserror::Error)]
pub enum CreateAdministratorError {
    #[error("{}", describe(.0))]
    Invalid(Vec<FieldError>),
    #[error("this phone number already has an account")]
    PhoneTaken,
    #[error("{0}")]
    Failed(String),
}

fn describe(errors: &[FieldError]) -> String {
    let lines: Vec<String> =
        errors.iter().map(|e| format!("  {}: {}", e.field, e.message.get(Lang::En))).collect();
    format!("the account is not valid:\n{}", lines.join("\n"))
}

/// Creates an administrator account from the command line (the first one cannot be made
/// through the API, which needs an administrator). The fields are checked as registration
/// checks them; the audit row names no actor.
pub async fn create_administrator(
    db: &DatabaseConnection,
    passwords: &PasswordHashing,
    phone: &str,
    full_name: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, CreateAdministratorError> {
    let mut errors = Vec::new();
    let Some((phone, full_name)) = validate::new_account(phone, full_name, password, &mut errors) else {
        return Err(CreateAdministratorError::Invalid(errors));
    };
    let password_hash =
        passwords.hash(password).await.map_err(|e| CreateAdministratorError::Failed(e.to_string()))?;
    let new = store::NewStaff {
        phone: phone.as_str(),
        full_name: full_name.as_str(),
        password_hash,
        role: Role::Admin,
        unit: None,
    };
    let audit = store::Audit { actor_id: None, request_id: None, at: now, address: None, user_agent: None };
    match store::create_staff(&db.into(), new, &audit).await {
        Ok(record) => Ok(record.user.id),
        Err(store::WriteError::PhoneTaken) => Err(CreateAdministratorError::PhoneTaken),
        Err(other) => Err(CreateAdministratorError::Failed(other.to_string())),
    }
}
