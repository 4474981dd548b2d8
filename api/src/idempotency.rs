//! Writes a mobile client may retry, under an `Idempotency-Key` (the IETF draft).
//!
//! A key belongs to its caller and is kept 24 hours. The first request claims it in a
//! statement of its own, committed at once, so that a retry arriving while the first still
//! runs, on any server process, finds the claim and is told so (409). The first request's
//! answer is written in the same transaction as its change: a booking is never kept without
//! the answer that replays it. A refusal (4xx) is kept too, after its transaction rolled back;
//! a server error (5xx) gives the key back, so a retry runs afresh.

use chrono::{DateTime, Duration, Utc};
use entity::{idempotency_key, values::IdempotencyState};
use poem_openapi::types::{ParseFromJSON, ToJSON};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, sea_query::OnConflict,
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

/// A claim older than this whose request never finished (its process died) may be taken over.
const ABANDONED_AFTER: Duration = Duration::seconds(60);

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
    if let Some(answer) = claim(db, key, now).await? {
        return replay(answer);
    }
    let outcome: ApiResult<T> = write_transaction(db, async |tx| {
        let value = work(tx).await?;
        keep(tx, key, &Answer::Done(value.to_json().unwrap_or_default())).await?;
        Ok(value)
    })
    .await;
    match outcome {
        Ok(value) => Ok(Outcome { value, replayed: false }),
        Err(err) if err.status().is_client_error() => {
            keep(db, key, &Answer::Refused(err.stored())).await?;
            Err(err)
        }
        Err(err) => {
            release(db, key).await?;
            Err(err)
        }
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

/// Claims the key for this request; `Some` first answer when it was already given.
async fn claim(
    db: &DatabaseConnection,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> ApiResult<Option<Answer>> {
    // A second attempt only follows a stale record just taken away.
    for _ in 0..2 {
        let fresh = idempotency_key::ActiveModel {
            caller_id: Set(key.caller),
            key: Set(key.key.clone()),
            fingerprint: Set(key.fingerprint.clone()),
            state: Set(IdempotencyState::InProgress),
            answer: Set(None),
            created_at: Set(now),
        };
        let conflict = OnConflict::columns([idempotency_key::Column::CallerId, idempotency_key::Column::Key])
            .do_nothing()
            .to_owned();
        let inserted =
            idempotency_key::Entity::insert(fresh).on_conflict(conflict).exec_without_returning(db).await?;
        if inserted == 1 {
            return Ok(None);
        }
        let Some(kept) = find(db, key).await? else { continue };
        let stale = kept.created_at <= now - KEPT_FOR
            || (kept.state == IdempotencyState::InProgress && kept.created_at <= now - ABANDONED_AFTER);
        if stale {
            // Only the request that removes this very record claims the key next.
            idempotency_key::Entity::delete_many()
                .filter(idempotency_key::Column::CallerId.eq(key.caller))
                .filter(idempotency_key::Column::Key.eq(key.key.as_str()))
                .filter(idempotency_key::Column::CreatedAt.eq(kept.created_at))
                .exec(db)
                .await?;
            continue;
        }
        // A request still running is in flight whatever it carried; only a finished one's
        // request can be compared.
        let answer = match (kept.state, kept.answer) {
            (IdempotencyState::Done, Some(answer)) => answer,
            _ => return Err(ApiError::of(&problems::IDEMPOTENCY_IN_PROGRESS)),
        };
        if kept.fingerprint != key.fingerprint {
            return Err(ApiError::of(&problems::IDEMPOTENCY_KEY_REUSED));
        }
        let answer = serde_json::from_str(&answer).map_err(ApiError::internal)?;
        return Ok(Some(answer));
    }
    Err(ApiError::of(&problems::IDEMPOTENCY_IN_PROGRESS))
}

async fn find(
    db: &impl ConnectionTrait,
    key: &IdempotencyKey,
) -> Result<Option<idempotency_key::Model>, DbErr> {
    idempotency_key::Entity::find_by_id((key.caller, key.key.clone())).one(db).await
}

async fn keep(db: &impl ConnectionTrait, key: &IdempotencyKey, answer: &Answer) -> Result<(), DbErr> {
    let answer = serde_json::to_string(answer).map_err(|e| DbErr::Custom(e.to_string()))?;
    idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::State, IdempotencyState::Done.into())
        .col_expr(idempotency_key::Column::Answer, Some(answer).into())
        .filter(idempotency_key::Column::CallerId.eq(key.caller))
        .filter(idempotency_key::Column::Key.eq(key.key.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

async fn release(db: &impl ConnectionTrait, key: &IdempotencyKey) -> Result<(), DbErr> {
    idempotency_key::Entity::delete_by_id((key.caller, key.key.clone())).exec(db).await?;
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
