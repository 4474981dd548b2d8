//! The closing-time sweep: tickets still waiting when their desk closes are no-shows. Every
//! server process runs it; a unit's day being written right now is left for the next round.

use chrono::{DateTime, Utc};
use entity::{
    queue_day, ticket,
    values::{QueueEventKind, TicketStatus},
};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{LockBehavior, LockType},
};
use uuid::Uuid;

use super::{
    calling::{finish, save},
    display::hub::changed,
};
use crate::{
    db::{Writer, write_transaction},
    error::ApiError,
    state::AppState,
};

/// How often a process sweeps.
const INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// What a sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    /// Tickets marked as no-shows.
    pub missed: u32,
    /// The units whose queues changed.
    pub units: Vec<Uuid>,
}

/// Marks the tickets waiting past their desk's closing time as no-shows.
pub async fn sweep_due(writer: &Writer, now: DateTime<Utc>) -> Result<Swept, ApiError> {
    write_transaction(writer, async |tx| {
        let due: Vec<(Uuid, chrono::NaiveDate)> = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::UnitId)
            .column(ticket::Column::ServiceDay)
            .filter(ticket::Column::Status.eq(TicketStatus::Waiting))
            .filter(ticket::Column::ClosesAt.lte(now))
            .distinct()
            .into_tuple()
            .all(tx)
            .await?;
        let mut swept = Swept::default();
        for (unit_id, day) in due {
            // The same lock as every queue write, skipped when held: no write waits for the sweep.
            let held = queue_day::Entity::find_by_id((unit_id, day))
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .one(tx)
                .await?;
            if held.is_none() {
                continue;
            }
            let tickets = ticket::Entity::find()
                .filter(ticket::Column::UnitId.eq(unit_id))
                .filter(ticket::Column::ServiceDay.eq(day))
                .filter(ticket::Column::Status.eq(TicketStatus::Waiting))
                .filter(ticket::Column::ClosesAt.lte(now))
                .all(tx)
                .await?;
            swept.units.push(unit_id);
            for mut ticket in tickets {
                finish(tx, &mut ticket, TicketStatus::NoShow, now).await?;
                save(tx, &mut ticket, QueueEventKind::Ticket, None, now).await?;
                swept.missed += 1;
            }
        }
        Ok::<_, ApiError>(swept)
    })
    .await
}

/// Runs the sweep every minute for the life of the process.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match sweep_due(&state.writer, state.clock.now()).await {
                Ok(swept) => swept.units.iter().for_each(|unit_id| changed(&state, *unit_id)),
                Err(err) => {
                    tracing::warn!(error = %err, "sweeping the queues failed; trying again next round")
                }
            }
        }
    })
}
