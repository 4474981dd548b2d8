use sea_orm_migration::prelude::*;

use crate::run_ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

// Review reports and public figures (`api::reports::store`) aggregate a unit's dossiers in SQL.
//
// `dossiers_report` covers every column the dossier counts read, in the order they filter:
// the counts walk a unit's dossiers received before the period's end in this index alone,
// without touching the table's wide rows (applicant, documents, timeline). The id comes last
// for the instant a refused, withdrawn or stopped dossier closed, read from its timeline.
// `dossiers_unit_completed` serves the month series of processed dossiers; the other two read
// a unit's tickets and complaints by period (ratings and appointments have theirs already).
const UP: &str = r#"
CREATE INDEX dossiers_report ON dossiers (unit_id, received_at, status, channel, completed_at,
    timeliness, due_at, paused_at, procedure_id, received_by, id);
CREATE INDEX dossiers_unit_completed ON dossiers (unit_id, completed_at, timeliness);
CREATE INDEX tickets_unit_checked_in ON tickets (unit_id, checked_in_at);
CREATE INDEX complaints_unit_received ON complaints (unit_id, received_at)
"#;

const DOWN: &str = r#"
DROP INDEX complaints_unit_received;
DROP INDEX tickets_unit_checked_in;
DROP INDEX dossiers_unit_completed;
DROP INDEX dossiers_report
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
