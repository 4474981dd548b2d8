//! `DELETE /me`: a citizen erases their account.
//!
//! The account's row stays, anonymised, because official records of the units point to it and
//! keep pointing to it: ratings (which are never edited: a trigger guards them), complaints,
//! appointments, and letters (issued documents, immutable, addressed by name as they were
//! sent). What is personal goes: the name, the phone (replaced by a placeholder that no login
//! matches, so the number can register again), the password, the single sign-on subject, the
//! inbox, every session. Dossiers are unlinked: they stay the unit's records with the applicant
//! data they were filed with.

use chrono::{DateTime, Utc};
use entity::{
    dossier, notification, user,
    values::{AuditAction, Role, SessionEnd},
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use uuid::Uuid;

use crate::{
    accounts::store::user_by_id,
    auth::Caller,
    db::write_transaction,
    error::{ApiError, ApiResult},
    problems,
    security::{self, Origin},
    sessions::{self, Which},
    state::AppState,
};

/// The name an erased account is shown under.
pub const ERASED_NAME: &str = "Tài khoản đã xoá";

/// A password hash no password verifies against.
const NO_PASSWORD: &str = "!";

/// The phone an erased account keeps: unique, and never a phone number, so no login finds it.
fn placeholder_phone(id: Uuid) -> String {
    format!("deleted:{id}")
}

async fn anonymise(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::FullName, Expr::value(ERASED_NAME))
        .col_expr(user::Column::Phone, Expr::value(placeholder_phone(id)))
        .col_expr(user::Column::PasswordHash, Expr::value(NO_PASSWORD))
        .col_expr(user::Column::Active, Expr::value(false))
        .col_expr(user::Column::LettersOptOut, Expr::value(true))
        .col_expr(user::Column::PhoneVerifiedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(user::Column::MustChangePassword, Expr::value(false))
        .col_expr(user::Column::OidcSubject, Expr::value(Option::<String>::None))
        .col_expr(user::Column::DeletedAt, Expr::value(now))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The caller erases their own account, confirmed by its password: citizens only (staff are
/// deactivated by their administrators: 403 `staff_account`).
pub async fn erase_own(state: &AppState, origin: &Origin, caller: &Caller, password: &str) -> ApiResult<()> {
    let user = user_by_id(&state.db, caller.id).await?.ok_or_else(ApiError::unauthenticated)?;
    if user.role != Role::Citizen {
        return Err(ApiError::of(&problems::STAFF_ACCOUNT));
    }
    if !state.keys.passwords.verify(password, Some(&user.password_hash)).await? {
        return Err(ApiError::invalid_field("password", "Mật khẩu không đúng.", "The password is wrong."));
    }
    erase(state, origin, user.id).await
}

/// Erases the account `id`, in one transaction; its ended sessions are noted for this process
/// once it committed.
async fn erase(state: &AppState, origin: &Origin, id: Uuid) -> ApiResult<()> {
    let now = state.clock.now();
    let ended = write_transaction(&state.writer, async |tx| {
        let unlinked = dossier::Entity::update_many()
            .col_expr(dossier::Column::CitizenId, Expr::value(Option::<Uuid>::None))
            .filter(dossier::Column::CitizenId.eq(id))
            .exec(tx)
            .await?
            .rows_affected;
        notification::Entity::delete_many().filter(notification::Column::UserId.eq(id)).exec(tx).await?;
        anonymise(tx, id, now).await?;
        let ended =
            sessions::end(tx, state, origin, Some(id), Which::AllOf(id), SessionEnd::AccountDeleted).await?;
        let detail = json!({ "dossiers_unlinked": unlinked, "sessions_ended": ended.len() });
        security::record(tx, origin, now, AuditAction::AccountDelete, Some(id), id.to_string(), detail)
            .await?;
        Ok::<_, ApiError>(ended)
    })
    .await?;
    state.revoked_sessions.note(&ended);
    Ok(())
}
