//! Strong `ETag`s for catalogue reads, and `304 Not Modified` for a client whose copy is current;
//! version tags and `If-Match` for records that several people change (dossiers, appointments).
//!
//! A catalogue tag is a hash of the JSON body, so it changes exactly when the representation
//! does and needs no version bookkeeping: the mobile app on a slow connection re-downloads
//! nothing that did not change.

use poem_openapi::{ApiResponse, payload::Json, types::ToJSON};
use sha2::{Digest, Sha256};

use crate::{
    error::{ApiError, ApiResult},
    problems,
};

/// The `ETag` of a record at a version.
pub fn version_tag(version: i32) -> String {
    format!("\"{version}\"")
}

/// Whether an `If-Match` (`"3"`, `W/"3"`, `3`, a list of them, or `*` for any version)
/// names this version: 428 when it is missing, 412 when it names another.
pub fn check_if_match(if_match: Option<&str>, version: i32) -> ApiResult<()> {
    let raw = require_if_match(if_match)?;
    let names_it =
        |tag: &str| tag == "*" || tag.trim_start_matches("W/").trim_matches('"').parse() == Ok(version);
    if raw.split(',').map(str::trim).any(names_it) { Ok(()) } else { Err(stale()) }
}

/// The `If-Match` of a change, or 428 without one: before anything else is decided, so a
/// request that lacks it is told so whatever state the record is in.
pub fn require_if_match(if_match: Option<&str>) -> ApiResult<&str> {
    if_match.ok_or_else(|| ApiError::of(&problems::IF_MATCH_REQUIRED))
}

/// 412: the record changed since the version the client names.
pub fn stale() -> ApiError {
    ApiError::of(&problems::VERSION_MISMATCH)
}

/// A catalogue read: the body with its `ETag`, or 304 when `If-None-Match` already names it.
#[derive(ApiResponse)]
pub enum Cached<T: ToJSON> {
    /// The current representation.
    #[oai(status = 200)]
    Fresh(
        Json<T>,
        /// A strong validator of the body; send it back in `If-None-Match`.
        #[oai(header = "ETag")]
        String,
    ),
    /// The copy named in `If-None-Match` is current; no body.
    #[oai(status = 304)]
    NotModified(
        /// The validator of the current representation.
        #[oai(header = "ETag")]
        String,
    ),
}

/// Tags `body` and answers 304 when `if_none_match` lists its tag (or `*`).
pub fn cached<T: ToJSON>(body: T, if_none_match: Option<&str>) -> Cached<T> {
    let etag = body_tag(body.to_json_string().as_bytes());
    if if_none_match.is_some_and(|header| lists_tag(header, &etag)) {
        Cached::NotModified(etag)
    } else {
        Cached::Fresh(Json(body), etag)
    }
}

/// The strong validator of a body: a hash of its bytes.
pub fn body_tag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// `If-None-Match` compares weakly (RFC 9110 §13.1.2): a `W/` prefix does not matter.
pub fn lists_tag(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_listed_weak_and_wildcard_tags() {
        assert!(lists_tag("\"a\"", "\"a\""));
        assert!(lists_tag("\"b\", W/\"a\"", "\"a\""));
        assert!(lists_tag("*", "\"a\""));
        assert!(!lists_tag("\"b\"", "\"a\""));
    }
}
