//! Check-in, the day's tickets, the counters and "call next".

use chrono::NaiveDate;
use entity::{
    counter,
    values::{ApiScope, CounterState, PriorityClass, QueueEventKind, TicketStatus},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{
    QueueDesk, calling,
    checkin::{self, CheckIn},
    dto::{Counter, CounterChange, NewTicket, Ticket},
    staff_desk, store, view, views, write_queue,
};
use crate::{
    auth::{BearerAuth, Role},
    domain::rating::TokenSubject,
    error::{ApiError, ApiResult, FieldError},
    integrations::access::StaffOrKey,
    pagination::{Page, PageQuery},
    problems,
    spec::ApiTags,
    state::AppState,
    units::unit_within,
};

#[derive(ApiResponse)]
pub enum CheckedIn {
    /// The ticket: its `display_number` is what the citizen is called by.
    #[oai(status = 201)]
    Created(Json<Ticket>),
}

#[derive(ApiResponse)]
pub enum Called {
    /// The ticket called to the counter.
    #[oai(status = 200)]
    Ok(Json<Box<Ticket>>),
    /// Nobody waits for this counter.
    #[oai(status = 204)]
    Empty,
}

/// A counter as the API shows it, with the ticket at it now.
fn counter_view(
    number: i32,
    stored: Option<&counter::Model>,
    at_it: Option<&entity::ticket::Model>,
) -> Counter {
    Counter {
        number,
        state: stored.map_or(CounterState::Closed, |c| c.state),
        pause_reason: stored.and_then(|c| c.pause_reason.clone()),
        officer_id: stored.and_then(|c| c.officer_id),
        service_groups: stored.and_then(store::groups_of),
        ticket_id: at_it.map(|t| t.id),
        display_number: at_it.map(|t| t.display_number.clone()),
    }
}

/// The change's own rules: a reason exactly when paused, groups the desk has.
fn validate_change(desk: &QueueDesk, change: &CounterChange) -> ApiResult<()> {
    let paused = change.state == CounterState::Paused;
    if paused != change.pause_reason.is_some() {
        return Err(ApiError::validation(vec![FieldError::new(
            "pause_reason",
            "Cần lý do khi tạm dừng quầy, và chỉ khi tạm dừng.",
            "A pause_reason comes with paused, and only then.",
        )]));
    }
    let groups = change.service_groups.iter().flatten();
    if groups.clone().any(|code| desk.rules.group(Some(code.as_str())).is_none()) {
        return Err(ApiError::of(&problems::UNKNOWN_SERVICE_GROUP));
    }
    Ok(())
}

pub struct QueueApi;

#[OpenApi(tag = "ApiTags::Queue")]
impl QueueApi {
    /// Check in at the desk
    ///
    /// An officer, or a kiosk with a key, gives a citizen a ticket: for their appointment
    /// (from 30 minutes before its slot; after 15 minutes past its start it queues as a
    /// walk-in, still linked to the booking), or as a walk-in. Numbers run gap-free from 1 each
    /// day at the unit, shown with the service group's prefix (`A042`). The ticket carries the
    /// citizen's one-time `rating_token`. 409 `desk_closed` when the desk has no hours left
    /// today.
    ///
    /// Key scope `queue.write`, at the key's units (another unit is 404).
    #[oai(path = "/units/:code/tickets", method = "post", operation_id = "check_in")]
    async fn check_in(
        &self,
        state: Data<&AppState>,
        auth: StaffOrKey,
        /// The unit's code.
        code: Path<String>,
        body: Json<NewTicket>,
    ) -> ApiResult<CheckedIn> {
        let units = auth.units(&state, Role::Officer, ApiScope::QueueWrite).await?;
        let desk = QueueDesk::of(&state.db, unit_within(&state, &units, &code).await?).await?;
        let NewTicket { appointment_id, service_group, priority_class, priority_reason } = body.0;
        let request = CheckIn {
            appointment_id,
            service_group: service_group.map(String::from),
            priority_class: priority_class.unwrap_or(PriorityClass::Normal),
            priority_reason: priority_reason.map(String::from),
        };
        let now = state.clock.now();
        let ticket =
            write_queue(&state, desk.unit.id, async |tx| checkin::check_in(tx, &desk, request, now).await)
                .await?;
        let mut answer = view(&ticket, &desk.unit.code, None);
        answer.rating_token = Some(state.keys.rating_tokens.issue(TokenSubject::Ticket(ticket.id)));
        Ok(CheckedIn::Created(Json(answer)))
    }

    /// A unit's tickets of a day
    ///
    /// The tickets of `date` (default today at the unit) by number, optionally of one status.
    #[oai(path = "/units/:code/tickets", method = "get", operation_id = "list_unit_tickets")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The unit's code.
        code: Path<String>,
        /// The day (local date at the unit).
        date: Query<Option<NaiveDate>>,
        /// Only tickets in this status.
        status: Query<Option<TicketStatus>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<Ticket>>> {
        let desk = staff_desk(&state, &auth.0, &code, Role::Officer).await?;
        let day = date.0.unwrap_or_else(|| desk.today(state.clock.now()));
        let page = PageQuery::new(page.0, per_page.0);
        let (tickets, total) = store::tickets_of_day(&state.db, desk.unit.id, day, status.0, page).await?;
        Ok(Json(Page::new(views(&state.db, &tickets, &desk.unit.code).await?, page, total)))
    }

    /// A unit's counters
    ///
    /// Every counter of the desk (1 to its count of counters): open, paused or closed, who
    /// staffs it, and the ticket at it now.
    #[oai(path = "/units/:code/counters", method = "get", operation_id = "list_counters")]
    async fn counters(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
    ) -> ApiResult<Json<Vec<Counter>>> {
        let desk = staff_desk(&state, &auth.0, &code, Role::Officer).await?;
        let stored = store::counters(&state.db, desk.unit.id).await?;
        let at = store::at_counters(&state.db, desk.unit.id).await?;
        Ok(Json(
            (1..=desk.unit.counters)
                .map(|n| counter_view(n, stored.iter().find(|c| c.number == n), at.get(&n)))
                .collect(),
        ))
    }

    /// Open, pause or close a counter
    ///
    /// `open`: the caller staffs it and it calls; `paused` (with a reason): it calls nobody
    /// for now; `closed`: nobody staffs it. A counter with a ticket called or being served
    /// does not close (409 `counter_busy`). `service_groups` limits the groups it calls.
    #[oai(path = "/units/:code/counters/:number", method = "put", operation_id = "set_counter")]
    async fn set_counter(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The unit's code.
        code: Path<String>,
        /// The counter's number.
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        number: Path<i32>,
        body: Json<CounterChange>,
    ) -> ApiResult<Json<Counter>> {
        let desk = staff_desk(&state, &auth.0, &code, Role::Officer).await?;
        desk.check_counter(number.0)?;
        validate_change(&desk, &body)?;
        let now = state.clock.now();
        let change = body.0;
        let groups = change.service_groups.map(|g| g.into_iter().map(String::from).collect::<Vec<_>>());
        let stored = counter::Model {
            unit_id: desk.unit.id,
            number: number.0,
            state: change.state,
            pause_reason: change.pause_reason.map(String::from),
            officer_id: (change.state != CounterState::Closed).then_some(auth.0.id),
            service_groups: groups.map(|g| serde_json::Value::from(g).to_string()),
            updated_at: now,
        };
        let at_it = write_queue(&state, desk.unit.id, async |tx| {
            store::lock_day(tx, desk.unit.id, desk.today(now), 0).await?;
            let at_it = store::at_counter(tx, desk.unit.id, number.0).await?;
            if change.state == CounterState::Closed && at_it.is_some() {
                return Err(ApiError::of(&problems::COUNTER_BUSY));
            }
            store::save_counter(tx, stored.clone()).await?;
            let event =
                store::Event { kind: QueueEventKind::Counter, ticket_id: None, counter: Some(number.0) };
            store::record(tx, desk.unit.id, now, event).await?;
            Ok::<_, ApiError>(at_it)
        })
        .await?;
        Ok(Json(counter_view(number.0, Some(&stored), at_it.as_ref())))
    }

    /// Call the next ticket
    ///
    /// The database picks the ticket for this counter, so two counters calling at once never
    /// get the same one: appointments whose slot has begun first, then priority tickets by the
    /// desk's strategy, then walk-ins in order, then appointments that came early. 204 when
    /// nobody waits; 409 `counter_not_open` for a paused or closed counter, `counter_busy`
    /// while it has a ticket called or being served.
    #[oai(path = "/units/:code/counters/:number/next", method = "post", operation_id = "call_next_ticket")]
    async fn next(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The unit's code.
        code: Path<String>,
        /// The counter's number.
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        number: Path<i32>,
    ) -> ApiResult<Called> {
        let desk = staff_desk(&state, &auth.0, &code, Role::Officer).await?;
        let now = state.clock.now();
        let called = write_queue(&state, desk.unit.id, async |tx| {
            calling::call_next(tx, &desk, number.0, auth.0.id, now).await
        })
        .await?;
        Ok(match called {
            Some(ticket) => Called::Ok(Json(Box::new(view(&ticket, &desk.unit.code, None)))),
            None => Called::Empty,
        })
    }
}
