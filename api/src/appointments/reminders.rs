//! The reminder sender: every server process runs it, and they share the due reminders
//! without sending one twice.
//!
//! A reminder is a row written in its booking's transaction and voided in the transaction that
//! cancels or moves the booking. A sender claims due rows with `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL (SQLite's write transactions exclude each other), locks the booking the same way
//! (one being changed right now is left for the next round, so neither waits for the other),
//! reads its status and version again, and in one transaction either delivers the notice to
//! the inbox and marks the row sent, or marks it skipped.

use crate::i18n::Text;
use chrono::{DateTime, Utc};
use entity::{
    appointment, appointment_reminder,
    values::{AppointmentStatus, NotificationKind, ReminderState},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LockBehavior, LockType},
};

use super::views::when;
use crate::{
    calendar::store::schedule_of,
    db::{Writer, write_transaction},
    idempotency,
    notifications::store::{NewNotice, Subject, notify},
    push::Push,
    state::AppState,
    units::store::unit_by_id,
};

/// How many reminders one transaction claims.
const BATCH: u64 = 100;

/// What a round of the sender did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Reminders delivered.
    pub sent: u32,
    /// Reminders settled without sending (the booking changed, passed, or came too late).
    pub skipped: u32,
    /// Reminders left for a later round because their booking was being changed.
    pub deferred: u32,
}

/// Whether a booking still wants the reminder written for it: booked, unchanged since, made
/// before the reminder was due, and not begun.
fn still_wanted(
    reminder: &appointment_reminder::Model,
    booking: &appointment::Model,
    now: DateTime<Utc>,
) -> bool {
    booking.status == AppointmentStatus::Booked
        && booking.version == reminder.appointment_version
        && booking.updated_at <= reminder.due_at
        && now < booking.starts_at
}

/// Sends the reminders due by `now`, one claimed batch.
pub async fn send_due(db: &Writer, push: Push, now: DateTime<Utc>) -> Result<Round, DbErr> {
    write_transaction(db, async |tx| {
        let due = appointment_reminder::Entity::find()
            .filter(appointment_reminder::Column::State.eq(ReminderState::Pending))
            .filter(appointment_reminder::Column::DueAt.lte(now))
            .order_by_asc(appointment_reminder::Column::DueAt)
            .limit(BATCH)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(tx)
            .await?;
        let mut round = Round::default();
        for reminder in due {
            let booking = appointment::Entity::find_by_id(reminder.appointment_id)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .one(tx)
                .await?;
            let Some(booking) = booking else {
                round.deferred += 1;
                continue;
            };
            let state = if still_wanted(&reminder, &booking, now) {
                remind(tx, push, &booking, now).await?;
                round.sent += 1;
                ReminderState::Sent
            } else {
                round.skipped += 1;
                ReminderState::Skipped
            };
            appointment_reminder::Entity::update_many()
                .col_expr(appointment_reminder::Column::State, Expr::value(state))
                .col_expr(appointment_reminder::Column::SettledAt, Expr::value(now))
                .filter(appointment_reminder::Column::Id.eq(reminder.id))
                .exec(tx)
                .await?;
        }
        Ok(round)
    })
    .await
}

async fn remind(
    tx: &impl ConnectionTrait,
    push: Push,
    booking: &appointment::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(unit) = unit_by_id(tx, booking.unit_id).await? else { return Ok(()) };
    // The unit's time zone is all a reminder needs of its desk: no holidays to read.
    let at = when(schedule_of(&unit).time_zone, booking.starts_at);
    let notice = NewNotice {
        user_id: booking.citizen_id,
        subject: Subject::Appointment(booking.id),
        kind: NotificationKind::AppointmentReminder,
        title: Text::new("Nhắc lịch hẹn", "Appointment reminder"),
        body: Text::new(
            format!("Bạn có lịch hẹn tại {} lúc {at}.", unit.name),
            format!("You have an appointment at {} at {at}.", unit.name),
        ),
    };
    notify(tx, push, notice, now).await
}

/// Runs the sender (and forgets expired idempotency keys and idle rate-limit buckets) every
/// `reminder_interval`, for the life of the process.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(state.config.appointments.reminder_interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let now = state.clock.now();
            loop {
                match send_due(&state.writer, state.push(), now).await {
                    Ok(round) if round.sent + round.skipped == BATCH as u32 => continue,
                    Ok(_) => break,
                    Err(err) => {
                        tracing::warn!(error = %err, "sending reminders failed; trying again next round");
                        break;
                    }
                }
            }
            if let Err(err) = idempotency::forget_expired(&state.db, now).await {
                tracing::warn!(error = %err, "forgetting expired idempotency keys failed");
            }
            if let Err(err) = crate::rate_limit::forget_idle(&state).await {
                tracing::warn!(error = %err, "forgetting idle rate-limit buckets failed");
            }
        }
    })
}
