use sea_orm_migration::prelude::*;

use crate::run_ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

// The timeline is read in (at, id) order; with id in the index the lookup walks it in that
// order instead of sorting (SQLite otherwise builds a temporary B-tree on every lookup).
const UP: &str = r#"
CREATE INDEX dossier_events_timeline ON dossier_events (dossier_id, at, id);
DROP INDEX dossier_events_dossier
"#;

const DOWN: &str = r#"
CREATE INDEX dossier_events_dossier ON dossier_events (dossier_id, at);
DROP INDEX dossier_events_timeline
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every engine (see [`crate::ATOMIC`]).
    fn use_transaction(&self) -> Option<bool> {
        crate::ATOMIC
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, DOWN).await
    }
}
