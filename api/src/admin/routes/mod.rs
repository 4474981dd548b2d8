//! Administration over HTTP: the unit tree, staff accounts and the audit log, one API each.

mod audit;
mod staff;
mod units;

pub use self::{
    audit::{AdminAuditApi, audit_dto},
    staff::AdminStaffApi,
    units::AdminUnitsApi,
};

use poem_openapi::payload::Json;
use sea_orm::DatabaseConnection;

use super::store::{Audit, WriteError};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult, FieldError},
    http::request_id::RequestId,
    pagination::{Page, PageQuery},
    problems,
    state::AppState,
};

impl From<WriteError> for ApiError {
    fn from(err: WriteError) -> ApiError {
        match err {
            WriteError::NotFound => ApiError::not_found(),
            WriteError::UnitCodeTaken => ApiError::of(&problems::UNIT_CODE_TAKEN),
            WriteError::UnitCycle => ApiError::of(&problems::UNIT_CYCLE),
            WriteError::PhoneTaken => ApiError::of(&problems::PHONE_TAKEN),
            WriteError::Db(err) => err.into(),
        }
    }
}

/// Who is making this change, for the audit log.
pub(crate) fn audit_by(state: &AppState, caller: &Caller) -> Audit {
    Audit {
        actor_id: Some(caller.id),
        request_id: RequestId::current().map(|id| id.to_string()),
        at: state.clock.now(),
        address: None,
        user_agent: None,
    }
}

/// A page of DTOs from a page of store records.
pub(super) fn page_body<
    R,
    T: poem_openapi::types::ParseFromJSON + poem_openapi::types::ToJSON + Send + Sync,
>(
    (records, total): (Vec<R>, u64),
    page: PageQuery,
    to_dto: impl Fn(R) -> T,
) -> Json<Page<T>> {
    Json(Page::new(records.into_iter().map(to_dto).collect(), page, total))
}

/// The unit with this code, or a field error saying there is none.
pub(crate) async fn existing_unit(
    db: &DatabaseConnection,
    field: &str,
    code: &str,
    errors: &mut Vec<FieldError>,
) -> ApiResult<Option<entity::unit::Model>> {
    let unit = crate::units::store::unit_by_code(db, code).await?;
    if unit.is_none() {
        errors.push(FieldError::new(
            field,
            "Không có đơn vị với mã này.",
            "There is no unit with this code.",
        ));
    }
    Ok(unit)
}

pub(super) fn parse_field<T>(
    field: &str,
    parsed: Option<T>,
    vi: &'static str,
    en: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    if parsed.is_none() {
        errors.push(FieldError::new(field, vi, en));
    }
    parsed
}
