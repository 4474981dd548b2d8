//! The `letter_templates` table: a unit's own text of a kind of letter (no row: the default).

use sea_orm::entity::prelude::*;

use crate::values::LetterKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "letter_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: LetterKind,
    pub title: String,
    /// The body, with `{{ placeholder }}`s.
    pub body: String,
    pub signer_name: String,
    pub signer_title: String,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
