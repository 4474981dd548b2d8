//! The unit tree: list, create and change units (administrators).

use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
};

use super::{audit_by, existing_unit, page_body, parse_field};
use crate::admin::{
    dto::*,
    store::{self, UnitRecord},
};
use crate::{
    auth::{BearerAuth, Role},
    domain::unit::{UnitAddress, UnitName},
    error::{ApiError, ApiResult, FieldError},
    pagination::{Page, PageQuery},
    spec::ApiTags,
    state::AppState,
};

#[derive(ApiResponse)]
pub enum UnitCreated {
    /// The unit was created.
    #[oai(status = 201)]
    Created(Json<AdminUnit>),
}

fn unit_dto(record: UnitRecord) -> AdminUnit {
    AdminUnit {
        code: record.unit.code,
        name: record.unit.name,
        kind: record.unit.kind,
        parent_code: record.parent_code,
        address: record.unit.address,
        locality: record.unit.locality,
        active: record.unit.active,
    }
}

fn unit_name(input: &str, errors: &mut Vec<FieldError>) -> Option<UnitName> {
    let (vi, en) = ("Tên đơn vị phải có 1–200 ký tự.", "The unit name must have 1–200 characters.");
    parse_field("name", UnitName::parse(input), vi, en, errors)
}

fn unit_address(input: &str, errors: &mut Vec<FieldError>) -> Option<UnitAddress> {
    let (vi, en) = ("Địa chỉ phải có 1–300 ký tự.", "The address must have 1–300 characters.");
    parse_field("address", UnitAddress::parse(input), vi, en, errors)
}

pub struct AdminUnitsApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminUnitsApi {
    /// List units
    ///
    /// The whole unit tree, active and deactivated units alike unless filtered, sorted by code.
    /// Administrators only.
    #[oai(path = "/admin/units", method = "get", operation_id = "list_admin_units")]
    async fn list_units(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only active (`true`) or deactivated (`false`) units.
        active: Query<Option<bool>>,
        /// Only the direct sub-units of the unit with this code.
        parent_code: Query<Option<String>>,
        /// The page, from 1 (default 1).
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<AdminUnit>>> {
        auth.0.require_staff(Role::Admin)?;
        let page = PageQuery::new(page.0, per_page.0);
        let filter = store::UnitFilter { active: active.0, parent_code: parent_code.0.as_deref() };
        Ok(page_body(store::list_units(&state.db, filter, page).await?, page, unit_dto))
    }

    /// Create a unit
    ///
    /// Adds a unit to the tree, under an existing parent or at the top. Unit codes are unique
    /// and never change (`unit_code_taken` when the code is in use). Administrators only.
    #[oai(path = "/admin/units", method = "post", operation_id = "create_unit")]
    async fn create_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewUnit>,
    ) -> ApiResult<UnitCreated> {
        auth.0.require_staff(Role::Admin)?;
        let mut errors = Vec::new();
        let name = unit_name(&body.name, &mut errors);
        let address = body.address.as_deref().map(|address| unit_address(address, &mut errors));
        let parent = match &body.parent_code {
            Some(parent_code) => existing_unit(&state.db, "parent_code", parent_code, &mut errors).await?,
            None => None,
        };
        let (Some(name), true) = (name, errors.is_empty()) else {
            return Err(ApiError::validation(errors));
        };
        let address = address.flatten();
        let new = store::NewUnitRow {
            code: body.code.as_str(),
            name: name.as_str(),
            kind: body.kind,
            parent: parent.as_ref(),
            address: address.as_ref().map(UnitAddress::as_str),
            locality: body.locality.as_deref(),
        };
        let record = store::create_unit(&state.writer, new, &audit_by(&state, &auth.0)).await?;
        Ok(UnitCreated::Created(Json(unit_dto(record))))
    }

    /// Change a unit
    ///
    /// Renames a unit, changes its kind or address, moves it under another unit (never under
    /// itself or one of its sub-units: `unit_cycle`), deactivates or reactivates it. Units are
    /// never deleted, so dossiers and history keep pointing at them. Administrators only.
    #[oai(path = "/admin/units/:code", method = "patch", operation_id = "update_unit")]
    async fn update_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The unit's code.
        code: Path<String>,
        body: Json<UnitChanges>,
    ) -> ApiResult<Json<AdminUnit>> {
        auth.0.require_staff(Role::Admin)?;
        let mut errors = Vec::new();
        let name = body.name.as_deref().map(|name| unit_name(name, &mut errors));
        let address = match &body.address {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(address) => Some(unit_address(address, &mut errors)),
        };
        let parent = match &body.parent_code {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(parent_code) => {
                Some(existing_unit(&state.db, "parent_code", parent_code, &mut errors).await?)
            }
        };
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let update = store::UnitUpdate {
            name: name.flatten().map(|name| name.as_str().to_owned()),
            kind: body.kind,
            address: address.map(|address| address.map(|a| a.as_str().to_owned())),
            locality: match &body.locality {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(locality) => Some(Some(locality.to_string())),
            },
            parent,
            active: body.active,
        };
        let record = store::update_unit(&state.writer, &code.0, update, &audit_by(&state, &auth.0)).await?;
        // A unit moved or deactivated lists other slots (its holidays, its seats).
        state.listed_desks.forget_all();
        Ok(Json(unit_dto(record)))
    }
}
