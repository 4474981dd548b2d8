use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// How many seats each slot has taken, kept by the database itself: triggers on
// `appointment_seats` count every seat taken and let go, in the same transaction, on every
// engine and in every process. The slots listing reads one row a slot instead of every seat
// of the day, and booking numbers the next seat from the count. A seat never moves to another
// slot (a move takes a new seat and lets the old one go), so inserts and deletes are all there
// is to count.
const TABLE: &str = "
CREATE TABLE appointment_slot_counts (
    unit_id {uuid} NOT NULL REFERENCES units (id),
    starts_at {ts} NOT NULL,
    taken INTEGER NOT NULL CHECK (taken >= 0),
    CONSTRAINT appointment_slot_counts_pkey PRIMARY KEY (unit_id, starts_at)
);
INSERT INTO appointment_slot_counts (unit_id, starts_at, taken)
SELECT unit_id, starts_at, COUNT(*) FROM appointment_seats GROUP BY unit_id, starts_at
";

// Each trigger is one statement with `;` inside, so these are run whole, not split.
const SQLITE_TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER appointment_seat_taken AFTER INSERT ON appointment_seats BEGIN
        INSERT INTO appointment_slot_counts (unit_id, starts_at, taken)
        VALUES (NEW.unit_id, NEW.starts_at, 1)
        ON CONFLICT (unit_id, starts_at) DO UPDATE SET taken = taken + 1;
    END",
    "CREATE TRIGGER appointment_seat_freed AFTER DELETE ON appointment_seats BEGIN
        UPDATE appointment_slot_counts SET taken = taken - 1
        WHERE unit_id = OLD.unit_id AND starts_at = OLD.starts_at;
    END",
];

const POSTGRES_TRIGGERS: [&str; 3] = [
    "CREATE FUNCTION count_appointment_seats() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO appointment_slot_counts (unit_id, starts_at, taken)
            VALUES (NEW.unit_id, NEW.starts_at, 1)
            ON CONFLICT (unit_id, starts_at) DO UPDATE SET taken = appointment_slot_counts.taken + 1;
        ELSE
            UPDATE appointment_slot_counts SET taken = taken - 1
            WHERE unit_id = OLD.unit_id AND starts_at = OLD.starts_at;
        END IF;
        RETURN NULL;
    END $$",
    "CREATE TRIGGER appointment_seat_taken AFTER INSERT ON appointment_seats
        FOR EACH ROW EXECUTE FUNCTION count_appointment_seats()",
    "CREATE TRIGGER appointment_seat_freed AFTER DELETE ON appointment_seats
        FOR EACH ROW EXECUTE FUNCTION count_appointment_seats()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every engine (see [`crate::ATOMIC`]).
    fn use_transaction(&self) -> Option<bool> {
        crate::ATOMIC
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, TABLE).await?;
        let db = manager.get_connection();
        let triggers: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Postgres => &POSTGRES_TRIGGERS,
            _ => &SQLITE_TRIGGERS,
        };
        for trigger in triggers {
            db.execute_unprepared(trigger).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for trigger in ["appointment_seat_taken", "appointment_seat_freed"] {
            let on = match manager.get_database_backend() {
                DatabaseBackend::Postgres => " ON appointment_seats",
                _ => "",
            };
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}{on}")).await?;
        }
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS count_appointment_seats()").await?;
        }
        drop_tables(manager, &["appointment_slot_counts"]).await
    }
}
