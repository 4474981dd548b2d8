//! Which account an identity the provider vouched for signs in to.
//!
//! 1. The account linked to the provider's subject (`users.oidc_subject`: set by an
//!    administrator for staff, or by an earlier login).
//! 2. Else, when the provider asserts a verified phone (`phone_number` with
//!    `phone_number_verified: true`), the account of that phone, staff or citizen, if it is
//!    linked to no other subject: it is linked now, and its phone counts as verified (an
//!    account whose phone was never verified loses the password and sessions its unproven
//!    registrant had).
//! 3. Else, with a verified phone and no account on it, a new citizen account: the phone
//!    verified, the name from the token's `name`, and no password (`!` matches none; the
//!    citizen can set one with a reset code).
//!
//! Anything else (no subject match and no verified phone, or a phone whose account is linked
//! to another subject) is no account.

use chrono::{DateTime, Utc};
use entity::values::SessionEnd;
use sea_orm::ConnectionTrait;

use super::store;
use crate::{
    accounts::store::{NewUser, insert_user, set_password_hash, user_by_id, user_by_phone},
    auth::Role,
    domain::account::{FullName, PhoneNumber},
    error::ApiResult,
};

/// A password hash no password matches: accounts made by single sign-on have none until set.
const NO_PASSWORD: &str = "!";

/// The name a new account gets when the provider sends no usable one.
const DEFAULT_NAME: &str = "Công dân";

/// Who the provider says the user is.
#[derive(Debug)]
pub struct Identity {
    pub subject: String,
    /// The phone, when the provider asserts it verified and it is a Vietnamese mobile number.
    pub verified_phone: Option<PhoneNumber>,
    pub name: Option<String>,
}

/// How the account was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Linked {
    /// By the subject linked before.
    Subject,
    /// By the verified phone, linked now.
    Phone,
    /// A citizen account made now.
    Created,
}

/// The account `identity` signs in to (see the module's rules), `None` when there is none.
pub async fn account(
    db: &impl ConnectionTrait,
    identity: &Identity,
    now: DateTime<Utc>,
) -> ApiResult<Option<(entity::user::Model, Linked)>> {
    if let Some(user) = store::user_by_subject(db, &identity.subject).await? {
        return Ok(Some((user, Linked::Subject)));
    }
    let Some(phone) = &identity.verified_phone else { return Ok(None) };
    if let Some(user) = user_by_phone(db, phone.as_str()).await? {
        if user.oidc_subject.is_some() || !store::link(db, user.id, &identity.subject, now).await? {
            return Ok(None);
        }
        if user.phone_verified_at.is_none() {
            // Whoever registered this phone never proved it was theirs; the provider says it is
            // this person's. The unproven password and its sessions go (every process refuses
            // their tokens within the revocation cache's time).
            set_password_hash(db, user.id, NO_PASSWORD.into(), now).await?;
            let everyone = crate::sessions::Which::AllOf(user.id);
            crate::sessions::store::revoke(db, everyone, SessionEnd::PasswordReset, now).await?;
        }
        return Ok(user_by_id(db, user.id).await?.map(|user| (user, Linked::Phone)));
    }
    let name = identity.name.as_deref().and_then(FullName::parse);
    let new = NewUser {
        phone: phone.as_str(),
        full_name: name.as_ref().map_or(DEFAULT_NAME, |n| n.as_str()),
        password_hash: NO_PASSWORD.into(),
        role: Role::Citizen,
        unit_id: None,
        phone_verified: true,
    };
    let user = insert_user(db, new, now).await?;
    store::link(db, user.id, &identity.subject, now).await?;
    Ok(user_by_id(db, user.id).await?.map(|user| (user, Linked::Created)))
}
