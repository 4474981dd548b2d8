//! The `letters` table: letters as issued, fixed from then on.

use sea_orm::entity::prelude::*;

use crate::values::LetterKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "letters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub unit_id: Uuid,
    pub kind: LetterKind,
    pub year: i32,
    pub number: i32,
    pub dossier_id: Option<Uuid>,
    pub recipient_id: Option<Uuid>,
    pub recipient_name: String,
    pub honorific: String,
    pub event: String,
    pub event_date: Date,
    pub title: String,
    /// The printable letter as rendered when it was issued.
    pub html: String,
    pub automatic: bool,
    pub issued_by: Option<Uuid>,
    pub issued_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
