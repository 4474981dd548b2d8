use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

use super::{
    dto::{DeskSettings, PublicUnit, SettingsSaved, UnitToday, WeeklyHours},
    store, validate,
};
use crate::{
    admin::dto::UnitKind,
    admin::{routes::audit_by, store::Audit},
    appointments::unit_changes::cancel_unfitting,
    auth::{BearerAuth, Role, UnitScope, scope_of},
    calendar::{dto::OpeningInterval, store::working_calendar},
    db::{CalendarLock, lock_calendars, write_or_preview},
    domain::calendar::Interval,
    error::{ApiError, ApiResult},
    http::etag::{Cached, cached},
    integrations::access::OptionalKey,
    pagination::{Page, clamp},
    push::Push,
    spec::ApiTags,
    state::AppState,
};
use entity::values::ApiScope;

fn intervals(hours: &[Interval]) -> Vec<OpeningInterval> {
    hours.iter().map(OpeningInterval::from).collect()
}

/// The public view of a unit, with today's status in its own time zone.
pub async fn public_unit(
    db: &impl sea_orm::ConnectionTrait,
    unit: entity::unit::Model,
    parent_code: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<PublicUnit> {
    let calendar = working_calendar(db, &unit).await?;
    let today = calendar.local_date(now);
    let schedule = calendar.schedule();
    Ok(PublicUnit {
        opening_hours: WeeklyHours::from_days(std::array::from_fn(|day| {
            intervals(&schedule.weekly_hours[day])
        })),
        time_zone: schedule.time_zone.name().to_owned(),
        intake_cutoff: schedule.intake_cutoff.format("%H:%M").to_string(),
        today: UnitToday {
            date: today,
            working: calendar.is_working_day(today),
            hours: intervals(calendar.hours_on(today)),
        },
        code: unit.code,
        name: unit.name,
        kind: unit.kind,
        parent_code,
        address: unit.address,
        active: unit.active,
        counters: unit.counters,
        slot_minutes: unit.slot_minutes,
        appointment_seats: unit.appointment_seats.unwrap_or(unit.counters),
        min_lead_minutes: unit.min_lead_minutes,
        booking_horizon_days: unit.booking_horizon_days,
        cancel_cutoff_minutes: unit.cancel_cutoff_minutes,
    })
}

/// A unit by code with its parent's code, or 404.
async fn public_unit_by_code(
    db: &impl sea_orm::ConnectionTrait,
    code: &str,
    now: DateTime<Utc>,
) -> ApiResult<PublicUnit> {
    let unit = store::unit_by_code(db, code).await?.ok_or_else(ApiError::not_found)?;
    let parent_code = store::unit_codes(db, unit.parent_id).await?.into_values().next();
    public_unit(db, unit, parent_code, now).await
}

/// Replaces the settings of a unit in `scope` (404 otherwise) once they pass validation, and
/// cancels the bookings they leave without a seat.
async fn save_settings(
    txn: &impl sea_orm::ConnectionTrait,
    (scope, audit, push): (&UnitScope, &Audit, Push),
    code: &str,
    input: &DeskSettings,
) -> ApiResult<SettingsSaved> {
    let unit = store::unit_by_code(txn, code)
        .await?
        .filter(|unit| scope.contains(unit.id))
        .ok_or_else(ApiError::not_found)?;
    let settings = validate::settings(input).map_err(ApiError::validation)?;
    // Bookings in flight read the seats and hours; they finish first, later ones see these.
    lock_calendars(txn, CalendarLock::Changing).await?;
    store::save_settings(txn, unit.id, &settings, audit.at).await?;
    let why = "đơn vị thay đổi giờ làm việc hoặc số chỗ hẹn";
    let cancelled_appointments = cancel_unfitting(txn, push, Some(&[unit.id]), audit, why).await?;
    Ok(SettingsSaved { unit: public_unit_by_code(txn, code, audit.at).await?, cancelled_appointments })
}

pub struct UnitsApi;

#[OpenApi(tag = "ApiTags::Units")]
impl UnitsApi {
    /// List units
    ///
    /// The units of the tree, sorted by code, with their desk's address, weekly hours and
    /// whether they work today. Filter by `parent_code` (direct children), `kind`, and
    /// `active` (default true). Answers `If-None-Match` with 304.
    ///
    /// Key scope `catalogue.read`, optional: a key sent must be valid and hold the scope.
    #[oai(path = "/units", method = "get", operation_id = "list_units")]
    #[allow(clippy::too_many_arguments)]
    async fn list_units(
        &self,
        state: Data<&AppState>,
        key: OptionalKey,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
        /// Only the units directly below this unit.
        parent_code: Query<Option<String>>,
        /// Only units of this kind.
        kind: Query<Option<UnitKind>>,
        /// Active units (default) or deactivated ones.
        active: Query<Option<bool>>,
        /// The `ETag` of the copy the client holds.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<Cached<Page<PublicUnit>>> {
        key.require(ApiScope::CatalogueRead)?;
        let (page, per_page) = clamp(page.0, per_page.0);
        let parent = match parent_code.0 {
            Some(code) => Some(store::unit_by_code(&state.db, &code).await?.map(|u| u.id)),
            None => None,
        };
        let filter = store::UnitFilter { parent, kind: kind.0, active: active.0.unwrap_or(true) };
        let (units, total) = store::list_units(&state.db, filter, page, per_page).await?;
        let parent_codes = store::unit_codes(&state.db, units.iter().filter_map(|u| u.parent_id)).await?;
        let mut items = Vec::with_capacity(units.len());
        for unit in units {
            let parent_code = unit.parent_id.and_then(|id| parent_codes.get(&id).cloned());
            items.push(public_unit(&state.db, unit, parent_code, state.clock.now()).await?);
        }
        Ok(cached(Page { items, page, per_page, total }, if_none_match.as_deref()))
    }

    /// Read a unit
    ///
    /// The unit's desk: address, weekly hours, intake cut-off, counters, slot length and
    /// today's status in the unit's time zone. Answers `If-None-Match` with 304.
    ///
    /// Key scope `catalogue.read`, optional: a key sent must be valid and hold the scope.
    #[oai(path = "/units/:code", method = "get", operation_id = "get_unit")]
    async fn get_unit(
        &self,
        state: Data<&AppState>,
        key: OptionalKey,
        /// The unit's code.
        code: Path<String>,
        /// The `ETag` of the copy the client holds.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<Cached<PublicUnit>> {
        key.require(ApiScope::CatalogueRead)?;
        Ok(cached(public_unit_by_code(&state.db, &code, state.clock.now()).await?, if_none_match.as_deref()))
    }

    /// Replace a unit's desk settings
    ///
    /// Time zone, weekly opening hours (several intervals a day), intake cut-off, counters,
    /// slot length and how the desk takes appointments. Bookings the new settings leave without
    /// a seat (fewer seats, other hours or slot length) are cancelled by the unit, their
    /// citizens told; `dry_run=true` lists them and saves nothing. For supervisors of the unit
    /// or a unit above it, and administrators; a unit outside the caller's units is 404.
    #[oai(path = "/units/:code/settings", method = "put", operation_id = "update_unit_settings")]
    async fn update_unit_settings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The unit's code.
        code: Path<String>,
        /// Only say what the change would do (the bookings it would cancel).
        dry_run: Query<Option<bool>>,
        body: Json<DeskSettings>,
    ) -> ApiResult<Json<SettingsSaved>> {
        auth.0.require_staff(Role::Supervisor)?;
        let scope = scope_of(&state.db, &auth.0).await?;
        let audit = audit_by(&state, &auth.0);
        let saved = write_or_preview(&state.writer, dry_run.0 == Some(true), async |tx| {
            save_settings(tx, (&scope, &audit, state.push()), &code, &body).await
        });
        let saved = saved.await?;
        state.listed_desks.forget_all();
        Ok(Json(saved))
    }
}
