//! Temporary passwords: a supervisor or administrator resets a staff password to a random one,
//! which its holder must replace at the next login.

use entity::values::{AuditAction, SessionEnd};
use rand::Rng;
use serde_json::json;

use super::store;
use crate::{
    db::write_transaction,
    error::{ApiError, ApiResult},
    input::NewPassword,
    problems,
    security::{self, Origin},
    state::AppState,
};

/// Letters and digits that cannot be mistaken for one another when read aloud or copied from
/// paper (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
const GROUPS: usize = 4;
const GROUP_CHARS: usize = 5;

/// A fresh temporary password: 4 groups of 5 characters of a 31-character alphabet, about 99
/// bits, e.g. `k3m9p-x7t2a-...`.
pub fn generate() -> String {
    let mut rng = rand::rng();
    let groups: Vec<String> = (0..GROUPS)
        .map(|_| {
            (0..GROUP_CHARS).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
        })
        .collect();
    groups.join("-")
}

/// Called once a login's password verified: a temporary password is refused (403
/// `password_change_required`) unless the login carries its replacement (already checked
/// against the password rules by the login), which must differ from it, and is then stored
/// and recorded. True when the password was replaced.
pub async fn settle_at_login(
    state: &AppState,
    origin: &Origin,
    user: &entity::user::Model,
    password: &str,
    new_password: Option<&NewPassword>,
) -> ApiResult<bool> {
    if !user.must_change_password {
        return Ok(false);
    }
    let Some(new_password) = new_password else {
        return Err(ApiError::of(&problems::PASSWORD_CHANGE_REQUIRED));
    };
    if **new_password == *password {
        return Err(ApiError::invalid_field(
            "new_password",
            "Mật khẩu mới phải khác mật khẩu tạm thời.",
            "The new password must differ from the temporary one.",
        ));
    }
    let now = state.clock.now();
    let hash = state.keys.passwords.hash(new_password).await?;
    write_transaction(&state.writer, async |tx| {
        store::set_password_hash(tx, user.id, hash, now).await?;
        security::record(
            tx,
            origin,
            now,
            AuditAction::PasswordChange,
            Some(user.id),
            user.id.to_string(),
            json!({ "replaced_temporary": true }),
        )
        .await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(true)
}

/// Gives the account `target` a temporary password, ends its sessions and records who did it
/// (never the password). `check` decides, on the account as locked inside the transaction,
/// whether the caller may. Answers the password, to be handed to its holder.
pub async fn reset_staff(
    state: &AppState,
    origin: &Origin,
    actor: uuid::Uuid,
    target: uuid::Uuid,
    check: impl FnOnce(&crate::admin::store::StaffRecord) -> ApiResult<()>,
) -> ApiResult<String> {
    let password = generate();
    let hash = state.keys.passwords.hash(&password).await?;
    let now = state.clock.now();
    let ended = write_transaction(&state.writer, async |tx| {
        let record =
            crate::admin::store::staff_for_update(tx, target).await?.ok_or_else(ApiError::not_found)?;
        check(&record)?;
        store::set_temporary_password(tx, target, hash, now).await?;
        let audit = origin.audit(Some(actor), now);
        let detail = json!({ "id": target, "unit_code": record.unit_code });
        let subject = (target.to_string(), record.user.unit_id);
        crate::admin::store::write_audit(tx, &audit, AuditAction::UserPasswordReset, subject, None, detail)
            .await?;
        let all = crate::sessions::Which::AllOf(target);
        crate::sessions::end(tx, state, origin, Some(actor), all, SessionEnd::PasswordReset).await
    })
    .await?;
    state.revoked_sessions.note(&ended);
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_passwords_are_grouped_unambiguous_and_differ() {
        let password = generate();
        assert_eq!(password.len(), GROUPS * GROUP_CHARS + GROUPS - 1);
        assert!(password.split('-').all(|group| group.len() == GROUP_CHARS));
        assert!(password.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)));
        assert!(!password.contains(['0', '1', 'o', 'l', 'i']));
        // Entropy of at least 80 bits.
        assert!((GROUPS * GROUP_CHARS) as f64 * (ALPHABET.len() as f64).log2() >= 80.0);
        assert_ne!(generate(), password);
    }
}
