//! The `dossiers` table.

use sea_orm::entity::prelude::*;

use crate::values::{ApplicantKind, Channel, DossierStatus, Timeliness};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dossiers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub unit_id: Uuid,
    pub receipt_date: Date,
    pub sequence: i32,
    pub procedure_id: Uuid,
    pub processing_half_days: i32,
    pub lookup_secret_hash: String,
    pub status: DossierStatus,
    pub applicant_name: String,
    pub applicant_name_folded: String,
    pub applicant_id_number: String,
    pub applicant_phone: String,
    pub applicant_email: Option<String>,
    pub applicant_kind: ApplicantKind,
    pub documents: String,
    pub channel: Channel,
    pub notes: Option<String>,
    pub fee_vnd: i64,
    pub received_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    pub paused_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub returned_at: Option<DateTimeUtc>,
    /// When processing ended: processed, refused, withdrawn or stopped (reports count by it).
    pub closed_at: Option<DateTimeUtc>,
    pub timeliness: Option<Timeliness>,
    /// The citizen's view of the timeline: a JSON array of public steps, oldest first.
    pub public_timeline: String,
    pub received_by: Option<Uuid>,
    pub assigned_to: Option<Uuid>,
    pub citizen_id: Option<Uuid>,
    /// The receipt's number in the unit's series of the receipt year.
    pub receipt_number: Option<i32>,
    /// Why the officer suppressed the automatic letter of this dossier.
    pub letter_suppressed_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
