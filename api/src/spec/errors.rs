//! The error answers of each operation, written into the spec from the problem catalogue.
//!
//! What an operation's shape implies is derived from it: a parameter or a body can be
//! malformed (400), a body can be too large (413), of the wrong type (415) or break a field
//! rule (422), credentials can be missing (401), a path names something that may not exist
//! (404), `If-Match` can be stale (412) or missing (428), a key's rate limit can be used up
//! (429), the database can be down (503).
//! What only the handler knows (roles, conflicts, business rules, rate limits) is listed per
//! operation in [`SPECIFIC`]; a test fails for an operation without a row.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::problems::{self as p, ProblemType};

mod specific;

pub use specific::SPECIFIC;

/// The name of the API key's security scheme in the spec.
const API_KEY_SCHEME: &str = "ApiKey";

/// Whether the operation accepts an API key (`X-API-Key`).
pub fn takes_key(operation: &Map<String, Value>) -> bool {
    operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|schemes| schemes.iter().any(|scheme| scheme.get(API_KEY_SCHEME).is_some()))
}

/// Every problem an operation can answer with: what its shape implies, then its own.
pub fn problems_of(operation: &Map<String, Value>) -> Vec<ProblemType> {
    let parameters: Vec<&Value> =
        operation.get("parameters").and_then(Value::as_array).map(|p| p.iter().collect()).unwrap_or_default();
    let in_ = |place: &str| parameters.iter().any(|p| p.get("in").and_then(Value::as_str) == Some(place));
    let named = |name: &str| {
        parameters
            .iter()
            .any(|p| p.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))
    };
    let has_body = operation.contains_key("requestBody");
    // 401 `unauthenticated`: credentials are required (the operation does not also list none,
    // `{}`), or a Bearer token is taken, which can be expired or invalid even where it is
    // optional. A bad key is `api_key_invalid`, below.
    let secured = operation.get("security").and_then(Value::as_array).is_some_and(|schemes| {
        let optional = schemes.iter().any(|scheme| scheme.as_object().is_some_and(Map::is_empty));
        let bearer = schemes.iter().any(|scheme| {
            scheme.as_object().is_some_and(|names| names.keys().any(|name| name != API_KEY_SCHEME))
        });
        !schemes.is_empty() && (!optional || bearer)
    });
    let keyed = takes_key(operation);
    let paged = named("page") || named("per_page") || named("limit") || named("cursor");

    let mut problems = Vec::new();
    if has_body || !parameters.is_empty() {
        problems.push(p::MALFORMED_REQUEST);
    }
    if secured {
        problems.push(p::UNAUTHENTICATED);
    }
    if keyed {
        // A key without the operation's scope is refused, also where the operation is public.
        problems.extend([p::API_KEY_INVALID, p::FORBIDDEN]);
    }
    if in_("path") {
        problems.push(p::NOT_FOUND);
    }
    if named("If-Match") {
        problems.extend([p::VERSION_MISMATCH, p::IF_MATCH_REQUIRED]);
    }
    if has_body {
        problems.extend([p::PAYLOAD_TOO_LARGE, p::UNSUPPORTED_MEDIA_TYPE]);
    }
    if has_body || paged {
        problems.push(p::VALIDATION_FAILED);
    }
    // Every request with a key is counted against the key's rate limit.
    if keyed {
        problems.push(p::QUOTA_EXCEEDED);
    }
    problems.push(p::SERVICE_UNAVAILABLE);
    let id = operation.get("operationId").and_then(Value::as_str).unwrap_or_default();
    if let Some((_, specific)) = SPECIFIC.iter().find(|(operation_id, _)| *operation_id == id) {
        problems.extend(specific.iter().copied());
    }
    let mut seen = std::collections::HashSet::new();
    problems.retain(|problem| seen.insert(problem.code));
    problems
}

/// Replaces the operation's error answers with one per status it can really send, each
/// naming its problem codes and showing an example problem.
pub fn document_errors(operation: &mut Map<String, Value>) {
    let mut by_status: BTreeMap<u16, Vec<ProblemType>> = BTreeMap::new();
    for problem in problems_of(operation) {
        by_status.entry(problem.status).or_default().push(problem);
    }
    let limited = by_status.get(&429).is_some_and(|problems| problems.contains(&p::QUOTA_EXCEEDED));
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
    // The placeholder `default` of `ApiError` goes too.
    responses.retain(|status, _| status.parse::<u16>().is_ok_and(|s| s < 400));
    if limited {
        responses.values_mut().for_each(|response| add_headers(response, RATE_LIMIT_HEADERS));
    }
    for (status, problems) in by_status {
        responses.insert(status.to_string(), error_response(status, &problems));
    }
}

fn error_response(status: u16, problems: &[ProblemType]) -> Value {
    let description =
        problems.iter().map(|p| format!("`{}`: {}", p.code, p.meaning)).collect::<Vec<_>>().join("\n\n");
    let first = problems[0];
    let mut example = json!({
        "type": format!("urn:motcua:problem:{}", first.code),
        "title": title(status),
        "status": status,
        "detail": first.meaning,
        "code": first.code,
        "request_id": "0192f0c4-7d1e-7c39-9a3b-4bd3a1f2e001",
    });
    if first.code == p::VALIDATION_FAILED.code {
        example["errors"] = json!([{ "field": "phone", "message": "Not a valid Vietnamese mobile number." }]);
    }
    let mut response = json!({
        "description": description,
        "content": {
            crate::error::PROBLEM_JSON: {
                "schema": { "$ref": "#/components/schemas/Problem" },
                "example": example,
            }
        }
    });
    let headers: &[(&str, &str)] = match status {
        401 => &[("WWW-Authenticate", "The scheme to authenticate with: `Bearer`.")],
        429 => &[("Retry-After", "Seconds until the limit allows one request again.")],
        503 => &[("Retry-After", "Seconds to wait before trying again.")],
        _ => &[],
    };
    add_headers(&mut response, headers);
    if status == 429 {
        add_headers(&mut response, RATE_LIMIT_HEADERS);
    }
    response
}

/// Declares `headers` (all strings) on a response, beside those it has.
fn add_headers(response: &mut Value, headers: &[(&str, &str)]) {
    for (name, description) in headers {
        response["headers"][*name] = json!({ "description": description, "schema": { "type": "string" } });
    }
}

/// What every answer to a call counted against a rate limit carries (see
/// `crate::rate_limit::headers`), a refusal as a success.
const RATE_LIMIT_HEADERS: &[(&str, &str)] = &[
    (
        "RateLimit-Policy",
        "The limits this call was counted against (IETF draft `ratelimit-headers`): \
         `\"name\";q=<requests>;w=<seconds>`, comma-separated.",
    ),
    ("RateLimit", "How each limit stands: `\"name\";r=<remaining>;t=<seconds until full>`."),
    ("RateLimit-Limit", "Requests per window of the limit nearest to running out."),
    ("RateLimit-Remaining", "Requests left in that limit now."),
    ("RateLimit-Reset", "Seconds until that limit is full again (never a timestamp)."),
];

/// The English title a problem of this status carries.
fn title(status: u16) -> &'static str {
    poem::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_a_row_and_every_row_an_operation() {
        let document: Value = serde_json::from_str(&crate::spec::api_service().spec()).unwrap();
        let mut operation_ids = Vec::new();
        for operations in document["paths"].as_object().unwrap().values() {
            for operation in operations.as_object().unwrap().values() {
                operation_ids.push(operation["operationId"].as_str().unwrap().to_owned());
            }
        }
        for id in &operation_ids {
            assert!(
                SPECIFIC.iter().any(|(op, _)| op == id),
                "operation {id} has no row in spec::errors::SPECIFIC"
            );
        }
        for (op, _) in SPECIFIC {
            assert!(operation_ids.iter().any(|id| id == op), "SPECIFIC names {op}, which is no operation");
        }
    }

    #[test]
    fn every_documented_problem_is_in_the_catalogue() {
        for (_, problems) in SPECIFIC {
            for problem in *problems {
                assert!(crate::problems::ALL.contains(problem), "{} is not in the catalogue", problem.code);
            }
        }
    }

    #[test]
    fn a_public_get_without_parameters_documents_only_an_unavailable_database() {
        let operation = json!({ "operationId": "list_units", "security": [], "responses": {} });
        let codes: Vec<_> = problems_of(operation.as_object().unwrap()).iter().map(|p| p.code).collect();
        assert_eq!(codes, ["service_unavailable"]);
    }
}
