//! Opening the database: SQLite (embedded default, WAL) or PostgreSQL.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    DbErr, SqliteTransactionMode, SqlxSqliteConnector, Statement, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use migration::{Migrator, MigratorTrait};

use crate::config::DatabaseConfig;

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

/// Opens a transaction for a write that reads first.
///
/// On SQLite it starts with `BEGIN IMMEDIATE`: a deferred transaction that reads and then
/// writes fails with SQLITE_BUSY when another writer got in between, instead of waiting for
/// busy_timeout. PostgreSQL ignores the SQLite mode; row locks do that work there.
async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Where a process runs its write transactions: on a SQLite file, one connection of its own;
/// on PostgreSQL (and in-memory SQLite) the pool itself.
///
/// SQLite lets one writer in at a time and puts the others to sleep in its busy handler, which
/// naps up to 100 ms at a time: the lock then stays free while they sleep (bookings waited
/// 760 ms at p99), and each write ran on whichever pooled connection was free, its page cache
/// cold from the others' writes. Through one connection, writers queue for it first come first
/// served and find it warm: a booking's transaction took 450 µs instead of 1.2 ms, and
/// bookings went from about 700 to 1,050 a second. SQLite's lock still excludes writers of
/// other processes; the queue only orders this one's.
pub fn writer(db: &DatabaseConnection) -> DatabaseConnection {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return db.clone();
    }
    let options = db.get_sqlite_connection_pool().connect_options();
    if options.get_filename() == std::path::Path::new(":memory:") {
        return db.clone();
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        // As long as SQLite's own busy_timeout: a writer waits its turn, it does not fail.
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy_with((*options).clone());
    SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
}

/// Runs `work` in a write transaction ([`begin_write`]) and [`finish`]es it.
pub async fn write_transaction<T, E: From<DbErr>>(
    db: &DatabaseConnection,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
) -> Result<T, E> {
    write_or_preview(db, false, work).await
}

/// Runs `work` as [`write_transaction`] does, but when `preview` is set rolls it back after
/// success: the answer says what the change would do, and nothing of it stays.
pub async fn write_or_preview<T, E: From<DbErr>>(
    db: &DatabaseConnection,
    preview: bool,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
) -> Result<T, E> {
    let txn = begin_write(db).await?;
    let outcome = work(&txn).await;
    match outcome {
        Ok(value) if preview => {
            txn.rollback().await?;
            Ok(value)
        }
        outcome => finish(txn, outcome).await,
    }
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

/// Ends a write transaction: commits after success, rolls back at once after a failure. The
/// rollback is explicit because a dropped PostgreSQL transaction only queues its rollback,
/// sent later from a task sqlx spawns as the connection returns to the pool: until then the
/// connection sits idle in transaction, holding the refused change's row locks.
async fn finish<T, E: From<DbErr>>(txn: DatabaseTransaction, outcome: Result<T, E>) -> Result<T, E> {
    match outcome {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(error = %rollback, "rolling back a refused change failed");
            }
            Err(err)
        }
    }
}
