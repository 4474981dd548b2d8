//! Forgetting buckets nobody used for a while: every bucket a client address or a looked-up
//! code ever had would otherwise stay.

use std::time::Duration;

use crate::state::AppState;

/// How often each process forgets idle buckets.
const INTERVAL: Duration = Duration::from_secs(600);

/// The longest window of any limit: a bucket untouched for longer is full again.
fn longest_window(state: &AppState) -> Duration {
    state.config.auth.login_window.max(Duration::from_secs(60))
}

/// Forgets idle buckets every few minutes for the life of the process.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let idle = i64::try_from(longest_window(&state).as_millis()).unwrap_or(i64::MAX);
            let before = state.clock.now().timestamp_millis().saturating_sub(idle);
            if let Err(err) = super::store::forget_idle(&state.writer, before).await {
                tracing::warn!(error = %err, "forgetting idle rate-limit buckets failed; trying again later");
            }
        }
    })
}
