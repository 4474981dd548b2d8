//! How an [`ApiError`] leaves the server: the problem document in the request's language,
//! with its status, headers and request id; and how the spec learns that handlers answer so.

use poem::{
    IntoResponse, Response,
    error::ResponseError,
    http::{StatusCode, header},
};
use poem_openapi::{
    ApiResponse, Object,
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::{Example, ToJSON},
};

use super::ApiError;
use crate::{
    http::request_id::RequestId,
    i18n::{Lang, Text},
};

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

impl ApiError {
    fn title(&self) -> Text {
        let (vi, en) = match self.problem.status {
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
            kind: format!("urn:motcua:problem:{}", self.problem.code),
            title: self.title().get(lang).to_owned(),
            status: self.problem.status,
            detail: self.detail.get(lang).to_owned(),
            code: self.problem.code.to_owned(),
            errors: self
                .errors
                .iter()
                .map(|e| FieldProblem { field: e.field.clone(), message: e.message.get(lang).to_owned() })
                .collect(),
            request_id,
        }
    }
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        ApiError::status(self)
    }

    fn as_response(&self) -> Response {
        let body = self.to_problem(RequestId::current().map(|id| id.to_string())).to_json_string();
        let mut response = Response::builder()
            .status(ApiError::status(self))
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
