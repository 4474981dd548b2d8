use sea_orm_migration::prelude::*;

use crate::run_ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

// Identity: a phone is verified by a one-time code, a supervisor's temporary password must be
// changed, an account can be linked to the single sign-on provider's subject and erased.
// Sessions get a row of their own (the refresh-token family's id): the devices a user sees,
// and the revocations every server process checks access tokens against (`revoked_at`,
// indexed, because that check reads the recent revocations). Sessions opened before this
// migration are made from their refresh tokens. Audit entries carry the client's address and
// user agent, for security events.
const UP: &str = r#"
ALTER TABLE users ADD COLUMN phone_verified_at {ts};
ALTER TABLE users ADD COLUMN must_change_password {bool} NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
ALTER TABLE users ADD COLUMN deleted_at {ts};
CREATE UNIQUE INDEX users_oidc_subject ON users (oidc_subject);
CREATE TABLE sessions (
    id {uuid} PRIMARY KEY,
    user_id {uuid} NOT NULL REFERENCES users (id),
    method TEXT NOT NULL,
    created_at {ts} NOT NULL,
    last_used_at {ts} NOT NULL,
    address TEXT,
    user_agent TEXT,
    revoked_at {ts},
    revoked_reason TEXT,
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_revoked_at ON sessions (revoked_at);
INSERT INTO sessions (id, user_id, method, created_at, last_used_at, revoked_at, revoked_reason)
SELECT family_id, user_id, 'password', MIN(created_at), MAX(created_at),
       CASE WHEN COUNT(revoked_at) = COUNT(*) THEN MAX(revoked_at) END,
       CASE WHEN COUNT(revoked_at) = COUNT(*) THEN 'logout' END
FROM refresh_tokens GROUP BY family_id, user_id;
ALTER TABLE audit_log ADD COLUMN address TEXT;
ALTER TABLE audit_log ADD COLUMN user_agent TEXT
"#;

const DOWN: &str = r#"
ALTER TABLE audit_log DROP COLUMN user_agent;
ALTER TABLE audit_log DROP COLUMN address;
DROP TABLE sessions;
DROP INDEX users_oidc_subject;
ALTER TABLE users DROP COLUMN deleted_at;
ALTER TABLE users DROP COLUMN oidc_subject;
ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE users DROP COLUMN phone_verified_at
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
