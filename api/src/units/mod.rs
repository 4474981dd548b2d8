//! Public units: their desks' addresses, opening hours and today's status, and the desk
//! settings their supervisors keep. (Unit tree administration lives in `admin`.)

pub mod dto;
pub mod routes;
pub mod store;
pub mod validate;

use crate::{
    auth::{Caller, Role, UnitScope, scope_of},
    error::{ApiError, ApiResult},
    state::AppState,
};

/// A unit a staff caller of at least `role` works in, by its code; 404 outside their units, so
/// other units' codes cannot be probed.
pub async fn staff_unit(
    state: &AppState,
    caller: &Caller,
    code: &str,
    role: Role,
) -> ApiResult<entity::unit::Model> {
    caller.require_staff(role)?;
    unit_within(state, &scope_of(&state.db, caller).await?, code).await
}

/// A unit of `scope` by its code; 404 outside it, so other units' codes cannot be probed.
pub async fn unit_within(state: &AppState, scope: &UnitScope, code: &str) -> ApiResult<entity::unit::Model> {
    store::unit_by_code(&state.db, &code.to_ascii_uppercase())
        .await?
        .filter(|unit| scope.contains(unit.id))
        .ok_or_else(ApiError::not_found)
}
