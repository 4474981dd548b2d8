//! The bodies of the phone and password-reset operations.

use poem_openapi::Object;

use crate::{
    domain::account::PhoneNumber,
    input::{Line, NewPassword},
};

/// The code sent by SMS.
#[derive(Debug, Object)]
#[oai(example)]
pub struct VerifyPhoneRequest {
    /// The 6 digits of the SMS.
    pub code: Line<1, 16>,
}

/// The phone of the account whose password is forgotten.
#[derive(Debug, Object)]
#[oai(example)]
pub struct PasswordResetRequest {
    /// The account's mobile number, in any accepted form.
    pub phone: PhoneNumber,
}

/// A new password, with the code that allows it.
#[derive(Debug, Object)]
#[oai(example)]
pub struct PasswordResetConfirmRequest {
    /// The account's mobile number, in any accepted form.
    pub phone: PhoneNumber,
    /// The 6 digits of the SMS from `POST /auth/password-reset`.
    pub code: Line<1, 16>,
    /// The new password: 10–128 characters, not a commonly used one.
    pub new_password: NewPassword,
}

impl poem_openapi::types::Example for VerifyPhoneRequest {
    fn example() -> Self {
        VerifyPhoneRequest { code: "482913".into() }
    }
}

impl poem_openapi::types::Example for PasswordResetRequest {
    fn example() -> Self {
        PasswordResetRequest { phone: PhoneNumber::parse("0912 345 678").expect("a valid number") }
    }
}

impl poem_openapi::types::Example for PasswordResetConfirmRequest {
    fn example() -> Self {
        PasswordResetConfirmRequest {
            phone: PhoneNumber::parse("0912 345 678").expect("a valid number"),
            code: "482913".into(),
            new_password: NewPassword::from_stored("sông Hồng đỏ nặng phù sa".into()),
        }
    }
}
