use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::run_ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

// The public lookup is the busiest call: it reads the citizen's view of the timeline from the
// dossier row (a JSON array written in the same transaction as each public event) instead of
// joining and sorting `dossier_events`. The events stay the record; this is their public copy.
const UP: &str = "ALTER TABLE dossiers ADD COLUMN public_timeline TEXT NOT NULL DEFAULT '[]'";

// Copies the public steps (every event but assignments) of dossiers taken in before this
// migration, oldest first, in the shape `dossiers::lifecycle::PublicStep` reads.
const BACKFILL_POSTGRES: &str = r#"
UPDATE dossiers d SET public_timeline = steps.timeline
FROM (
    SELECT e.dossier_id,
           json_agg(json_build_object('at', e.at, 'status', e.to_status, 'note', e.public_note,
                                      'new_due_at', e.new_due_at) ORDER BY e.at, e.id)::text AS timeline
    FROM dossier_events e WHERE e.kind <> 'assignment' GROUP BY e.dossier_id
) steps
WHERE steps.dossier_id = d.id
"#;

const BACKFILL_SQLITE: &str = r#"
UPDATE dossiers SET public_timeline = (
    SELECT json_group_array(json_object('at', at, 'status', to_status, 'note', public_note,
                                        'new_due_at', new_due_at))
    FROM (SELECT * FROM dossier_events e
          WHERE e.dossier_id = dossiers.id AND e.kind <> 'assignment' ORDER BY e.at, e.id)
)
WHERE EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = dossiers.id AND e.kind <> 'assignment')
"#;

const DOWN: &str = "ALTER TABLE dossiers DROP COLUMN public_timeline";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every engine (see [`crate::ATOMIC`]).
    fn use_transaction(&self) -> Option<bool> {
        crate::ATOMIC
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, UP).await?;
        let backfill = match manager.get_database_backend() {
            DatabaseBackend::Postgres => BACKFILL_POSTGRES,
            _ => BACKFILL_SQLITE,
        };
        manager.get_connection().execute_unprepared(backfill).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, DOWN).await
    }
}
