use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
};
use sea_orm::{ActiveEnum, DatabaseConnection};
use uuid::Uuid;

use super::{
    dto::*,
    store::{self, Audit, StaffRecord, UnitRecord, WriteError},
};
use crate::{
    accounts::{dto::UserProfile, validate},
    auth::{BearerAuth, Caller, Role, UnitScope, scope_of},
    domain::{
        account::FullName,
        unit::{UnitAddress, UnitName},
    },
    error::{ApiError, ApiResult, FieldError},
    http::request_id::RequestId,
    pagination::{Page, PageQuery},
    problems,
    spec::ApiTags,
    state::AppState,
};

pub struct AdminApi;

#[derive(ApiResponse)]
pub enum UnitCreated {
    /// The unit was created.
    #[oai(status = 201)]
    Created(Json<AdminUnit>),
}

#[derive(ApiResponse)]
pub enum StaffCreated {
    /// The account was created; its owner can log in with the initial password.
    #[oai(status = 201)]
    Created(Json<UserProfile>),
}

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
fn audit_by(state: &AppState, caller: &Caller) -> Audit {
    Audit {
        actor_id: Some(caller.id),
        request_id: RequestId::current().map(|id| id.to_string()),
        at: state.clock.now(),
    }
}

fn unit_dto(record: UnitRecord) -> AdminUnit {
    AdminUnit {
        code: record.unit.code,
        name: record.unit.name,
        kind: record.unit.kind,
        parent_code: record.parent_code,
        address: record.unit.address,
        active: record.unit.active,
    }
}

fn staff_dto(record: StaffRecord) -> UserProfile {
    UserProfile::from_user(record.user, record.unit_code)
}

fn audit_dto((entry, unit_code): (entity::audit_log::Model, Option<String>)) -> AuditEntry {
    // The states were written by the store as JSON; text that is not JSON cannot come from it.
    let state = |text: Option<String>| text.and_then(|text| serde_json::from_str(&text).ok());
    AuditEntry {
        id: entry.id,
        actor_id: entry.actor_id,
        action: entry.action.to_value(),
        target_type: entry.target_type.to_value(),
        target_id: entry.target_id,
        unit_code,
        before_state: state(entry.before_state),
        after_state: state(entry.after_state),
        at: entry.at,
        request_id: entry.request_id,
    }
}

/// A page of DTOs from a page of store records.
fn page_body<R, T: poem_openapi::types::ParseFromJSON + poem_openapi::types::ToJSON + Send + Sync>(
    (records, total): (Vec<R>, u64),
    page: PageQuery,
    to_dto: impl Fn(R) -> T,
) -> Json<Page<T>> {
    Json(Page::new(records.into_iter().map(to_dto).collect(), page, total))
}

/// The unit with this code, or a field error saying there is none.
async fn existing_unit(
    db: &DatabaseConnection,
    field: &str,
    code: &str,
    errors: &mut Vec<FieldError>,
) -> ApiResult<Option<entity::unit::Model>> {
    let unit = store::unit_by_code(db, code).await?;
    if unit.is_none() {
        errors.push(FieldError::new(
            field,
            "Không có đơn vị với mã này.",
            "There is no unit with this code.",
        ));
    }
    Ok(unit)
}

fn parse_field<T>(
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

fn unit_name(input: &str, errors: &mut Vec<FieldError>) -> Option<UnitName> {
    let (vi, en) = ("Tên đơn vị phải có 1–200 ký tự.", "The unit name must have 1–200 characters.");
    parse_field("name", UnitName::parse(input), vi, en, errors)
}

fn unit_address(input: &str, errors: &mut Vec<FieldError>) -> Option<UnitAddress> {
    let (vi, en) = ("Địa chỉ phải có 1–300 ký tự.", "The address must have 1–300 characters.");
    parse_field("address", UnitAddress::parse(input), vi, en, errors)
}

/// Which accounts a staff scope shows: an administrator sees every staff account, the others
/// only those of their units (so never an administrator, who has no unit).
fn sees(scope: &UnitScope, account: &entity::user::Model) -> bool {
    match scope {
        UnitScope::All => true,
        UnitScope::Units(_) => account.unit_id.is_some_and(|unit| scope.contains(unit)),
    }
}

/// Officers and supervisors belong to a unit; administrators to none.
fn check_unit_for_role(role: Role, has_unit: bool) -> ApiResult<()> {
    match (role, has_unit) {
        (Role::Officer | Role::Supervisor, false) => Err(ApiError::invalid_field(
            "unit_code",
            "Cán bộ và lãnh đạo phải thuộc một đơn vị.",
            "Officers and supervisors must belong to a unit.",
        )),
        (Role::Admin, true) => Err(ApiError::invalid_field(
            "unit_code",
            "Quản trị viên không thuộc đơn vị nào; hãy gửi unit_code là null.",
            "Administrators belong to no unit; send unit_code as null.",
        )),
        _ => Ok(()),
    }
}

/// What a caller may change on a staff account they can see, given the requested changes.
fn decide_staff_update(
    caller: &Caller,
    scope: &UnitScope,
    current: &StaffRecord,
    changes: &StaffUserChanges,
    full_name: Option<FullName>,
    new_unit: Option<Option<entity::unit::Model>>,
) -> ApiResult<store::StaffUpdate> {
    let target = &current.user;
    if !sees(scope, target) {
        return Err(ApiError::not_found());
    }
    let current_role = target.role;
    let role = changes.role.map_or(current_role, Role::from);
    // Supervisors manage officers: they may see their peers but not change them, nor make
    // anyone more than an officer.
    if caller.role != Role::Admin && (current_role != Role::Officer || role != Role::Officer) {
        return Err(ApiError::forbidden());
    }
    if let Some(Some(unit)) = &new_unit {
        scope.check(unit.id)?;
    }
    if target.id == caller.id && (role != current_role || changes.active == Some(false)) {
        return Err(ApiError::of(&problems::OWN_ACCOUNT_LOCKED));
    }
    let has_unit = match &new_unit {
        Some(unit) => unit.is_some(),
        None => target.unit_id.is_some(),
    };
    check_unit_for_role(role, has_unit)?;
    Ok(store::StaffUpdate {
        full_name: full_name.map(|name| name.as_str().to_owned()),
        role: changes.role.map(Role::from),
        unit: new_unit,
        active: changes.active,
    })
}

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminApi {
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
        };
        let record = store::create_unit(&state.db, new, &audit_by(&state, &auth.0)).await?;
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
            parent,
            active: body.active,
        };
        let record = store::update_unit(&state.db, &code.0, update, &audit_by(&state, &auth.0)).await?;
        Ok(Json(unit_dto(record)))
    }

    /// List staff accounts
    ///
    /// Administrators see every staff account; supervisors those of their unit and its
    /// sub-units. Sorted by phone number.
    #[oai(path = "/admin/users", method = "get", operation_id = "list_staff")]
    // poem-openapi takes each query parameter as an argument of its own.
    #[allow(clippy::too_many_arguments)]
    async fn list_users(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only accounts with this role.
        role: Query<Option<StaffRole>>,
        /// Only the staff of the unit with this code (not of its sub-units).
        unit_code: Query<Option<String>>,
        /// Only active (`true`) or deactivated (`false`) accounts.
        active: Query<Option<bool>>,
        /// Part of a phone number (digits), or of a name.
        q: Query<Option<String>>,
        /// The page, from 1 (default 1).
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<UserProfile>>> {
        auth.0.require_staff(Role::Supervisor)?;
        let scope = scope_of(&state.db, &auth.0).await?;
        let page = PageQuery::new(page.0, per_page.0);
        let filter = store::StaffFilter {
            role: role.0.map(Role::from),
            unit_code: unit_code.0.as_deref(),
            active: active.0,
            q: q.0.as_deref(),
        };
        Ok(page_body(store::list_staff(&state.db, &scope, filter, page).await?, page, staff_dto))
    }

    /// Create a staff account
    ///
    /// Administrators create officers, supervisors and administrators; supervisors create
    /// officers of their unit or its sub-units. Officers and supervisors need a unit,
    /// administrators have none. Phone, name and password follow the rules of registration;
    /// a phone number that already has an account is `phone_taken`.
    #[oai(path = "/admin/users", method = "post", operation_id = "create_staff")]
    async fn create_user(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewStaffUser>,
    ) -> ApiResult<StaffCreated> {
        let caller = &auth.0;
        caller.require_staff(Role::Supervisor)?;
        let role = Role::from(body.role);
        if caller.role != Role::Admin && role != Role::Officer {
            return Err(ApiError::forbidden());
        }
        let mut errors = Vec::new();
        let fields = validate::new_account(body.phone.as_str(), &body.full_name, &body.password, &mut errors);
        let unit = match &body.unit_code {
            Some(unit_code) => existing_unit(&state.db, "unit_code", unit_code, &mut errors).await?,
            None => None,
        };
        let Some((phone, full_name)) = fields.filter(|_| errors.is_empty()) else {
            return Err(ApiError::validation(errors));
        };
        check_unit_for_role(role, body.unit_code.is_some())?;
        if let Some(unit) = &unit {
            scope_of(&state.db, caller).await?.check(unit.id)?;
        }
        let new = store::NewStaff {
            phone: phone.as_str(),
            full_name: full_name.as_str(),
            password_hash: state.keys.passwords.hash(&body.password).await?,
            role,
            unit: unit.as_ref(),
        };
        let record = store::create_staff(&state.db, new, &audit_by(&state, caller)).await?;
        Ok(StaffCreated::Created(Json(staff_dto(record))))
    }

    /// Read a staff account
    ///
    /// Supervisors read the accounts of their units only; any other account is 404.
    #[oai(path = "/admin/users/:id", method = "get", operation_id = "get_staff")]
    async fn get_user(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The account id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<UserProfile>> {
        auth.0.require_staff(Role::Supervisor)?;
        let scope = scope_of(&state.db, &auth.0).await?;
        let record = store::staff_by_id(&state.db, id.0)
            .await?
            .filter(|record| sees(&scope, &record.user))
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(staff_dto(record)))
    }

    /// Change a staff account
    ///
    /// Renames, changes the role or unit of, deactivates or reactivates an account.
    /// Deactivation ends every session of the account at once. Supervisors may change only
    /// the officers of their units (name, unit inside their units, active); administrators
    /// may not deactivate themselves or change their own role (`own_account_locked`).
    #[oai(path = "/admin/users/:id", method = "patch", operation_id = "update_staff")]
    async fn update_user(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The account id.
        id: Path<Uuid>,
        body: Json<StaffUserChanges>,
    ) -> ApiResult<Json<UserProfile>> {
        let caller = &auth.0;
        caller.require_staff(Role::Supervisor)?;
        let scope = scope_of(&state.db, caller).await?;
        let mut errors = Vec::new();
        let full_name =
            body.full_name.as_deref().map(|name| validate::full_name("full_name", name, &mut errors));
        let new_unit = match &body.unit_code {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(unit_code) => {
                Some(existing_unit(&state.db, "unit_code", unit_code, &mut errors).await?)
            }
        };
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let record = store::update_staff(&state.db, id.0, &audit_by(&state, caller), |current| {
            decide_staff_update(caller, &scope, current, &body, full_name.flatten(), new_unit)
        })
        .await?;
        Ok(Json(staff_dto(record)))
    }

    /// Read the audit log
    ///
    /// Who changed which unit or account, when, and how it looked before and after; newest
    /// first. Administrators only.
    #[oai(path = "/admin/audit-log", method = "get", operation_id = "list_audit_log")]
    // poem-openapi takes each query parameter as an argument of its own.
    #[allow(clippy::too_many_arguments)]
    async fn list_audit_log(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only changes made by this account.
        actor_id: Query<Option<Uuid>>,
        /// Only changes to this kind of record (`unit`, `user`).
        target_type: Query<Option<String>>,
        /// Only changes to this record (a unit's code or an account's id).
        target_id: Query<Option<String>>,
        /// Only this action (`unit.create`, `unit.update`, `user.create`, `user.update`).
        action: Query<Option<String>>,
        /// Only changes at or after this time (RFC 3339).
        from: Query<Option<DateTime<Utc>>>,
        /// Only changes before this time (RFC 3339).
        to: Query<Option<DateTime<Utc>>>,
        /// The page, from 1 (default 1).
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<AuditEntry>>> {
        auth.0.require_staff(Role::Admin)?;
        let page = PageQuery::new(page.0, per_page.0);
        let filter = store::AuditFilter {
            actor_id: actor_id.0,
            target_type: target_type.0.as_deref(),
            target_id: target_id.0.as_deref(),
            action: action.0.as_deref(),
            from: from.0,
            to: to.0,
        };
        Ok(page_body(store::list_audit(&state.db, filter, page).await?, page, audit_dto))
    }
}
