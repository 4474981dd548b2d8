use sea_orm_migration::prelude::*;

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Unique constraints a request can break are named (as PostgreSQL would name them), and
// `api::problems` maps each name onto the problem it means.
const UP: &str = r#"
CREATE TABLE units (
    id {uuid} PRIMARY KEY,
    code TEXT NOT NULL CONSTRAINT units_code_key UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind TEXT NOT NULL CHECK (kind IN ('province', 'town', 'district', 'ward', 'commune', 'department', 'one_stop_desk')),
    parent_id {uuid} REFERENCES units (id),
    address TEXT,
    active {bool} NOT NULL DEFAULT TRUE,
    time_zone TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    opening_hours TEXT NOT NULL DEFAULT '',
    intake_cutoff TEXT NOT NULL DEFAULT '15:00',
    counters INTEGER NOT NULL DEFAULT 3 CHECK (counters BETWEEN 1 AND 200),
    slot_minutes INTEGER NOT NULL DEFAULT 15 CHECK (slot_minutes BETWEEN 5 AND 240),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE users (
    id {uuid} PRIMARY KEY,
    phone TEXT NOT NULL CONSTRAINT users_phone_key UNIQUE,
    full_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('citizen', 'officer', 'supervisor', 'admin')),
    unit_id {uuid} REFERENCES units (id),
    active {bool} NOT NULL DEFAULT TRUE,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CHECK ((role IN ('officer', 'supervisor')) = (unit_id IS NOT NULL))
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE refresh_tokens (
    id {uuid} PRIMARY KEY,
    user_id {uuid} NOT NULL REFERENCES users (id),
    family_id {uuid} NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    spent_at {ts},
    revoked_at {ts}
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE throttle_hits (
    id {serial_pk},
    bucket TEXT NOT NULL,
    at {ts} NOT NULL
);
CREATE INDEX throttle_hits_bucket_at ON throttle_hits (bucket, at);

CREATE TABLE audit_log (
    id {uuid} PRIMARY KEY,
    actor_id {uuid} REFERENCES users (id),
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    unit_id {uuid} REFERENCES units (id),
    before_state TEXT,
    after_state TEXT,
    at {ts} NOT NULL,
    request_id TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id)
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
        drop_tables(manager, &["audit_log", "throttle_hits", "refresh_tokens", "users", "units"]).await
    }
}
