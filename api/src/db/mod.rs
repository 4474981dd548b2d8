//! Opening the database: SQLite (embedded default, WAL) or PostgreSQL.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr, Statement,
    sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
};

use migration::{Migrator, MigratorTrait};

use crate::config::DatabaseConfig;

pub mod reader;
mod writer;

pub use writer::{Writer, write_or_preview, write_transaction};

/// Opens a pool on the configured database.
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(config.url.clone());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        // sqlx pings every connection as it goes back to the pool; pinging it again when it is
        // taken out cost each request one more round trip (without it, /health/ready served
        // about a fifth more requests on PostgreSQL). Only a connection that sat idle long
        // enough for the server or a firewall to drop it is checked again.
        .test_before_acquire_if_idle_for(Duration::from_secs(30));
    if config.is_sqlite() {
        // One writer at a time in SQLite: a few connections serve the readers, and
        // busy_timeout makes writers queue instead of failing with SQLITE_BUSY.
        options
            .max_connections(config.max_connections.unwrap_or(8))
            .min_connections(1)
            .map_sqlx_sqlite_opts(sqlite_settings);
    } else {
        options
            .max_connections(config.max_connections.unwrap_or_else(default_postgres_pool_size))
            .min_connections(1);
    }
    Database::connect(options).await
}

/// The settings of every SQLite connection, pooled or not.
pub(crate) fn sqlite_settings(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        // Reads map the file instead of copying pages into each connection's cache: the
        // public lookup served ~1.4× more requests with it.
        .pragma("mmap_size", "1073741824")
}

/// One connection of its own, for schema changes ([`migrate`], `motcua migrate`).
pub async fn connect_single(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    connect(&DatabaseConfig { max_connections: Some(1), ..config.clone() }).await
}

/// Applies the pending migrations over a connection of their own, closed afterwards.
///
/// SQLite caches the schema in each connection and checks some DDL against that cache when it
/// is prepared (`ADD COLUMN` fails with "duplicate column name" against a copy from before
/// another connection dropped the column), and sea-orm-migration spreads its own statements
/// (the migration table, the status queries, each migration's transaction) over whichever
/// pooled connection is free. One connection keeps every statement on the schema as it is.
///
/// Processes that start together take turns (several `serve` on one PostgreSQL): each reads
/// which migrations are pending and then applies them, and two at once failed on the tables
/// the other had just made. The turn is an advisory lock of the session on PostgreSQL, and on
/// SQLite a lock on a file beside the database (`FILE-lock`); not the database file itself,
/// since closing any descriptor of it drops the locks SQLite holds on it.
pub async fn migrate(config: &DatabaseConfig) -> Result<(), DbErr> {
    let db = connect_single(config).await?;
    let outcome = match config.sqlite_file() {
        Some(file) => match lock_file(file).await {
            Ok(_turn) => Migrator::up(&db, None).await,
            Err(e) => Err(DbErr::Custom(format!("cannot take the migration lock: {e}"))),
        },
        None if db.get_database_backend() == DatabaseBackend::Postgres => {
            let lock = |function: &str| {
                Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    format!("SELECT {function}($1)"),
                    [MIGRATIONS_LOCK_KEY.into()],
                )
            };
            db.execute_raw(lock("pg_advisory_lock")).await?;
            let outcome = Migrator::up(&db, None).await;
            db.execute_raw(lock("pg_advisory_unlock")).await?;
            outcome
        }
        None => Migrator::up(&db, None).await,
    };
    db.close().await?;
    outcome
}

/// The advisory lock that migrations hold on PostgreSQL.
const MIGRATIONS_LOCK_KEY: i64 = 0x4d43_4d49_4752_4154;

/// An exclusive lock on `DATABASE-lock`, held until the file is dropped.
async fn lock_file(database: std::path::PathBuf) -> std::io::Result<std::fs::File> {
    let mut name = database.into_os_string();
    name.push("-lock");
    tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(name)?;
        file.lock()?;
        Ok(file)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Four connections per core, at least eight. Writes wait on their commits, and more
/// connections let PostgreSQL commit them together: bookings went from about 650 to 1,100 a
/// second with 8 connections instead of 4 on 2 cores. Reads pay a little for it, in queueing
/// inside PostgreSQL (the dossier lookup's p99 was 10 ms with 4 connections, 13 ms with 16).
fn default_postgres_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (4 * cores).max(8)
}

/// Whether the database answers `SELECT 1` within a second.
pub async fn is_ready(db: &DatabaseConnection) -> bool {
    let probe = db.execute_unprepared("SELECT 1");
    matches!(tokio::time::timeout(Duration::from_secs(1), probe).await, Ok(Ok(_)))
}

/// How a write holds the working calendars still (see [`lock_calendars`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarLock {
    /// A write that reads a calendar: intake, a status move, an apology. Many at once.
    Reading,
    /// A change of a calendar (a holiday added or removed): alone.
    Changing,
}

/// The advisory lock that stands for every unit's working calendar.
const CALENDARS_LOCK_KEY: i64 = 0x4d43_4341_4c45_4e44;

/// Orders calendar changes with the writes that read calendars, across server processes, for
/// the rest of the transaction: a holiday change waits for the writes in flight, and they for
/// it, so none computes a due date from a calendar that is being changed under it. On SQLite
/// every write transaction already excludes the others.
pub async fn lock_calendars(tx: &impl ConnectionTrait, lock: CalendarLock) -> Result<(), DbErr> {
    if tx.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let function = match lock {
        CalendarLock::Reading => "pg_advisory_xact_lock_shared",
        CalendarLock::Changing => "pg_advisory_xact_lock",
    };
    let sql = format!("SELECT {function}($1)");
    tx.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        sql,
        [CALENDARS_LOCK_KEY.into()],
    ))
    .await?;
    Ok(())
}
