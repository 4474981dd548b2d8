//! `/webhooks`: administrators subscribe endpoints to events, rotate their secrets, test them
//! and enable them again.

use poem::web::Data;
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{
    address, deliveries,
    dto::{Delivery, NewWebhook, Webhook, WebhookWithSecret},
    payloads::PingData,
    signature, store,
    view::{delivery_view, webhook_view, webhooks_view},
};
use crate::{
    auth::{BearerAuth, Role},
    db::write_transaction,
    error::{ApiError, ApiResult, FieldError},
    events,
    spec::ApiTags,
    state::AppState,
};
use entity::values::EventType;

/// How long the secret before a rotation keeps signing: a day to deploy the new one.
const ROTATION_OVERLAP: chrono::TimeDelta = chrono::TimeDelta::hours(24);

#[derive(ApiResponse)]
pub enum WebhookCreated {
    /// Subscribed. The secret is in this answer only.
    #[oai(status = 201)]
    Created(Json<WebhookWithSecret>),
}

#[derive(ApiResponse)]
pub enum WebhookDeleted {
    /// Removed, with its deliveries.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
pub enum PingQueued {
    /// A `ping` is queued for this endpoint; its delivery shows how it went.
    #[oai(status = 202)]
    Queued(Json<Delivery>),
}

/// The endpoint `id` for an administrator: 403 for anyone else, 404 when there is none.
pub(super) async fn endpoint(
    state: &AppState,
    auth: &BearerAuth,
    id: Uuid,
) -> ApiResult<entity::webhook_endpoint::Model> {
    auth.0.require_staff(Role::Admin)?;
    store::endpoint_by_id(&state.db, id).await?.ok_or_else(ApiError::not_found)
}

pub struct WebhooksApi;

#[OpenApi(tag = "ApiTags::Integrations")]
impl WebhooksApi {
    /// List webhook endpoints
    ///
    /// Administrators only. Secrets are never listed.
    #[oai(path = "/webhooks", method = "get", operation_id = "list_webhooks")]
    async fn list_webhooks(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<Vec<Webhook>>> {
        auth.0.require_staff(Role::Admin)?;
        let endpoints = store::all_endpoints(&state.db).await?;
        Ok(Json(webhooks_view(&state.db, endpoints).await?))
    }

    /// Subscribe an endpoint
    ///
    /// Administrators only. The answer holds the generated secret (`whsec_…`), shown this once.
    /// The URL must be absolute and `https`, without credentials; every address its host
    /// resolves to must be public when a delivery connects (else the attempt fails with
    /// `address not allowed`).
    #[oai(path = "/webhooks", method = "post", operation_id = "create_webhook")]
    async fn create_webhook(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewWebhook>,
    ) -> ApiResult<WebhookCreated> {
        auth.0.require_staff(Role::Admin)?;
        let mut errors = Vec::new();
        let url = address::endpoint_url(&body.url, state.config.webhooks.allow_private, &mut errors);
        if body.events.contains(&EventType::Ping) {
            errors.push(FieldError::new(
                "events",
                "Không đăng ký được `ping`: sự kiện này chỉ gửi khi thử webhook.",
                "`ping` cannot be subscribed to: it is sent only by the test operation.",
            ));
        }
        let Some(url) = url.filter(|_| errors.is_empty()) else { return Err(ApiError::validation(errors)) };
        let secret = signature::new_secret();
        let now = state.clock.now();
        let new = store::NewEndpoint {
            url: url.as_str(),
            events: &body.events,
            description: body.description.as_ref().map(|d| d.as_str()),
            secret: &secret,
        };
        let endpoint =
            write_transaction(&state.writer, async |tx| store::insert_endpoint(tx, new, now).await).await?;
        let mut events = body.events.clone();
        events.sort();
        let webhook = webhook_view(endpoint, events);
        Ok(WebhookCreated::Created(Json(WebhookWithSecret { webhook, secret })))
    }

    /// Read a webhook endpoint
    ///
    /// Administrators only.
    #[oai(path = "/webhooks/:id", method = "get", operation_id = "get_webhook")]
    async fn get_webhook(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Webhook>> {
        let endpoint = endpoint(&state, &auth, id.0).await?;
        Ok(Json(one_view(&state, endpoint).await?))
    }

    /// Remove a webhook endpoint
    ///
    /// Administrators only. Its deliveries and their attempts go with it.
    #[oai(path = "/webhooks/:id", method = "delete", operation_id = "delete_webhook")]
    async fn delete_webhook(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<WebhookDeleted> {
        auth.0.require_staff(Role::Admin)?;
        let deleted =
            write_transaction(&state.writer, async |tx| store::delete_endpoint(tx, id.0).await).await?;
        if !deleted {
            return Err(ApiError::not_found());
        }
        Ok(WebhookDeleted::Done)
    }

    /// Rotate an endpoint's secret
    ///
    /// Administrators only. The answer holds the new secret, shown this once. For 24 hours
    /// deliveries are signed with both secrets (two signatures in each header), so the receiver
    /// can switch without missing one.
    #[oai(path = "/webhooks/:id/rotate-secret", method = "post", operation_id = "rotate_webhook_secret")]
    async fn rotate_webhook_secret(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<WebhookWithSecret>> {
        let endpoint = endpoint(&state, &auth, id.0).await?;
        let (secret, now) = (signature::new_secret(), state.clock.now());
        let rotated = write_transaction(&state.writer, async |tx| {
            store::rotate_secret(tx, endpoint, &secret, now + ROTATION_OVERLAP, now).await
        })
        .await?;
        Ok(Json(WebhookWithSecret { webhook: one_view(&state, rotated).await?, secret }))
    }

    /// Enable a disabled endpoint
    ///
    /// Administrators only. Its pending deliveries go out again; failed ones stay failed
    /// unless redelivered (`POST /webhooks/{id}/redeliver`).
    #[oai(path = "/webhooks/:id/enable", method = "post", operation_id = "enable_webhook")]
    async fn enable_webhook(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Webhook>> {
        let endpoint = endpoint(&state, &auth, id.0).await?;
        let now = state.clock.now();
        let enabled =
            write_transaction(&state.writer, async |tx| store::enable(tx, endpoint, now).await).await?;
        Ok(Json(one_view(&state, enabled).await?))
    }

    /// Send a test event
    ///
    /// Administrators only. Queues a `ping` event for this endpoint alone, signed and retried
    /// like any other. While the endpoint is disabled, the ping waits until it is enabled.
    #[oai(path = "/webhooks/:id/test", method = "post", operation_id = "test_webhook")]
    async fn test_webhook(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<PingQueued> {
        let endpoint = endpoint(&state, &auth, id.0).await?;
        let now = state.clock.now();
        let data = serde_json::to_value(PingData { webhook_id: endpoint.id }).map_err(ApiError::internal)?;
        let (delivery, event) = write_transaction(&state.writer, async |tx| {
            let event = events::record(tx, now, EventType::Ping, None, data).await?;
            let delivery = deliveries::enqueue(tx, endpoint.id, event, now).await?;
            Ok::<_, sea_orm::DbErr>((delivery, deliveries::event_of(tx, event).await?))
        })
        .await?;
        let event = event.ok_or_else(|| ApiError::internal("the ping's event is gone"))?;
        Ok(PingQueued::Queued(Json(delivery_view(delivery, &event, Vec::new()))))
    }
}

async fn one_view(state: &AppState, endpoint: entity::webhook_endpoint::Model) -> ApiResult<Webhook> {
    let mut events = store::subscriptions(&state.db, &[endpoint.id]).await?;
    let events = events.remove(&endpoint.id).unwrap_or_default();
    Ok(webhook_view(endpoint, events))
}
