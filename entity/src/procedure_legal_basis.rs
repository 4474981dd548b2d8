//! The `procedure_legal_bases` table.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "procedure_legal_bases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub procedure_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub legal_document_id: Uuid,
}

impl ActiveModelBehavior for ActiveModel {}
