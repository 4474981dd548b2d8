//! Errors of the libraries underneath, as problems: poem's own (routing, parsing, content
//! type, size, security) and the database's (a broken unique constraint by its name).

use poem::http::StatusCode;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

use super::ApiError;
use crate::problems;

impl ApiError {
    /// Maps poem's and poem-openapi's own errors onto problems, so nothing leaves the server
    /// as plain text.
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
            return ApiError::of(&problems::UNSUPPORTED_MEDIA_TYPE);
        }
        if err.is::<AuthorizationError>() {
            return ApiError::unauthenticated();
        }
        if err.is::<NotFoundError>() {
            return ApiError::of(&problems::ROUTE_NOT_FOUND);
        }
        if err.is::<MethodNotAllowedError>() {
            return ApiError::of(&problems::METHOD_NOT_ALLOWED);
        }
        match err.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
            StatusCode::UNAUTHORIZED => ApiError::unauthenticated(),
            StatusCode::NOT_FOUND => ApiError::not_found(),
            status if status.is_client_error() => ApiError::malformed_request(),
            _ => ApiError::internal(err),
        }
    }
}

/// The name of the constraint a database error broke, where the engine says (PostgreSQL).
fn constraint_name(err: &DbErr) -> Option<&str> {
    match err {
        DbErr::Query(RuntimeErr::SqlxError(sqlx)) | DbErr::Exec(RuntimeErr::SqlxError(sqlx)) => {
            sqlx.as_database_error().and_then(|db| db.constraint())
        }
        _ => None,
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> ApiError {
        if matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) {
            tracing::error!(error = %err, "database unreachable");
            return ApiError::unavailable();
        }
        // A unique constraint a request can break names its problem; any other broken
        // constraint is a bug of ours, logged as one.
        if let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err()
            && let Some(problem) = problems::for_constraint(constraint_name(&err), &message)
        {
            return ApiError::of(problem);
        }
        ApiError::internal(err)
    }
}
