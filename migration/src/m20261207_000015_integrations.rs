use sea_orm_migration::{
    prelude::*,
    sea_orm::{DatabaseBackend, Statement},
};

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Integrators: API keys, and the event outbox that the change feed and the webhooks read.
//
// A key is `mc_live_<id>_<secret>`; only SHA-256 of the secret is kept, found by the id. A
// rotation keeps the id (so the key's idempotency keys, rate bucket and last use carry over)
// and moves the old hash to `previous_secret_hash`, accepted until `previous_valid_until`.
//
// `events` is written in the transaction of the change that causes it. Its `seq` orders the
// rows of one writer; on PostgreSQL, where transactions commit in any order, `txid` (the
// writing transaction's id) lets the feed read only below the oldest transaction still running,
// so a row that commits late is never skipped (see `api::integrations::feed`). On SQLite one
// writer commits in `seq` order and `txid` stays 0.
//
// Idempotency keys now belong to a user or to an API key: the caller column loses its
// reference to users.
//
// A dossier a portal submits online has no receiving officer until one accepts it:
// `dossiers.received_by` may be empty. SQLite cannot drop a NOT NULL with ALTER TABLE; its
// documented way for a constraint that changes nothing on disk is to edit the table's stored
// definition (https://sqlite.org/lang_altertable.html#otheralter), done here in the
// migration's transaction and checked before it commits.
const UP: &str = r#"
CREATE TABLE api_keys (
    id {uuid} PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    scopes TEXT NOT NULL,
    unit_id {uuid} REFERENCES units (id),
    rate_limit INTEGER CHECK (rate_limit BETWEEN 1 AND 100000),
    secret_hash TEXT NOT NULL,
    previous_secret_hash TEXT,
    previous_valid_until {ts},
    expires_at {ts},
    created_by {uuid} NOT NULL REFERENCES users (id),
    created_at {ts} NOT NULL,
    rotated_at {ts},
    last_used_at {ts},
    revoked_at {ts}
);

CREATE TABLE events (
    seq {serial_pk},
    id {uuid} NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    unit_id {uuid} REFERENCES units (id),
    data TEXT NOT NULL,
    created_at {ts} NOT NULL,
    txid BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX events_dossier_feed ON events (txid, seq)
    WHERE event_type IN ('dossier.created', 'dossier.status_changed')
"#;

const UP_POSTGRES: &str = r#"
ALTER TABLE events ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint);
ALTER TABLE idempotency_keys DROP CONSTRAINT IF EXISTS idempotency_keys_caller_id_fkey;
ALTER TABLE dossiers ALTER COLUMN received_by DROP NOT NULL
"#;

const RECEIVED_BY_NOT_NULL_SQLITE: &str = "received_by BLOB NOT NULL REFERENCES users (id)";
const RECEIVED_BY_NULLABLE_SQLITE: &str = "received_by BLOB REFERENCES users (id)";

const IDEMPOTENCY_KEYS_SQLITE: &str = r#"
CREATE TABLE idempotency_keys_rebuilt (
    caller_id {uuid} NOT NULL,
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at {ts} NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (caller_id, key)
);
INSERT INTO idempotency_keys_rebuilt SELECT caller_id, key, fingerprint, answer, created_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_rebuilt RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every engine (see [`crate::ATOMIC`]).
    fn use_transaction(&self) -> Option<bool> {
        crate::ATOMIC
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, UP).await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_ddl(manager, UP_POSTGRES).await,
            _ => {
                run_ddl(manager, IDEMPOTENCY_KEYS_SQLITE).await?;
                edit_sqlite_dossiers(manager, RECEIVED_BY_NOT_NULL_SQLITE, RECEIVED_BY_NULLABLE_SQLITE).await
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Keys' idempotency records cannot point at users: they go with the keys.
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM idempotency_keys WHERE caller_id IN (SELECT id FROM api_keys)")
            .await?;
        drop_tables(manager, &["events", "api_keys"]).await?;
        // Dossiers that no officer received cannot go back under the constraint: the undo
        // stops here, before changing anything, while any exist.
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared("ALTER TABLE dossiers ALTER COLUMN received_by SET NOT NULL").await?;
                Ok(())
            }
            _ => {
                edit_sqlite_dossiers(manager, RECEIVED_BY_NULLABLE_SQLITE, RECEIVED_BY_NOT_NULL_SQLITE).await
            }
        }
    }
}

/// Replaces `from` by `to` in SQLite's stored definition of `dossiers`, for a change of
/// constraint only, as SQLite documents it: bump the schema version so every connection reads
/// the definition again, then check the database.
async fn edit_sqlite_dossiers(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let one = |sql: &str| Statement::from_string(backend, sql.to_owned());
    let version: i64 = db
        .query_one_raw(one("PRAGMA schema_version"))
        .await?
        .ok_or_else(|| DbErr::Custom("no schema version".into()))?
        .try_get_by_index(0)?;
    db.execute_unprepared("PRAGMA writable_schema = ON").await?;
    let edited = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'dossiers' AND instr(sql, ?) > 0",
            [from.into(), to.into(), from.into()],
        ))
        .await?
        .rows_affected();
    db.execute_unprepared(&format!("PRAGMA schema_version = {}", version + 1)).await?;
    db.execute_unprepared("PRAGMA writable_schema = OFF").await?;
    if edited != 1 {
        return Err(DbErr::Custom(format!("dossiers' definition has no `{from}`")));
    }
    let check: String = db
        .query_one_raw(one("PRAGMA integrity_check"))
        .await?
        .ok_or_else(|| DbErr::Custom("no integrity check".into()))?
        .try_get_by_index(0)?;
    if check != "ok" {
        return Err(DbErr::Custom(format!("integrity check after editing dossiers: {check}")));
    }
    Ok(())
}
