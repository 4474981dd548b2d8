use sea_orm_migration::prelude::*;

use crate::run_ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

// Review reports and public figures (`api::reports::store`) aggregate a unit's dossiers in SQL.
//
// `dossiers.closed_at` is when processing ended: processed, refused, withdrawn or stopped (a
// returned dossier keeps the instant it was processed). Reports count what was open at an
// instant by it; before, a refused, withdrawn or stopped dossier's end was only on its timeline.
// Dossiers closed before this migration get it from there.
//
// `dossiers_report` covers every column the dossier counts read, in the order they filter:
// the counts walk a unit's dossiers received before the period's end in this index alone,
// without touching the table's wide rows (applicant, documents, timeline).
// `dossiers_unit_completed` serves the month series of processed dossiers; the other two read
// a unit's tickets and complaints by period (ratings and appointments have theirs already).
const UP: &str = r#"
ALTER TABLE dossiers ADD COLUMN closed_at {ts};
UPDATE dossiers SET closed_at = completed_at WHERE completed_at IS NOT NULL;
UPDATE dossiers SET closed_at = (SELECT MAX(e.at) FROM dossier_events e
    WHERE e.dossier_id = dossiers.id AND e.to_status = dossiers.status)
    WHERE status IN ('refused', 'withdrawn', 'stopped');
CREATE INDEX dossiers_report ON dossiers (unit_id, received_at, status, channel, timeliness,
    completed_at, closed_at, due_at, paused_at, procedure_id, received_by);
CREATE INDEX dossiers_unit_completed ON dossiers (unit_id, completed_at, timeliness);
CREATE INDEX tickets_unit_checked_in ON tickets (unit_id, checked_in_at);
CREATE INDEX complaints_unit_received ON complaints (unit_id, received_at)
"#;

const DOWN: &str = r#"
DROP INDEX complaints_unit_received;
DROP INDEX tickets_unit_checked_in;
DROP INDEX dossiers_unit_completed;
DROP INDEX dossiers_report;
ALTER TABLE dossiers DROP COLUMN closed_at
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
