//! The `complaints` table: a citizen's complaint about an officer's conduct.

use sea_orm::entity::prelude::*;

use crate::values::{ComplaintCategory, ComplaintOutcome, ComplaintStatus, RatingLevel};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "complaints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub citizen_id: Uuid,
    pub officer_id: Uuid,
    /// Where the conduct happened: the complaint stays there if the officer moves.
    pub unit_id: Uuid,
    /// Whose supervisors handle it: the unit above, for a complaint against a supervisor.
    pub handling_unit_id: Uuid,
    pub dossier_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    pub category: ComplaintCategory,
    pub description: String,
    pub status: ComplaintStatus,
    pub outcome: Option<ComplaintOutcome>,
    pub conclusion: Option<String>,
    /// Why it was not accepted or dismissed.
    pub reason: Option<String>,
    pub received_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub due_at: Option<DateTimeUtc>,
    pub extended: bool,
    pub extension_reason: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub reopened: i32,
    pub feedback_level: Option<RatingLevel>,
    pub feedback_comment: Option<String>,
    pub feedback_at: Option<DateTimeUtc>,
    pub version: i32,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
