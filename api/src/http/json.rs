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
