use sea_orm_migration::prelude::*;

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Unique constraints a request can break are named (as PostgreSQL would name them), and
// `api::problems` maps each name onto the problem it means.
const UP: &str = r#"
CREATE TABLE holidays (
    id {uuid} PRIMARY KEY,
    unit_id {uuid} REFERENCES units (id),
    date {date} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('off', 'working')),
    name TEXT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX holidays_national_date ON holidays (date) WHERE unit_id IS NULL;
CREATE UNIQUE INDEX holidays_unit_date ON holidays (unit_id, date) WHERE unit_id IS NOT NULL;

CREATE TABLE legal_documents (
    id {uuid} PRIMARY KEY,
    number TEXT NOT NULL CONSTRAINT legal_documents_number_key UNIQUE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('law', 'decree', 'circular', 'decision', 'resolution', 'other')),
    issuer TEXT NOT NULL,
    issued_on {date} NOT NULL,
    effective_on {date},
    url TEXT,
    search_text TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);

CREATE TABLE procedures (
    id {uuid} PRIMARY KEY,
    code TEXT NOT NULL CONSTRAINT procedures_code_key UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT,
    field TEXT NOT NULL,
    field_folded TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('national', 'province', 'district', 'commune')),
    processing_half_days INTEGER NOT NULL CHECK (processing_half_days BETWEEN 0 AND 730),
    fee_vnd BIGINT NOT NULL CHECK (fee_vnd >= 0),
    fee_note TEXT,
    documents TEXT NOT NULL,
    steps TEXT NOT NULL,
    result TEXT NOT NULL,
    online_submission TEXT NOT NULL CHECK (online_submission IN ('none', 'partial', 'full')),
    letter_on_completion TEXT NOT NULL CHECK (letter_on_completion IN ('none', 'congratulation', 'condolence')),
    description TEXT,
    active {bool} NOT NULL DEFAULT TRUE,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX procedures_field ON procedures (field_folded);

CREATE TABLE procedure_units (
    procedure_id {uuid} NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    unit_id {uuid} NOT NULL REFERENCES units (id),
    PRIMARY KEY (procedure_id, unit_id)
);
CREATE INDEX procedure_units_unit ON procedure_units (unit_id);

CREATE TABLE procedure_legal_bases (
    procedure_id {uuid} NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    legal_document_id {uuid} NOT NULL REFERENCES legal_documents (id),
    PRIMARY KEY (procedure_id, legal_document_id)
)
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
        drop_tables(
            manager,
            &["procedure_legal_bases", "procedure_units", "procedures", "legal_documents", "holidays"],
        )
        .await
    }
}
