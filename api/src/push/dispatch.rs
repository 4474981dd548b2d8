//! The dispatcher: every server process runs it when push is on, and they share the due
//! pushes without sending one attempt twice (as the webhooks' dispatcher does: claim under a
//! lease in a short transaction, send with none open, settle if the lease still holds).

use chrono::TimeDelta;
use entity::{device, push_delivery};
use sea_orm::{DbErr, EntityTrait};
use uuid::Uuid;

use super::{
    Fcm,
    fcm::{Answer, Message},
    outbox::{self, Next},
};
use crate::{db::write_transaction, retries, state::AppState};

/// How many pushes one round claims.
const BATCH: u64 = 50;

/// What a round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Pushes FCM accepted.
    pub delivered: u32,
    /// Attempts that failed (to be retried, or given up).
    pub failed: u32,
    /// Devices removed because FCM no longer knows their token.
    pub unregistered: u32,
}

impl Round {
    fn claimed(&self) -> u32 {
        self.delivered + self.failed + self.unregistered
    }
}

/// Runs one round: claims the due pushes, sends them, records how each went. Nothing to do
/// when push is off.
pub async fn dispatch_due(state: &AppState) -> Result<Round, DbErr> {
    let Some(fcm) = state.fcm.as_deref() else { return Ok(Round::default()) };
    let lease = Uuid::now_v7();
    let claimed_at = state.clock.now();
    let claimed =
        write_transaction(&state.writer, async |tx| outbox::claim_due(tx, lease, BATCH, claimed_at).await)
            .await?;
    let sends = claimed.iter().map(|push| attempt(state, fcm, push));
    let answers = futures_util::future::join_all(sends).await;
    let mut round = Round::default();
    for (push, answer) in claimed.iter().zip(answers) {
        let now = state.clock.now();
        let next = match answer? {
            Answer::Delivered => {
                round.delivered += 1;
                Next::Delivered
            }
            Answer::Unregistered => {
                round.unregistered += 1;
                Next::Unregistered
            }
            Answer::Failed { error, retry_after } => {
                round.failed += 1;
                retries::next_wait(push.attempts as u32, retries::random_spread(), retry_after)
                    .and_then(|wait| TimeDelta::from_std(wait).ok())
                    .map_or(Next::GivenUp(error.clone()), |wait| Next::RetryAt(now + wait, error))
            }
        };
        write_transaction(&state.writer, async |tx| outbox::settle(tx, push, next).await).await?;
    }
    Ok(round)
}

/// Sends one claimed push to its device.
async fn attempt(state: &AppState, fcm: &Fcm, push: &push_delivery::Model) -> Result<Answer, DbErr> {
    let Some(device) = device::Entity::find_by_id(push.device_id).one(&state.db).await? else {
        // Removed since the claim: settling finds nothing to settle.
        return Ok(Answer::Failed { error: "device removed".into(), retry_after: None });
    };
    let data = serde_json::from_str(&push.data).map_err(|err| DbErr::Custom(err.to_string()))?;
    let message = Message { token: &device.token, title: &push.title, body: &push.body, data };
    Ok(fcm.send(message, state.clock.now()).await)
}

/// Runs a round every `interval` (and again at once while rounds come back full), for the
/// life of the process; when push is off, says so and runs nothing.
pub fn spawn(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    if state.fcm.is_none() {
        tracing::info!("push notifications are off: MOTCUA_FCM_CREDENTIALS is not set");
        return None;
    }
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(state.config.push.interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            loop {
                match dispatch_due(&state).await {
                    Ok(round) if u64::from(round.claimed()) == BATCH => continue,
                    Ok(_) => break,
                    Err(err) => {
                        tracing::warn!(error = %err, "sending pushes failed; trying again next round");
                        break;
                    }
                }
            }
        }
    }))
}
