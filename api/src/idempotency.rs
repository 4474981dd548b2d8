//! Writes a mobile client may retry, under an `Idempotency-Key` (the IETF draft).
//!
//! A key belongs to its caller and is kept 24 hours with the first answer to it, which is
//! written in the same transaction as the change: a booking is never kept without the answer
//! that replays it, and a request that dies leaves nothing behind. A refusal (4xx) is kept too,
//! after its transaction rolled back; a server error (5xx) is not, so a retry runs afresh.
//!
//! A retry that arrives while the first request still runs is told so (409): on PostgreSQL
//! the first request holds a transaction-scoped advisory lock named after the key, which a
//! retry on any server process fails to take. On SQLite write transactions run one at a time,
//! so a retry waits for the first to finish and replays its answer.

use chrono::{DateTime, Duration, Utc};
use entity::idempotency_key;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    DbErr, EntityTrait, QueryFilter, Statement, sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    db::write_transaction,
    error::{ApiError, ApiResult, StoredProblem},
    problems,
};

/// How long a key and its answer are kept.
const KEPT_FOR: Duration = Duration::hours(24);

/// One caller's key for one request.
pub struct IdempotencyKey {
    caller: Uuid,
    key: String,
    fingerprint: String,
}

impl IdempotencyKey {
    /// The key of `caller` for the request described by `operation` and `request`: the parsed
    /// request, so that bodies which mean the same thing count as the same body.
    pub fn new(caller: Uuid, key: &str, operation: &str, request: &impl Serialize) -> IdempotencyKey {
        let mut hash = Sha256::new();
        hash.update(operation.as_bytes());
        hash.update([0]);
        hash.update(serde_json::to_vec(request).unwrap_or_default());
        IdempotencyKey { caller, key: key.to_owned(), fingerprint: hex::encode(hash.finalize()) }
    }

    /// The advisory lock a request holds while it runs under this key: the first 8 bytes of
    /// SHA-256 of caller and key (a collision only makes a retry wait for another key).
    pub fn lock_id(&self) -> i64 {
        let digest =
            Sha256::new().chain_update(self.caller.as_bytes()).chain_update(self.key.as_bytes()).finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        i64::from_be_bytes(first)
    }
}

/// The first answer to a request, as kept.
#[derive(Debug, Serialize, Deserialize)]
enum Answer {
    Done(serde_json::Value),
    Refused(StoredProblem),
}

/// What a finished request answers: its value, and whether it is a replay of the first answer.
pub struct Outcome<T> {
    pub value: T,
    pub replayed: bool,
}

/// Runs `work` once per key: in a write transaction that also keeps its answer. A retry with
/// the same key and request gets the first answer again (`replayed`), a refusal as the same
/// error with `Idempotency-Replayed: true`.
pub async fn run_once<T: ToJSON + ParseFromJSON>(
    db: &DatabaseConnection,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> ApiResult<T>,
) -> ApiResult<Outcome<T>> {
    let outcome: ApiResult<Result<T, Answer>> = write_transaction(db, async |tx| {
        if let Some(answer) = first_answer(tx, key, now).await? {
            return Ok(Err(answer));
        }
        let value = work(tx).await?;
        keep(tx, key, &Answer::Done(value.to_json().unwrap_or_default()), now).await?;
        Ok(Ok(value))
    })
    .await;
    match outcome {
        Ok(Ok(value)) => Ok(Outcome { value, replayed: false }),
        Ok(Err(answer)) => replay(answer),
        Err(err)
            if err.status().is_client_error() && err.code() != problems::IDEMPOTENCY_IN_PROGRESS.code =>
        {
            keep(db, key, &Answer::Refused(err.stored()), now).await?;
            Err(err)
        }
        Err(err) => Err(err),
    }
}

fn replay<T: ParseFromJSON>(answer: Answer) -> ApiResult<Outcome<T>> {
    match answer {
        Answer::Done(value) => T::parse_from_json(Some(value))
            .map(|value| Outcome { value, replayed: true })
            .map_err(|e| ApiError::internal(format!("a kept answer no longer parses: {}", e.into_message()))),
        Answer::Refused(stored) => Err(ApiError::from_stored(stored)
            .ok_or_else(|| ApiError::internal("a kept refusal has a code no longer listed"))?
            .with_header(REPLAYED.clone(), poem::http::HeaderValue::from_static("true"))),
    }
}

/// The header that marks a replayed answer.
pub static REPLAYED: poem::http::HeaderName = poem::http::HeaderName::from_static("idempotency-replayed");

/// The first answer given to this key, if any, once no other request holds the key: 409 while
/// one does (PostgreSQL), 422 when the key came with another request.
async fn first_answer(
    tx: &DatabaseTransaction,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> ApiResult<Option<Answer>> {
    if tx.get_database_backend() == DatabaseBackend::Postgres {
        let held = tx
            .query_one_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_try_advisory_xact_lock($1) AS held",
                [key.lock_id().into()],
            ))
            .await?
            .map(|row| row.try_get::<bool>("", "held"))
            .transpose()?;
        if held != Some(true) {
            return Err(ApiError::of(&problems::IDEMPOTENCY_IN_PROGRESS));
        }
    }
    let Some(kept) = idempotency_key::Entity::find_by_id((key.caller, key.key.clone())).one(tx).await? else {
        return Ok(None);
    };
    if kept.created_at <= now - KEPT_FOR {
        idempotency_key::Entity::delete_by_id((key.caller, key.key.clone())).exec(tx).await?;
        return Ok(None);
    }
    if kept.fingerprint != key.fingerprint {
        return Err(ApiError::of(&problems::IDEMPOTENCY_KEY_REUSED));
    }
    Ok(Some(serde_json::from_str(&kept.answer).map_err(ApiError::internal)?))
}

/// Keeps the first answer to a key (a refusal is kept after its transaction rolled back, so
/// it does nothing when a record was written in between).
async fn keep(
    db: &impl ConnectionTrait,
    key: &IdempotencyKey,
    answer: &Answer,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let record = idempotency_key::ActiveModel {
        caller_id: Set(key.caller),
        key: Set(key.key.clone()),
        fingerprint: Set(key.fingerprint.clone()),
        answer: Set(serde_json::to_string(answer).map_err(|e| DbErr::Custom(e.to_string()))?),
        created_at: Set(now),
    };
    let primary_key = OnConflict::columns([idempotency_key::Column::CallerId, idempotency_key::Column::Key])
        .do_nothing()
        .to_owned();
    idempotency_key::Entity::insert(record).on_conflict(primary_key).exec_without_returning(db).await?;
    Ok(())
}

/// Forgets keys older than a day; returns how many.
pub async fn forget_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let deleted = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lte(now - KEPT_FOR))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
