//! The one error type at the HTTP edge, rendered as RFC 9457 `application/problem+json`.
//!
//! Every error the server returns goes through [`ApiError`]: handler errors directly, and
//! poem's own (unknown route, bad JSON, wrong content type, ...) through [`ApiError::from_poem`]
//! in the request-context middleware. Each is one of the catalogue's [`ProblemType`]s, whose
//! `code` clients switch on; `title` and `detail` follow the request's language.

mod convert;
mod problem;

use poem::http::{HeaderName, HeaderValue, StatusCode, header};

pub use self::problem::{FieldProblem, PROBLEM_JSON, Problem};
use crate::{
    i18n::Text,
    problems::{self, ProblemType},
};

/// A field that broke a rule, with its message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, vi: &'static str, en: &'static str) -> FieldError {
        FieldError { field: field.into(), message: Text::new(vi, en) }
    }
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    problem: &'static ProblemType,
    detail: Text,
    errors: Vec<FieldError>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.problem.status, self.problem.code, self.detail.en)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// A problem of the catalogue, told in the catalogue's words.
    pub fn of(problem: &'static ProblemType) -> ApiError {
        ApiError {
            problem,
            detail: Text::new(problem.vi, problem.en),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// The same problem, told with what this request got wrong.
    pub fn with_detail(mut self, detail: Text) -> ApiError {
        self.detail = detail;
        self
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> ApiError {
        self.headers.push((name, value));
        self
    }

    fn with_errors(mut self, errors: Vec<FieldError>) -> ApiError {
        self.errors = errors;
        self
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn code(&self) -> &'static str {
        self.problem.code
    }

    /// 400: the body is not JSON of the operation's shape (and no single field explains why).
    pub fn malformed_body() -> ApiError {
        ApiError::of(&problems::MALFORMED_REQUEST).with_detail(Text::new(
            "Nội dung yêu cầu không phải JSON hợp lệ theo mô tả của thao tác này.",
            "The request body is not valid JSON of the shape this operation takes.",
        ))
    }

    /// 400: fields or parameters of the wrong type, not among the allowed values, or missing;
    /// each says what it takes.
    pub fn malformed_fields(errors: Vec<FieldError>) -> ApiError {
        ApiError::of(&problems::MALFORMED_REQUEST)
            .with_detail(Text::new(
                "Yêu cầu có trường hoặc tham số không đúng kiểu, không thuộc các giá trị cho phép, hoặc bị thiếu.",
                "Some fields or parameters are of the wrong type, not among the allowed values, or missing.",
            ))
            .with_errors(errors)
    }

    /// 400: the request could not be read at all (a broken body stream, bad framing).
    pub fn malformed_request() -> ApiError {
        ApiError::of(&problems::MALFORMED_REQUEST)
    }

    /// 422: well-formed, but some fields break the rules.
    pub fn validation(errors: Vec<FieldError>) -> ApiError {
        ApiError::of(&problems::VALIDATION_FAILED).with_errors(errors)
    }

    /// 422 for a single field.
    pub fn invalid_field(field: &str, vi: &'static str, en: &'static str) -> ApiError {
        ApiError::validation(vec![FieldError::new(field, vi, en)])
    }

    /// 401, with the `WWW-Authenticate` challenge.
    pub fn unauthenticated() -> ApiError {
        ApiError::of(&problems::UNAUTHENTICATED)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }

    /// 403: authenticated, but the role does not allow this.
    pub fn forbidden() -> ApiError {
        ApiError::of(&problems::FORBIDDEN)
    }

    /// 404, also for what the caller may not see.
    pub fn not_found() -> ApiError {
        ApiError::of(&problems::NOT_FOUND)
    }

    /// 429 `quota_exceeded` with `Retry-After` (at least a second).
    pub fn quota_exceeded(retry_after_secs: u64) -> ApiError {
        let secs = retry_after_secs.max(1);
        ApiError::of(&problems::QUOTA_EXCEEDED)
            .with_detail(Text::new(
                format!("Đã vượt quá giới hạn số lần gọi. Vui lòng thử lại sau {secs} giây."),
                format!("The rate limit is used up. Try again in {secs} seconds."),
            ))
            .with_header(header::RETRY_AFTER, HeaderValue::from(secs))
    }

    /// 503: the database cannot be reached.
    pub fn unavailable() -> ApiError {
        ApiError::of(&problems::SERVICE_UNAVAILABLE)
            .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
    }

    /// 413: the body is over the server's limit.
    pub fn payload_too_large() -> ApiError {
        ApiError::of(&problems::PAYLOAD_TOO_LARGE)
    }

    /// 500: logs the cause (with the request id of the current span); the client sees nothing of it.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::of(&problems::INTERNAL_ERROR)
    }
}

/// An error as a record of a request's first answer keeps it (see `idempotency`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StoredProblem {
    code: String,
    detail: (String, String),
    errors: Vec<(String, String, String)>,
}

impl ApiError {
    pub fn stored(&self) -> StoredProblem {
        StoredProblem {
            code: self.problem.code.to_owned(),
            detail: (self.detail.vi.to_string(), self.detail.en.to_string()),
            errors: self
                .errors
                .iter()
                .map(|e| (e.field.clone(), e.message.vi.to_string(), e.message.en.to_string()))
                .collect(),
        }
    }

    /// The error a record kept, with the headers that only its first answer had left out;
    /// `None` for a code no longer in the catalogue.
    pub fn from_stored(stored: StoredProblem) -> Option<ApiError> {
        let problem = problems::by_code(&stored.code)?;
        let errors = stored
            .errors
            .into_iter()
            .map(|(field, vi, en)| FieldError { field, message: Text::new(vi, en) })
            .collect();
        Some(
            ApiError::of(problem)
                .with_detail(Text::new(stored.detail.0, stored.detail.1))
                .with_errors(errors),
        )
    }
}

/// The result type of every handler.
pub type ApiResult<T> = Result<T, ApiError>;
