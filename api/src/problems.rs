//! Every problem `code` the API answers with, its HTTP status and what it means.
//!
//! The spec's error documentation is generated from this list (see `spec::errors`), so a
//! client developer reads the same codes the server sends. A test checks that every code an
//! operation documents is listed here.

/// One kind of problem, as clients switch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemType {
    /// The stable snake_case identifier in the problem's `code`.
    pub code: &'static str,
    /// The HTTP status it is sent with.
    pub status: u16,
    /// What it means, in English, for the spec.
    pub meaning: &'static str,
}

const fn problem(code: &'static str, status: u16, meaning: &'static str) -> ProblemType {
    ProblemType { code, status, meaning }
}

pub const MALFORMED_REQUEST: ProblemType =
    problem("malformed_request", 400, "A parameter or the body could not be read as its type.");
pub const UNAUTHENTICATED: ProblemType = problem(
    "unauthenticated",
    401,
    "The access token is missing, expired or invalid (`WWW-Authenticate: Bearer`).",
);
pub const INVALID_CREDENTIALS: ProblemType =
    problem("invalid_credentials", 401, "Wrong phone number or password.");
pub const INVALID_REFRESH_TOKEN: ProblemType =
    problem("invalid_refresh_token", 401, "The refresh token is unknown, spent, expired or revoked.");
pub const FORBIDDEN: ProblemType =
    problem("forbidden", 403, "The caller's role does not allow this operation.");
pub const NOT_FOUND: ProblemType = problem("not_found", 404, "Not found, or not visible to the caller.");
pub const ROUTE_NOT_FOUND: ProblemType =
    problem("route_not_found", 404, "There is no such route in the API.");
pub const METHOD_NOT_ALLOWED: ProblemType =
    problem("method_not_allowed", 405, "The route does not take this method; `Allow` lists those it takes.");
pub const PHONE_TAKEN: ProblemType = problem("phone_taken", 409, "The phone number is already registered.");
pub const UNIT_CODE_TAKEN: ProblemType = problem("unit_code_taken", 409, "The unit code is already in use.");
pub const HOLIDAY_EXISTS: ProblemType =
    problem("holiday_exists", 409, "The date already has a holiday or make-up day for the same scope.");
pub const PROCEDURE_EXISTS: ProblemType =
    problem("procedure_exists", 409, "A procedure with this code already exists.");
pub const LEGAL_DOCUMENT_EXISTS: ProblemType =
    problem("legal_document_exists", 409, "A legal document with this number already exists.");
pub const ILLEGAL_TRANSITION: ProblemType =
    problem("illegal_transition", 409, "The dossier cannot move to that status from its current one.");
pub const DOSSIER_CLOSED: ProblemType =
    problem("dossier_closed", 409, "The dossier is no longer being processed.");
pub const DOSSIER_ALREADY_CLAIMED: ProblemType =
    problem("dossier_already_claimed", 409, "Another account already follows this dossier.");
pub const ALREADY_EXISTS: ProblemType = problem("already_exists", 409, "The record already exists.");
pub const VERSION_MISMATCH: ProblemType =
    problem("version_mismatch", 412, "The `If-Match` version is stale: read the record again.");
pub const PAYLOAD_TOO_LARGE: ProblemType =
    problem("payload_too_large", 413, "The body is over the server's limit.");
pub const UNSUPPORTED_MEDIA_TYPE: ProblemType =
    problem("unsupported_media_type", 415, "The `Content-Type` is not one the operation reads.");
pub const VALIDATION_FAILED: ProblemType =
    problem("validation_failed", 422, "Some fields break the rules; `errors` names each one.");
pub const UNIT_CYCLE: ProblemType =
    problem("unit_cycle", 422, "A unit cannot be moved under itself or one of its own sub-units.");
pub const OWN_ACCOUNT_LOCKED: ProblemType =
    problem("own_account_locked", 422, "Nobody may deactivate their own account or change their own role.");
pub const IF_MATCH_REQUIRED: ProblemType =
    problem("if_match_required", 428, "The write needs `If-Match` with the record's `ETag`.");
pub const TOO_MANY_REQUESTS: ProblemType =
    problem("too_many_requests", 429, "Too many requests; `Retry-After` says when to try again.");
pub const INTERNAL_ERROR: ProblemType = problem(
    "internal_error",
    500,
    "Unexpected server error; nothing internal is shown, quote the request id.",
);
pub const SERVICE_UNAVAILABLE: ProblemType = problem(
    "service_unavailable",
    503,
    "The database cannot be reached; `Retry-After` says when to try again.",
);

/// The whole catalogue.
pub const ALL: &[ProblemType] = &[
    MALFORMED_REQUEST,
    UNAUTHENTICATED,
    INVALID_CREDENTIALS,
    INVALID_REFRESH_TOKEN,
    FORBIDDEN,
    NOT_FOUND,
    ROUTE_NOT_FOUND,
    METHOD_NOT_ALLOWED,
    PHONE_TAKEN,
    UNIT_CODE_TAKEN,
    HOLIDAY_EXISTS,
    PROCEDURE_EXISTS,
    LEGAL_DOCUMENT_EXISTS,
    ILLEGAL_TRANSITION,
    DOSSIER_CLOSED,
    DOSSIER_ALREADY_CLAIMED,
    ALREADY_EXISTS,
    VERSION_MISMATCH,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_FAILED,
    UNIT_CYCLE,
    OWN_ACCOUNT_LOCKED,
    IF_MATCH_REQUIRED,
    TOO_MANY_REQUESTS,
    INTERNAL_ERROR,
    SERVICE_UNAVAILABLE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_statuses_are_errors() {
        let mut seen = std::collections::HashSet::new();
        for problem in ALL {
            assert!(seen.insert(problem.code), "{} listed twice", problem.code);
            assert!(problem.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{}", problem.code);
            assert!((400..600).contains(&problem.status), "{}", problem.code);
        }
    }
}
