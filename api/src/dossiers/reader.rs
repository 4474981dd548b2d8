//! Where the public lookup reads its row: SQLite connections of its own, or the pool.
//!
//! sqlx hands every pooled connection back through a ping, and on SQLite a ping is a round trip
//! to the connection's worker thread, costing about as much as the lookup's own query. So on a
//! SQLite file the busiest public call reads over connections of its own, opened when first
//! needed and kept open outside the pool (measured: about 1.3× the lookups per second, and a
//! lower p99; `bench/README.md`). They are `query_only`, so the unauthenticated path cannot
//! write through them, and they are apart from the pool, so a burst of lookups cannot take the
//! connections officers' work needs. Each lookup is one autocommit read: it sees every
//! committed change, as a pooled connection would.
//!
//! PostgreSQL stays on the pool: its connections can drop with the server or the network, and
//! the pool replaces them (the lookup meets its speed targets there without this).

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use sea_orm::{
    DatabaseConnection, DbErr, FromQueryResult, QueryResult, RuntimeErr,
    sqlx::{
        self, Connection,
        sqlite::{SqliteConnectOptions, SqliteConnection},
    },
};
use tokio::sync::{Mutex, MutexGuard};

use super::store::{self, LOOKUP_SQL_SQLITE, LookupRow};
use crate::{config::DatabaseConfig, db};

pub struct LookupReader {
    held: Option<HeldConnections>,
}

impl LookupReader {
    /// Up to `connections` held connections on a SQLite file; the pool on PostgreSQL, on an
    /// in-memory SQLite database (another connection would see another database) and when
    /// `connections` is 0.
    pub fn new(database: &DatabaseConfig, connections: u32) -> LookupReader {
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
        LookupReader { held }
    }

    /// The lookup row of `code`, if a dossier has that code.
    pub async fn row(&self, db: &DatabaseConnection, code: &str) -> Result<Option<LookupRow>, DbErr> {
        match &self.held {
            Some(held) => held.row(code).await,
            None => store::lookup_row(db, code).await,
        }
    }
}

/// SQLite connections, each in a slot that one lookup at a time holds.
struct HeldConnections {
    options: SqliteConnectOptions,
    slots: Vec<Mutex<Option<SqliteConnection>>>,
    /// Spreads the lookups that find every slot busy over the slots.
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

    async fn row(&self, code: &str) -> Result<Option<LookupRow>, DbErr> {
        let mut slot = self.slot().await;
        // The connection is taken out while in use: if this lookup is cancelled halfway (the
        // client went away), it is closed with it, and the slot opens a fresh one next time.
        let mut connection = match slot.take() {
            Some(connection) => connection,
            None => SqliteConnection::connect_with(&self.options)
                .await
                .map_err(|err| sqlx_err(err, DbErr::Conn))?,
        };
        let fetched = sqlx::query(LOOKUP_SQL_SQLITE).bind(code).fetch_optional(&mut connection).await;
        match fetched {
            Ok(row) => {
                *slot = Some(connection);
                row.map(|row| LookupRow::from_query_result(&QueryResult::from(row), "")).transpose()
            }
            Err(err) => {
                // A connection whose worker thread or file failed is opened anew next time.
                if !matches!(err, sqlx::Error::WorkerCrashed | sqlx::Error::Io(_)) {
                    *slot = Some(connection);
                }
                Err(sqlx_err(err, DbErr::Query))
            }
        }
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
        let held = |url: &str, connections| LookupReader::new(&database(url), connections).held.is_some();
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
        let reader = LookupReader::new(&config, 4);

        assert!(reader.row(&pool, "000.00.00.H00-260101-0001").await.unwrap().is_none());
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
