//! Staff accounts: list, create, read and change them (supervisors within their units, administrators everywhere).

use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
};
use uuid::Uuid;

use super::{audit_by, existing_unit, page_body};
use crate::admin::{
    dto::*,
    store::{self, StaffRecord},
};
use crate::{
    accounts::{dto::UserProfile, temporary, validate},
    auth::{BearerAuth, Caller, Role, UnitScope, scope_of},
    domain::account::FullName,
    error::{ApiError, ApiResult},
    pagination::{Page, PageQuery},
    problems,
    security::Origin,
    spec::ApiTags,
    state::AppState,
};

/// A temporary password, shown once.
#[derive(Debug, Object)]
#[oai(example)]
pub struct TemporaryPassword {
    /// The new password, to hand to the account's holder: it works for one login, which must
    /// set a new password (`new_password` in `POST /auth/login`). It is not stored in clear
    /// and cannot be read again.
    pub temporary_password: String,
}

impl poem_openapi::types::Example for TemporaryPassword {
    fn example() -> Self {
        TemporaryPassword { temporary_password: "k3m9p-x7t2a-fh4nq-8wzer".into() }
    }
}

#[derive(ApiResponse)]
pub enum StaffCreated {
    /// The account was created; its owner can log in with the initial password.
    #[oai(status = 201)]
    Created(Json<UserProfile>),
}

fn staff_dto(record: StaffRecord) -> UserProfile {
    UserProfile::from_user(record.user, record.unit_code)
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

/// Whether a caller may change a staff account at all: 404 when out of their sight.
/// Supervisors manage officers: they may see their peers but not change them.
fn may_manage(caller: &Caller, scope: &UnitScope, target: &entity::user::Model) -> ApiResult<()> {
    if !sees(scope, target) {
        return Err(ApiError::not_found());
    }
    if caller.role != Role::Admin && target.role != Role::Officer {
        return Err(ApiError::forbidden());
    }
    Ok(())
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
    may_manage(caller, scope, target)?;
    let current_role = target.role;
    let role = changes.role.map_or(current_role, Role::from);
    // Nor may supervisors make anyone more than an officer.
    if caller.role != Role::Admin && role != Role::Officer {
        return Err(ApiError::forbidden());
    }
    // Who signs in as whom through the provider is the administrators' to say.
    if caller.role != Role::Admin && !changes.oidc_subject.is_undefined() {
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
        oidc_subject: oidc_subject_change(&changes.oidc_subject),
    })
}

/// The subject to link (`Some(None)`: unlink, as `null` or a blank string asks).
fn oidc_subject_change(requested: &MaybeUndefined<String>) -> Option<Option<String>> {
    match requested {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(subject) => {
            Some(Some(subject.trim().to_owned()).filter(|subject| !subject.is_empty()))
        }
    }
}

pub struct AdminStaffApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminStaffApi {
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
        let record = store::create_staff(&state.writer, new, &audit_by(&state, caller)).await?;
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
    /// Renames, changes the role or unit of, deactivates or reactivates an account, or links
    /// it to a subject of the single sign-on provider (`oidc_subject`, administrators only).
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
        let record = store::update_staff(&state.writer, id.0, &audit_by(&state, caller), |current| {
            decide_staff_update(caller, &scope, current, &body, full_name.flatten(), new_unit)
        })
        .await?;
        Ok(Json(staff_dto(record)))
    }

    /// Reset a staff password
    ///
    /// Gives the account a random temporary password, answered once; its holder must replace
    /// it at the next login (`password_change_required`). Every session of the account ends.
    /// Same permissions as changing the account: supervisors reset the officers of their
    /// units, administrators anyone but themselves (403 `own_password_reset`). Recorded in the
    /// audit log with the actor (never the password).
    #[oai(path = "/admin/users/:id/password-reset", method = "post", operation_id = "reset_staff_password")]
    async fn reset_password(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        /// The account id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<TemporaryPassword>> {
        let caller = &auth.0;
        caller.require_staff(Role::Supervisor)?;
        // Resetting one's own would end one's own sessions; one's own password is changed
        // knowing the current one.
        if id.0 == caller.id {
            return Err(ApiError::of(&problems::OWN_PASSWORD_RESET));
        }
        let scope = scope_of(&state.db, caller).await?;
        let origin = Origin::of(&state, req);
        let temporary_password = temporary::reset_staff(&state, &origin, caller.id, id.0, |current| {
            may_manage(caller, &scope, &current.user)
        })
        .await?;
        Ok(Json(TemporaryPassword { temporary_password }))
    }
}
