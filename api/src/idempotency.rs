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
//! so a retry waits for the first to finish and replays its answer (once it is committed: the
//! two may share a batch of writes, see [`crate::db::Writer`]).

use chrono::{DateTime, Duration, Utc};
use entity::idempotency_key;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait, ExprTrait,
    QueryFilter, Statement,
    sea_query::{Expr, OnConflict},
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    db::{Writer, write_transaction},
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
///
/// The answer is written last, under the key's primary key: a key answered already makes the
/// insert do nothing, and the work is rolled back and the first answer replayed. A first
/// request so reads nothing before its work (one statement fewer inside SQLite's single
/// writer lock); a retry pays for work it undoes, and retries are few.
pub async fn run_once<T: ToJSON + ParseFromJSON>(
    writer: &Writer,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> ApiResult<T>,
) -> ApiResult<Outcome<T>> {
    let outcome: Result<T, Step> = write_transaction(writer, async |tx| {
        claim(tx, key).await.map_err(Step::Refused)?;
        let value = work(tx).await.map_err(Step::Refused)?;
        if !keep(tx, key, &Answer::Done(value.to_json().unwrap_or_default()), now).await? {
            return Err(Step::Answered);
        }
        Ok(value)
    })
    .await;
    let refusal = match outcome {
        Ok(value) => return Ok(Outcome { value, replayed: false }),
        Err(Step::Answered) => None,
        Err(Step::Refused(err))
            if err.status().is_client_error() && err.code() != problems::IDEMPOTENCY_IN_PROGRESS.code =>
        {
            Some(err)
        }
        Err(Step::Refused(err)) => return Err(err),
    };
    // A refusal may be a retry's: its first request's booking took the seat it asks for. The
    // first answer is read, and a refusal kept, through the writer: on SQLite the first request
    // may be in the same batch of writes, and its answer is replayed once that batch commits.
    let first = write_transaction(writer, async |tx| -> ApiResult<Option<Answer>> {
        let first = first_answer(tx, key, now).await?;
        if first.is_none()
            && let Some(err) = &refusal
        {
            keep(tx, key, &Answer::Refused(err.stored()), now).await?;
        }
        Ok(first)
    })
    .await?;
    match (first, refusal) {
        (Some(answer), _) => replay(answer),
        (None, Some(err)) => Err(err),
        // The answer that made the insert do nothing is gone since (forgotten as it expired):
        // the client may simply try again.
        (None, None) => Err(ApiError::of(&problems::IDEMPOTENCY_IN_PROGRESS)),
    }
}

/// How a run under a key ended short of its answer.
enum Step {
    /// The work, or the key's claim, refused (or failed).
    Refused(ApiError),
    /// The key has an answer already: the work is undone and that answer replayed.
    Answered,
}

impl From<DbErr> for Step {
    fn from(err: DbErr) -> Step {
        Step::Refused(err.into())
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

/// Claims the key for the rest of the transaction: 409 while another request holds it. On
/// PostgreSQL a transaction-scoped advisory lock, which a retry on any server process fails to
/// take; SQLite runs one write transaction at a time, so a retry waits its turn instead.
async fn claim(tx: &DatabaseTransaction, key: &IdempotencyKey) -> ApiResult<()> {
    if tx.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let held = tx
        .query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock($1) AS held",
            [key.lock_id().into()],
        ))
        .await?
        .map(|row| row.try_get::<bool>("", "held"))
        .transpose()?;
    match held {
        Some(true) => Ok(()),
        _ => Err(ApiError::of(&problems::IDEMPOTENCY_IN_PROGRESS)),
    }
}

/// The answer kept for this key, if it is not older than a day: 422 when the key came with
/// another request.
async fn first_answer(
    db: &impl ConnectionTrait,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> ApiResult<Option<Answer>> {
    let Some(kept) = idempotency_key::Entity::find_by_id((key.caller, key.key.clone())).one(db).await? else {
        return Ok(None);
    };
    if kept.created_at <= now - KEPT_FOR {
        return Ok(None);
    }
    if kept.fingerprint != key.fingerprint {
        return Err(ApiError::of(&problems::IDEMPOTENCY_KEY_REUSED));
    }
    Ok(Some(serde_json::from_str(&kept.answer).map_err(ApiError::internal)?))
}

/// Keeps the first answer to a key, replacing one older than a day: `false` when the key has
/// a live answer already, which stays.
async fn keep(
    db: &impl ConnectionTrait,
    key: &IdempotencyKey,
    answer: &Answer,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let record = idempotency_key::ActiveModel {
        caller_id: Set(key.caller),
        key: Set(key.key.clone()),
        fingerprint: Set(key.fingerprint.clone()),
        answer: Set(serde_json::to_string(answer).map_err(|e| DbErr::Custom(e.to_string()))?),
        created_at: Set(now),
    };
    use idempotency_key::Column;
    let expired = OnConflict::columns([Column::CallerId, Column::Key])
        .update_columns([Column::Fingerprint, Column::Answer, Column::CreatedAt])
        .action_and_where(Expr::col((idempotency_key::Entity, Column::CreatedAt)).lte(now - KEPT_FOR))
        .to_owned();
    let written =
        idempotency_key::Entity::insert(record).on_conflict(expired).exec_without_returning(db).await?;
    Ok(written == 1)
}

/// Forgets keys older than a day; returns how many.
pub async fn forget_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let deleted = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lte(now - KEPT_FOR))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
