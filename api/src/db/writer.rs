//! Where write transactions run: the pool on PostgreSQL, and on a SQLite file one connection
//! whose writes commit together.
//!
//! SQLite lets one writer in at a time and puts the others to sleep in its busy handler, which
//! naps up to 100 ms at a time: the lock then stays free while they sleep (bookings waited
//! 760 ms at p99), and each write ran on whichever pooled connection was free, its page cache
//! cold from the others' writes. So a process writes through one connection of its own, and
//! its writers queue for it, first come first served.
//!
//! On that connection the writes that queue up together share one transaction (a group
//! commit). Each runs in a savepoint of its own, so a refusal undoes its own work only, and
//! each waits for the shared commit before it answers: what it reports done is on disk. A
//! commit writes every page it changed into the log once, and the pages that consecutive
//! bookings share (the ends of the tables and of their time-ordered indexes) were most of what
//! each booking wrote on its own; the BEGIN, COMMIT and the connection's return to the pool
//! are paid once a batch too.
//!
//! SQLite's lock still excludes writers of other processes; the queue only orders this one's.

use std::{
    sync::{Arc, Weak},
    time::Duration,
};

use sea_orm::{
    DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    SqlxSqliteConnector, TransactionOptions, TransactionTrait, sqlx::sqlite::SqlitePoolOptions,
};
use tokio::sync::{Mutex, Notify, oneshot};

/// Where a process runs its write transactions (see the module's text).
#[derive(Clone)]
pub enum Writer {
    /// Each write its own transaction on a connection of the pool: PostgreSQL, an in-memory
    /// SQLite database, and the one-off commands.
    Alone(DatabaseConnection),
    /// Writes that queue up together commit together: a SQLite file while serving.
    Batched(Arc<Batches>),
}

impl From<&DatabaseConnection> for Writer {
    fn from(db: &DatabaseConnection) -> Writer {
        Writer::Alone(db.clone())
    }
}

impl Writer {
    /// The writer a serving process uses on `db`. On a SQLite file it opens one connection of
    /// its own and starts the task that commits its batches, so it needs a Tokio runtime.
    pub fn serving(db: &DatabaseConnection) -> Writer {
        if db.get_database_backend() != DatabaseBackend::Sqlite {
            return Writer::Alone(db.clone());
        }
        let options = db.get_sqlite_connection_pool().connect_options();
        if options.get_filename() == std::path::Path::new(":memory:") {
            return Writer::Alone(db.clone());
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            // As long as SQLite's own busy_timeout: a writer waits its turn, it does not fail.
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with((*options).clone());
        let batches = Arc::new(Batches {
            connection: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
            open: Mutex::new(Batch::default()),
            joined: Arc::new(Notify::new()),
        });
        tokio::spawn(commit_batches(Arc::downgrade(&batches), batches.joined.clone()));
        Writer::Batched(batches)
    }
}

/// Runs `work` in a write transaction and commits it; a refusal (`Err`) leaves nothing behind.
pub async fn write_transaction<T, E: From<DbErr>>(
    writer: &Writer,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
) -> Result<T, E> {
    write_or_preview(writer, false, work).await
}

/// Runs `work` as [`write_transaction`] does, but when `preview` is set undoes it after
/// success: the answer says what the change would do, and nothing of it stays.
pub async fn write_or_preview<T, E: From<DbErr>>(
    writer: &Writer,
    preview: bool,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
) -> Result<T, E> {
    match writer {
        Writer::Alone(db) => {
            let txn = begin_write(db).await?;
            let outcome = work(&txn).await;
            let keep = outcome.is_ok() && !preview;
            end(txn, keep).await?;
            outcome
        }
        Writer::Batched(batches) => batches.run(preview, work).await,
    }
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

/// Commits a transaction (or releases a savepoint) when `keep`, else rolls it back at once.
///
/// The rollback is explicit because a dropped PostgreSQL transaction only queues its rollback,
/// sent later from a task sqlx spawns as the connection returns to the pool: until then the
/// connection sits idle in transaction, holding the refused change's row locks. A failed
/// rollback of a refused change is only logged: the refusal is the answer.
async fn end(txn: DatabaseTransaction, keep: bool) -> Result<(), DbErr> {
    if keep {
        return txn.commit().await;
    }
    if let Err(rollback) = txn.rollback().await {
        tracing::warn!(error = %rollback, "rolling back a refused change failed");
    }
    Ok(())
}

/// The batches of a SQLite writer: the transaction open now and who waits for its commit.
pub struct Batches {
    /// A pool of the one connection the writes go through.
    connection: DatabaseConnection,
    open: Mutex<Batch>,
    /// Tells the committing task that a write joined (or left) the open batch.
    joined: Arc<Notify>,
}

#[derive(Default)]
struct Batch {
    transaction: Option<DatabaseTransaction>,
    /// The writes done in the open transaction, each waiting to hear how its commit went.
    members: Vec<oneshot::Sender<Result<(), DbErr>>>,
}

impl Batches {
    /// Runs `work` in a savepoint of the open batch and waits for the batch to commit.
    async fn run<T, E: From<DbErr>>(
        &self,
        preview: bool,
        work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut batch = self.open.lock().await;
        // However this write ends, even cancelled halfway, the committing task hears of it, so
        // an open transaction never outlives the writes in it.
        let wake = Wake(&self.joined);
        let savepoint = match batch.savepoint(&self.connection).await {
            Ok(savepoint) => savepoint,
            Err(err) => {
                batch.abandon(&err).await;
                return Err(err.into());
            }
        };
        let outcome = work(&savepoint).await;
        let keep = outcome.is_ok() && !preview;
        // Ending the savepoint fails only when SQLite rolled the whole transaction back under
        // it (a full disk, an I/O error): the writes before this one are gone too.
        if let Err(lost) = if keep { savepoint.commit().await } else { savepoint.rollback().await } {
            batch.abandon(&lost).await;
            return Err(lost.into());
        }
        if !keep {
            // Alone in the transaction, a refusal ends it at once: its answer leaves no lock
            // behind for other processes to wait on.
            if batch.members.is_empty() {
                batch.commit().await;
            }
            return outcome;
        }
        let (done, committed) = oneshot::channel();
        batch.members.push(done);
        drop((wake, batch));
        match committed.await {
            Ok(Ok(())) => outcome,
            Ok(Err(err)) => Err(err.into()),
            Err(_) => Err(DbErr::Custom("the write's batch ended without a commit".into()).into()),
        }
    }
}

impl Batch {
    /// A savepoint in the open transaction, opening one first if there is none.
    async fn savepoint(&mut self, connection: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
        let transaction = match self.transaction.take() {
            Some(open) => open,
            None => begin_write(connection).await?,
        };
        self.transaction.insert(transaction).begin().await
    }

    /// Commits the open transaction and tells its members how it went.
    async fn commit(&mut self) {
        if let Some(transaction) = self.transaction.take() {
            let committed = transaction.commit().await;
            self.tell(&committed);
        }
    }

    /// Rolls the open transaction back after it failed: its members fail with `cause`.
    async fn abandon(&mut self, cause: &DbErr) {
        if let Some(transaction) = self.transaction.take() {
            tracing::error!(error = %cause, writes = self.members.len(), "a batch of writes failed");
            if let Err(rollback) = transaction.rollback().await {
                tracing::warn!(error = %rollback, "rolling back a failed batch failed");
            }
        }
        self.tell(&Err(cause.clone()));
    }

    fn tell(&mut self, outcome: &Result<(), DbErr>) {
        for member in self.members.drain(..) {
            // A member that went away (its request was cancelled) needs no answer.
            let _ = member.send(outcome.clone());
        }
    }
}

/// Wakes the committing task when dropped.
struct Wake<'a>(&'a Notify);

impl Drop for Wake<'_> {
    fn drop(&mut self) {
        self.0.notify_one();
    }
}

impl Drop for Batches {
    fn drop(&mut self) {
        // The committing task finds the batches gone and ends.
        self.joined.notify_one();
    }
}

/// Commits the open batch whenever a write has joined it. The task queues for the batch as
/// writes do (the lock serves in order), so the writes that queued before it are in the batch
/// it commits.
async fn commit_batches(batches: Weak<Batches>, joined: Arc<Notify>) {
    loop {
        joined.notified().await;
        let Some(batches) = batches.upgrade() else { return };
        batches.open.lock().await.commit().await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

    use super::{Writer, write_or_preview, write_transaction};
    use crate::{config::DatabaseConfig, db};

    /// A SQLite file with one table, its pool, and the writer a server would use on it.
    async fn notes() -> (DatabaseConnection, Writer, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("motcua-writer-{}.db", uuid::Uuid::now_v7()));
        let config =
            DatabaseConfig { url: format!("sqlite://{}?mode=rwc", path.display()), max_connections: None };
        let db = db::connect(&config).await.unwrap();
        db.execute_unprepared("CREATE TABLE notes (n INTEGER PRIMARY KEY)").await.unwrap();
        let writer = Writer::serving(&db);
        assert!(matches!(writer, Writer::Batched(_)));
        (db, writer, path)
    }

    async fn count(db: &impl ConnectionTrait) -> i64 {
        let row = db.query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM notes",
        ));
        row.await.unwrap().unwrap().try_get("", "n").unwrap()
    }

    async fn note(tx: &impl ConnectionTrait, n: i64) -> Result<(), DbErr> {
        tx.execute_unprepared(&format!("INSERT INTO notes (n) VALUES ({n})")).await.map(drop)
    }

    fn remove(path: std::path::PathBuf) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_that_queue_together_commit_together_and_a_refusal_undoes_only_its_own() {
        let (db, writer, path) = notes().await;
        let Writer::Batched(batches) = &writer else { unreachable!() };
        // Ten writes queue while the batch is held; each looks, from another connection, at
        // what is committed while it runs.
        let held = batches.open.lock().await;
        let writes: Vec<_> = (1..=10)
            .map(|n| {
                let (db, writer) = (db.clone(), writer.clone());
                tokio::spawn(async move {
                    write_transaction(&writer, async |tx| {
                        note(tx, n).await?;
                        let committed = count(&db).await;
                        if n % 3 == 0 { Err(DbErr::Custom("refused".into())) } else { Ok(committed) }
                    })
                    .await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(held);
        let mut outcomes = Vec::new();
        for write in writes {
            outcomes.push(write.await.unwrap());
        }

        let refused = outcomes.iter().filter(|outcome| outcome.is_err()).count();
        assert_eq!(refused, 3);
        // None of the batch was committed while its writes ran: they shared one transaction.
        assert!(outcomes.iter().flatten().all(|committed| *committed == 0), "{outcomes:?}");
        assert_eq!(count(&db).await, 7);
        let refused_rows = db.query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM notes WHERE n % 3 = 0",
        ));
        assert_eq!(refused_rows.await.unwrap().unwrap().try_get::<i64>("", "n").unwrap(), 0);
        remove(path);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_cancelled_halfway_leaves_neither_its_rows_nor_the_lock() {
        let (db, writer, path) = notes().await;
        let stuck = write_transaction(&writer, async |tx| -> Result<(), DbErr> {
            note(tx, 1).await?;
            std::future::pending::<()>().await;
            Ok(())
        });
        assert!(tokio::time::timeout(Duration::from_millis(100), stuck).await.is_err());

        // Another process's write gets the lock (the pool is not this writer's connection).
        tokio::time::timeout(Duration::from_secs(3), note(&db, 2))
            .await
            .expect("the lock was left held")
            .unwrap();
        let previewed = write_or_preview(&writer, true, async |tx| note(tx, 3).await).await;
        write_transaction(&writer, async |tx| note(tx, 4).await).await.unwrap();

        previewed.unwrap();
        let kept = db.query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT n FROM notes ORDER BY n",
        ));
        let kept: Vec<i64> = kept.await.unwrap().iter().map(|row| row.try_get("", "n").unwrap()).collect();
        assert_eq!(kept, [2, 4]);
        remove(path);
    }
}
