//! The `tickets` table: one visit to the desk's queue.

use sea_orm::entity::prelude::*;

use crate::values::{PriorityClass, TicketKind, TicketStatus, VisitOutcome};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub unit_id: Uuid,
    /// The unit's local date of the check-in: numbers restart each day.
    pub service_day: Date,
    pub number: i32,
    pub display_number: String,
    pub service_group: String,
    pub kind: TicketKind,
    pub priority_class: PriorityClass,
    pub priority_reason: Option<String>,
    pub appointment_id: Option<Uuid>,
    /// The start of the appointment's slot, for tickets of `kind = appointment`.
    pub slot_start: Option<DateTimeUtc>,
    pub status: TicketStatus,
    /// The order among waiting tickets of the same rank (lower first; ties by number).
    pub queue_key: i64,
    /// The counter it is called to or served at, while `called` or `serving`.
    pub counter: Option<i32>,
    /// The counter it was transferred to: only that counter calls it.
    pub target_counter: Option<i32>,
    pub recalls: i32,
    pub outcome: Option<VisitOutcome>,
    pub dossier_id: Option<Uuid>,
    /// The officer who called or handled it last.
    pub officer_id: Option<Uuid>,
    pub checked_in_at: DateTimeUtc,
    pub first_called_at: Option<DateTimeUtc>,
    pub called_at: Option<DateTimeUtc>,
    pub serving_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// When the desk closes on its day: still waiting then, it is a no-show.
    pub closes_at: DateTimeUtc,
    pub version: i32,
}

impl ActiveModelBehavior for ActiveModel {}
