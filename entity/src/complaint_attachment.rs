//! The `complaint_attachments` table: the files sent with a complaint (stored under the data
//! directory, named by their SHA-256).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "complaint_attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub complaint_id: Uuid,
    /// Its place among the complaint's files, from 1.
    pub position: i32,
    /// The file's name in the data directory: the hex SHA-256 of its stored bytes.
    pub sha256: String,
    /// The type its content was recognised as.
    pub content_type: String,
    pub size_bytes: i64,
    /// The name the citizen's device gave it (display only; never a path).
    pub file_name: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
