//! Domain values read straight from a JSON string by their own parsers: phone numbers, unit
//! codes, full names. Each is described in the spec by a pattern that says the same, and a
//! test checks that the two agree.

use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON};
use serde_json::Value;

use crate::domain::{
    account::{FULL_NAME_MAX_CHARS, FULL_NAME_PATTERN, FullName, PhoneNumber},
    unit::{UNIT_CODE_MAX_CHARS, UnitCode},
};

/// A separator a phone number may be written with: space, dot, dash, parentheses.
macro_rules! phone_separator {
    () => {
        "[ .()-]*"
    };
}

/// A Vietnamese mobile number as [`PhoneNumber::parse`] reads it, as a pattern for the spec
/// (a unit test checks the two agree).
pub const PHONE_PATTERN: &str = concat!(
    "^",
    phone_separator!(),
    r"(\+",
    phone_separator!(),
    "8",
    phone_separator!(),
    "4|8",
    phone_separator!(),
    "4|0)",
    phone_separator!(),
    "[35789](",
    phone_separator!(),
    "[0-9]){8}",
    phone_separator!(),
    "$"
);

/// The longest phone number, separators included, that the API reads.
pub const PHONE_MAX_CHARS: usize = 32;

/// A unit code as [`UnitCode::parse`] reads it.
pub const UNIT_CODE_PATTERN: &str = "^[A-Za-z0-9._-]+$";

/// A domain value read straight from a JSON string by its own parser, described in the spec
/// by a pattern that says the same (each has a test that the two agree).
macro_rules! parsed_string {
    ($ty:ty, $pattern:expr, $min:expr, $max:expr) => {
        super::string_type!([] $ty, super::string_schema($min, $max, Some($pattern), None));

        impl ParseFromJSON for $ty {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                match value {
                    Some(Value::String(raw)) if raw.chars().count() <= $max => {
                        <$ty>::parse(&raw).ok_or_else(|| ParseError::custom("pattern"))
                    }
                    Some(Value::String(_)) => Err(ParseError::custom("length")),
                    other => Err(ParseError::expected_type(other.unwrap_or_default())),
                }
            }
        }

        impl ToJSON for $ty {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.as_str().to_owned()))
            }
        }
    };
}

/// An app's push registration token (FCM's are about 160 characters; 4096 leaves room).
pub const DEVICE_TOKEN_PATTERN: &str = "^[!-~]+$";
const DEVICE_TOKEN_MAX_CHARS: usize = 4096;

/// A device's push registration token: printable ASCII, no spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceToken(String);

impl DeviceToken {
    pub fn parse(raw: &str) -> Option<DeviceToken> {
        let printable = !raw.is_empty() && raw.bytes().all(|b| (b'!'..=b'~').contains(&b));
        printable.then(|| DeviceToken(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

parsed_string!(PhoneNumber, PHONE_PATTERN, 10, PHONE_MAX_CHARS);
parsed_string!(DeviceToken, DEVICE_TOKEN_PATTERN, 1, DEVICE_TOKEN_MAX_CHARS);
parsed_string!(UnitCode, UNIT_CODE_PATTERN, 1, UNIT_CODE_MAX_CHARS);
parsed_string!(FullName, FULL_NAME_PATTERN, 1, FULL_NAME_MAX_CHARS);

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use regex::Regex;

    use super::*;

    fn agree(raw: &str) {
        let pattern = Regex::new(PHONE_PATTERN).unwrap();
        let by_pattern = raw.chars().count() <= PHONE_MAX_CHARS && pattern.is_match(raw);
        let by_parser = PhoneNumber::parse_from_json(Some(Value::String(raw.into()))).is_ok();
        assert_eq!(by_pattern, by_parser, "{raw:?}");
    }

    #[test]
    fn the_phone_pattern_reads_numbers_as_the_parser_does() {
        for raw in [
            "0912345678",
            "+84 91-234-5678",
            "84912345678",
            "(091) 234.5678",
            "0212345678",
            "849123456789",
            "+840912345678",
            "091234567",
            "",
        ] {
            agree(raw);
        }
    }

    proptest! {
        #[test]
        fn the_device_token_pattern_and_the_parser_agree(raw in "[ -~\u{80}\u{e9}\t]{0,8}") {
            let by_pattern = Regex::new(DEVICE_TOKEN_PATTERN).unwrap().is_match(&raw);
            prop_assert_eq!(by_pattern, DeviceToken::parse_from_json(Some(Value::String(raw.clone()))).is_ok());
        }

        #[test]
        fn the_phone_pattern_and_the_parser_agree(raw in "[+0-9 .()-]{0,16}") {
            agree(&raw);
        }

        #[test]
        fn the_full_name_pattern_and_the_parser_agree(raw in "[a-zA-Z ấầẫậăắÀ-ÿ'.\\-\u{0301}\u{0302}\t0-9\u{4E00}]{0,12}") {
            let pattern = Regex::new(FULL_NAME_PATTERN).unwrap();
            let by_pattern = pattern.is_match(&raw);
            prop_assert_eq!(by_pattern, FullName::parse_from_json(Some(Value::String(raw.clone()))).is_ok());
        }

        #[test]
        fn the_unit_code_pattern_and_the_parser_agree(raw in "[A-Za-z0-9._ /à-]{0,42}") {
            let pattern = Regex::new(UNIT_CODE_PATTERN).unwrap();
            let by_pattern = (1..=UNIT_CODE_MAX_CHARS).contains(&raw.chars().count()) && pattern.is_match(&raw);
            prop_assert_eq!(by_pattern, UnitCode::parse_from_json(Some(Value::String(raw.clone()))).is_ok());
        }
    }
}
