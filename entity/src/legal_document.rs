//! The `legal_documents` table.

use sea_orm::entity::prelude::*;

use crate::values::LegalDocumentKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "legal_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub kind: LegalDocumentKind,
    pub issuer: String,
    pub issued_on: Date,
    pub effective_on: Option<Date>,
    pub url: Option<String>,
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
