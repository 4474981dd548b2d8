//! Human text as the API takes it: a JSON string (never a number or a boolean read as one),
//! NFC-normalised, without control or bidi-override characters, not blank, within a length.
//!
//! One declaration, `Line<MIN, MAX>` or `Lines<MIN, MAX>`, gives both the schema in the spec
//! (`minLength`, `maxLength`, `pattern`) and the check the server runs. Lengths count the
//! characters the client sent, as JSON Schema counts them; the stored text is the trimmed NFC
//! form of it. Keyboards send Vietnamese precomposed (NFC) or decomposed (NFD); after
//! normalisation "Nguyễn" is one string whichever arrived.

use std::sync::LazyLock;

use poem_openapi::types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON};
use regex::Regex;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

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
    // Printable ASCII with a character that is not a space is what the pattern says for
    // codes, numbers and secrets, the busiest fields: decided without the regex.
    let printable_ascii = raw.bytes().all(|b| (0x20..0x7F).contains(&b)) && raw.bytes().any(|b| b != b' ');
    let pattern = if multiline { &*LINES } else { &*LINE };
    // An empty value is refused by the length (`min` >= 1) where that matters; the pattern
    // asks for one visible character, so it is checked on non-empty values only.
    if !raw.is_empty() && !printable_ascii && !pattern.is_match(raw) {
        return Err(TextProblem::Characters);
    }
    let normalised = nfc(raw.trim());
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

        super::string_type!(
            [const MIN: usize, const MAX: usize] $name<MIN, MAX>,
            super::string_schema(MIN, MAX, (MIN > 0).then_some($pattern), None)
        );

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

    proptest::proptest! {
        #[test]
        fn the_ascii_shortcut_agrees_with_the_pattern(raw in "[ -~]{1,12}") {
            proptest::prop_assert_eq!(clean(&raw, 1, 100, false).is_ok(), LINE.is_match(&raw));
            proptest::prop_assert_eq!(clean(&raw, 1, 100, true).is_ok(), LINES.is_match(&raw));
        }
    }

    #[test]
    fn the_patterns_are_valid_ecmascript_and_rust_alike() {
        for pattern in [LINE_PATTERN, LINES_PATTERN] {
            assert!(Regex::new(pattern).is_ok());
            assert!(!pattern.contains("\\p") && !pattern.contains("(?"));
        }
    }
}
