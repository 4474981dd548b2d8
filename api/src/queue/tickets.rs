//! A ticket's actions: read it, start serving, served, no-show, recall, back to the queue,
//! transfer, cancel.

use entity::values::VisitOutcome;
use poem::web::Data;
use poem_openapi::{OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{
    QueueDesk,
    calling::{self, Act},
    dto::{QueuePosition, ReturnRequest, ServedRequest, Ticket, TransferRequest},
    staff_ticket, views, write_queue,
};
use crate::{
    auth::BearerAuth,
    dossiers::store as dossiers,
    error::{ApiError, ApiResult, FieldError},
    problems,
    spec::ApiTags,
    state::AppState,
};

/// Does `act` to the ticket for an officer of its desk, and answers the ticket as it is now.
async fn act_on(state: &AppState, auth: &BearerAuth, id: Uuid, act: Act) -> ApiResult<Json<Ticket>> {
    let (_, desk) = staff_ticket(state, &auth.0, id).await?;
    let now = state.clock.now();
    let ticket =
        write_queue(state, desk.unit.id, async |tx| calling::act(tx, &desk, id, act, auth.0.id, now).await)
            .await?;
    answer(state, &ticket, &desk).await
}

/// A ticket as the API shows it, with its dossier's code.
async fn answer(
    state: &AppState,
    ticket: &entity::ticket::Model,
    desk: &QueueDesk,
) -> ApiResult<Json<Ticket>> {
    let mut shown = views(&state.db, std::slice::from_ref(ticket), &desk.unit.code).await?;
    shown.pop().map(Json).ok_or_else(|| ApiError::internal("no view of a ticket"))
}

pub struct TicketsApi;

#[OpenApi(tag = "ApiTags::Queue")]
impl TicketsApi {
    /// Read a ticket
    ///
    /// A ticket of a desk the officer works at, with its wait and service times.
    #[oai(path = "/tickets/:id", method = "get", operation_id = "get_ticket")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The ticket's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<Ticket>> {
        let (ticket, desk) = staff_ticket(&state, &auth.0, id.0).await?;
        answer(&state, &ticket, &desk).await
    }

    /// Start serving a called ticket
    ///
    /// The citizen came to the counter: service time counts from now.
    #[oai(path = "/tickets/:id/start", method = "post", operation_id = "start_serving_ticket")]
    async fn start(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The ticket's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<Ticket>> {
        act_on(&state, &auth, id.0, Act::Start).await
    }

    /// Close a ticket as served
    ///
    /// The visit is over. `outcome` says what it came to (default `dossier_received` with a
    /// `dossier_code`, else `other`); the dossier must be one of the unit's. The booking the
    /// ticket checked in for is served too.
    #[oai(path = "/tickets/:id/served", method = "post", operation_id = "serve_ticket")]
    async fn served(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The ticket's id.
        id: Path<Uuid>,
        body: Json<ServedRequest>,
    ) -> ApiResult<Json<Ticket>> {
        let (ticket, _) = staff_ticket(&state, &auth.0, id.0).await?;
        let dossier = match &body.dossier_code {
            Some(code) => Some(
                dossiers::by_code(&state.db, code.as_str())
                    .await?
                    .filter(|d| d.unit_id == ticket.unit_id)
                    .ok_or_else(|| ApiError::of(&problems::UNKNOWN_DOSSIER))?
                    .id,
            ),
            None => None,
        };
        let outcome = match (body.outcome, dossier) {
            (Some(VisitOutcome::DossierReceived), None) => {
                return Err(ApiError::validation(vec![FieldError::new(
                    "dossier_code",
                    "Kết quả dossier_received cần mã hồ sơ đã tiếp nhận.",
                    "The outcome dossier_received needs the dossier_code received.",
                )]));
            }
            (Some(outcome), _) => outcome,
            (None, Some(_)) => VisitOutcome::DossierReceived,
            (None, None) => VisitOutcome::Other,
        };
        act_on(&state, &auth, id.0, Act::Serve { outcome, dossier_id: dossier }).await
    }

    /// Close a called ticket as a no-show
    ///
    /// The citizen did not come to the counter; their booking, if any, is missed too.
    #[oai(path = "/tickets/:id/no-show", method = "post", operation_id = "mark_ticket_no_show")]
    async fn no_show(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The ticket's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<Ticket>> {
        act_on(&state, &auth, id.0, Act::NoShow).await
    }

    /// Call a ticket again
    ///
    /// The screen and the voice call it once more. After the desk's `max_recalls` recalls,
    /// one more makes it a no-show.
    #[oai(path = "/tickets/:id/recall", method = "post", operation_id = "recall_ticket")]
    async fn recall(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The ticket's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<Ticket>> {
        act_on(&state, &auth, id.0, Act::Recall).await
    }

    /// Put a ticket back in the queue
    ///
    /// A called or served ticket waits again, `first` (ahead of everyone in its line) or
    /// `last`; the counter is free.
    #[oai(path = "/tickets/:id/return-to-queue", method = "post", operation_id = "return_ticket_to_queue")]
    async fn return_to_queue(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The ticket's id.
        id: Path<Uuid>,
        body: Json<ReturnRequest>,
    ) -> ApiResult<Json<Ticket>> {
        let first = body.position.unwrap_or_default() == QueuePosition::First;
        act_on(&state, &auth, id.0, Act::ReturnToQueue { first }).await
    }

    /// Transfer a ticket
    ///
    /// The ticket waits, ahead of its line, for another `counter` (which alone will call it)
    /// or in another `service_group`, or both; it keeps its number.
    #[oai(path = "/tickets/:id/transfer", method = "post", operation_id = "transfer_ticket")]
    async fn transfer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The ticket's id.
        id: Path<Uuid>,
        body: Json<TransferRequest>,
    ) -> ApiResult<Json<Ticket>> {
        let (_, desk) = staff_ticket(&state, &auth.0, id.0).await?;
        let TransferRequest { counter, service_group } = body.0;
        if counter.is_none() && service_group.is_none() {
            return Err(ApiError::validation(vec![FieldError::new(
                "counter",
                "Cần chọn quầy hoặc nhóm dịch vụ để chuyển tới.",
                "Give the counter or the service_group to transfer to.",
            )]));
        }
        if counter.is_some_and(|n| !(1..=desk.unit.counters).contains(&n)) {
            return Err(ApiError::validation(vec![FieldError::new(
                "counter",
                "Bộ phận không có quầy này.",
                "The desk has no such counter.",
            )]));
        }
        let service_group = service_group.map(String::from);
        if service_group.as_deref().is_some_and(|code| desk.rules.group(Some(code)).is_none()) {
            return Err(ApiError::of(&problems::UNKNOWN_SERVICE_GROUP));
        }
        act_on(&state, &auth, id.0, Act::Transfer { counter, service_group }).await
    }

    /// Cancel a ticket
    ///
    /// A waiting or called ticket leaves the queue (the citizen left, or it was taken by
    /// mistake).
    #[oai(path = "/tickets/:id/cancel", method = "post", operation_id = "cancel_ticket")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The ticket's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<Ticket>> {
        act_on(&state, &auth, id.0, Act::Cancel).await
    }
}
