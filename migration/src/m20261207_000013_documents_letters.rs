use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Printable documents and letters.
//
// Every document a unit prints carries a number of its own series per unit and year
// (`document_numbers`, one row per series, bumped by an upsert inside the writing transaction,
// so two processes never hand out one number twice and a rolled-back write leaves no gap).
// A receipt's number is kept on its dossier, an apology slip's on its timeline entry, a
// letter's on the letter.
//
// A letter is fixed once issued: its rendered text is stored and a trigger refuses to change
// what was issued. `letters_dossier_kind` makes an automatic letter exactly-once: a retried or
// concurrent transition to `processed` inserts the same (dossier, kind) and the second insert
// fails inside its transaction. Letters issued by hand name no dossier, or another kind.
// Notices keep an English text beside the Vietnamese one, so the inbox answers in the reader's
// language (older notices have only Vietnamese).
// `letter_templates` holds a unit's own text per kind; without a row the shipped default
// applies.
const UP: &str = r#"
CREATE TABLE document_numbers (
    unit_id {uuid} NOT NULL REFERENCES units (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    series TEXT NOT NULL CHECK (series IN ('receipt', 'apology', 'letter')),
    last_number INTEGER NOT NULL CHECK (last_number > 0),
    PRIMARY KEY (unit_id, year, series)
);

ALTER TABLE units ADD COLUMN locality TEXT;
ALTER TABLE users ADD COLUMN letters_opt_out {bool} NOT NULL DEFAULT FALSE;
ALTER TABLE dossiers ADD COLUMN receipt_number INTEGER;
ALTER TABLE dossiers ADD COLUMN letter_suppressed_reason TEXT;
ALTER TABLE dossier_events ADD COLUMN document_number INTEGER;

CREATE TABLE letter_templates (
    unit_id {uuid} NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('congratulation', 'condolence', 'thank_you')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signer_title TEXT NOT NULL,
    updated_by {uuid} REFERENCES users (id),
    updated_at {ts} NOT NULL,
    PRIMARY KEY (unit_id, kind)
);

CREATE TABLE letters (
    id {uuid} PRIMARY KEY,
    unit_id {uuid} NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('congratulation', 'condolence', 'thank_you')),
    year INTEGER NOT NULL,
    number INTEGER NOT NULL CHECK (number > 0),
    dossier_id {uuid} REFERENCES dossiers (id),
    recipient_id {uuid} REFERENCES users (id),
    recipient_name TEXT NOT NULL,
    honorific TEXT NOT NULL,
    event TEXT NOT NULL,
    event_date {date} NOT NULL,
    title TEXT NOT NULL,
    html TEXT NOT NULL,
    automatic {bool} NOT NULL,
    issued_by {uuid} REFERENCES users (id),
    issued_at {ts} NOT NULL,
    CONSTRAINT letters_dossier_kind UNIQUE (dossier_id, kind),
    CONSTRAINT letters_number UNIQUE (unit_id, year, number),
    CHECK (automatic OR issued_by IS NOT NULL),
    CHECK (NOT automatic OR dossier_id IS NOT NULL)
);
CREATE INDEX letters_recipient ON letters (recipient_id, issued_at);
CREATE INDEX letters_unit_issued ON letters (unit_id, issued_at);

ALTER TABLE notifications ADD COLUMN letter_id {uuid};
ALTER TABLE notifications ADD COLUMN title_en TEXT;
ALTER TABLE notifications ADD COLUMN body_en TEXT
"#;

// A letter is an official record: what was issued is never edited or removed.
const POSTGRES_TRIGGERS: &str = r#"
CREATE FUNCTION letters_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'letters are fixed once issued' USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER letters_no_update BEFORE UPDATE OR DELETE ON letters
    FOR EACH ROW EXECUTE FUNCTION letters_fixed();
"#;

const SQLITE_TRIGGERS: &[&str] = &[
    "CREATE TRIGGER letters_no_update BEFORE UPDATE ON letters \
     BEGIN SELECT RAISE(ABORT, 'letters are fixed once issued'); END",
    "CREATE TRIGGER letters_no_delete BEFORE DELETE ON letters \
     BEGIN SELECT RAISE(ABORT, 'letters are fixed once issued'); END",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every engine (see [`crate::ATOMIC`]).
    fn use_transaction(&self) -> Option<bool> {
        crate::ATOMIC
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, UP).await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(POSTGRES_TRIGGERS).await?;
            }
            _ => {
                for trigger in SQLITE_TRIGGERS {
                    db.execute_unprepared(trigger).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in [
            "ALTER TABLE notifications DROP COLUMN body_en",
            "ALTER TABLE notifications DROP COLUMN title_en",
            "ALTER TABLE notifications DROP COLUMN letter_id",
            "ALTER TABLE dossier_events DROP COLUMN document_number",
            "ALTER TABLE dossiers DROP COLUMN letter_suppressed_reason",
            "ALTER TABLE dossiers DROP COLUMN receipt_number",
            "ALTER TABLE users DROP COLUMN letters_opt_out",
            "ALTER TABLE units DROP COLUMN locality",
        ] {
            db.execute_unprepared(statement).await?;
        }
        drop_tables(manager, &["letters", "letter_templates", "document_numbers"]).await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS letters_fixed()").await?;
        }
        Ok(())
    }
}
