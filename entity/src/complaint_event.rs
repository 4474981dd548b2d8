//! The `complaint_events` table: a complaint's timeline.

use sea_orm::entity::prelude::*;

use crate::values::{ComplaintEventKind, ComplaintStatus};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "complaint_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub complaint_id: Uuid,
    pub at: DateTimeUtc,
    pub kind: ComplaintEventKind,
    /// Whether the citizen took the step (withdrawal, reopening, feedback).
    pub by_citizen: bool,
    /// The supervisor who took it; never shown to the citizen.
    pub actor_id: Option<Uuid>,
    pub from_status: Option<ComplaintStatus>,
    pub to_status: ComplaintStatus,
    pub note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
