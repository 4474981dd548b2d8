use sea_orm_migration::prelude::*;

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE dossier_sequences (
    unit_id {uuid} NOT NULL REFERENCES units (id),
    receipt_date {date} NOT NULL,
    last_sequence INTEGER NOT NULL CHECK (last_sequence > 0),
    PRIMARY KEY (unit_id, receipt_date)
);

CREATE TABLE dossiers (
    id {uuid} PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    unit_id {uuid} NOT NULL REFERENCES units (id),
    receipt_date {date} NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence > 0),
    procedure_id {uuid} NOT NULL REFERENCES procedures (id),
    processing_half_days INTEGER NOT NULL CHECK (processing_half_days >= 0),
    lookup_secret_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('newly_submitted', 'accepted', 'refused', 'in_progress',
        'supplement_requested', 'payment_required', 'withdrawn', 'stopped', 'processed', 'returned')),
    applicant_name TEXT NOT NULL,
    applicant_name_folded TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    applicant_phone TEXT NOT NULL,
    applicant_email TEXT,
    applicant_kind TEXT NOT NULL CHECK (applicant_kind IN ('citizen', 'business')),
    documents TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('desk', 'online', 'post')),
    notes TEXT,
    fee_vnd BIGINT NOT NULL,
    received_at {ts} NOT NULL,
    due_at {ts} NOT NULL,
    paused_at {ts},
    completed_at {ts},
    returned_at {ts},
    timeliness TEXT CHECK (timeliness IN ('early', 'on_time', 'late')),
    received_by {uuid} NOT NULL REFERENCES users (id),
    assigned_to {uuid} REFERENCES users (id),
    citizen_id {uuid} REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (unit_id, receipt_date, sequence)
);
CREATE INDEX dossiers_unit_status ON dossiers (unit_id, status);
CREATE INDEX dossiers_unit_due ON dossiers (unit_id, due_at);
CREATE INDEX dossiers_unit_received ON dossiers (unit_id, received_at);
CREATE INDEX dossiers_assigned ON dossiers (assigned_to);
CREATE INDEX dossiers_citizen ON dossiers (citizen_id);

CREATE TABLE dossier_events (
    id {uuid} PRIMARY KEY,
    dossier_id {uuid} NOT NULL REFERENCES dossiers (id),
    at {ts} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('intake', 'transition', 'apology', 'assignment')),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id {uuid} REFERENCES users (id),
    note TEXT,
    public_note TEXT,
    new_due_at {ts}
);
CREATE INDEX dossier_events_dossier ON dossier_events (dossier_id, at);

CREATE TABLE notifications (
    id {uuid} PRIMARY KEY,
    user_id {uuid} NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    dossier_id {uuid} REFERENCES dossiers (id),
    created_at {ts} NOT NULL,
    read_at {ts}
);
CREATE INDEX notifications_user ON notifications (user_id, created_at)
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
        drop_tables(manager, &["notifications", "dossier_events", "dossiers", "dossier_sequences"]).await
    }
}
