//! The `ratings` table: a citizen's rating of the officer who served them, once per interaction.

use sea_orm::entity::prelude::*;

use crate::values::{
    CommentStatus, RatingChannel, RatingLevel, RejectionReason, Timeliness, TripsToComplete,
};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ratings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The unit where the interaction happened: its figures count the rating.
    pub unit_id: Uuid,
    /// The officer who handled the interaction.
    pub officer_id: Uuid,
    /// The citizen's account; none for a rating made with a token at a kiosk.
    pub citizen_id: Option<Uuid>,
    pub dossier_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub channel: RatingChannel,
    pub level: RatingLevel,
    pub guidance_clear: Option<RatingLevel>,
    pub trips_to_complete: Option<TripsToComplete>,
    pub asked_for_documents_not_listed: Option<bool>,
    pub asked_for_unofficial_payment: Option<bool>,
    /// Unofficial payment or unlisted documents reported: the supervisors were told.
    pub flagged: bool,
    /// The dossier's timeliness when it was rated.
    pub dossier_timeliness: Option<Timeliness>,
    /// The comment with personal data masked.
    pub comment: Option<String>,
    pub comment_status: Option<CommentStatus>,
    /// The unit whose supervisors moderate the comment.
    pub moderation_unit_id: Option<Uuid>,
    pub moderation_due_at: Option<DateTimeUtc>,
    pub moderated_by: Option<Uuid>,
    pub moderated_at: Option<DateTimeUtc>,
    pub rejection_reason: Option<RejectionReason>,
    pub rated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
