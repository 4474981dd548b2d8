//! Where the busiest public reads run: SQLite connections held outside the pool, or the pool.
//!
//! sqlx hands every pooled connection back through a ping, and on SQLite a ping is a round trip
//! to the connection's worker thread, costing about as much as a one-row query. So on a SQLite
//! file the public lookup and the slots listing read over connections of their own, opened
//! when first needed and kept open outside the pool (measured: about 1.3× the lookups per
//! second, and a lower p99; `bench/README.md`). They are `query_only`, so the unauthenticated
//! paths cannot write through them, and they are apart from the pool, so a burst of public
//! reads cannot take the connections officers' work needs. Each query is one autocommit read:
//! it sees every committed change, as a pooled connection would.
//!
//! PostgreSQL stays on the pool: its connections can drop with the server or the network, and
//! the pool replaces them (the public reads meet their speed targets there without this).

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement,
    sqlx::{
        self, Connection,
        sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow},
    },
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::{Mutex, MutexGuard};

use crate::{config::DatabaseConfig, db};

pub struct HeldReaders {
    held: Option<HeldConnections>,
}

impl HeldReaders {
    /// Up to `connections` held connections on a SQLite file; the pool on PostgreSQL, on an
    /// in-memory SQLite database (another connection would see another database) and when
    /// `connections` is 0.
    pub fn new(database: &DatabaseConfig, connections: u32) -> HeldReaders {
        let url = &database.url;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let held = (database.is_sqlite() && !in_memory && connections > 0)
            .then(|| SqliteConnectOptions::from_str(url).ok())
            .flatten()
            .map(|options| HeldConnections {
                options: db::sqlite_settings(options).pragma("query_only", "ON"),
                slots: (0..connections).map(|_| Mutex::new(None)).collect(),
                next_wait: AtomicUsize::new(0),
            });
        HeldReaders { held }
    }

    /// Reads over the held connections, or over `pool` where there are none: any query that
    /// takes a connection takes this.
    pub fn on<'a>(&'a self, pool: &'a DatabaseConnection) -> Reads<'a> {
        Reads { held: self.held.as_ref(), pool }
    }
}

/// A read-only connection for queries (see [`HeldReaders::on`]).
pub struct Reads<'a> {
    held: Option<&'a HeldConnections>,
    pool: &'a DatabaseConnection,
}

#[async_trait::async_trait]
impl ConnectionTrait for Reads<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.pool.get_database_backend()
    }

    async fn execute_raw(&self, _: Statement) -> Result<ExecResult, DbErr> {
        Err(DbErr::Custom("public reads do not write".into()))
    }

    async fn execute_unprepared(&self, _: &str) -> Result<ExecResult, DbErr> {
        Err(DbErr::Custom("public reads do not write".into()))
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self.held {
            Some(held) => Ok(held.rows(statement, Rows::AtMostOne).await?.pop().map(QueryResult::from)),
            None => self.pool.query_one_raw(statement).await,
        }
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self.held {
            Some(held) => {
                Ok(held.rows(statement, Rows::All).await?.into_iter().map(QueryResult::from).collect())
            }
            None => self.pool.query_all_raw(statement).await,
        }
    }
}

#[derive(Clone, Copy)]
enum Rows {
    AtMostOne,
    All,
}

/// SQLite connections, each in a slot that one query at a time holds.
struct HeldConnections {
    options: SqliteConnectOptions,
    slots: Vec<Mutex<Option<SqliteConnection>>>,
    /// Spreads the queries that find every slot busy over the slots.
    next_wait: AtomicUsize,
}

impl HeldConnections {
    /// The first free slot (so a quiet server opens only the first connection), or a turn at
    /// one when all are busy.
    async fn slot(&self) -> MutexGuard<'_, Option<SqliteConnection>> {
        if let Some(free) = self.slots.iter().find_map(|slot| slot.try_lock().ok()) {
            return free;
        }
        let turn = self.next_wait.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        self.slots[turn].lock().await
    }

    async fn rows(&self, statement: Statement, rows: Rows) -> Result<Vec<SqliteRow>, DbErr> {
        let mut slot = self.slot().await;
        // The connection is taken out while in use: if this query is cancelled halfway (the
        // client went away), it is closed with it, and the slot opens a fresh one next time.
        let mut connection = match slot.take() {
            Some(connection) => connection,
            None => SqliteConnection::connect_with(&self.options)
                .await
                .map_err(|err| sqlx_err(err, DbErr::Conn))?,
        };
        let Statement { sql, values, .. } = statement;
        let values = SqlxValues(values.unwrap_or(sea_orm::Values(Vec::new())));
        let query = sqlx::query_with(sqlx::AssertSqlSafe(sql.as_str()), values);
        let fetched = match rows {
            Rows::AtMostOne => {
                query.fetch_optional(&mut connection).await.map(|row| row.into_iter().collect())
            }
            Rows::All => query.fetch_all(&mut connection).await,
        };
        // A connection whose worker thread or file failed is opened anew next time.
        if !matches!(fetched, Err(sqlx::Error::WorkerCrashed | sqlx::Error::Io(_))) {
            *slot = Some(connection);
        }
        fetched.map_err(|err| sqlx_err(err, DbErr::Query))
    }
}

fn sqlx_err(err: sqlx::Error, kind: fn(RuntimeErr) -> DbErr) -> DbErr {
    kind(RuntimeErr::SqlxError(Arc::new(err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(url: &str) -> DatabaseConfig {
        DatabaseConfig { url: url.into(), max_connections: None }
    }

    #[test]
    fn only_a_sqlite_file_gets_connections_of_its_own() {
        let held = |url: &str, connections| HeldReaders::new(&database(url), connections).held.is_some();
        assert!(held("sqlite://motcua.db?mode=rwc", 8));
        assert!(!held("sqlite://motcua.db?mode=rwc", 0));
        assert!(!held("sqlite::memory:", 8));
        assert!(!held("sqlite://shared?mode=memory&cache=shared", 8));
        assert!(!held("postgres://postgres@127.0.0.1/test", 8));
    }

    #[tokio::test]
    async fn the_connections_open_as_needed_and_cannot_write() {
        let path = std::env::temp_dir().join(format!("motcua-reader-{}.db", uuid::Uuid::now_v7()));
        let config = database(&format!("sqlite://{}?mode=rwc", path.display()));
        db::migrate(&config).await.unwrap();
        let pool = db::connect(&config).await.unwrap();
        let reader = HeldReaders::new(&config, 4);

        let found = crate::dossiers::store::lookup_row(&reader.on(&pool), "000.00.00.H00-260101-0001").await;
        assert!(found.unwrap().is_none());
        let held = reader.held.as_ref().unwrap();
        let mut first = held.slots[0].lock().await;
        let opened = held.slots[1..].iter().filter(|slot| slot.try_lock().is_ok_and(|s| s.is_some())).count();
        let write = sqlx::query("DELETE FROM dossiers").execute(first.as_mut().unwrap()).await;

        assert_eq!(opened, 0);
        assert!(write.unwrap_err().to_string().contains("readonly"));
        drop(first);
        pool.close().await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
