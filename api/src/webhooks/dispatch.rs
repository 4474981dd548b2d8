//! The dispatcher: every server process runs it, and they share the due deliveries without
//! sending one attempt twice.
//!
//! A round claims due deliveries in one short transaction (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite's write transactions exclude each other), marking them `sending` under a
//! lease; sends them with no transaction open; then records each attempt in a transaction of
//! its own, if the lease still holds. A dispatcher that dies mid-send leaves its deliveries to
//! be claimed again when the lease ends: delivery is at least once.

use chrono::{DateTime, TimeDelta, Utc};
use entity::{
    user,
    values::{NotificationKind, Role, WebhookDisabledReason},
    webhook_attempt, webhook_delivery, webhook_endpoint,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    deliveries::{self, Next},
    send, signature, store,
};
use crate::{
    db::write_transaction,
    i18n::Text,
    notifications::store::{NewNotice, Subject, notify},
    push::Push,
    retries,
    state::AppState,
};

/// How many deliveries one round claims.
const BATCH: u64 = 50;

/// How long deliveries may fail without a success before their endpoint is disabled.
const FAILING_FOR: TimeDelta = TimeDelta::hours(24);

/// What a round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Attempts the receivers accepted (2xx).
    pub delivered: u32,
    /// Attempts that failed (to be retried, or given up).
    pub failed: u32,
}

/// Runs one round: claims the due deliveries, sends them, records how each went.
pub async fn dispatch_due(state: &AppState) -> Result<Round, DbErr> {
    let lease = Uuid::now_v7();
    let claimed_at = state.clock.now();
    let claimed = write_transaction(&state.writer, async |tx| {
        deliveries::claim_due(tx, lease, BATCH, claimed_at).await
    })
    .await?;
    let sends = claimed.iter().map(|delivery| attempt(state, delivery));
    let outcomes = futures_util::future::join_all(sends).await;
    let mut round = Round::default();
    for (delivery, outcome) in claimed.iter().zip(outcomes) {
        let (answer, duration_ms) = outcome?;
        if matches!(answer, send::Answer::Delivered(_)) {
            round.delivered += 1;
        } else {
            round.failed += 1;
        }
        settle(state, delivery, answer, duration_ms).await?;
    }
    Ok(round)
}

/// Sends one claimed delivery: its event, signed with the endpoint's secrets.
async fn attempt(state: &AppState, delivery: &webhook_delivery::Model) -> Result<(send::Answer, i32), DbErr> {
    let refused =
        send::Answer::Failed { status: None, error: Some("endpoint removed".into()), retry_after: None };
    let Some(endpoint) = store::endpoint_by_id(&state.db, delivery.endpoint_id).await? else {
        return Ok((refused, 0));
    };
    let Some(event) = deliveries::event_of(&state.db, delivery.event_id).await? else {
        return Ok((refused, 0));
    };
    let now = state.clock.now();
    let body = serde_json::to_vec(&super::payloads::envelope(&event))
        .map_err(|err| DbErr::Custom(err.to_string()))?;
    let id = event.id.to_string();
    let timestamp = now.timestamp();
    let request = send::Request {
        url: &endpoint.url,
        id: &id,
        timestamp,
        signatures: signature::sign(&signing_keys(&endpoint, now), &id, timestamp, &body),
        body,
    };
    let started = std::time::Instant::now();
    let answer = state.webhooks.send(request, now).await;
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    Ok((answer, duration_ms))
}

/// The keys a delivery is signed with now: the secret's, and the previous secret's while it
/// still signs.
fn signing_keys(endpoint: &webhook_endpoint::Model, now: DateTime<Utc>) -> Vec<Vec<u8>> {
    let previous = match (&endpoint.previous_secret, endpoint.previous_secret_until) {
        (Some(secret), Some(until)) if now < until => Some(secret.as_str()),
        _ => None,
    };
    std::iter::once(endpoint.secret.as_str()).chain(previous).filter_map(signature::key_of).collect()
}

/// Records an attempt, schedules the next one or gives up, and disables an endpoint that
/// answered 410 or has failed for 24 hours.
async fn settle(
    state: &AppState,
    delivery: &webhook_delivery::Model,
    answer: send::Answer,
    duration_ms: i32,
) -> Result<(), DbErr> {
    let now = state.clock.now();
    let (status_code, error, next, gone) = match answer {
        send::Answer::Delivered(status) => (Some(status), None, Next::Succeeded, false),
        send::Answer::Gone => (Some(410), Some("gone".to_owned()), Next::GivenUp, true),
        send::Answer::Failed { status, error, retry_after } => {
            let wait = retries::next_wait(delivery.attempts as u32, retries::random_spread(), retry_after);
            let next = wait
                .and_then(|wait| TimeDelta::from_std(wait).ok())
                .map_or(Next::GivenUp, |wait| Next::RetryAt(now + wait));
            (status, error, next, false)
        }
    };
    let attempt = webhook_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery.id),
        attempted_at: Set(delivery.last_attempt_at.unwrap_or(now)),
        status_code: Set(status_code.map(i32::from)),
        error: Set(error),
        duration_ms: Set(duration_ms),
    };
    write_transaction(&state.writer, async |tx| {
        if !deliveries::settle(tx, delivery, attempt, next).await? {
            return Ok(());
        }
        let failing_since =
            store::note_outcome(tx, delivery.endpoint_id, next == Next::Succeeded, now).await?;
        let reason = if gone {
            Some(WebhookDisabledReason::Gone)
        } else {
            failing_since.filter(|since| now - *since >= FAILING_FOR).map(|_| WebhookDisabledReason::Failing)
        };
        if let Some(reason) = reason
            && store::disable(tx, delivery.endpoint_id, reason, now).await?
        {
            tell_admins(tx, state.push(), delivery.endpoint_id, reason, now).await?;
        }
        Ok(())
    })
    .await
}

/// Writes every active administrator a notice that an endpoint was disabled.
async fn tell_admins(
    tx: &impl ConnectionTrait,
    push: Push,
    endpoint_id: Uuid,
    reason: WebhookDisabledReason,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(endpoint) = store::endpoint_by_id(tx, endpoint_id).await? else { return Ok(()) };
    let why = match reason {
        WebhookDisabledReason::Gone => Text::new("trả lời 410 (Gone)", "it answered 410 (Gone)"),
        WebhookDisabledReason::Failing => {
            Text::new("gửi thất bại liên tục 24 giờ", "its deliveries failed for 24 hours")
        }
    };
    let admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin))
        .filter(user::Column::Active.eq(true))
        .all(tx)
        .await?;
    for admin in admins {
        let notice = NewNotice {
            user_id: admin.id,
            subject: Subject::Webhook(endpoint.id),
            kind: NotificationKind::WebhookDisabled,
            title: Text::new("Webhook đã bị tắt", "Webhook disabled"),
            body: Text::new(
                format!(
                    "Webhook {} đã bị tắt vì {}. Bật lại sau khi bên nhận đã sẵn sàng.",
                    endpoint.url, why.vi
                ),
                format!(
                    "The webhook {} was disabled because {}. Enable it again once the receiver is ready.",
                    endpoint.url, why.en
                ),
            ),
        };
        notify(tx, push, notice, now).await?;
    }
    Ok(())
}

/// Runs a round every `interval` (and again at once while rounds come back full), for the
/// life of the process.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(state.config.webhooks.interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            loop {
                match dispatch_due(&state).await {
                    Ok(round) if u64::from(round.delivered + round.failed) == BATCH => continue,
                    Ok(_) => break,
                    Err(err) => {
                        tracing::warn!(error = %err, "dispatching webhooks failed; trying again next round");
                        break;
                    }
                }
            }
        }
    })
}
