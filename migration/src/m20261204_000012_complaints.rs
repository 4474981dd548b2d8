use sea_orm_migration::prelude::*;

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Complaints against officers, their timeline and their attachments.
//
// A complaint stays with the unit where the conduct happened (`unit_id`), whatever becomes of
// the officer; `handling_unit_id` is whose supervisors handle it (the unit above, for a
// complaint against a supervisor). The checks tie each status to what it needs: an acceptance
// to its due date, a resolution to its outcome and conclusion, a refusal to its reason.
// Attachments are files under the data directory, named by their SHA-256; the rows say whose
// they are.
const UP: &str = r#"
CREATE TABLE complaints (
    id {uuid} PRIMARY KEY,
    citizen_id {uuid} NOT NULL REFERENCES users (id),
    officer_id {uuid} NOT NULL REFERENCES users (id),
    unit_id {uuid} NOT NULL REFERENCES units (id),
    handling_unit_id {uuid} NOT NULL REFERENCES units (id),
    dossier_id {uuid} REFERENCES dossiers (id),
    appointment_id {uuid} REFERENCES appointments (id),
    category TEXT NOT NULL CHECK (category IN ('harassment', 'obstruction', 'discourtesy', 'other')),
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'accepted', 'not_accepted', 'investigating', 'resolved', 'dismissed', 'withdrawn')),
    outcome TEXT CHECK (outcome IN ('unfounded', 'reminded', 'warned', 'rotated', 'disciplined')),
    conclusion TEXT,
    reason TEXT,
    received_at {ts} NOT NULL,
    accepted_at {ts},
    due_at {ts},
    extended {bool} NOT NULL DEFAULT FALSE,
    extension_reason TEXT,
    closed_at {ts},
    reopened INTEGER NOT NULL DEFAULT 0 CHECK (reopened >= 0),
    feedback_level TEXT CHECK (feedback_level IN ('very_satisfied', 'satisfied', 'not_satisfied')),
    feedback_comment TEXT,
    feedback_at {ts},
    version INTEGER NOT NULL CHECK (version > 0),
    updated_at {ts} NOT NULL,
    CHECK ((status = 'resolved') = (outcome IS NOT NULL)),
    CHECK ((status = 'resolved') = (conclusion IS NOT NULL)),
    CHECK (status NOT IN ('not_accepted', 'dismissed') OR reason IS NOT NULL),
    CHECK ((status IN ('accepted', 'investigating', 'resolved', 'dismissed')) <= (due_at IS NOT NULL)),
    CHECK ((status IN ('not_accepted', 'resolved', 'dismissed', 'withdrawn')) = (closed_at IS NOT NULL)),
    CHECK (extended = (extension_reason IS NOT NULL)),
    CHECK ((feedback_level IS NULL) = (feedback_at IS NULL))
);
CREATE INDEX complaints_handling ON complaints (handling_unit_id, status, due_at);
CREATE INDEX complaints_citizen ON complaints (citizen_id, received_at);
CREATE INDEX complaints_officer ON complaints (officer_id);

CREATE TABLE complaint_events (
    id {uuid} PRIMARY KEY,
    complaint_id {uuid} NOT NULL REFERENCES complaints (id),
    at {ts} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('received', 'transition', 'extension', 'withdrawal', 'reopening', 'feedback')),
    by_citizen {bool} NOT NULL,
    actor_id {uuid} REFERENCES users (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, at);

CREATE TABLE complaint_attachments (
    id {uuid} PRIMARY KEY,
    complaint_id {uuid} NOT NULL REFERENCES complaints (id),
    position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    file_name TEXT,
    CONSTRAINT complaint_attachments_position UNIQUE (complaint_id, position)
);
CREATE INDEX complaint_attachments_sha256 ON complaint_attachments (sha256);

-- No foreign key, as for ratings: SQLite cannot drop a column that has one.
ALTER TABLE notifications ADD COLUMN complaint_id {uuid}
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
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE notifications DROP COLUMN complaint_id")
            .await?;
        drop_tables(manager, &["complaint_attachments", "complaint_events", "complaints"]).await
    }
}
