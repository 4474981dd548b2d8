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

/// The problems an operation answers beyond those its shape implies.
pub const SPECIFIC: &[(&str, &[ProblemType])] = &[
    ("register", &[p::PHONE_TAKEN]),
    ("verify_phone", &[p::OTP_INVALID, p::OTP_EXPIRED]),
    ("resend_phone_code", &[p::OTP_TOO_SOON, p::QUOTA_EXCEEDED]),
    ("request_password_reset", &[p::QUOTA_EXCEEDED]),
    ("confirm_password_reset", &[p::OTP_INVALID, p::OTP_EXPIRED]),
    ("login", &[p::INVALID_CREDENTIALS, p::STEP_UP_REQUIRED, p::PASSWORD_CHANGE_REQUIRED, p::QUOTA_EXCEEDED]),
    ("refresh_tokens", &[p::INVALID_REFRESH_TOKEN]),
    ("oidc_login", &[p::OIDC_DISABLED, p::OIDC_PROVIDER_UNAVAILABLE]),
    (
        "oidc_callback",
        &[
            p::OIDC_DISABLED,
            p::OIDC_PROVIDER_UNAVAILABLE,
            p::OIDC_STATE_INVALID,
            p::OIDC_TOKEN_INVALID,
            p::OIDC_NO_ACCOUNT,
            p::INVALID_CREDENTIALS,
            p::PHONE_TAKEN,
        ],
    ),
    ("logout", &[]),
    ("get_me", &[]),
    ("update_me", &[]),
    ("change_password", &[p::INVALID_CREDENTIALS]),
    ("delete_me", &[p::STAFF_ACCOUNT]),
    ("export_my_data", &[]),
    ("list_my_sessions", &[]),
    ("end_my_session", &[p::SESSION_IS_CURRENT]),
    ("register_my_device", &[]),
    ("list_my_devices", &[]),
    ("remove_my_device", &[]),
    ("list_units", &[]),
    ("get_unit", &[]),
    ("update_unit_settings", &[p::FORBIDDEN]),
    ("list_holidays", &[p::NOT_FOUND]),
    ("create_holiday", &[p::FORBIDDEN, p::NOT_FOUND, p::HOLIDAY_EXISTS]),
    ("delete_holiday", &[p::FORBIDDEN]),
    ("get_unit_calendar", &[]),
    ("list_procedures", &[]),
    ("get_procedure", &[]),
    ("create_procedure", &[p::FORBIDDEN, p::PROCEDURE_EXISTS]),
    ("replace_procedure", &[p::FORBIDDEN]),
    ("list_legal_documents", &[]),
    ("get_legal_document", &[]),
    ("create_legal_document", &[p::FORBIDDEN, p::LEGAL_DOCUMENT_EXISTS]),
    ("list_admin_units", &[p::FORBIDDEN]),
    ("create_unit", &[p::FORBIDDEN, p::NOT_FOUND, p::UNIT_CODE_TAKEN]),
    ("update_unit", &[p::FORBIDDEN, p::UNIT_CODE_TAKEN, p::UNIT_CYCLE]),
    ("list_staff", &[p::FORBIDDEN, p::NOT_FOUND]),
    ("create_staff", &[p::FORBIDDEN, p::NOT_FOUND, p::PHONE_TAKEN]),
    ("get_staff", &[p::FORBIDDEN]),
    ("update_staff", &[p::FORBIDDEN, p::OWN_ACCOUNT_LOCKED, p::OIDC_SUBJECT_TAKEN]),
    ("reset_staff_password", &[p::FORBIDDEN, p::OWN_PASSWORD_RESET]),
    ("list_audit_log", &[p::FORBIDDEN]),
    ("take_in_dossier", &[p::FORBIDDEN, p::NOT_FOUND]),
    ("list_dossiers", &[p::FORBIDDEN]),
    ("get_dossier", &[p::FORBIDDEN]),
    ("get_dossier_receipt", &[p::FORBIDDEN]),
    ("transition_dossier", &[p::FORBIDDEN, p::ILLEGAL_TRANSITION]),
    ("apologise_for_dossier", &[p::FORBIDDEN, p::DOSSIER_CLOSED]),
    ("get_apology_slip", &[p::FORBIDDEN]),
    ("assign_dossier", &[p::FORBIDDEN, p::DOSSIER_CLOSED]),
    ("link_dossier_citizen", &[p::FORBIDDEN, p::NO_CITIZEN_ACCOUNT]),
    ("look_up_dossier", &[p::NOT_FOUND, p::QUOTA_EXCEEDED]),
    (
        "submit_dossier_online",
        &[p::FORBIDDEN, p::NOT_FOUND, p::IDEMPOTENCY_KEY_REUSED, p::IDEMPOTENCY_IN_PROGRESS],
    ),
    ("list_dossier_changes", &[p::FORBIDDEN]),
    ("get_integration_dossier", &[p::FORBIDDEN]),
    ("list_api_keys", &[p::FORBIDDEN]),
    ("create_api_key", &[p::FORBIDDEN]),
    ("get_api_key", &[p::FORBIDDEN]),
    ("revoke_api_key", &[p::FORBIDDEN]),
    ("rotate_api_key", &[p::FORBIDDEN, p::API_KEY_REVOKED]),
    (
        "claim_dossier",
        &[
            p::FORBIDDEN,
            p::PHONE_NOT_VERIFIED,
            p::NOT_FOUND,
            p::CLAIM_PHONE_MISMATCH,
            p::DOSSIER_ALREADY_CLAIMED,
            p::QUOTA_EXCEEDED,
        ],
    ),
    ("unclaim_dossier", &[p::FORBIDDEN]),
    ("list_my_dossiers", &[p::FORBIDDEN]),
    ("list_my_notifications", &[]),
    ("mark_notification_read", &[]),
    ("mark_all_notifications_read", &[p::NOT_FOUND]),
    ("list_unit_slots", &[p::PROCEDURE_NOT_OFFERED, p::QUOTA_EXCEEDED]),
    (
        "book_appointment",
        &[
            p::STAFF_CANNOT_BOOK,
            p::PHONE_NOT_VERIFIED,
            p::BOOKING_BLOCKED,
            p::NOT_FOUND,
            p::PROCEDURE_NOT_OFFERED,
            p::NOT_A_SLOT,
            p::SLOT_NOT_BOOKABLE,
            p::SLOT_FULL,
            p::ALREADY_BOOKED_AT_THIS_TIME,
            p::BOOKING_LIMIT_REACHED,
            p::IDEMPOTENCY_KEY_REUSED,
            p::IDEMPOTENCY_IN_PROGRESS,
        ],
    ),
    ("get_appointment", &[]),
    ("list_my_appointments", &[p::FORBIDDEN]),
    ("list_unit_appointments", &[p::FORBIDDEN]),
    ("cancel_appointment", &[p::FORBIDDEN, p::APPOINTMENT_NOT_CANCELLABLE, p::CHANGE_CUTOFF_PASSED]),
    (
        "reschedule_appointment",
        &[
            p::FORBIDDEN,
            p::APPOINTMENT_NOT_RESCHEDULABLE,
            p::CHANGE_CUTOFF_PASSED,
            p::NOT_A_SLOT,
            p::SLOT_NOT_BOOKABLE,
            p::SLOT_FULL,
        ],
    ),
    ("mark_appointment_no_show", &[p::FORBIDDEN, p::APPOINTMENT_NOT_DUE]),
    (
        "check_in",
        &[
            p::FORBIDDEN,
            p::DESK_CLOSED,
            p::UNKNOWN_SERVICE_GROUP,
            p::APPOINTMENT_NOT_TODAY,
            p::APPOINTMENT_NOT_CHECKABLE,
            p::ALREADY_CHECKED_IN,
            p::TOO_EARLY_TO_CHECK_IN,
        ],
    ),
    ("list_unit_tickets", &[p::FORBIDDEN]),
    ("list_counters", &[p::FORBIDDEN]),
    ("set_counter", &[p::FORBIDDEN, p::UNKNOWN_SERVICE_GROUP, p::COUNTER_BUSY]),
    ("call_next_ticket", &[p::VALIDATION_FAILED, p::FORBIDDEN, p::COUNTER_NOT_OPEN, p::COUNTER_BUSY]),
    ("get_ticket", &[p::FORBIDDEN]),
    ("start_serving_ticket", &[p::FORBIDDEN, p::TICKET_NOT_IN_STATE]),
    ("serve_ticket", &[p::FORBIDDEN, p::TICKET_NOT_IN_STATE, p::UNKNOWN_DOSSIER]),
    ("mark_ticket_no_show", &[p::FORBIDDEN, p::TICKET_NOT_IN_STATE]),
    ("recall_ticket", &[p::FORBIDDEN, p::TICKET_NOT_IN_STATE]),
    ("return_ticket_to_queue", &[p::FORBIDDEN, p::TICKET_NOT_IN_STATE]),
    ("transfer_ticket", &[p::FORBIDDEN, p::TICKET_NOT_IN_STATE, p::UNKNOWN_SERVICE_GROUP]),
    ("cancel_ticket", &[p::FORBIDDEN, p::TICKET_NOT_IN_STATE]),
    ("get_queue_settings", &[p::FORBIDDEN]),
    ("set_queue_settings", &[p::FORBIDDEN]),
    ("get_display", &[]),
    ("follow_display", &[]),
    (
        "create_rating",
        &[
            p::STAFF_CANNOT_RATE,
            p::PHONE_NOT_VERIFIED,
            p::NOT_FOUND,
            p::ALREADY_RATED,
            p::NOT_RATEABLE_YET,
            p::RATING_WINDOW_CLOSED,
        ],
    ),
    ("list_ratings", &[p::FORBIDDEN]),
    ("get_rating", &[p::FORBIDDEN]),
    ("moderate_rating", &[p::FORBIDDEN, p::MODERATED_ABOVE, p::ALREADY_MODERATED]),
    ("get_officer_profile", &[]),
    ("rank_unit_officers", &[p::VALIDATION_FAILED]),
    ("get_feedback_settings", &[p::FORBIDDEN]),
    ("set_feedback_settings", &[p::FORBIDDEN]),
    (
        "create_complaint",
        &[
            p::FORBIDDEN,
            p::UNKNOWN_OFFICER,
            p::TOO_MANY_ATTACHMENTS,
            p::ATTACHMENT_TOO_LARGE,
            p::UNSUPPORTED_ATTACHMENT,
        ],
    ),
    ("list_complaints", &[p::FORBIDDEN]),
    ("get_complaint", &[p::FORBIDDEN]),
    ("transition_complaint", &[p::FORBIDDEN, p::COMPLAINT_NOT_IN_STATE]),
    ("extend_complaint", &[p::FORBIDDEN, p::COMPLAINT_NOT_IN_STATE, p::ALREADY_EXTENDED]),
    ("get_complaint_attachment", &[p::VALIDATION_FAILED, p::FORBIDDEN]),
    ("list_my_complaints", &[p::FORBIDDEN]),
    ("withdraw_complaint", &[p::FORBIDDEN, p::COMPLAINT_NOT_IN_STATE]),
    ("reopen_complaint", &[p::FORBIDDEN, p::COMPLAINT_NOT_IN_STATE, p::REOPEN_WINDOW_CLOSED]),
    ("give_complaint_feedback", &[p::FORBIDDEN, p::COMPLAINT_NOT_IN_STATE]),
    ("issue_letter", &[p::FORBIDDEN, p::NOT_FOUND, p::LETTER_EXISTS, p::LETTERS_OPTED_OUT]),
    ("get_letter", &[]),
    ("list_letters", &[p::FORBIDDEN, p::NOT_FOUND]),
    ("list_my_letters", &[p::FORBIDDEN]),
    ("get_letter_template", &[p::FORBIDDEN]),
    ("put_letter_template", &[p::FORBIDDEN, p::LETTER_TEMPLATE_INVALID]),
    ("suppress_dossier_letter", &[p::FORBIDDEN, p::DOSSIER_CLOSED, p::VERSION_MISMATCH]),
    ("lift_dossier_letter_suppression", &[p::FORBIDDEN, p::DOSSIER_CLOSED, p::VERSION_MISMATCH]),
    ("get_report_summary", &[p::VALIDATION_FAILED, p::FORBIDDEN, p::NOT_FOUND]),
    ("get_unit_stats", &[p::VALIDATION_FAILED]),
    ("list_webhooks", &[p::FORBIDDEN]),
    ("create_webhook", &[p::FORBIDDEN]),
    ("get_webhook", &[p::FORBIDDEN]),
    ("delete_webhook", &[p::FORBIDDEN]),
    ("rotate_webhook_secret", &[p::FORBIDDEN]),
    ("enable_webhook", &[p::FORBIDDEN]),
    ("test_webhook", &[p::FORBIDDEN]),
    ("list_webhook_deliveries", &[p::FORBIDDEN]),
    ("redeliver_webhook_delivery", &[p::FORBIDDEN, p::WEBHOOK_DELIVERY_IN_FLIGHT]),
    ("redeliver_webhook_range", &[p::FORBIDDEN]),
];

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
