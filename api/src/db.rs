//! Opening the database: SQLite (embedded default, WAL) or PostgreSQL.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::config::DatabaseConfig;

/// Opens a pool on the configured database.
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(config.url.clone());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5));
    if config.is_sqlite() {
        // One writer at a time in SQLite: a few connections serve the readers, and
        // busy_timeout makes writers queue instead of failing with SQLITE_BUSY.
        options.max_connections(config.max_connections.unwrap_or(8)).min_connections(1).map_sqlx_sqlite_opts(
            |opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            },
        );
    } else {
        options.max_connections(config.max_connections.unwrap_or(16)).min_connections(1);
    }
    Database::connect(options).await
}

/// Whether the database answers `SELECT 1` within a second.
pub async fn is_ready(db: &DatabaseConnection) -> bool {
    let probe = db.execute_unprepared("SELECT 1");
    matches!(tokio::time::timeout(Duration::from_secs(1), probe).await, Ok(Ok(_)))
}

/// Begins a transaction for a write that reads first: `BEGIN IMMEDIATE` on SQLite, so the
/// write lock is taken up front instead of failing on upgrade; a plain `BEGIN` on PostgreSQL.
///
/// End it with [`finish`].
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Ends a write transaction: commits after success, rolls back at once after a failure. A
/// transaction that is merely dropped leaves its PostgreSQL connection idle in transaction,
/// still holding its locks, until the pool hands that connection out again.
pub async fn finish<T, E: From<DbErr>>(
    txn: sea_orm::DatabaseTransaction,
    outcome: Result<T, E>,
) -> Result<T, E> {
    match outcome {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(error) => {
            txn.rollback().await?;
            Err(error)
        }
    }
}

/// The SQL `OFFSET` of a page (from 1): both engines take a signed 64-bit offset, so a page far
/// past the end is capped rather than overflowing into an error.
pub fn page_offset(page: u64, per_page: u64) -> u64 {
    page.saturating_sub(1).saturating_mul(per_page).min(i64::MAX as u64)
}

#[cfg(test)]
mod tests {
    use super::page_offset;

    #[test]
    fn page_offsets_fit_a_signed_64_bit_offset() {
        assert_eq!(page_offset(1, 20), 0);
        assert_eq!(page_offset(3, 20), 40);
        assert_eq!(page_offset(u64::MAX, 100), i64::MAX as u64);
    }
}
