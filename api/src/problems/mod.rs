//! Every problem `code` the API answers with: its HTTP status, what it means (for the spec),
//! and what the client is told, in Vietnamese and English.
//!
//! Errors are made from these (`ApiError::of`), and the spec's error documentation is
//! generated from them (see `spec::errors`), so a client developer reads the same codes the
//! server sends. Unique-constraint violations map onto them by constraint name
//! ([`for_constraint`]).

mod accounts_data;
mod booking;
mod complaints;
mod dossiers;
mod integrations;
mod letters;
mod oidc;
mod phone;
mod queue;
mod ratings;
mod records;
mod sessions;
mod webhooks;

pub use accounts_data::*;
pub use booking::*;
pub use complaints::*;
pub use dossiers::*;
pub use integrations::*;
pub use letters::*;
pub use oidc::*;
pub use phone::*;
pub use queue::*;
pub use ratings::*;
pub use records::*;
pub use sessions::*;
pub use webhooks::*;

/// One kind of problem, as clients switch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemType {
    /// The stable snake_case identifier in the problem's `code`.
    pub code: &'static str,
    /// The HTTP status it is sent with.
    pub status: u16,
    /// What it means, in English, for the spec.
    pub meaning: &'static str,
    /// What the client is told (`detail`) in Vietnamese, unless the error says more.
    pub vi: &'static str,
    /// What the client is told (`detail`) in English, unless the error says more.
    pub en: &'static str,
}

pub(crate) const fn problem(
    code: &'static str,
    status: u16,
    meaning: &'static str,
    (vi, en): (&'static str, &'static str),
) -> ProblemType {
    ProblemType { code, status, meaning, vi, en }
}

pub const MALFORMED_REQUEST: ProblemType = problem(
    "malformed_request",
    400,
    "A parameter or the body could not be read as its type.",
    ("Yêu cầu không đọc được.", "The request could not be read."),
);
pub const UNAUTHENTICATED: ProblemType = problem(
    "unauthenticated",
    401,
    "The access token is missing, expired or invalid (`WWW-Authenticate: Bearer`).",
    (
        "Cần đăng nhập: thiếu mã truy cập, hoặc mã đã hết hạn hay không hợp lệ.",
        "Authentication required: the access token is missing, expired or invalid.",
    ),
);
pub const INVALID_CREDENTIALS: ProblemType = problem(
    "invalid_credentials",
    401,
    "Wrong phone number or password.",
    ("Số điện thoại hoặc mật khẩu không đúng.", "Wrong phone number or password."),
);
pub const INVALID_REFRESH_TOKEN: ProblemType = problem(
    "invalid_refresh_token",
    401,
    "The refresh token is unknown, spent, expired or revoked.",
    (
        "Phiên đăng nhập đã hết hạn hoặc bị thu hồi; vui lòng đăng nhập lại.",
        "The session has expired or was revoked; please log in again.",
    ),
);
pub const FORBIDDEN: ProblemType = problem(
    "forbidden",
    403,
    "The caller's role does not allow this operation.",
    ("Tài khoản của bạn không có quyền thực hiện thao tác này.", "Your account is not allowed to do this."),
);
pub const NOT_FOUND: ProblemType =
    problem("not_found", 404, "Not found, or not visible to the caller.", ("Không tìm thấy.", "Not found."));
pub const ROUTE_NOT_FOUND: ProblemType = problem(
    "route_not_found",
    404,
    "There is no such route in the API.",
    ("Không có đường dẫn này trong API.", "There is no such route in the API."),
);
pub const METHOD_NOT_ALLOWED: ProblemType = problem(
    "method_not_allowed",
    405,
    "The route does not take this method; `Allow` lists those it takes.",
    (
        "Phương thức HTTP này không dùng được với đường dẫn này.",
        "This HTTP method is not allowed on this route.",
    ),
);
pub const VERSION_MISMATCH: ProblemType = problem(
    "version_mismatch",
    412,
    "The `If-Match` version is stale: read the record again.",
    (
        "Hồ sơ đã được người khác cập nhật; hãy tải lại và thử lại.",
        "The dossier was changed by someone else; reload it and try again.",
    ),
);
pub const PAYLOAD_TOO_LARGE: ProblemType = problem(
    "payload_too_large",
    413,
    "The body is over the server's limit.",
    ("Nội dung yêu cầu vượt quá giới hạn cho phép.", "The request body is over the allowed size."),
);
pub const UNSUPPORTED_MEDIA_TYPE: ProblemType = problem(
    "unsupported_media_type",
    415,
    "The `Content-Type` is not one the operation reads.",
    (
        "Kiểu nội dung (Content-Type) không được hỗ trợ; hãy gửi application/json.",
        "The Content-Type is not supported; send application/json.",
    ),
);
pub const VALIDATION_FAILED: ProblemType = problem(
    "validation_failed",
    422,
    "Some fields break the rules; `errors` names each one.",
    ("Một số trường không hợp lệ.", "Some fields are not valid."),
);
pub const IF_MATCH_REQUIRED: ProblemType = problem(
    "if_match_required",
    428,
    "The write needs `If-Match` with the record's `ETag`.",
    (
        "Cần gửi tiêu đề If-Match với phiên bản (ETag) của hồ sơ.",
        "Send an If-Match header with the dossier's version (its ETag).",
    ),
);
pub const INTERNAL_ERROR: ProblemType = problem(
    "internal_error",
    500,
    "Unexpected server error; nothing internal is shown, quote the request id.",
    (
        "Đã xảy ra lỗi ở máy chủ. Vui lòng thử lại sau hoặc báo mã yêu cầu cho bộ phận hỗ trợ.",
        "Something went wrong on the server. Try again later or give the request id to support.",
    ),
);
pub const SERVICE_UNAVAILABLE: ProblemType = problem(
    "service_unavailable",
    503,
    "The database cannot be reached; `Retry-After` says when to try again.",
    (
        "Dịch vụ tạm thời không khả dụng. Vui lòng thử lại sau.",
        "The service is temporarily unavailable. Please try again later.",
    ),
);

/// A unique constraint a client's request can break, by its name in the migrations (which is
/// also how PostgreSQL reports it) and by the columns SQLite names in its message.
struct UniqueConstraint {
    name: &'static str,
    sqlite_columns: &'static str,
    problem: ProblemType,
}

const UNIQUE_CONSTRAINTS: &[UniqueConstraint] = &[
    UniqueConstraint { name: "users_phone_key", sqlite_columns: "users.phone", problem: PHONE_TAKEN },
    UniqueConstraint {
        name: "users_oidc_subject",
        sqlite_columns: "users.oidc_subject",
        problem: OIDC_SUBJECT_TAKEN,
    },
    UniqueConstraint { name: "units_code_key", sqlite_columns: "units.code", problem: UNIT_CODE_TAKEN },
    UniqueConstraint {
        name: "holidays_national_date",
        sqlite_columns: "holidays.date",
        problem: HOLIDAY_EXISTS,
    },
    UniqueConstraint {
        name: "holidays_unit_date",
        sqlite_columns: "holidays.unit_id, holidays.date",
        problem: HOLIDAY_EXISTS,
    },
    UniqueConstraint {
        name: "procedures_code_key",
        sqlite_columns: "procedures.code",
        problem: PROCEDURE_EXISTS,
    },
    UniqueConstraint {
        name: "legal_documents_number_key",
        sqlite_columns: "legal_documents.number",
        problem: LEGAL_DOCUMENT_EXISTS,
    },
    UniqueConstraint {
        name: "appointment_seats_citizen_slot",
        sqlite_columns: "appointment_seats.citizen_id, appointment_seats.starts_at",
        problem: ALREADY_BOOKED_AT_THIS_TIME,
    },
    UniqueConstraint {
        name: "tickets_appointment",
        sqlite_columns: "tickets.appointment_id",
        problem: ALREADY_CHECKED_IN,
    },
    UniqueConstraint {
        name: "ratings_dossier",
        sqlite_columns: "ratings.dossier_id",
        problem: ALREADY_RATED,
    },
    UniqueConstraint { name: "ratings_ticket", sqlite_columns: "ratings.ticket_id", problem: ALREADY_RATED },
    UniqueConstraint {
        name: "letters_dossier_kind",
        sqlite_columns: "letters.dossier_id, letters.kind",
        problem: LETTER_EXISTS,
    },
];

/// The problem a broken unique constraint means: found by the constraint's name (PostgreSQL)
/// or, as SQLite names no constraint, by the columns its message lists
/// (`UNIQUE constraint failed: users.phone`). `None` for a constraint no request should break.
pub fn for_constraint(name: Option<&str>, message: &str) -> Option<&'static ProblemType> {
    let sqlite_columns = message.rsplit_once("constraint failed: ").map(|(_, columns)| columns.trim());
    UNIQUE_CONSTRAINTS
        .iter()
        .find(|c| name == Some(c.name) || sqlite_columns == Some(c.sqlite_columns))
        .map(|c| &c.problem)
}

/// The whole catalogue.
pub const ALL: &[ProblemType] = &[
    MALFORMED_REQUEST,
    UNAUTHENTICATED,
    API_KEY_INVALID,
    INVALID_CREDENTIALS,
    INVALID_REFRESH_TOKEN,
    STEP_UP_REQUIRED,
    SESSION_IS_CURRENT,
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
    VERSION_MISMATCH,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_FAILED,
    UNIT_CYCLE,
    OWN_ACCOUNT_LOCKED,
    IF_MATCH_REQUIRED,
    QUOTA_EXCEEDED,
    OTP_INVALID,
    OTP_EXPIRED,
    OTP_TOO_SOON,
    PHONE_NOT_VERIFIED,
    INTERNAL_ERROR,
    SERVICE_UNAVAILABLE,
    STAFF_CANNOT_BOOK,
    BOOKING_BLOCKED,
    PROCEDURE_NOT_OFFERED,
    NOT_A_SLOT,
    SLOT_NOT_BOOKABLE,
    SLOT_FULL,
    ALREADY_BOOKED_AT_THIS_TIME,
    BOOKING_LIMIT_REACHED,
    APPOINTMENT_NOT_RESCHEDULABLE,
    APPOINTMENT_NOT_CANCELLABLE,
    CHANGE_CUTOFF_PASSED,
    APPOINTMENT_NOT_DUE,
    IDEMPOTENCY_KEY_REUSED,
    IDEMPOTENCY_IN_PROGRESS,
    DESK_CLOSED,
    TOO_EARLY_TO_CHECK_IN,
    APPOINTMENT_NOT_TODAY,
    APPOINTMENT_NOT_CHECKABLE,
    ALREADY_CHECKED_IN,
    UNKNOWN_SERVICE_GROUP,
    COUNTER_NOT_OPEN,
    COUNTER_BUSY,
    TICKET_NOT_IN_STATE,
    UNKNOWN_DOSSIER,
    STAFF_CANNOT_RATE,
    ALREADY_RATED,
    NOT_RATEABLE_YET,
    RATING_WINDOW_CLOSED,
    MODERATED_ABOVE,
    ALREADY_MODERATED,
    UNKNOWN_OFFICER,
    COMPLAINT_NOT_IN_STATE,
    REOPEN_WINDOW_CLOSED,
    ALREADY_EXTENDED,
    TOO_MANY_ATTACHMENTS,
    ATTACHMENT_TOO_LARGE,
    UNSUPPORTED_ATTACHMENT,
    LETTER_TEMPLATE_INVALID,
    LETTER_EXISTS,
    LETTERS_OPTED_OUT,
    API_KEY_REVOKED,
    WEBHOOK_DELIVERY_IN_FLIGHT,
    OIDC_DISABLED,
    OIDC_PROVIDER_UNAVAILABLE,
    OIDC_STATE_INVALID,
    OIDC_TOKEN_INVALID,
    OIDC_NO_ACCOUNT,
    OIDC_SUBJECT_TAKEN,
    PASSWORD_CHANGE_REQUIRED,
    CLAIM_PHONE_MISMATCH,
    NO_CITIZEN_ACCOUNT,
    STAFF_ACCOUNT,
    OWN_PASSWORD_RESET,
];

/// The problem of a catalogue code.
pub fn by_code(code: &str) -> Option<&'static ProblemType> {
    ALL.iter().find(|problem| problem.code == code)
}

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
            assert!(!problem.vi.is_empty() && !problem.en.is_empty(), "{}", problem.code);
        }
    }

    #[test]
    fn unique_violations_map_by_constraint_name_or_sqlite_columns() {
        assert_eq!(for_constraint(Some("users_phone_key"), "duplicate key value"), Some(&PHONE_TAKEN));
        assert_eq!(
            for_constraint(
                None,
                "error returned from database: (code: 2067) UNIQUE constraint failed: holidays.unit_id, holidays.date"
            ),
            Some(&HOLIDAY_EXISTS)
        );
        assert_eq!(for_constraint(None, "UNIQUE constraint failed: dossiers.code"), None);
        assert_eq!(for_constraint(Some("dossiers_code_key"), "duplicate key value"), None);
    }
}
