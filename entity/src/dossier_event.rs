//! The `dossier_events` table.

use sea_orm::entity::prelude::*;

use crate::values::{DossierEventKind, DossierStatus};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dossier_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub at: DateTimeUtc,
    pub kind: DossierEventKind,
    pub from_status: Option<DossierStatus>,
    pub to_status: DossierStatus,
    pub actor_id: Option<Uuid>,
    pub note: Option<String>,
    pub public_note: Option<String>,
    pub new_due_at: Option<DateTimeUtc>,
    /// An apology slip's number in the unit's series of its year.
    pub document_number: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
