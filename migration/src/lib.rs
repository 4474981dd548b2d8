//! Hand-written schema migrations, applied in order by `motcua migrate` and at start-up.
//!
//! The DDL is written once for both engines with a few type placeholders ([`ddl`]), so the
//! constraints that hold our invariants (checks, unique and partial indexes, foreign keys)
//! read as plain SQL.

pub use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

mod m20261126_000001_accounts;
mod m20261126_000002_catalogue;
mod m20261126_000003_dossiers;
mod m20261126_000004_dossier_timeline_index;
mod m20261127_000005_dossier_public_timeline;
mod m20261202_000006_due_rescheduled_events;
mod m20261202_000007_appointments;
mod m20261202_000008_slot_counts;
mod m20261202_000009_secret_fingerprints;
mod m20261203_000010_queue;
mod m20261204_000011_ratings;
mod m20261204_000012_complaints;
mod m20261207_000013_documents_letters;
mod m20261207_000014_report_indexes;
mod m20261207_000015_integrations;
mod m20261207_000016_rate_buckets;
mod m20261207_000017_webhooks;
mod m20261207_000018_sessions;
mod m20261207_000019_one_time_codes;
mod m20261207_000020_oidc_logins;
mod m20261207_000022_push;

pub struct Migrator;

/// What every migration answers to `use_transaction`: run in a transaction on every engine.
/// sea-orm-migration wraps only PostgreSQL migrations by default, and a SQLite migration that
/// failed halfway would leave half a schema change behind, with no record of it.
const ATOMIC: Option<bool> = Some(true);

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_accounts::Migration),
            Box::new(m20261126_000002_catalogue::Migration),
            Box::new(m20261126_000003_dossiers::Migration),
            Box::new(m20261126_000004_dossier_timeline_index::Migration),
            Box::new(m20261127_000005_dossier_public_timeline::Migration),
            Box::new(m20261202_000006_due_rescheduled_events::Migration),
            Box::new(m20261202_000007_appointments::Migration),
            Box::new(m20261202_000008_slot_counts::Migration),
            Box::new(m20261202_000009_secret_fingerprints::Migration),
            Box::new(m20261203_000010_queue::Migration),
            Box::new(m20261204_000011_ratings::Migration),
            Box::new(m20261204_000012_complaints::Migration),
            Box::new(m20261207_000013_documents_letters::Migration),
            Box::new(m20261207_000014_report_indexes::Migration),
            Box::new(m20261207_000015_integrations::Migration),
            Box::new(m20261207_000016_rate_buckets::Migration),
            Box::new(m20261207_000017_webhooks::Migration),
            Box::new(m20261207_000018_sessions::Migration),
            Box::new(m20261207_000019_one_time_codes::Migration),
            Box::new(m20261207_000020_oidc_logins::Migration),
            Box::new(m20261207_000022_push::Migration),
        ]
    }
}

/// Rewrites the type placeholders of portable DDL for the connected engine:
/// `UUID`, `TIMESTAMPTZ`, `DATE`, `BOOL`, `SERIAL_PK` are written as `{uuid}`, `{ts}`,
/// `{date}`, `{bool}`, `{serial_pk}`. The types match how sqlx binds the Rust values
/// (SQLite: UUIDs as 16-byte blobs, times and dates as ISO-8601 text).
fn ddl(backend: DatabaseBackend, sql: &str) -> String {
    let (uuid, ts, date, boolean, serial_pk) = match backend {
        DatabaseBackend::Postgres => ("UUID", "TIMESTAMPTZ", "DATE", "BOOLEAN", "BIGSERIAL PRIMARY KEY"),
        _ => ("BLOB", "TEXT", "TEXT", "BOOLEAN", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    };
    sql.replace("{uuid}", uuid)
        .replace("{ts}", ts)
        .replace("{date}", date)
        .replace("{bool}", boolean)
        .replace("{serial_pk}", serial_pk)
}

/// Runs each `;`-separated statement of portable DDL.
async fn run_ddl(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for statement in ddl(manager.get_database_backend(), sql).split(';') {
        if !statement.trim().is_empty() {
            db.execute_unprepared(statement).await?;
        }
    }
    Ok(())
}

/// Drops tables, most dependent first.
async fn drop_tables(manager: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for table in tables {
        db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}")).await?;
    }
    Ok(())
}
