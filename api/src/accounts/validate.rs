//! Turning raw request fields into the domain's newtypes, with bilingual field errors.

use crate::{
    domain::account::{FullName, PasswordProblem, PhoneNumber, check_password},
    error::FieldError,
};

pub fn phone(field: &str, input: &str, errors: &mut Vec<FieldError>) -> Option<PhoneNumber> {
    let parsed = PhoneNumber::parse(input);
    if parsed.is_none() {
        errors.push(FieldError::new(
            field,
            "Số điện thoại di động Việt Nam không hợp lệ (ví dụ 0912345678 hoặc +84912345678).",
            "Not a valid Vietnamese mobile number (e.g. 0912345678 or +84912345678).",
        ));
    }
    parsed
}

pub fn full_name(field: &str, input: &str, errors: &mut Vec<FieldError>) -> Option<FullName> {
    let parsed = FullName::parse(input);
    if parsed.is_none() {
        errors.push(FieldError::new(
            field,
            "Họ tên phải có 1–100 ký tự, gồm chữ cái, khoảng trắng và các dấu ' - .",
            "The full name must be 1–100 characters of letters, spaces and ' - .",
        ));
    }
    parsed
}

/// The fields of every new account, checked as registration checks them: `Some` when all
/// three are valid, otherwise the problems are in `errors`.
pub fn new_account(
    phone_input: &str,
    full_name_input: &str,
    password: &str,
    errors: &mut Vec<FieldError>,
) -> Option<(PhoneNumber, FullName)> {
    let before = errors.len();
    let phone = phone("phone", phone_input, errors);
    let name = full_name("full_name", full_name_input, errors);
    new_password("password", password, errors);
    match (phone, name) {
        (Some(phone), Some(name)) if errors.len() == before => Some((phone, name)),
        _ => None,
    }
}

pub fn new_password(field: &str, input: &str, errors: &mut Vec<FieldError>) {
    let (vi, en) = match check_password(input) {
        Ok(()) => return,
        Err(PasswordProblem::TooShort) => {
            ("Mật khẩu phải có ít nhất 10 ký tự.", "The password needs at least 10 characters.")
        }
        Err(PasswordProblem::TooLong) => {
            ("Mật khẩu không được dài quá 128 ký tự.", "The password may have at most 128 characters.")
        }
        Err(PasswordProblem::TooCommon) => (
            "Mật khẩu này quá phổ biến, hãy chọn mật khẩu khác.",
            "This password is too common; choose another.",
        ),
    };
    errors.push(FieldError::new(field, vi, en));
}
