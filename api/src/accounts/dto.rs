use poem_openapi::Object;
use uuid::Uuid;

use crate::{
    auth::Role,
    domain::account::{FullName, PhoneNumber},
    input::{Line, NewPassword, Secret},
};

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
#[oai(example)]
pub struct LoginRequest {
    /// The account's mobile number, in any accepted form.
    pub phone: Line<1, 32>,
    /// The password.
    pub password: Secret<1, 1024>,
    /// The one-time code sent by SMS, when the last answer was 401 `step_up_required`.
    pub otp: Option<Secret<1, 16>>,
}

/// A refresh token, to rotate or revoke.
#[derive(Debug, Object)]
#[oai(example)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: Secret<1, 512>,
}

/// A new session's tokens.
#[derive(Debug, Object)]
#[oai(example)]
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
#[oai(example)]
pub struct UserProfile {
    /// The account id.
    pub id: Uuid,
    /// Mobile number in `+84…` form.
    pub phone: String,
    /// Full name.
    pub full_name: String,
    /// The account's role.
    pub role: Role,
    /// The unit of an officer or supervisor.
    #[oai(nullable)]
    pub unit_code: Option<String>,
    /// False once deactivated: a deactivated account cannot log in or use its tokens.
    pub active: bool,
    /// True once the phone was confirmed with the code sent to it by SMS
    /// (`POST /auth/phone/verify`). Until then a citizen cannot claim dossiers, book or rate.
    pub phone_verified: bool,
    /// The citizen asked for no letters (congratulations, condolences, thanks): none is
    /// issued to them, automatically or by hand.
    pub letters_opt_out: bool,
}

impl UserProfile {
    /// The profile of a stored account, given the code of its unit (if it has one).
    pub fn from_user(user: entity::user::Model, unit_code: Option<String>) -> UserProfile {
        UserProfile {
            id: user.id,
            phone: user.phone,
            full_name: user.full_name,
            role: user.role,
            unit_code,
            active: user.active,
            phone_verified: user.phone_verified_at.is_some(),
            letters_opt_out: user.letters_opt_out,
        }
    }
}

/// Changes to one's own profile.
#[derive(Debug, Object)]
#[oai(example)]
pub struct UpdateProfileRequest {
    /// New full name, 1–100 characters.
    pub full_name: Option<FullName>,
    /// True to receive no letters from units, false to receive them again.
    pub letters_opt_out: Option<bool>,
}

/// A password change.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ChangePasswordRequest {
    /// The current password.
    pub current_password: Secret<1, 1024>,
    /// The new password: 10–128 characters, not a commonly used one.
    pub new_password: NewPassword,
}

impl poem_openapi::types::Example for LoginRequest {
    fn example() -> Self {
        LoginRequest {
            phone: "0912 345 678".into(),
            password: Secret::from_stored("lúa chín vàng đồng".into()),
            otp: None,
        }
    }
}

impl poem_openapi::types::Example for RefreshRequest {
    fn example() -> Self {
        RefreshRequest { refresh_token: Secret::from_stored("rt_6Qm0pXh2Zc9V1sLkE4wYb8TnR3uJ7aGd".into()) }
    }
}

impl poem_openapi::types::Example for TokenPair {
    fn example() -> Self {
        TokenPair {
            access_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMTkyIn0.c2lnbmF0dXJl".into(),
            refresh_token: "rt_6Qm0pXh2Zc9V1sLkE4wYb8TnR3uJ7aGd".into(),
            token_type: "Bearer".into(),
            expires_in: 900,
        }
    }
}

impl poem_openapi::types::Example for UserProfile {
    fn example() -> Self {
        UserProfile {
            id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e005),
            phone: "+84912345678".into(),
            full_name: "Nguyễn Văn An".into(),
            role: Role::Citizen,
            unit_code: None,
            active: true,
            phone_verified: true,
            letters_opt_out: false,
        }
    }
}

impl poem_openapi::types::Example for UpdateProfileRequest {
    fn example() -> Self {
        UpdateProfileRequest { full_name: FullName::parse("Nguyễn Thị An"), letters_opt_out: None }
    }
}

impl poem_openapi::types::Example for ChangePasswordRequest {
    fn example() -> Self {
        ChangePasswordRequest {
            current_password: Secret::from_stored("lúa chín vàng đồng".into()),
            new_password: NewPassword::from_stored("sông Hồng đỏ nặng phù sa".into()),
        }
    }
}
