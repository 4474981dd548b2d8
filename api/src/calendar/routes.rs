use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use sea_orm::ActiveEnum;
use uuid::Uuid;

use super::{
    dto::{CalendarDay, DayStatus, Holiday, HolidayAdded, HolidayRemoved, NewHoliday},
    store::{self, applicable_holidays, working_calendar},
};
use crate::{
    admin::routes::audit_by,
    appointments::{dto::Appointment, unit_changes::cancel_unfitting},
    auth::{BearerAuth, Caller, Role, scope_of},
    db::write_or_preview,
    dossiers::reschedule,
    error::{ApiError, ApiResult, FieldError},
    integrations::access::OptionalKey,
    spec::ApiTags,
    state::AppState,
    units::store::{unit_and_descendants, unit_by_code, unit_codes},
};
use entity::values::ApiScope;

/// The longest span a calendar or holiday list covers, in days.
const MAX_RANGE_DAYS: i64 = 366;
const MAX_NAME_CHARS: usize = 200;

#[derive(ApiResponse)]
pub enum HolidayCreated {
    /// The holiday was recorded; open dossiers it falls inside have new due dates, and the
    /// bookings on a day it closes are cancelled.
    #[oai(status = 201)]
    Created(Json<HolidayAdded>),
    /// With `dry_run=true`: what adding it would do; nothing was recorded.
    #[oai(status = 200)]
    Preview(Json<HolidayAdded>),
}

#[derive(ApiResponse)]
pub enum HolidayDeleted {
    /// The holiday was removed (with `dry_run=true`: what removing it would do); open dossiers
    /// it fell inside have new due dates, bookings on a make-up day it removes are cancelled.
    #[oai(status = 200)]
    Deleted(Json<HolidayRemoved>),
}

/// `from..=to`, or the default range when both are absent, cut to its first 366 days. A `to`
/// before `from` is an empty range (no day is in it), not an error: every pair of dates the
/// spec allows has an answer.
fn date_range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    default: (NaiveDate, NaiveDate),
) -> (NaiveDate, NaiveDate) {
    let span = chrono::Days::new(MAX_RANGE_DAYS as u64 - 1);
    let (from, to) = match (from, to) {
        (None, None) => default,
        (Some(from), None) => (from, from.checked_add_days(span).unwrap_or(NaiveDate::MAX)),
        (None, Some(to)) => (to.checked_sub_days(span).unwrap_or(NaiveDate::MIN), to),
        (Some(from), Some(to)) => (from, to),
    };
    let last = from.checked_add_days(span).unwrap_or(NaiveDate::MAX);
    (from, to.min(last))
}

fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let last =
        first.checked_add_months(chrono::Months::new(1)).and_then(|next| next.pred_opt()).unwrap_or(day);
    (first, last)
}

fn year_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_ordinal(1).unwrap_or(day);
    let last = NaiveDate::from_ymd_opt(day.year(), 12, 31).unwrap_or(day);
    (first, last)
}

/// National holidays are the administrators'; a unit's are also its supervisors' (and those
/// of units above it). A unit outside the caller's units is 404.
async fn check_holiday_rights(
    txn: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
    unit_id: Option<Uuid>,
) -> ApiResult<()> {
    match unit_id {
        None => caller.require_staff(Role::Admin),
        Some(unit_id) => {
            caller.require_staff(Role::Supervisor)?;
            scope_of(txn, caller).await?.check(unit_id)
        }
    }
}

/// Records a holiday the caller may add (see [`check_holiday_rights`]), one per date and scope.
async fn create_holiday_in(
    state: &AppState,
    txn: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
    input: &NewHoliday,
) -> ApiResult<HolidayAdded> {
    let unit_id = match &input.unit_code {
        Some(code) => Some(unit_by_code(txn, code).await?.ok_or_else(ApiError::not_found)?.id),
        None => None,
    };
    check_holiday_rights(txn, caller, unit_id).await?;
    let before = reschedule::before_change(txn, covered_units(txn, unit_id).await?, input.date).await?;
    let new =
        store::NewHoliday { unit_id, date: input.date, kind: input.kind, name: holiday_name(&input.name)? };
    let holiday = store::insert_holiday(txn, new, state.clock.now()).await?;
    let why = format!("{} {} added: {}", holiday.kind.to_value(), holiday.date, holiday.name);
    let rescheduled_dossiers =
        reschedule::reschedule(txn, state.push(), before, caller.id, &why, state.clock.now()).await?;
    let cancelled_appointments = cancel_bookings(state, txn, caller, unit_id, &holiday).await?;
    let codes: HashMap<Uuid, String> =
        unit_id.zip(input.unit_code.clone().map(String::from)).into_iter().collect();
    Ok(HolidayAdded { holiday: holiday_view(holiday, &codes), rescheduled_dossiers, cancelled_appointments })
}

/// The units a holiday covers: a unit's covers it and its sub-units; a national one, all.
async fn covered_units(
    txn: &impl sea_orm::ConnectionTrait,
    unit_id: Option<Uuid>,
) -> ApiResult<Option<Vec<Uuid>>> {
    Ok(match unit_id {
        Some(unit_id) => Some(unit_and_descendants(txn, unit_id).await?),
        None => None,
    })
}

/// Deletes a holiday the caller may delete (see [`check_holiday_rights`]).
async fn delete_holiday_of(
    state: &AppState,
    txn: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<HolidayRemoved> {
    let holiday = store::holiday_by_id(txn, id).await?.ok_or_else(ApiError::not_found)?;
    check_holiday_rights(txn, caller, holiday.unit_id).await?;
    let before =
        reschedule::before_change(txn, covered_units(txn, holiday.unit_id).await?, holiday.date).await?;
    store::delete_holiday(txn, holiday.id).await?;
    let why = format!("{} {} removed: {}", holiday.kind.to_value(), holiday.date, holiday.name);
    let rescheduled_dossiers =
        reschedule::reschedule(txn, state.push(), before, caller.id, &why, state.clock.now()).await?;
    let cancelled_appointments = cancel_bookings(state, txn, caller, holiday.unit_id, &holiday).await?;
    Ok(HolidayRemoved { rescheduled_dossiers, cancelled_appointments })
}

/// Cancels the bookings of the units a holiday covers that its change leaves without a seat.
async fn cancel_bookings(
    state: &AppState,
    txn: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
    unit_id: Option<Uuid>,
    holiday: &entity::holiday::Model,
) -> ApiResult<Vec<Appointment>> {
    let units = covered_units(txn, unit_id).await?;
    let why =
        format!("đơn vị thay đổi lịch làm việc ngày {} ({})", holiday.date.format("%d/%m/%Y"), holiday.name);
    cancel_unfitting(txn, state.push(), units.as_deref(), &audit_by(state, caller), &why).await
}

fn holiday_view(holiday: entity::holiday::Model, codes: &HashMap<Uuid, String>) -> Holiday {
    Holiday {
        id: holiday.id,
        date: holiday.date,
        kind: holiday.kind,
        unit_code: holiday.unit_id.and_then(|id| codes.get(&id).cloned()),
        name: holiday.name,
    }
}

fn holiday_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::validation(vec![FieldError::new(
            "name",
            "Tên ngày nghỉ phải có 1–200 ký tự.",
            "The name must be 1–200 characters.",
        )]));
    }
    Ok(name.to_owned())
}

pub struct CalendarApi;

#[OpenApi(tag = "ApiTags::Calendar")]
impl CalendarApi {
    /// List holidays
    ///
    /// Dated exceptions between `from` and `to` (default: this year, at most 366 days): the
    /// national ones, plus with `unit` those the unit and the units above it set. Sorted by
    /// date; on a date with several, the one nearest the unit comes last and decides.
    ///
    /// Key scope `catalogue.read`, optional: a key sent must be valid and hold the scope.
    #[oai(path = "/holidays", method = "get", operation_id = "list_holidays")]
    async fn list_holidays(
        &self,
        state: Data<&AppState>,
        key: OptionalKey,
        /// First date (inclusive).
        from: Query<Option<NaiveDate>>,
        /// Last date (inclusive); at most 366 days from `from` are given, none when it is before `from`.
        to: Query<Option<NaiveDate>>,
        /// A unit's code: add its own and inherited holidays.
        unit: Query<Option<String>>,
    ) -> ApiResult<Json<Vec<Holiday>>> {
        key.require(ApiScope::CatalogueRead)?;
        let today = state.clock.now().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive();
        let range = date_range(from.0, to.0, year_of(today));
        let unit_id = match unit.0 {
            Some(code) => Some(unit_by_code(&state.db, &code).await?.ok_or_else(ApiError::not_found)?.id),
            None => None,
        };
        let holidays = applicable_holidays(&state.db, unit_id, Some(range)).await?;
        let codes = unit_codes(&state.db, holidays.iter().filter_map(|h| h.unit_id)).await?;
        Ok(Json(holidays.into_iter().map(|h| holiday_view(h, &codes)).collect()))
    }

    /// Add a holiday or make-up working day
    ///
    /// National (no `unit_code`): administrators. For a unit and its sub-units: supervisors of
    /// that unit or above it, and administrators. One per date and scope (409 `holiday_exists`).
    #[oai(path = "/holidays", method = "post", operation_id = "create_holiday")]
    async fn create_holiday(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only say what adding it would do (the dossiers moved, the bookings cancelled).
        dry_run: Query<Option<bool>>,
        body: Json<NewHoliday>,
    ) -> ApiResult<HolidayCreated> {
        let preview = dry_run.0 == Some(true);
        let added = write_or_preview(&state.writer, preview, async |tx| {
            create_holiday_in(&state, tx, &auth.0, &body).await
        })
        .await?;
        if preview {
            return Ok(HolidayCreated::Preview(Json(added)));
        }
        state.listed_desks.forget_all();
        Ok(HolidayCreated::Created(Json(added)))
    }

    /// Remove a holiday
    ///
    /// With the same rights as adding it.
    #[oai(path = "/holidays/:id", method = "delete", operation_id = "delete_holiday")]
    async fn delete_holiday(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The holiday's id.
        id: Path<Uuid>,
        /// Only say what removing it would do.
        dry_run: Query<Option<bool>>,
    ) -> ApiResult<HolidayDeleted> {
        auth.0.require_staff(Role::Supervisor)?;
        let removed = write_or_preview(&state.writer, dry_run.0 == Some(true), async |tx| {
            delete_holiday_of(&state, tx, &auth.0, id.0).await
        });
        let removed = removed.await?;
        state.listed_desks.forget_all();
        Ok(HolidayDeleted::Deleted(Json(removed)))
    }

    /// Read a unit's calendar
    ///
    /// Each day from `from` to `to` (default: this month at the unit, at most 366 days):
    /// whether the desk works, its hours, and the holiday or make-up day that decides it.
    ///
    /// Key scope `catalogue.read`, optional: a key sent must be valid and hold the scope.
    #[oai(path = "/units/:code/calendar", method = "get", operation_id = "get_unit_calendar")]
    async fn get_unit_calendar(
        &self,
        state: Data<&AppState>,
        key: OptionalKey,
        /// The unit's code.
        code: Path<String>,
        /// First date (inclusive).
        from: Query<Option<NaiveDate>>,
        /// Last date (inclusive); at most 366 days from `from` are given, none when it is before `from`.
        to: Query<Option<NaiveDate>>,
    ) -> ApiResult<Json<Vec<CalendarDay>>> {
        key.require(ApiScope::CatalogueRead)?;
        let unit = unit_by_code(&state.db, &code).await?.ok_or_else(ApiError::not_found)?;
        let calendar = working_calendar(&state.db, &unit).await?;
        let (from, to) = date_range(from.0, to.0, month_of(calendar.local_date(state.clock.now())));
        // In date order with the nearest unit last, so the deciding name is the one kept.
        let names: HashMap<NaiveDate, String> =
            applicable_holidays(&state.db, Some(unit.id), Some((from, to)))
                .await?
                .into_iter()
                .map(|h| (h.date, h.name))
                .collect();
        // Not `iter_days`, which never yields the last date chrono can represent.
        let days = std::iter::successors(Some(from), |day| day.succ_opt())
            .take_while(|day| *day <= to)
            .map(|date| {
                let hours = calendar.hours_on(date);
                let working = !hours.is_empty();
                CalendarDay {
                    date,
                    working,
                    status: if working { DayStatus::Working } else { DayStatus::Off },
                    hours: hours.iter().map(Into::into).collect(),
                    holiday_name: names.get(&date).cloned(),
                }
            })
            .collect();
        Ok(Json(days))
    }
}
