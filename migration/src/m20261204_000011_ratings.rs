use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Citizens' ratings of the officers who served them, and the unit settings they and complaints
// follow.
//
// One rating per interaction is the unique indexes' job, so two taps of "send" or a kiosk and
// the app racing each other cannot count twice. A rating names exactly one interaction: a
// dossier (rated once it is processed or returned) or a desk ticket (an appointment is rated
// through its ticket). The comment's moderation fields move together, which the checks hold.
const UP: &str = r#"
CREATE TABLE feedback_settings (
    unit_id {uuid} PRIMARY KEY REFERENCES units (id),
    rating_window_days INTEGER NOT NULL CHECK (rating_window_days BETWEEN 1 AND 365),
    ranking_min_ratings INTEGER NOT NULL CHECK (ranking_min_ratings BETWEEN 1 AND 1000),
    moderation_working_days INTEGER NOT NULL CHECK (moderation_working_days BETWEEN 1 AND 60),
    complaint_due_working_days INTEGER NOT NULL CHECK (complaint_due_working_days BETWEEN 1 AND 90),
    complaint_reopen_days INTEGER NOT NULL CHECK (complaint_reopen_days BETWEEN 1 AND 365),
    updated_at {ts} NOT NULL
);

CREATE TABLE ratings (
    id {uuid} PRIMARY KEY,
    unit_id {uuid} NOT NULL REFERENCES units (id),
    officer_id {uuid} NOT NULL REFERENCES users (id),
    citizen_id {uuid} REFERENCES users (id),
    dossier_id {uuid} REFERENCES dossiers (id),
    ticket_id {uuid} REFERENCES tickets (id),
    channel TEXT NOT NULL CHECK (channel IN ('app', 'kiosk_token', 'web')),
    level TEXT NOT NULL CHECK (level IN ('very_satisfied', 'satisfied', 'not_satisfied')),
    guidance_clear TEXT CHECK (guidance_clear IN ('very_satisfied', 'satisfied', 'not_satisfied')),
    trips_to_complete TEXT CHECK (trips_to_complete IN ('0', '1', '2_or_more')),
    asked_for_documents_not_listed {bool},
    asked_for_unofficial_payment {bool},
    flagged {bool} NOT NULL,
    dossier_timeliness TEXT CHECK (dossier_timeliness IN ('early', 'on_time', 'late', 'in_time', 'overdue')),
    comment TEXT,
    comment_status TEXT CHECK (comment_status IN ('pending', 'approved', 'rejected')),
    moderation_unit_id {uuid} REFERENCES units (id),
    moderation_due_at {ts},
    moderated_by {uuid} REFERENCES users (id),
    moderated_at {ts},
    rejection_reason TEXT CHECK (rejection_reason IN ('personal_data', 'offensive', 'off_topic', 'spam', 'other')),
    rated_at {ts} NOT NULL,
    CHECK ((dossier_id IS NULL) <> (ticket_id IS NULL)),
    CHECK ((comment IS NULL) = (comment_status IS NULL)),
    CHECK ((comment IS NULL) = (moderation_unit_id IS NULL)),
    CHECK ((comment IS NULL) = (moderation_due_at IS NULL)),
    CHECK ((comment_status IN ('approved', 'rejected')) = (moderated_at IS NOT NULL)),
    CHECK ((moderated_at IS NULL) = (moderated_by IS NULL)),
    CHECK ((comment_status = 'rejected') = (rejection_reason IS NOT NULL))
);
CREATE UNIQUE INDEX ratings_dossier ON ratings (dossier_id) WHERE dossier_id IS NOT NULL;
CREATE UNIQUE INDEX ratings_ticket ON ratings (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX ratings_unit_rated ON ratings (unit_id, rated_at);
CREATE INDEX ratings_officer_rated ON ratings (officer_id, rated_at);
CREATE INDEX ratings_moderation ON ratings (moderation_unit_id, comment_status, moderation_due_at);

-- No foreign key: SQLite cannot drop a column that has one, and ratings are never deleted.
ALTER TABLE notifications ADD COLUMN rating_id {uuid}
"#;

// Nobody edits or deletes what a citizen said: the database refuses it, whatever the code does.
// Only the comment's moderation may change, and a comment only by being masked before it is
// stored (so never afterwards).
const SQLITE_FIXED: &str = r#"
CREATE TRIGGER ratings_fixed BEFORE UPDATE OF id, unit_id, officer_id, citizen_id, dossier_id, ticket_id,
    channel, level, guidance_clear, trips_to_complete, asked_for_documents_not_listed,
    asked_for_unofficial_payment, flagged, dossier_timeliness, comment, rated_at ON ratings
BEGIN SELECT RAISE(ABORT, 'ratings are never edited'); END;
CREATE TRIGGER ratings_kept BEFORE DELETE ON ratings
BEGIN SELECT RAISE(ABORT, 'ratings are never deleted'); END;
"#;

const POSTGRES_FIXED: &str = r#"
CREATE FUNCTION ratings_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'ratings are never deleted';
    END IF;
    IF (NEW.id, NEW.unit_id, NEW.officer_id, NEW.citizen_id, NEW.dossier_id, NEW.ticket_id, NEW.channel,
        NEW.level, NEW.guidance_clear, NEW.trips_to_complete, NEW.asked_for_documents_not_listed,
        NEW.asked_for_unofficial_payment, NEW.flagged, NEW.dossier_timeliness, NEW.comment, NEW.rated_at)
       IS DISTINCT FROM
       (OLD.id, OLD.unit_id, OLD.officer_id, OLD.citizen_id, OLD.dossier_id, OLD.ticket_id, OLD.channel,
        OLD.level, OLD.guidance_clear, OLD.trips_to_complete, OLD.asked_for_documents_not_listed,
        OLD.asked_for_unofficial_payment, OLD.flagged, OLD.dossier_timeliness, OLD.comment, OLD.rated_at) THEN
        RAISE EXCEPTION 'ratings are never edited';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ratings_fixed BEFORE UPDATE OR DELETE ON ratings FOR EACH ROW EXECUTE FUNCTION ratings_fixed();
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every engine (see [`crate::ATOMIC`]).
    fn use_transaction(&self) -> Option<bool> {
        crate::ATOMIC
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, UP).await?;
        let fixed = match manager.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_FIXED,
            _ => SQLITE_FIXED,
        };
        manager.get_connection().execute_unprepared(fixed).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE notifications DROP COLUMN rating_id").await?;
        drop_tables(manager, &["ratings", "feedback_settings"]).await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS ratings_fixed()").await?;
        }
        Ok(())
    }
}
