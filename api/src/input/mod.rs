//! Input as the API takes it, parsed once at the edge: each type here is both the schema the
//! spec shows and the check the server runs, so the two cannot disagree.
//!
//! - [`text`]: human text (`Line`, `Lines`): a JSON string, NFC-normalised, without control or
//!   bidi characters, not blank, within a length.
//! - [`secret`]: passwords and tokens (`Secret`, `NewPassword`): strict strings, normalised.
//! - [`parsed`]: domain values with a pattern of their own (phone numbers, unit codes, names).

mod parsed;
mod secret;
mod text;

pub use parsed::{DEVICE_TOKEN_PATTERN, DeviceToken, PHONE_MAX_CHARS, PHONE_PATTERN, UNIT_CODE_PATTERN};
pub use secret::{NewPassword, Secret};
pub use text::{LINE_PATTERN, LINES_PATTERN, Line, Lines, TextProblem, clean, nfc};

/// `poem_openapi::types::Type` for a type sent as a JSON string, with the schema it shows.
/// `$generics` are the type's parameters (`const MIN: usize, ...`), `$schema` an expression of
/// type `MetaSchemaRef`.
macro_rules! string_type {
    ([$($generics:tt)*] $ty:ty, $schema:expr) => {
        impl<$($generics)*> poem_openapi::types::Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> std::borrow::Cow<'static, str> {
                "string".into()
            }

            fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
                $schema
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }
    };
}

pub(crate) use string_type;

/// An inline string schema with these lengths, pattern and format.
fn string_schema(
    min: usize,
    max: usize,
    pattern: Option<&str>,
    format: Option<&'static str>,
) -> poem_openapi::registry::MetaSchemaRef {
    poem_openapi::registry::MetaSchemaRef::Inline(Box::new(poem_openapi::registry::MetaSchema {
        min_length: Some(min),
        max_length: Some(max),
        pattern: pattern.map(str::to_owned),
        format,
        ..poem_openapi::registry::MetaSchema::new("string")
    }))
}
