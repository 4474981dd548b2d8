//! Account input rules: Vietnamese mobile numbers, names, passwords. Parsed once at the edge
//! (newtypes hold only valid values).

use std::{collections::HashSet, sync::LazyLock};

/// A Vietnamese mobile number in `+84` form, e.g. `+84912345678`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts `0912345678`, `+84912345678`, `84912345678`, with spaces, dots or dashes.
    /// Mobile numbers have 9 digits after the country code and start with 3, 5, 7, 8 or 9.
    pub fn parse(input: &str) -> Option<PhoneNumber> {
        let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
        let national = if let Some(rest) = compact.strip_prefix("+84") {
            rest
        } else if let Some(rest) = compact.strip_prefix("84").filter(|r| r.len() == 9) {
            rest
        } else {
            compact.strip_prefix('0')?
        };
        let valid = national.len() == 9
            && national.bytes().all(|b| b.is_ascii_digit())
            && matches!(national.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9');
        valid.then(|| PhoneNumber(format!("+84{national}")))
    }

    /// A number read back from the database, stored in `+84` form when it was written.
    pub fn from_stored(stored: String) -> PhoneNumber {
        PhoneNumber(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A full name as typed: Latin letters, Vietnamese ones included, precomposed or followed by
/// combining marks (a keyboard may send either), spaces and `'`, `-`, `.`; at least one letter.
/// Written with `\uXXXX` escapes only, so ECMA-262 (the spec), Python and Rust read it alike.
pub const FULL_NAME_PATTERN: &str = concat!(
    r"^[ '.\-]*[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF]",
    r"[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF\u0300-\u036F '.\-]*$"
);

pub const FULL_NAME_MAX_CHARS: usize = 100;

static FULL_NAME: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(FULL_NAME_PATTERN).expect("FULL_NAME_PATTERN compiles"));

impl std::ops::Deref for FullName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// A person's full name: at most 100 characters as typed, matching [`FULL_NAME_PATTERN`],
/// kept NFC-normalised with runs of spaces collapsed and none around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullName(String);

impl FullName {
    pub fn parse(input: &str) -> Option<FullName> {
        use unicode_normalization::UnicodeNormalization;

        let valid = input.chars().count() <= FULL_NAME_MAX_CHARS && FULL_NAME.is_match(input);
        valid.then(|| {
            FullName(
                input
                    .nfc()
                    .collect::<String>()
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })
    }

    /// A name read back from the database, which was parsed when it was written.
    pub fn from_stored(stored: String) -> FullName {
        FullName(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

static COMMON_PASSWORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// The passwords refused as too common, in lower case (they are compared case-insensitively).
pub fn common_passwords() -> impl Iterator<Item = &'static str> {
    COMMON_PASSWORDS.iter().map(String::as_str)
}

/// Why a password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    TooCommon,
}

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Checks a new password: 10–128 characters and not in the shipped list of common ones.
pub fn check_password(password: &str) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        Err(PasswordProblem::TooShort)
    } else if length > PASSWORD_MAX_CHARS {
        Err(PasswordProblem::TooLong)
    } else if COMMON_PASSWORDS.contains(&password.to_lowercase()) || one_character_repeated(password) {
        Err(PasswordProblem::TooCommon)
    } else {
        Ok(())
    }
}

/// `aaaaaaaaaa`, `0000000000`: long enough, and the first thing a guesser tries after the list.
fn one_character_repeated(password: &str) -> bool {
    let mut chars = password.chars();
    chars.next().is_some_and(|first| chars.all(|c| c == first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_in_every_accepted_form_become_plus_84() {
        for input in
            ["0912345678", "+84912345678", "84912345678", "0912 345 678", "091.234.5678", "+84 91-234-5678"]
        {
            assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), "+84912345678", "{input}");
        }
        assert_eq!(PhoneNumber::parse("0387654321").unwrap().as_str(), "+84387654321");
    }

    #[test]
    fn other_numbers_are_refused() {
        for input in [
            "",
            "091234567",
            "09123456789",
            "0212345678",
            "+1912345678",
            "abc",
            "+8491234567x",
            "849123456789",
        ] {
            assert_eq!(PhoneNumber::parse(input), None, "{input}");
        }
    }

    #[test]
    fn names_are_trimmed_and_allow_vietnamese_letters() {
        assert_eq!(FullName::parse("  Nguyễn   Văn An ").unwrap().as_str(), "Nguyễn Văn An");
        assert_eq!(
            FullName::parse("Nguye\u{0302}\u{0303}n A\u{0302}\u{0301}n").unwrap().as_str(),
            "Nguyễn Ấn"
        );
        assert!(FullName::parse("Nguyễn\tAn").is_none());
        assert!(FullName::parse("An 2").is_none());
        assert!(FullName::parse("Đỗ Thị Ánh-Tuyết").is_some());
        assert!(FullName::parse("").is_none());
        assert!(FullName::parse("   ").is_none());
        assert!(FullName::parse("Robert'); DROP TABLE").is_none());
        assert!(FullName::parse(&"a".repeat(101)).is_none());
    }

    #[test]
    fn passwords_need_length_and_must_not_be_common() {
        assert_eq!(check_password("short"), Err(PasswordProblem::TooShort));
        assert_eq!(check_password(&"x".repeat(129)), Err(PasswordProblem::TooLong));
        assert_eq!(check_password("MatKhau123"), Err(PasswordProblem::TooCommon));
        assert_eq!(check_password("lúa chín vàng đồng"), Ok(()));
        assert_eq!(check_password("aaaaaaaaaa"), Err(PasswordProblem::TooCommon));
        assert_eq!(check_password("0000000000"), Err(PasswordProblem::TooCommon));
        assert_eq!(check_password("12345678"), Err(PasswordProblem::TooShort));
        assert_eq!(check_password("1234567890"), Err(PasswordProblem::TooCommon));
    }
}
