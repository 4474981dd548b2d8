use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::{
    auth::Role,
    domain::account::{FullName, PhoneNumber},
    error::ApiError,
    input::{Line, NewPassword, Secret},
};

/// The role of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RoleName {
    Citizen,
    Officer,
    Supervisor,
    Admin,
}

impl From<Role> for RoleName {
    fn from(role: Role) -> Self {
        match role {
            Role::Citizen => RoleName::Citizen,
            Role::Officer => RoleName::Officer,
            Role::Supervisor => RoleName::Supervisor,
            Role::Admin => RoleName::Admin,
        }
    }
}

impl From<RoleName> for Role {
    fn from(role: RoleName) -> Self {
        match role {
            RoleName::Citizen => Role::Citizen,
            RoleName::Officer => Role::Officer,
            RoleName::Supervisor => Role::Supervisor,
            RoleName::Admin => Role::Admin,
        }
    }
}

/// A citizen signing up.
#[derive(Debug, Object)]
#[oai(example)]
pub struct RegisterRequest {
    /// A Vietnamese mobile number: `0912345678`, `+84912345678` or `84912345678`, spaces and dots allowed.
    pub phone: PhoneNumber,
    /// 10–128 characters, not a commonly used password.
    pub password: NewPassword,
    /// Full name, 1–100 characters: letters, spaces and `'`, `-`, `.`.
    pub full_name: FullName,
}

impl poem_openapi::types::Example for RegisterRequest {
    fn example() -> Self {
        RegisterRequest {
            phone: PhoneNumber::parse("0912 345 678").expect("a valid number"),
            password: NewPassword::from_stored("lúa chín vàng đồng".into()),
            full_name: FullName::parse("Nguyễn Văn An").expect("a valid name"),
        }
    }
}

/// Credentials for a login.
#[derive(Debug, Object)]
pub struct LoginRequest {
    /// The account's mobile number, in any accepted form.
    pub phone: Line<1, 32>,
    /// The password.
    pub password: Secret<1, 1024>,
}

/// A refresh token, to rotate or revoke.
#[derive(Debug, Object)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: Secret<1, 512>,
}

/// A new session's tokens.
#[derive(Debug, Object)]
pub struct TokenPair {
    /// A short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// An opaque token for `POST /auth/refresh`; it can be used once.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// An account as its owner (or an administrator) sees it.
#[derive(Debug, Object)]
pub struct UserProfile {
    /// The account id.
    pub id: Uuid,
    /// Mobile number in `+84…` form.
    pub phone: String,
    /// Full name.
    pub full_name: String,
    /// The account's role.
    pub role: RoleName,
    /// The unit of an officer or supervisor.
    #[oai(nullable)]
    pub unit_code: Option<String>,
    /// False once deactivated: a deactivated account cannot log in or use its tokens.
    pub active: bool,
}

impl UserProfile {
    /// The profile of a stored account, given the code of its unit (if it has one).
    pub fn from_user(user: entity::user::Model, unit_code: Option<String>) -> Result<UserProfile, ApiError> {
        let role = Role::parse(&user.role).ok_or_else(|| ApiError::internal("unknown role in database"))?;
        Ok(UserProfile {
            id: user.id,
            phone: user.phone,
            full_name: user.full_name,
            role: role.into(),
            unit_code,
            active: user.active,
        })
    }
}

/// Changes to one's own profile.
#[derive(Debug, Object)]
pub struct UpdateProfileRequest {
    /// New full name, 1–100 characters.
    pub full_name: Option<FullName>,
}

/// A password change.
#[derive(Debug, Object)]
pub struct ChangePasswordRequest {
    /// The current password.
    pub current_password: Secret<1, 1024>,
    /// The new password: 10–128 characters, not a commonly used one.
    pub new_password: NewPassword,
}
