//! Human text as the API takes it: a JSON string (never a number or a boolean read as one),
//! NFC-normalised, without control or bidi-override characters, not blank, within a length.
//!
//! One declaration, `Line<MIN, MAX>` or `Lines<MIN, MAX>`, gives both the schema in the spec
//! (`minLength`, `maxLength`, `pattern`) and the check the server runs, so the two cannot
//! disagree. Lengths count the characters the client sent, as JSON Schema counts them; the
//! stored text is the trimmed NFC form of it. Keyboards send Vietnamese precomposed (NFC) or
//! decomposed (NFD); after normalisation "Nguyễn" is one string whichever arrived.

use std::{borrow::Cow, sync::LazyLock};

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
};
use regex::Regex;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::domain::{
    account::{
        FULL_NAME_MAX_CHARS, FULL_NAME_PATTERN, FullName, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, PhoneNumber,
    },
    unit::{UNIT_CODE_MAX_CHARS, UnitCode},
};

/// Characters no text field takes: C0 and C1 controls, DEL, and the bidi controls that can
/// make a name display as something else (Trojan Source), besides the line separators. A
/// multi-line field lets tab, line feed and carriage return through.
macro_rules! forbidden {
    (line) => {
        r"\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069"
    };
    (lines) => {
        r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069"
    };
}

/// The text takes no forbidden character and has at least one that shows: not a space of
/// any kind, not zero-width, not a control. Only `\uXXXX` escapes, classes and anchors, the
/// regular-expression subset that ECMA-262 (the spec), Python (fuzzers) and Rust share.
macro_rules! text_pattern {
    ($kind:tt) => {
        concat!(
            "^[^",
            forbidden!($kind),
            r"]*[^\u0000-\u0020\u007F-\u00A0\u00AD\u061C\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F-\u206F\u3000\uFEFF][^",
            forbidden!($kind),
            "]*$"
        )
    };
}

pub const LINE_PATTERN: &str = text_pattern!(line);
pub const LINES_PATTERN: &str = text_pattern!(lines);

static LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(LINE_PATTERN).expect("LINE_PATTERN compiles"));
static LINES: LazyLock<Regex> = LazyLock::new(|| Regex::new(LINES_PATTERN).expect("LINES_PATTERN compiles"));

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Length { min: usize, max: usize },
    Characters,
}

/// Checks raw input against the rules and returns its stored form (trimmed, NFC).
pub fn clean(raw: &str, min: usize, max: usize, multiline: bool) -> Result<String, TextProblem> {
    let length = raw.chars().count();
    if length < min || length > max {
        return Err(TextProblem::Length { min, max });
    }
    let pattern = if multiline { &*LINES } else { &*LINE };
    // An empty value is refused by the length (`min` >= 1) where that matters; the pattern
    // asks for one visible character, so it is checked on non-empty values only.
    if !raw.is_empty() && !pattern.is_match(raw) {
        return Err(TextProblem::Characters);
    }
    let trimmed = raw.trim();
    let normalised: String = trimmed.nfc().collect();
    Ok(if multiline { normalised.replace("\r\n", "\n") } else { normalised })
}

/// NFC form of a secret (a password): not trimmed or checked, only normalised, so the same
/// password typed on another keyboard hashes the same.
pub fn nfc(raw: &str) -> String {
    if unicode_normalization::is_nfc_quick(raw.chars()) == unicode_normalization::IsNormalized::Yes {
        raw.to_owned()
    } else {
        raw.nfc().collect()
    }
}

macro_rules! text_type {
    ($name:ident, $multiline:literal, $pattern:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name<const MIN: usize, const MAX: usize>(String);

        impl<const MIN: usize, const MAX: usize> $name<MIN, MAX> {
            /// A value read back from the database, which was checked when it was written.
            pub fn from_stored(stored: String) -> Self {
                $name(stored)
            }

            pub fn parse(raw: &str) -> Result<Self, TextProblem> {
                clean(raw, MIN, MAX, $multiline).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        /// A literal of the code (an example in the spec, a demo value), written to fit.
        impl<const MIN: usize, const MAX: usize> From<&'static str> for $name<MIN, MAX> {
            fn from(literal: &'static str) -> Self {
                $name(literal.to_owned())
            }
        }

        impl<const MIN: usize, const MAX: usize> std::ops::Deref for $name<MIN, MAX> {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl<const MIN: usize, const MAX: usize> From<$name<MIN, MAX>> for String {
            fn from(text: $name<MIN, MAX>) -> String {
                text.0
            }
        }

        impl<const MIN: usize, const MAX: usize> Type for $name<MIN, MAX> {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                "string".into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    min_length: Some(MIN),
                    max_length: Some(MAX),
                    pattern: (MIN > 0).then(|| $pattern.to_owned()),
                    ..MetaSchema::new("string")
                }))
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }

            fn raw_element_iter<'a>(
                &'a self,
            ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl<const MIN: usize, const MAX: usize> ParseFromJSON for $name<MIN, MAX> {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                match value {
                    Some(Value::String(raw)) => {
                        Self::parse(&raw).map_err(|p| ParseError::custom(format!("{p:?}")))
                    }
                    other => Err(ParseError::expected_type(other.unwrap_or_default())),
                }
            }
        }

        impl<const MIN: usize, const MAX: usize> ParseFromParameter for $name<MIN, MAX> {
            fn parse_from_parameter(raw: &str) -> ParseResult<Self> {
                Self::parse(raw).map_err(|p| ParseError::custom(format!("{p:?}")))
            }
        }

        impl<const MIN: usize, const MAX: usize> ToJSON for $name<MIN, MAX> {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.0.clone()))
            }
        }

        /// Read back from stored JSON (the database), which was checked when it was written.
        impl<'de, const MIN: usize, const MAX: usize> serde::Deserialize<'de> for $name<MIN, MAX> {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name)
            }
        }

        impl<const MIN: usize, const MAX: usize> serde::Serialize for $name<MIN, MAX> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
}

text_type!(
    Line,
    false,
    LINE_PATTERN,
    "One line of human text (a name, a title, an address), `MIN` to `MAX` characters."
);
text_type!(
    Lines,
    true,
    LINES_PATTERN,
    "Text that may run over several lines (notes, descriptions), `MIN` to `MAX` characters."
);

/// A JSON string taken as it is (a password, a token): never a number or boolean read as a
/// string, `MIN` to `MAX` characters, NFC-normalised but not trimmed. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<const MIN: usize, const MAX: usize>(String, Option<String>);

impl<const MIN: usize, const MAX: usize> Secret<MIN, MAX> {
    /// A known value (an example in the spec, a test).
    pub fn from_stored(value: String) -> Self {
        Secret(value, None)
    }

    /// The value exactly as it was sent, when normalisation changed it: a password hashed
    /// before passwords were normalised is checked against this form once.
    pub fn as_typed(&self) -> Option<&str> {
        self.1.as_deref()
    }
}

impl<const MIN: usize, const MAX: usize> std::ops::Deref for Secret<MIN, MAX> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MIN: usize, const MAX: usize> std::fmt::Debug for Secret<MIN, MAX> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl<const MIN: usize, const MAX: usize> Type for Secret<MIN, MAX> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("password"),
            min_length: Some(MIN),
            max_length: Some(MAX),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<const MIN: usize, const MAX: usize> ParseFromJSON for Secret<MIN, MAX> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(raw)) if (MIN..=MAX).contains(&raw.chars().count()) => {
                let normalised = nfc(&raw);
                let typed = (normalised != raw).then_some(raw);
                Ok(Secret(normalised, typed))
            }
            Some(Value::String(_)) => Err(ParseError::custom("length")),
            other => Err(ParseError::expected_type(other.unwrap_or_default())),
        }
    }
}

impl<const MIN: usize, const MAX: usize> ToJSON for Secret<MIN, MAX> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_vietnamese_is_stored_composed() {
        let nfd = "Nguye\u{0302}\u{0303}n Va\u{0306}n A\u{0302}\u{0301}n";
        assert_eq!(Line::<1, 100>::parse(nfd).unwrap().as_str(), "Nguyễn Văn Ấn");
    }

    #[test]
    fn control_and_bidi_characters_are_refused() {
        for raw in ["a\u{0000}b", "a\nb", "a\tb", "abc\u{202E}gpj", "a\u{2066}b", "x\u{0085}"] {
            assert_eq!(Line::<1, 100>::parse(raw), Err(TextProblem::Characters), "{raw:?}");
        }
        assert!(Lines::<1, 100>::parse("dòng 1\ndòng 2\tcột").is_ok());
        assert_eq!(Lines::<1, 100>::parse("a\u{0007}"), Err(TextProblem::Characters));
    }

    #[test]
    fn blank_and_invisible_only_values_are_refused() {
        for raw in ["   ", "\u{200B}\u{200B}", "\u{FEFF}", "\u{00A0}"] {
            assert_eq!(Line::<1, 100>::parse(raw), Err(TextProblem::Characters), "{raw:?}");
        }
        assert_eq!(Line::<1, 100>::parse(""), Err(TextProblem::Length { min: 1, max: 100 }));
    }

    #[test]
    fn values_are_trimmed_and_lengths_count_what_was_sent() {
        assert_eq!(Line::<1, 5>::parse("  ab ").unwrap().as_str(), "ab");
        assert_eq!(Line::<1, 3>::parse("abcd"), Err(TextProblem::Length { min: 1, max: 3 }));
        assert_eq!(Lines::<1, 10>::parse("a\r\nb").unwrap().as_str(), "a\nb");
    }

    #[test]
    fn the_patterns_are_valid_ecmascript_and_rust_alike() {
        for pattern in [LINE_PATTERN, LINES_PATTERN] {
            assert!(Regex::new(pattern).is_ok());
            assert!(!pattern.contains("\\p") && !pattern.contains("(?"));
        }
    }
}

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
        impl Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                "string".into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    min_length: Some($min),
                    max_length: Some($max),
                    pattern: Some($pattern.to_owned()),
                    ..MetaSchema::new("string")
                }))
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }

            fn raw_element_iter<'a>(
                &'a self,
            ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

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

parsed_string!(PhoneNumber, PHONE_PATTERN, 10, PHONE_MAX_CHARS);
parsed_string!(UnitCode, UNIT_CODE_PATTERN, 1, UNIT_CODE_MAX_CHARS);
parsed_string!(FullName, FULL_NAME_PATTERN, 1, FULL_NAME_MAX_CHARS);

#[cfg(test)]
mod phone_tests {
    use proptest::prelude::*;

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

/// A password being set: 10–128 characters and none of the commonly used ones. Its schema is
/// titled `NewPassword`, and the spec lists the refused passwords under it (`spec::refine`),
/// so a client can check before sending.
#[derive(Debug, Clone)]
pub struct NewPassword(Secret<PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS>);

impl std::ops::Deref for NewPassword {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl NewPassword {
    /// A known value (an example in the spec, a test).
    pub fn from_stored(value: String) -> Self {
        NewPassword(Secret::from_stored(value))
    }
}

impl Type for NewPassword {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "NewPassword".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            title: Some(Self::name().into_owned()),
            format: Some("password"),
            min_length: Some(PASSWORD_MIN_CHARS),
            max_length: Some(PASSWORD_MAX_CHARS),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for NewPassword {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        Secret::parse_from_json(value).map(NewPassword).map_err(ParseError::propagate)
    }
}

impl ToJSON for NewPassword {
    fn to_json(&self) -> Option<Value> {
        self.0.to_json()
    }
}
