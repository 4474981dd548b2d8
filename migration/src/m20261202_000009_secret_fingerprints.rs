use sea_orm_migration::prelude::*;

use crate::run_ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

// The fingerprint of each server secret the data depends on (an HMAC of a fixed text under the
// secret: it tells whether a secret is the same, and nothing of what it is). `serve` refuses
// a secret whose fingerprint differs, so a lost or replaced secrets file cannot silently make
// every printed lookup secret useless.
const UP: &str = "CREATE TABLE secret_fingerprints (
        name TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
        recorded_at {ts} NOT NULL
    )";

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
        crate::drop_tables(manager, &["secret_fingerprints"]).await
    }
}
