use sea_orm_migration::prelude::*;

use crate::run_ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

// One-time codes sent by SMS (`api::otp`): at most one live code per (phone, purpose), which the
// primary key makes hold across processes (a new code replaces the row). Only the code's keyed
// hash is kept. `failed_tries` counts wrong tries in the database, so a guesser gains nothing
// by spreading them over processes; `used_at` makes a code single use and keeps the row, so the
// wait before the next code still applies.
const UP: &str = r#"
CREATE TABLE one_time_codes (
    phone TEXT NOT NULL,
    purpose TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    issued_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    failed_tries INTEGER NOT NULL DEFAULT 0,
    used_at {ts},
    PRIMARY KEY (phone, purpose)
);
CREATE INDEX one_time_codes_expires_at ON one_time_codes (expires_at)
"#;

const DOWN: &str = r#"
DROP TABLE one_time_codes
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
