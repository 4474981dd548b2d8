//! Open slots, booking, and reading bookings: the citizen's own and a unit's day.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    Desk,
    booking::{self, BookingRequest},
    dto::{Appointment, NewAppointment, SlotView},
    store,
};
use crate::{
    auth::{BearerAuth, Caller, is_staff, scope_of},
    domain::slots::{self, Unavailable},
    error::{ApiError, ApiResult, FieldError},
    http::etag::version_tag,
    idempotency::{IdempotencyKey, run_once},
    pagination::{Page, PageQuery},
    problems,
    procedures::store::offered_procedure,
    rate_limit::{Bucket, Policy},
    spec::ApiTags,
    state::AppState,
    units::store::unit_by_code,
};

/// The most days one slots request covers.
const MAX_SLOT_DAYS: u64 = 31;

#[derive(ApiResponse)]
pub enum Booked {
    /// Booked: the seat is the citizen's. A replay of the first answer to this
    /// `Idempotency-Key` carries `Idempotency-Replayed: true`.
    #[oai(status = 201)]
    Created(
        Json<Appointment>,
        /// The booking's version, for `If-Match`.
        #[oai(header = "ETag")]
        String,
        /// `true` when this is the first answer again, replayed for a retry.
        #[oai(header = "Idempotency-Replayed")]
        Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum AppointmentResponse {
    /// The booking; `ETag` carries its version.
    #[oai(status = 200)]
    Ok(Json<Appointment>, #[oai(header = "ETag")] String),
}

impl AppointmentResponse {
    pub fn of(appointment: Appointment) -> AppointmentResponse {
        let tag = version_tag(appointment.version);
        AppointmentResponse::Ok(Json(appointment), tag)
    }
}

/// Which bookings `GET /me/appointments` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Period {
    /// Slots from now on, soonest first.
    Upcoming,
    /// Slots before now, latest first.
    Past,
}

/// The dates a slots request covers: `date`, or `from`..=`to` (at most 31 days; `to` defaults
/// to `from`), or today at the unit.
fn slot_dates(
    date: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> ApiResult<(NaiveDate, NaiveDate)> {
    let refuse = |field: &str, vi: &'static str, en: &'static str| {
        Err(ApiError::validation(vec![FieldError::new(field, vi, en)]))
    };
    let (from, to) = match (date, from, to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return refuse(
                "date",
                "Dùng date, hoặc from và to, không dùng cả hai.",
                "Give date, or from and to, not both.",
            );
        }
        (Some(date), None, None) => (date, date),
        (None, Some(from), to) => (from, to.unwrap_or(from)),
        (None, None, Some(_)) => return refuse("from", "Thiếu from.", "from is missing."),
        (None, None, None) => (today, today),
    };
    if to < from {
        return refuse("to", "to không được trước from.", "to cannot be before from.");
    }
    if from.checked_add_days(Days::new(MAX_SLOT_DAYS - 1)).is_some_and(|last| to > last) {
        return refuse("to", "Mỗi lần xem tối đa 31 ngày.", "At most 31 days per request.");
    }
    Ok((from, to))
}

/// The slots of a desk on those dates, with their seats.
async fn slots_of(
    state: &AppState,
    desk: &Desk,
    (from, to): (NaiveDate, NaiveDate),
    exclude: Option<Uuid>,
) -> ApiResult<Vec<SlotView>> {
    let now = state.clock.now();
    // Days gone by and days past the horizon have nothing to book: they are left out.
    let first = from.max(desk.calendar.local_date(now));
    let last = to.min(slots::last_bookable_date(&desk.calendar, now, &desk.rules));
    let listed: Vec<slots::ListedSlot> = std::iter::successors(Some(first), |day| day.succ_opt())
        .take_while(|day| *day <= last)
        .flat_map(|day| slots::listed_on(&desk.calendar, day, desk.rules.slot_minutes))
        .collect();
    let (Some(first), Some(final_slot)) = (listed.first(), listed.last()) else {
        return Ok(Vec::new());
    };
    let range = (first.slot.start, final_slot.slot.end);
    let taken = store::seats_taken(&state.readers.on(&state.db), desk.unit.id, range, exclude).await?;
    let time_zone = desk.calendar.schedule().time_zone;
    Ok(listed
        .into_iter()
        .map(|listed| {
            let capacity = desk.rules.seats;
            let available = capacity.saturating_sub(taken.get(&listed.slot.start).copied().unwrap_or(0));
            let reason = slots::unavailable(&listed, now, &desk.rules)
                .or((available == 0).then_some(Unavailable::Full));
            SlotView {
                start: listed.slot.start.with_timezone(&time_zone).fixed_offset(),
                end: listed.slot.end.with_timezone(&time_zone).fixed_offset(),
                capacity: capacity as i32,
                available: available as i32,
                bookable: reason.is_none(),
                unavailable_reason: reason.map(Into::into),
            }
        })
        .collect())
}

/// A booking the caller may see: their own, or one at a unit a staff caller works in.
async fn visible_appointment(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<Appointment> {
    let appointment = store::by_id(&state.db, id).await?.ok_or_else(ApiError::not_found)?;
    let visible = if is_staff(caller.role) {
        scope_of(&state.db, caller).await?.contains(appointment.unit_id)
    } else {
        appointment.citizen_id == caller.id
    };
    if !visible {
        return Err(ApiError::not_found());
    }
    let mut views = super::views::views(&state.db, std::slice::from_ref(&appointment)).await?;
    views.pop().ok_or_else(|| ApiError::internal("no view of an appointment"))
}

/// Only citizens book, for themselves, once their phone is confirmed.
fn require_citizen_booker(caller: &Caller) -> ApiResult<()> {
    if is_staff(caller.role) {
        return Err(ApiError::of(&problems::STAFF_CANNOT_BOOK));
    }
    caller.require_verified_phone()
}

pub struct AppointmentsApi;

#[OpenApi(tag = "ApiTags::Appointments")]
impl AppointmentsApi {
    /// List a unit's appointment slots
    ///
    /// The slots of one `date`, or of `from` to `to` (at most 31 days; default today at the
    /// unit), cut from the desk's opening hours, in the unit's time zone. Days before today
    /// and past the booking horizon are left out; slots that cannot be booked say why. With
    /// `exclude_appointment`, that booking's own seat counts as free (to move it). With
    /// `procedure`, the unit must offer that procedure. Limited per client address (429
    /// `quota_exceeded` with `Retry-After`).
    #[oai(path = "/units/:code/slots", method = "get", operation_id = "list_unit_slots")]
    #[allow(clippy::too_many_arguments)]
    async fn list_slots(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        /// The unit's code.
        code: Path<String>,
        /// One date.
        date: Query<Option<NaiveDate>>,
        /// First date (inclusive).
        from: Query<Option<NaiveDate>>,
        /// Last date (inclusive), at most 30 days after `from`; default `from`.
        to: Query<Option<NaiveDate>>,
        /// A procedure code the unit must offer.
        procedure: Query<Option<String>>,
        /// A booking being moved: its own seat counts as free.
        exclude_appointment: Query<Option<Uuid>>,
    ) -> ApiResult<Json<Vec<SlotView>>> {
        let per_minute = state.config.rate_limits.slots_per_minute;
        Bucket::per_client(Policy::per_minute("slots", per_minute), "slots", &state, req)
            .take(&state, req)
            .await?;
        let code = code.0.to_ascii_uppercase();
        let desk = state
            .listed_desks
            .get_or_load(&code, async || match unit_by_code(&state.db, &code).await? {
                Some(unit) => Ok(Some(Arc::new(Desk::of(&state.db, unit).await?))),
                None => Ok(None),
            })
            .await?
            .ok_or_else(ApiError::not_found)?;
        if let Some(procedure) = procedure.0 {
            offered_procedure(&state.readers.on(&state.db), &procedure, desk.unit.id)
                .await?
                .ok_or_else(|| ApiError::of(&problems::PROCEDURE_NOT_OFFERED))?;
        }
        let today = desk.calendar.local_date(state.clock.now());
        let dates = slot_dates(date.0, from.0, to.0, today)?;
        Ok(Json(slots_of(&state, &desk, dates, exclude_appointment.0).await?))
    }

    /// Book an appointment
    ///
    /// A citizen books a seat at a slot of a unit, for a procedure the unit offers. Needs an
    /// `Idempotency-Key` (kept 24 h): a retry with the same key and body replays the first
    /// answer. At most a few upcoming bookings per citizen, one per slot; booking is blocked a
    /// while after repeated no-shows. 409 `slot_full` when every seat is taken.
    #[oai(path = "/appointments", method = "post", operation_id = "book_appointment")]
    async fn book(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// A key of the client's choosing, new for each booking (a UUID serves).
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<String>,
        body: Json<NewAppointment>,
    ) -> ApiResult<Booked> {
        require_citizen_booker(&auth.0)?;
        let request = BookingRequest {
            unit_code: body.unit_code.to_ascii_uppercase(),
            procedure_code: body.procedure_code.to_string(),
            start: body.start.with_timezone(&Utc),
        };
        let key = IdempotencyKey::new(auth.0.id, &idempotency_key, "book_appointment", &request);
        let config = &state.config.appointments;
        let now = state.clock.now();
        let outcome = run_once(&state.writer, &key, now, async |tx| {
            booking::book(tx, state.push(), config, auth.0.id, &request, now).await
        })
        .await?;
        let tag = version_tag(outcome.value.version);
        Ok(Booked::Created(Json(outcome.value), tag, outcome.replayed.then(|| "true".to_owned())))
    }

    /// Read an appointment
    ///
    /// The caller's own booking, or one at a unit a staff caller works in; `ETag` is its
    /// version.
    #[oai(path = "/appointments/:id", method = "get", operation_id = "get_appointment")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<AppointmentResponse> {
        Ok(AppointmentResponse::of(visible_appointment(&state, &auth.0, id.0).await?))
    }

    /// My appointments
    ///
    /// The caller's bookings: `upcoming` (soonest first), `past` (latest first), or all
    /// (latest first).
    #[oai(path = "/me/appointments", method = "get", operation_id = "list_my_appointments")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Which bookings.
        when: Query<Option<Period>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<Appointment>>> {
        auth.0.require_citizen()?;
        let page = PageQuery::new(page.0, per_page.0);
        let period = when.0.map(|period| match period {
            Period::Upcoming => store::Period::Upcoming,
            Period::Past => store::Period::Past,
        });
        let (items, total) = store::of_citizen(&state.db, auth.0.id, period, state.clock.now(), page).await?;
        Ok(Json(Page::new(super::views::views(&state.db, &items).await?, page, total)))
    }

    /// A unit's appointments of a day
    ///
    /// Every booking at the unit on `date` (default today at the unit), by start, for its
    /// officers.
    #[oai(path = "/units/:code/appointments", method = "get", operation_id = "list_unit_appointments")]
    async fn of_unit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The unit's code.
        code: Path<String>,
        /// The day (local date at the unit).
        date: Query<Option<NaiveDate>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<Appointment>>> {
        let scope = scope_of(&state.db, &auth.0).await?;
        let unit = unit_by_code(&state.db, &code)
            .await?
            .filter(|unit| scope.contains(unit.id))
            .ok_or_else(ApiError::not_found)?;
        let desk = Desk::of(&state.db, unit).await?;
        let day = date.0.unwrap_or_else(|| desk.calendar.local_date(state.clock.now()));
        let page = PageQuery::new(page.0, per_page.0);
        let (items, total) = store::of_unit(&state.db, desk.unit.id, local_day(&desk, day), page).await?;
        Ok(Json(Page::new(super::views::views(&state.db, &items).await?, page, total)))
    }
}

/// The instants of a local day at the desk: `[midnight, next midnight)`. A day outside the
/// years every engine stores has no bookings: its range is empty.
fn local_day(desk: &Desk, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = |day: NaiveDate| desk.calendar.to_utc(day.and_time(chrono::NaiveTime::MIN));
    match (midnight(day), day.succ_opt().and_then(midnight)) {
        (Some(start), Some(end)) if (1..=9999).contains(&day.year()) => (start, end),
        _ => (DateTime::UNIX_EPOCH, DateTime::UNIX_EPOCH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn a_slots_request_covers_a_day_or_up_to_31() {
        let today = day(1);
        assert_eq!(slot_dates(None, None, None, today).unwrap(), (today, today));
        assert_eq!(slot_dates(Some(day(3)), None, None, today).unwrap(), (day(3), day(3)));
        assert_eq!(slot_dates(None, Some(day(3)), None, today).unwrap(), (day(3), day(3)));
        assert_eq!(slot_dates(None, Some(day(1)), Some(day(31)), today).unwrap(), (day(1), day(31)));
        assert!(slot_dates(None, Some(day(1)), NaiveDate::from_ymd_opt(2027, 1, 1), today).is_err());
        assert!(slot_dates(None, Some(day(3)), Some(day(2)), today).is_err());
        assert!(slot_dates(Some(day(3)), Some(day(3)), None, today).is_err());
        assert!(slot_dates(None, None, Some(day(3)), today).is_err());
    }
}
