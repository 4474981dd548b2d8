use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::run_ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

// A holiday added or removed moves the due dates of open dossiers, and each move is a timeline
// entry of its own kind. The check on `dossier_events.kind` is named as PostgreSQL names it,
// so both engines and the code speak of one constraint.
const KINDS_BEFORE: &str = "'intake', 'transition', 'apology', 'assignment'";
const KINDS_AFTER: &str = "'intake', 'transition', 'apology', 'assignment', 'due_rescheduled'";

fn postgres(kinds: &str) -> String {
    format!(
        "ALTER TABLE dossier_events DROP CONSTRAINT dossier_events_kind_check;
         ALTER TABLE dossier_events ADD CONSTRAINT dossier_events_kind_check CHECK (kind IN ({kinds}))"
    )
}

// SQLite cannot alter a check: the table is rebuilt with the same columns and index.
fn sqlite(kinds: &str) -> String {
    format!(
        "CREATE TABLE dossier_events_rebuilt (
            id {{uuid}} PRIMARY KEY,
            dossier_id {{uuid}} NOT NULL REFERENCES dossiers (id),
            at {{ts}} NOT NULL,
            kind TEXT NOT NULL CONSTRAINT dossier_events_kind_check CHECK (kind IN ({kinds})),
            from_status TEXT,
            to_status TEXT NOT NULL,
            actor_id {{uuid}} REFERENCES users (id),
            note TEXT,
            public_note TEXT,
            new_due_at {{ts}}
        );
        INSERT INTO dossier_events_rebuilt (id, dossier_id, at, kind, from_status, to_status, actor_id, note,
            public_note, new_due_at)
        SELECT id, dossier_id, at, kind, from_status, to_status, actor_id, note, public_note, new_due_at
        FROM dossier_events;
        DROP TABLE dossier_events;
        ALTER TABLE dossier_events_rebuilt RENAME TO dossier_events;
        CREATE INDEX dossier_events_timeline ON dossier_events (dossier_id, at, id)"
    )
}

async fn allow(manager: &SchemaManager<'_>, kinds: &str) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DatabaseBackend::Postgres => run_ddl(manager, &postgres(kinds)).await,
        _ => run_ddl(manager, &sqlite(kinds)).await,
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every engine (see [`crate::ATOMIC`]).
    fn use_transaction(&self) -> Option<bool> {
        crate::ATOMIC
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow(manager, KINDS_AFTER).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The older schema has no place for these entries.
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM dossier_events WHERE kind = 'due_rescheduled'")
            .await?;
        allow(manager, KINDS_BEFORE).await
    }
}
