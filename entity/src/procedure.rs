//! The `procedures` table.

use sea_orm::entity::prelude::*;

use crate::values::{LetterOnCompletion, OnlineSubmission, ProcedureLevel};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "procedures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub field: String,
    pub field_folded: String,
    pub level: ProcedureLevel,
    pub processing_half_days: i32,
    pub fee_vnd: i64,
    pub fee_note: Option<String>,
    pub documents: String,
    pub steps: String,
    pub result: String,
    pub online_submission: OnlineSubmission,
    pub letter_on_completion: LetterOnCompletion,
    pub description: Option<String>,
    pub active: bool,
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
