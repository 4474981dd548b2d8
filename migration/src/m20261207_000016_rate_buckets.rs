use sea_orm_migration::prelude::*;

use crate::run_ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

// Rate limits become token buckets (`api::rate_limit`): one row per bucket, written by one
// atomic upsert per request, so every server process draws on the same tokens. A bucket holds
// `tokens` as they stood at `refilled_at` (epoch milliseconds); what refilled since is computed,
// never stored by a timer. The sliding window's hit log goes: a bucket that refilled stands for
// the hits that fell out of the window.
const UP: &str = r#"
CREATE TABLE rate_buckets (
    bucket TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    refilled_at BIGINT NOT NULL
);
CREATE INDEX rate_buckets_refilled_at ON rate_buckets (refilled_at);
DROP TABLE throttle_hits
"#;

const DOWN: &str = r#"
CREATE TABLE throttle_hits (
    id {serial_pk},
    bucket TEXT NOT NULL,
    at {ts} NOT NULL
);
CREATE INDEX throttle_hits_bucket_at ON throttle_hits (bucket, at);
DROP TABLE rate_buckets
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
