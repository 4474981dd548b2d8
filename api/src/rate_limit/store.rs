//! The buckets' rows: one atomic statement per take, so no two processes (nor two requests of
//! one) can both read a last token and both spend it.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, QueryResult, Statement, Value};

use super::{Level, Policy, Refill};
use crate::db::{Writer, write_transaction};

/// Runs one writing statement where the process writes.
async fn write_one(writer: &Writer, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
    match writer {
        // A single statement is atomic on its own; an explicit transaction would only add the
        // BEGIN and COMMIT round trips to PostgreSQL.
        Writer::Alone(db) => db.query_one_raw(statement).await,
        // On a SQLite file the take joins this process's batch of writes, instead of waiting
        // in SQLite's busy handler for the lock that batch holds.
        Writer::Batched(_) => write_transaction(writer, async |tx| tx.query_one_raw(statement).await).await,
    }
}

fn backend(writer: &Writer) -> DatabaseBackend {
    match writer {
        Writer::Alone(db) => db.get_database_backend(),
        Writer::Batched(_) => DatabaseBackend::Sqlite,
    }
}

/// SQL written with `$n` parameters for the backend (SQLite numbers them `?n`), and the names
/// of its `LEAST` and `GREATEST` (SQLite's scalar `MIN` and `MAX`).
fn sql(backend: DatabaseBackend, template: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => template.replace("{least}", "LEAST").replace("{greatest}", "GREATEST"),
        _ => template.replace("{least}", "MIN").replace("{greatest}", "MAX").replace('$', "?"),
    }
}

/// Takes a token from the bucket `key` at `now_ms`: how the bucket stands after it, or `None`
/// when it had no whole token (then it is left as it was).
///
/// The upsert refills the bucket for the time since it was written (a new bucket starts
/// full) and takes one token, only where a whole one is there: on PostgreSQL a concurrent take
/// of the same bucket waits for this one's row lock and then sees its result.
pub(super) async fn take(
    writer: &Writer,
    key: &str,
    policy: &Policy,
    now_ms: i64,
) -> Result<Option<Level>, DbErr> {
    // $1 the bucket, $2 now, $3 the capacity, $4 what the refill needs: tokens a millisecond
    // (steady) or the window in milliseconds (all at once).
    let (available, refilled_at, refill): (&str, &str, Value) = match policy.refill {
        Refill::Steady => (
            "{least}($3, b.tokens + {greatest}(0, $2 - b.refilled_at) * $4)",
            "{greatest}(b.refilled_at, $2)",
            (policy.capacity() / policy.window_ms() as f64).into(),
        ),
        Refill::AtWindowEnd => (
            "CASE WHEN $2 >= b.refilled_at + $4 THEN $3 ELSE b.tokens END",
            "CASE WHEN $2 >= b.refilled_at + $4 THEN $2 ELSE b.refilled_at END",
            policy.window_ms().into(),
        ),
    };
    let template = format!(
        "INSERT INTO rate_buckets AS b (bucket, tokens, refilled_at) VALUES ($1, $3 - 1, $2) \
         ON CONFLICT (bucket) DO UPDATE SET tokens = {available} - 1, refilled_at = {refilled_at} \
         WHERE {available} >= 1 \
         RETURNING tokens, refilled_at"
    );
    let backend = backend(writer);
    let values: [Value; 4] = [key.into(), now_ms.into(), policy.capacity().into(), refill];
    let statement = Statement::from_sql_and_values(backend, sql(backend, &template), values);
    write_one(writer, statement).await?.map(read_level).transpose()
}

/// How the bucket `key` stands, `None` if it was never written (or swept away full).
pub(super) async fn level(db: &DatabaseConnection, key: &str) -> Result<Option<Level>, DbErr> {
    let backend = db.get_database_backend();
    let template = "SELECT tokens, refilled_at FROM rate_buckets WHERE bucket = $1";
    let statement = Statement::from_sql_and_values(backend, sql(backend, template), [key.into()]);
    db.query_one_raw(statement).await?.map(read_level).transpose()
}

/// Puts one token back into the bucket `key`, never above its capacity: how it stands after.
pub(super) async fn give_back(writer: &Writer, key: &str, policy: &Policy) -> Result<Option<Level>, DbErr> {
    let template = "UPDATE rate_buckets SET tokens = {least}(tokens + 1, $2) WHERE bucket = $1 \
                    RETURNING tokens, refilled_at";
    let backend = backend(writer);
    let values: [Value; 2] = [key.into(), policy.capacity().into()];
    let statement = Statement::from_sql_and_values(backend, sql(backend, template), values);
    write_one(writer, statement).await?.map(read_level).transpose()
}

/// Forgets the buckets last written before `before_ms`: any bucket whose window has passed
/// since is full again, as a missing one is.
pub(super) async fn forget_idle(writer: &Writer, before_ms: i64) -> Result<(), DbErr> {
    let template = "DELETE FROM rate_buckets WHERE refilled_at < $1";
    let backend = backend(writer);
    write_one(writer, Statement::from_sql_and_values(backend, sql(backend, template), [before_ms.into()]))
        .await?;
    Ok(())
}

fn read_level(row: QueryResult) -> Result<Level, DbErr> {
    Ok(Level { tokens: row.try_get("", "tokens")?, at_ms: row.try_get("", "refilled_at")? })
}
