//! The demo data set (`motcua seed demo`, `motcua serve --demo`): the units of the Thuận An
//! pilot, legal documents, the year's holidays, a procedure catalogue, and one account of
//! every role. Loading it twice changes nothing but the procedures' timestamps.

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait};
use serde::Deserialize;
use uuid::Uuid;

use entity::values::{HolidayKind, UnitKind};

use crate::{
    accounts::store::{NewUser, insert_user, user_by_phone},
    auth::{Role, password::PasswordHashing},
    calendar::store::{NewHoliday, applicable_holidays, insert_holiday},
    db::write_transaction,
    domain::account::PhoneNumber,
    legal_documents::{dto::NewLegalDocument, routes::add_legal_document, store::legal_document_by_number},
    procedures::import::{ImportError, import_procedures, json_rows},
    units::store::unit_by_code,
};

const DEMO_JSON: &str = include_str!("../seed/demo.json");

#[derive(Deserialize)]
struct DemoData {
    units: Vec<DemoUnit>,
    legal_documents: Vec<NewLegalDocument>,
    holidays: Vec<DemoHoliday>,
    procedures: Vec<serde_json::Value>,
}

/// Units are listed parents first.
#[derive(Deserialize)]
struct DemoUnit {
    code: String,
    name: String,
    kind: UnitKind,
    parent_code: Option<String>,
    address: Option<String>,
    /// The place its documents are dated at.
    #[serde(default)]
    locality: Option<String>,
}

#[derive(Deserialize)]
struct DemoHoliday {
    date: chrono::NaiveDate,
    kind: HolidayKind,
    name: String,
}

/// The demo accounts: phone, role, unit, full name.
const DEMO_ACCOUNTS: [(&str, Role, Option<&str>, &str); 5] = [
    ("0900000001", Role::Admin, None, "Quản trị Hệ thống"),
    ("0900000002", Role::Supervisor, Some("000.00.20.H12"), "Lê Văn Giám Sát"),
    ("0900000003", Role::Officer, Some("000.20.33.H12"), "Phạm Thị Lái Thiêu"),
    ("0900000004", Role::Officer, Some("000.20.31.H12"), "Võ Văn Một Cửa"),
    ("0900000005", Role::Citizen, None, "Nguyễn Thị Công Dân"),
];

/// An account the seed created, with the password it was given (shown once).
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub phone: String,
    pub role: Role,
    pub unit_code: Option<String>,
    pub password: String,
}

/// What a seed run added.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub units_created: usize,
    pub legal_documents_created: usize,
    pub holidays_created: usize,
    /// Procedures inserted or replaced.
    pub procedures: usize,
    /// Accounts created by this run (none when they existed already).
    pub accounts_created: Vec<DemoAccount>,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the demo data is broken: {0}")]
    Data(String),
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Import(#[from] ImportError),
}

impl From<crate::error::ApiError> for SeedError {
    fn from(error: crate::error::ApiError) -> SeedError {
        SeedError::Data(error.to_string())
    }
}

/// Whether the database has no units yet (a fresh install).
pub async fn has_no_units(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(entity::unit::Entity::find().count(db).await? == 0)
}

fn random_password() -> String {
    rand::rng().sample_iter(rand::distr::Alphanumeric).take(16).map(char::from).collect()
}

/// Loads the demo data, adding only what is missing (procedures are upserted by code).
pub async fn seed_demo(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<SeedReport, SeedError> {
    let demo: DemoData = serde_json::from_str(DEMO_JSON).map_err(|e| SeedError::Data(e.to_string()))?;
    let mut report = SeedReport::default();

    write_transaction(&db.into(), async |tx| add_places(tx, &demo, now, &mut report).await).await?;

    report.procedures =
        import_procedures(db, json_rows(demo.procedures), false, now, &|_| {}).await?.imported;
    report.accounts_created = add_accounts(db, now).await?;
    Ok(report)
}

/// Units, legal documents and national holidays that are not there yet.
async fn add_places(
    txn: &impl sea_orm::ConnectionTrait,
    demo: &DemoData,
    now: DateTime<Utc>,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    for unit in &demo.units {
        if unit_by_code(txn, &unit.code).await?.is_some() {
            continue;
        }
        let parent_id = match &unit.parent_code {
            Some(code) => Some(
                unit_by_code(txn, code)
                    .await?
                    .ok_or_else(|| SeedError::Data(format!("unknown parent {code}")))?
                    .id,
            ),
            None => None,
        };
        entity::unit::ActiveModel {
            id: Set(Uuid::now_v7()),
            code: Set(unit.code.clone()),
            name: Set(unit.name.clone()),
            kind: Set(unit.kind),
            parent_id: Set(parent_id),
            address: Set(unit.address.clone()),
            locality: Set(unit.locality.clone()),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            // Desk settings start at the schema's defaults.
            ..Default::default()
        }
        .insert(txn)
        .await?;
        report.units_created += 1;
    }
    for document in &demo.legal_documents {
        if legal_document_by_number(txn, &document.number).await?.is_none() {
            add_legal_document(txn, document, now).await?;
            report.legal_documents_created += 1;
        }
    }
    for holiday in &demo.holidays {
        if applicable_holidays(txn, None, Some((holiday.date, holiday.date))).await?.is_empty() {
            insert_holiday(
                txn,
                NewHoliday {
                    unit_id: None,
                    date: holiday.date,
                    kind: holiday.kind,
                    name: holiday.name.clone(),
                },
                now,
            )
            .await?;
            report.holidays_created += 1;
        }
    }
    Ok(())
}

/// The demo accounts that do not exist yet, with fresh random passwords.
async fn add_accounts(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<DemoAccount>, SeedError> {
    let mut created = Vec::new();
    let hashing = PasswordHashing::default();
    for (phone, role, unit_code, full_name) in DEMO_ACCOUNTS {
        let phone =
            PhoneNumber::parse(phone).ok_or_else(|| SeedError::Data(format!("bad demo phone {phone}")))?;
        if user_by_phone(db, phone.as_str()).await?.is_some() {
            continue;
        }
        let unit_id = match unit_code {
            Some(code) => {
                Some(unit_by_code(db, code).await?.ok_or_else(|| SeedError::Data(code.to_owned()))?.id)
            }
            None => None,
        };
        let password = random_password();
        let password_hash = hashing.hash(&password).await?;
        let new =
            NewUser { phone: phone.as_str(), full_name, password_hash, role, unit_id, phone_verified: true };
        insert_user(db, new, now).await?;
        created.push(DemoAccount {
            phone: phone.as_str().to_owned(),
            role,
            unit_code: unit_code.map(str::to_owned),
            password,
        });
    }
    Ok(created)
}
