//! Passwords and tokens: strict JSON strings, NFC-normalised (not trimmed), never printed.

use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON};
use serde_json::Value;

use super::text::nfc;
use crate::domain::account::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};

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

super::string_type!(
    [const MIN: usize, const MAX: usize] Secret<MIN, MAX>,
    super::string_schema(MIN, MAX, None, Some("password"))
);

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

super::string_type!([] NewPassword, {
    let mut schema = super::string_schema(PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS, None, Some("password"));
    if let poem_openapi::registry::MetaSchemaRef::Inline(inline) = &mut schema {
        // The title marks it for `spec::refine`, which lists the refused passwords under it.
        inline.title = Some("NewPassword".to_owned());
    }
    schema
});

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
