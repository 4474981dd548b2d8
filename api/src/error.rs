//! The one error type at the HTTP edge, rendered as RFC 9457 `application/problem+json`.
//!
//! Every error the server returns goes through [`ApiError`]: handler errors directly, and
//! poem's own (unknown route, bad JSON, wrong content type, ...) through [`ApiError::from_poem`]
//! in the request-context middleware. `code` is the stable identifier clients switch on;
//! `title` and `detail` follow the request's language.

use poem::{
    IntoResponse, Response,
    error::ResponseError,
    http::{HeaderName, HeaderValue, StatusCode, header},
};
use poem_openapi::{
    ApiResponse, Object,
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::{Example, ToJSON},
};
use sea_orm::{DbErr, SqlErr};

use crate::i18n::{Lang, Text};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Problem {
    /// A URI reference naming the kind of problem (`urn:motcua:problem:<code>`).
    #[oai(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem, in the request's language.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this request, in the request's language.
    pub detail: String,
    /// A stable snake_case identifier of the problem, for clients to switch on.
    pub code: String,
    /// Field-level problems, when the request broke validation rules; left out otherwise.
    #[oai(default, skip_serializing_if_is_empty)]
    pub errors: Vec<FieldProblem>,
    /// The request id (also in the `X-Request-Id` header); quote it when reporting a problem.
    #[oai(skip_serializing_if_is_none)]
    pub request_id: Option<String>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, Object)]
pub struct FieldProblem {
    /// The field, as a JSON path into the request (`applicant.phone`) or a parameter name.
    pub field: String,
    /// Why the value was refused, in the request's language.
    pub message: String,
}

impl Example for Problem {
    fn example() -> Self {
        Problem {
            kind: "urn:motcua:problem:validation_failed".into(),
            title: "Dữ liệu không hợp lệ".into(),
            status: 422,
            detail: "Một số trường không hợp lệ.".into(),
            code: "validation_failed".into(),
            errors: vec![FieldProblem {
                field: "phone".into(),
                message: "Số điện thoại di động Việt Nam không hợp lệ.".into(),
            }],
            request_id: Some("0192f0c4-7d1e-7c39-9a3b-4bd3a1f2e001".into()),
        }
    }
}

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
    status: StatusCode,
    code: &'static str,
    detail: Text,
    errors: Vec<FieldError>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail.en)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: Text) -> ApiError {
        ApiError { status, code, detail, errors: Vec::new(), headers: Vec::new() }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> ApiError {
        self.headers.push((name, value));
        self
    }

    /// 400: the body is not JSON of the operation's shape (and no single field explains why).
    pub fn malformed_body() -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            Text::new(
                "Nội dung yêu cầu không phải JSON hợp lệ theo mô tả của thao tác này.",
                "The request body is not valid JSON of the shape this operation takes.",
            ),
        )
    }

    /// 400: fields or parameters of the wrong type, not among the allowed values, or missing;
    /// each says what it takes.
    pub fn malformed_fields(errors: Vec<FieldError>) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            Text::new(
                "Yêu cầu có trường hoặc tham số không đúng kiểu, không thuộc các giá trị cho phép, hoặc bị thiếu.",
                "Some fields or parameters are of the wrong type, not among the allowed values, or missing.",
            ),
        );
        error.errors = errors;
        error
    }

    /// 400: the request could not be read at all (a broken body stream, bad framing).
    pub fn malformed_request() -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            Text::new("Yêu cầu không đọc được.", "The request could not be read."),
        )
    }

    /// 422: well-formed, but some fields break the rules.
    pub fn validation(errors: Vec<FieldError>) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Text::new("Một số trường không hợp lệ.", "Some fields are not valid."),
        );
        error.errors = errors;
        error
    }

    /// 422 for a single field.
    pub fn invalid_field(field: &str, vi: &'static str, en: &'static str) -> ApiError {
        ApiError::validation(vec![FieldError::new(field, vi, en)])
    }

    /// 422: the request is valid but a business rule refuses it.
    pub fn rule(code: &'static str, detail: Text) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    /// 401, with the `WWW-Authenticate` challenge.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            Text::new(
                "Cần đăng nhập: thiếu mã truy cập, hoặc mã đã hết hạn hay không hợp lệ.",
                "Authentication required: the access token is missing, expired or invalid.",
            ),
        )
        .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }

    /// 403: authenticated, but the role does not allow this.
    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            Text::new(
                "Tài khoản của bạn không có quyền thực hiện thao tác này.",
                "Your account is not allowed to do this.",
            ),
        )
    }

    /// 404, also for what the caller may not see.
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", Text::new("Không tìm thấy.", "Not found."))
    }

    /// 409 with a specific code.
    pub fn conflict(code: &'static str, detail: Text) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, detail)
    }

    /// 429 with `Retry-After`.
    pub fn too_many_requests(retry_after_secs: u64) -> ApiError {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            Text::new(
                format!("Quá nhiều yêu cầu. Vui lòng thử lại sau {retry_after_secs} giây."),
                format!("Too many requests. Try again in {retry_after_secs} seconds."),
            ),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)))
    }

    /// 503: the database cannot be reached.
    pub fn unavailable() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            Text::new(
                "Dịch vụ tạm thời không khả dụng. Vui lòng thử lại sau.",
                "The service is temporarily unavailable. Please try again later.",
            ),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
    }

    /// 500: logs the cause (with the request id of the current span); the client sees nothing of it.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            Text::new(
                "Đã xảy ra lỗi ở máy chủ. Vui lòng thử lại sau hoặc báo mã yêu cầu cho bộ phận hỗ trợ.",
                "Something went wrong on the server. Try again later or give the request id to support.",
            ),
        )
    }

    fn title(&self) -> Text {
        let (vi, en) = match self.status.as_u16() {
            400 => ("Yêu cầu không hợp lệ", "Bad request"),
            401 => ("Chưa xác thực", "Unauthenticated"),
            403 => ("Không có quyền", "Forbidden"),
            404 => ("Không tìm thấy", "Not found"),
            405 => ("Phương thức không được hỗ trợ", "Method not allowed"),
            409 => ("Xung đột dữ liệu", "Conflict"),
            411 => ("Thiếu độ dài nội dung", "Length required"),
            412 => ("Dữ liệu đã thay đổi", "Precondition failed"),
            413 => ("Nội dung quá lớn", "Payload too large"),
            415 => ("Kiểu nội dung không được hỗ trợ", "Unsupported media type"),
            422 => ("Dữ liệu không hợp lệ", "Unprocessable content"),
            428 => ("Thiếu điều kiện", "Precondition required"),
            429 => ("Quá nhiều yêu cầu", "Too many requests"),
            503 => ("Dịch vụ không khả dụng", "Service unavailable"),
            _ => ("Lỗi máy chủ", "Internal server error"),
        };
        Text::new(vi, en)
    }

    /// The problem document in the current request's language.
    pub fn to_problem(&self, request_id: Option<String>) -> Problem {
        let lang = Lang::current();
        Problem {
            kind: format!("urn:motcua:problem:{}", self.code),
            title: self.title().get(lang).to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.get(lang).to_owned(),
            code: self.code.to_owned(),
            errors: self
                .errors
                .iter()
                .map(|e| FieldProblem { field: e.field.clone(), message: e.message.get(lang).to_owned() })
                .collect(),
            request_id,
        }
    }

    /// Maps poem's and poem-openapi's own errors (routing, parsing, content type, size,
    /// security) onto problems, so nothing leaves the server as plain text.
    pub fn from_poem(err: poem::Error) -> ApiError {
        use poem::error::{MethodNotAllowedError, NotFoundError, ParseJsonError, ParseQueryError};
        use poem_openapi::error::{
            AuthorizationError, ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
            ParseRequestPayloadError,
        };

        if err.is::<ApiError>() {
            return err.downcast::<ApiError>().unwrap_or_else(|_| ApiError::internal("downcast"));
        }
        // Parse errors of known operations are explained field by field before this
        // (`http::schema_check::explain`); what is left is answered without parser text.
        if err.is::<ParseParamError>()
            || err.is::<ParsePathError>()
            || err.is::<ParseRequestPayloadError>()
            || err.is::<ParseMultipartError>()
            || err.is::<ParseJsonError>()
            || err.is::<ParseQueryError>()
        {
            return ApiError::malformed_request();
        }
        if err.is::<ContentTypeError>() {
            return ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                Text::new(
                    "Kiểu nội dung (Content-Type) không được hỗ trợ; hãy gửi application/json.",
                    "The Content-Type is not supported; send application/json.",
                ),
            );
        }
        if err.is::<AuthorizationError>() {
            return ApiError::unauthenticated();
        }
        if err.is::<NotFoundError>() {
            return ApiError::new(
                StatusCode::NOT_FOUND,
                "route_not_found",
                Text::new("Không có đường dẫn này trong API.", "There is no such route in the API."),
            );
        }
        if err.is::<MethodNotAllowedError>() {
            return ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                Text::new(
                    "Phương thức HTTP này không dùng được với đường dẫn này.",
                    "This HTTP method is not allowed on this route.",
                ),
            );
        }
        match err.status() {
            StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
            StatusCode::UNAUTHORIZED => ApiError::unauthenticated(),
            StatusCode::NOT_FOUND => ApiError::not_found(),
            status if status.is_client_error() => ApiError::malformed_request(),
            _ => ApiError::internal(err),
        }
    }
}

/// 413: the body is over the server's limit.
pub fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        Text::new(
            "Nội dung yêu cầu vượt quá giới hạn cho phép.",
            "The request body is over the allowed size.",
        ),
    )
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> ApiError {
        match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::error!(error = %err, "database unreachable");
                ApiError::unavailable()
            }
            _ => match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(
                    "already_exists",
                    Text::new("Bản ghi này đã tồn tại.", "This record already exists."),
                ),
                _ => ApiError::internal(err),
            },
        }
    }
}

/// The request id of the current request, for problem bodies.
fn current_request_id() -> Option<String> {
    crate::http::request_context::RequestId::current().map(|id| id.to_string())
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        let body = self.to_problem(current_request_id()).to_json_string();
        let mut response = Response::builder()
            .status(self.status)
            .content_type(PROBLEM_JSON)
            .header(header::CONTENT_LANGUAGE, Lang::current().code())
            .body(body);
        for (name, value) in &self.headers {
            response.headers_mut().append(name.clone(), value.clone());
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.as_response()
    }
}

/// Handlers answer errors as problems; which ones each operation documents is written into
/// the spec from the problem catalogue (`spec::errors`), which replaces this placeholder (it
/// only keeps the `Problem` schema among the components poem-openapi writes).
impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "A problem.",
                status: None,
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: PROBLEM_JSON,
                    schema: <Problem as poem_openapi::types::Type>::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        <Problem as poem_openapi::types::Type>::register(registry);
    }
}

/// The result type of every handler.
pub type ApiResult<T> = Result<T, ApiError>;
