//! Changes to a booking: the citizen cancels or moves it, an officer marks a no-show.

use chrono::Utc;
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Header, Path},
    payload::Json,
};
use uuid::Uuid;

use super::{
    booking,
    dto::{CancelRequest, RescheduleRequest},
    routes::AppointmentResponse,
    store,
};
use crate::{
    auth::{BearerAuth, Role, scope_of},
    db::write_transaction,
    error::{ApiError, ApiResult},
    http::etag::require_if_match,
    spec::ApiTags,
    state::AppState,
};

pub struct AppointmentChangesApi;

#[OpenApi(tag = "ApiTags::Appointments")]
impl AppointmentChangesApi {
    /// Cancel an appointment
    ///
    /// The citizen cancels their booking, until the unit's cut-off before the slot; the seat is
    /// free at once and the reminder is voided. Needs `If-Match` with the booking's version.
    /// Cancelling a cancelled booking answers it as it is.
    #[oai(path = "/appointments/:id/cancel", method = "post", operation_id = "cancel_appointment")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The booking's id.
        id: Path<Uuid>,
        /// The booking's version, from its `ETag`.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<CancelRequest>,
    ) -> ApiResult<AppointmentResponse> {
        auth.0.require_citizen()?;
        let now = state.clock.now();
        let reason = body.0.reason.map(|reason| reason.to_string());
        let target = (id.0, if_match.0.as_deref());
        let cancelled = write_transaction(&state.writer, async |tx| {
            booking::cancel_own(tx, state.push(), auth.0.id, target, reason, now).await
        })
        .await?;
        Ok(AppointmentResponse::of(cancelled))
    }

    /// Move an appointment
    ///
    /// The citizen moves their booking to another slot of the same unit, keeping its id, until
    /// the unit's cut-off before the current slot and a few times at most. The new seat is
    /// taken before the old one is let go: when the new slot is full (409 `slot_full`) the
    /// booking keeps its seat. Needs `If-Match` with the booking's version.
    #[oai(path = "/appointments/:id/reschedule", method = "post", operation_id = "reschedule_appointment")]
    async fn reschedule(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The booking's id.
        id: Path<Uuid>,
        /// The booking's version, from its `ETag`.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<RescheduleRequest>,
    ) -> ApiResult<AppointmentResponse> {
        auth.0.require_citizen()?;
        let now = state.clock.now();
        let config = &state.config.appointments;
        let target = (id.0, if_match.0.as_deref());
        let start = body.start.with_timezone(&Utc);
        let moved = write_transaction(&state.writer, async |tx| {
            booking::reschedule(tx, state.push(), config, auth.0.id, target, start, now).await
        })
        .await?;
        Ok(AppointmentResponse::of(moved))
    }

    /// Mark an appointment as missed
    ///
    /// An officer of the unit marks a booking whose slot is over, and that nobody checked in,
    /// as a no-show. Repeated no-shows block the citizen's booking for a while. Needs
    /// `If-Match` with the booking's version.
    #[oai(path = "/appointments/:id/no-show", method = "post", operation_id = "mark_appointment_no_show")]
    async fn no_show(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The booking's id.
        id: Path<Uuid>,
        /// The booking's version, from its `ETag`.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
    ) -> ApiResult<AppointmentResponse> {
        auth.0.require_staff(Role::Officer)?;
        let scope = scope_of(&state.db, &auth.0).await?;
        let now = state.clock.now();
        require_if_match(if_match.0.as_deref())?;
        let marked = write_transaction(&state.writer, async |tx| {
            let appointment = store::by_id_for_update(tx, id.0)
                .await?
                .filter(|a| scope.contains(a.unit_id))
                .ok_or_else(ApiError::not_found)?;
            booking::mark_no_show(tx, appointment, if_match.0.as_deref(), now).await
        })
        .await?;
        Ok(AppointmentResponse::of(marked))
    }
}
