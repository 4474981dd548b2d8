use sea_orm_migration::prelude::*;

use crate::run_ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

// Single sign-on logins under way: what the callback needs to finish one (the nonce the ID
// token must carry, the PKCE verifier the code is exchanged with). Kept in the database so that
// any server process can finish a login another began. The `state` is stored as a hash (it
// travels in URLs and logs); `used_at` makes each state good for one callback only.
const UP: &str = r#"
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    used_at {ts}
);
CREATE INDEX oidc_logins_expires_at ON oidc_logins (expires_at)
"#;

const DOWN: &str = "DROP TABLE oidc_logins";

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
