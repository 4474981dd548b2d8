//! `/webhooks/{id}/deliveries` and redelivery: what was sent to an endpoint, and sending it
//! again after the receiver's outage.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    deliveries,
    dto::{Delivery, DeliveryPage, RedeliveryRange, Requeued},
    routes::endpoint,
    view::delivery_view,
};
use crate::{
    auth::BearerAuth,
    db::write_transaction,
    error::{ApiError, ApiResult},
    pagination::{self, Cursor, next_cursor},
    problems,
    spec::ApiTags,
    state::AppState,
};
use entity::values::WebhookDeliveryStatus;

#[derive(ApiResponse)]
pub enum Redelivered {
    /// Queued: due now, with a fresh round of retries.
    #[oai(status = 202)]
    Queued(Json<Delivery>),
}

#[derive(ApiResponse)]
pub enum RangeRedelivered {
    /// The failed deliveries of the period are due again now.
    #[oai(status = 202)]
    Queued(Json<Requeued>),
}

pub struct WebhookDeliveriesApi;

#[OpenApi(tag = "ApiTags::Integrations")]
impl WebhookDeliveriesApi {
    /// List an endpoint's deliveries
    ///
    /// Administrators only. Newest first, each with every attempt; page with `cursor` (the
    /// `next_cursor` of the page before).
    #[oai(path = "/webhooks/:id/deliveries", method = "get", operation_id = "list_webhook_deliveries")]
    async fn list_webhook_deliveries(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// Only deliveries in this state.
        status: Query<Option<WebhookDeliveryStatus>>,
        /// Where the page starts: `next_cursor` from the page before, as received.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> ApiResult<Json<DeliveryPage>> {
        let endpoint = endpoint(&state, &auth, id.0).await?;
        let after = cursor.0.as_deref().map(Cursor::decode).transpose()?;
        let limit = pagination::limit(limit.0);
        let mut page = deliveries::page(&state.db, endpoint.id, status.0, after, limit).await?;
        let next_cursor = next_cursor(&mut page, limit, |d| Cursor { created_at: d.created_at, id: d.id });
        let ids: Vec<Uuid> = page.iter().map(|d| d.id).collect();
        let mut attempts = deliveries::attempts_of(&state.db, &ids).await?;
        let events = deliveries::events_by_id(&state.db, page.iter().map(|d| d.event_id)).await?;
        let mut items = Vec::with_capacity(page.len());
        for delivery in page {
            let Some(event) = events.get(&delivery.event_id) else { continue };
            let tried = attempts.remove(&delivery.id).unwrap_or_default();
            items.push(delivery_view(delivery, event, tried));
        }
        Ok(Json(DeliveryPage { items, next_cursor }))
    }

    /// Send a delivery again
    ///
    /// Administrators only. Whatever became of it, the delivery is due again now with a fresh
    /// round of retries, under the same `webhook-id`. 409 while it is being sent.
    #[oai(
        path = "/webhooks/:id/deliveries/:delivery_id/redeliver",
        method = "post",
        operation_id = "redeliver_webhook_delivery"
    )]
    async fn redeliver_webhook_delivery(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// The delivery's id.
        delivery_id: Path<Uuid>,
    ) -> ApiResult<Redelivered> {
        let endpoint = endpoint(&state, &auth, id.0).await?;
        let now = state.clock.now();
        let delivery = write_transaction(&state.writer, async |tx| -> ApiResult<_> {
            if deliveries::delivery_of(tx, endpoint.id, delivery_id.0).await?.is_none() {
                return Err(ApiError::not_found());
            }
            if !deliveries::redeliver(tx, endpoint.id, delivery_id.0, now).await? {
                return Err(ApiError::of(&problems::WEBHOOK_DELIVERY_IN_FLIGHT));
            }
            deliveries::delivery_of(tx, endpoint.id, delivery_id.0).await?.ok_or_else(ApiError::not_found)
        })
        .await?;
        let event =
            deliveries::event_of(&state.db, delivery.event_id).await?.ok_or_else(ApiError::not_found)?;
        let attempts = deliveries::attempts_of(&state.db, &[delivery.id]).await?.remove(&delivery.id);
        Ok(Redelivered::Queued(Json(delivery_view(delivery, &event, attempts.unwrap_or_default()))))
    }

    /// Send a period's failed deliveries again
    ///
    /// Administrators only. After the receiver's outage: every failed delivery of an event
    /// from `from` (included) to `to` (excluded) is due again now, with a fresh round of
    /// retries. `to` must come after `from` (422).
    #[oai(path = "/webhooks/:id/redeliver", method = "post", operation_id = "redeliver_webhook_range")]
    async fn redeliver_webhook_range(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<RedeliveryRange>,
    ) -> ApiResult<RangeRedelivered> {
        let endpoint = endpoint(&state, &auth, id.0).await?;
        if body.to <= body.from {
            return Err(ApiError::invalid_field(
                "to",
                "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
                "`to` must come after `from`.",
            ));
        }
        let now = state.clock.now();
        let period = (body.from, body.to);
        let requeued = write_transaction(&state.writer, async |tx| {
            deliveries::redeliver_failed(tx, endpoint.id, period, now).await
        })
        .await?;
        Ok(RangeRedelivered::Queued(Json(Requeued { requeued })))
    }
}
