//! JSON answers written straight from the value with serde, for the busiest calls.
//!
//! poem-openapi's `Json<T>` first builds a `serde_json::Value` tree of the whole answer, then
//! writes it out; [`SerdeJson`] writes the bytes in one pass (the public dossier lookup spent
//! about 4% of its time on the tree). The spec describes both alike, from the same `Type`;
//! every type answered this way has a test that both write the same JSON.

use chrono::{DateTime, Utc};
use poem::{IntoResponse, Response};
use poem_openapi::{
    ApiResponse,
    payload::{Json, Payload},
    registry::{MetaResponses, MetaSchemaRef, Registry},
    types::{ToJSON, Type},
};
use serde::{Serialize, Serializer};

use crate::error::ApiError;

/// A 200 JSON answer serialized with serde; described in the spec exactly as `Json<T>`.
pub struct SerdeJson<T>(pub T);

const CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl<T: Type> Payload for SerdeJson<T> {
    const CONTENT_TYPE: &'static str = CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Serialize + Send> IntoResponse for SerdeJson<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder().content_type(CONTENT_TYPE).body(body),
            Err(err) => ApiError::internal(err).into_response(),
        }
    }
}

impl<T: ToJSON + Serialize> ApiResponse for SerdeJson<T> {
    fn meta() -> MetaResponses {
        <Json<T> as ApiResponse>::meta()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// Writes a time as poem-openapi does (RFC 3339 with `+00:00`, where serde's chrono writes
/// `Z`), so every answer of the API spells times alike.
pub fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339())
}

/// [`rfc3339`] for a time that may be absent (`null`).
pub fn rfc3339_or_null<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, serializer),
        None => serializer.serialize_none(),
    }
}

/// A JSON body with every number that is a whole number written as an integer (`0.0` as `0`,
/// `1e2` as `100`), or `None` when there is none to rewrite.
///
/// JSON Schema counts `1.0` as an integer, and generated clients in languages without a
/// separate integer type send it so; poem-openapi's integer fields take only `1`. Floating
/// fields read `1` as `1.0`, so the rewrite changes no value. A body with no number written
/// with a fraction or an exponent (most of them: the public lookup's codes hold dots, but
/// inside strings) is only scanned, not parsed.
pub fn whole_numbers_as_integers(body: &[u8]) -> Option<Vec<u8>> {
    if !has_fraction_or_exponent(body) {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut changed = false;
    rewrite(&mut value, &mut changed);
    changed.then(|| serde_json::to_vec(&value).ok()).flatten()
}

/// Whether a number outside every string is written with `.`, `e` or `E`.
fn has_fraction_or_exponent(body: &[u8]) -> bool {
    let (mut in_string, mut escaped, mut in_number) = (false, false, false);
    for &byte in body {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => (in_string, in_number) = (true, false),
            b'0'..=b'9' | b'-' => in_number = true,
            b'.' | b'e' | b'E' if in_number => return true,
            b'+' if in_number => {}
            _ => in_number = false,
        }
    }
    false
}

fn rewrite(value: &mut serde_json::Value, changed: &mut bool) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let float = n.as_f64().unwrap_or(f64::NAN);
            // Only where the integer is exact: beyond 2^53 a float names no single integer.
            if float.fract() == 0.0 && float.abs() <= 9_007_199_254_740_992.0 {
                *value = Value::from(float as i64);
                *changed = true;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rewrite(item, changed)),
        Value::Object(object) => object.values_mut().for_each(|item| rewrite(item, changed)),
        _ => {}
    }
}

#[cfg(test)]
mod whole_number_tests {
    use super::*;

    #[test]
    fn whole_floats_become_integers_and_nothing_else_changes() {
        let rewritten = whole_numbers_as_integers(br#"{"a":0.0,"b":[1e2,1.5],"c":"2.0"}"#).unwrap();
        assert_eq!(String::from_utf8(rewritten).unwrap(), r#"{"a":0,"b":[100,1.5],"c":"2.0"}"#);
        assert_eq!(whole_numbers_as_integers(br#"{"code":"H12","n":3}"#), None);
        assert_eq!(whole_numbers_as_integers(br#"{"x":1.5}"#), None);
        assert!(!has_fraction_or_exponent(br#"{"code":"000.20.33.H12-261126-0001","s":"a\"1.0","t":true}"#));
        assert!(has_fraction_or_exponent(br#"{"n":-2E3}"#));
    }
}
