//! The screen's feed, `GET /units/{code}/display`, and its event stream.

use std::{sync::Arc, task::Poll};

use bytes::Bytes;
use futures_util::{StreamExt, stream::BoxStream};
use poem::{IntoResponse, Response, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path},
    payload::{Json, Payload},
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry},
    types::{Example, ToJSON, Type},
};

use super::{
    dto::Display,
    hub::{self, Frame},
    snapshot,
};
use crate::{
    error::{ApiError, ApiResult},
    queue::QueueDesk,
    spec::ApiTags,
    state::AppState,
    units::store::unit_by_code,
};

/// How long a screen that lost its stream waits before it connects again.
const RETRY_MILLIS: u64 = 3000;

/// The screen's event stream: a `display` event with the whole
/// [`Display`] after every change of the queue, its `id` the snapshot's `event_id`; a comment
/// line while nothing changes.
pub struct DisplayEvents {
    frames: BoxStream<'static, Arc<Frame>>,
    heartbeat: std::time::Duration,
}

impl Payload for DisplayEvents {
    const CONTENT_TYPE: &'static str = "text/event-stream";

    /// One event, as OpenAPI before 3.2 describes the events of a stream with `schema`: its
    /// fields, `data` the display as JSON text.
    fn schema_ref() -> MetaSchemaRef {
        let field = |ty: &'static str, description: &'static str| {
            MetaSchemaRef::Inline(Box::new(MetaSchema {
                description: Some(description),
                ..MetaSchema::new(ty)
            }))
        };
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some("One server-sent event of the stream."),
            required: vec!["event", "id", "data"],
            properties: vec![
                ("event", field("string", "Always `display`.")),
                ("id", field("string", "The display's `event_id`, which `Last-Event-ID` resumes from.")),
                (
                    "retry",
                    field("integer", "Milliseconds to wait before reconnecting (3000), on the first event."),
                ),
                (
                    "data",
                    field(
                        "string",
                        "The whole display as JSON: a `Display`, as `GET /units/{code}/display` answers.",
                    ),
                ),
            ],
            example: Some(serde_json::json!({
                "event": "display",
                "id": "1187",
                "retry": RETRY_MILLIS,
                "data": Display::example().to_json_string(),
            })),
            ..MetaSchema::new("object")
        }))
    }

    fn register(registry: &mut Registry) {
        Display::register(registry);
    }
}

impl IntoResponse for DisplayEvents {
    fn into_response(self) -> Response {
        // `retry:` rides on the first event rather than in a block of its own, which some
        // readers take for an event without data.
        let mut first = true;
        let mut events = self
            .frames
            .map(move |frame| {
                let event = if std::mem::take(&mut first) {
                    let mut event = format!("retry: {RETRY_MILLIS}\n").into_bytes();
                    event.extend_from_slice(&frame.event);
                    Bytes::from(event)
                } else {
                    frame.event.clone()
                };
                Ok::<_, std::io::Error>(event)
            })
            .boxed();
        // A comment while nothing else is sent: proxies and the screen see the stream alive.
        let mut heartbeat =
            tokio::time::interval_at(tokio::time::Instant::now() + self.heartbeat, self.heartbeat);
        let stream = futures_util::stream::poll_fn(move |cx| {
            if let Poll::Ready(event) = events.poll_next_unpin(cx) {
                return Poll::Ready(event);
            }
            heartbeat.poll_tick(cx).map(|_| Some(Ok(Bytes::from_static(b":\n\n"))))
        });
        // No caching, and `X-Accel-Buffering: no` so that nginx passes each event on at once.
        Response::builder()
            .content_type(Self::CONTENT_TYPE)
            .header("Cache-Control", "no-cache")
            .header("X-Accel-Buffering", "no")
            .body(poem::Body::from_bytes_stream(stream))
    }
}

impl ApiResponse for DisplayEvents {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "Server-sent events: a `display` event (data: the whole display, id: its `event_id`; the first also sets `retry: 3000`) now and after every change; a comment every 15 seconds while nothing changes. The server ends a stream after an hour; the screen reconnects with `Last-Event-ID` and misses nothing.",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType { content_type: Self::CONTENT_TYPE, schema: Self::schema_ref() }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        Display::register(registry);
    }
}

/// The snapshots of a unit as a screen receives them: the latest (unless the screen says it has
/// that one or a later one), then each new one for `lifetime`; with a zero lifetime, only the
/// latest. Event ids only grow, so "later" is "greater".
fn frames(
    mut latest: tokio::sync::watch::Receiver<Option<Arc<Frame>>>,
    has: Option<i64>,
    lifetime: std::time::Duration,
) -> BoxStream<'static, Arc<Frame>> {
    if lifetime.is_zero() {
        let frame = latest.borrow_and_update().clone().filter(|frame| is_news(frame, has));
        return futures_util::stream::iter(frame).boxed();
    }
    futures_util::stream::unfold((latest, has, true), |(mut latest, has, mut first)| async move {
        loop {
            if !first && latest.changed().await.is_err() {
                return None;
            }
            first = false;
            let frame = latest.borrow_and_update().clone();
            if let Some(frame) = frame.filter(|frame| is_news(frame, has)) {
                return Some((frame, (latest, None, false)));
            }
        }
    })
    .take_until(tokio::time::sleep(lifetime))
    .boxed()
}

fn is_news(frame: &Frame, has: Option<i64>) -> bool {
    has.is_none_or(|has| frame.event_id > has)
}

pub struct DisplayApi;

#[OpenApi(tag = "ApiTags::Queue")]
impl DisplayApi {
    /// What a waiting-room screen shows
    ///
    /// Public: who is called to which counter, the last calls, who waits in each group and
    /// about how long, the counters, today's hours, the procedures and legal documents to
    /// rotate through, and the words of the latest call.
    #[oai(path = "/units/:code/display", method = "get", operation_id = "get_display")]
    async fn get(
        &self,
        state: Data<&AppState>,
        /// The unit's code.
        code: Path<String>,
    ) -> ApiResult<Json<Display>> {
        let desk = public_desk(&state, &code).await?;
        Ok(Json(snapshot(&state.db, &desk, state.clock.now()).await?))
    }

    /// Follow a waiting-room screen
    ///
    /// Server-sent events: the display now, then again after every change of the queue (any
    /// server process's), each event the whole display with its `event_id` as the event's id.
    /// A screen reconnecting with `Last-Event-ID` is sent the display only if it changed since.
    #[oai(path = "/units/:code/display/events", method = "get", operation_id = "follow_display")]
    async fn events(
        &self,
        state: Data<&AppState>,
        /// The unit's code.
        code: Path<String>,
        /// The id of the last event the screen received, when it reconnects.
        #[oai(name = "Last-Event-ID")]
        last_event_id: Header<Option<String>>,
    ) -> ApiResult<DisplayEvents> {
        if state.displays.is_closed() {
            return Err(ApiError::unavailable());
        }
        let desk = public_desk(&state, &code).await?;
        hub::listen(&state).await;
        let latest = state.displays.subscribe(desk.unit.id);
        hub::ensure_snapshot(&state, desk.unit.id, &latest).await;
        let has = last_event_id.0.and_then(|id| id.trim().parse::<i64>().ok());
        let server = &state.config.server;
        Ok(DisplayEvents {
            frames: frames(latest, has, server.events_max),
            heartbeat: server.events_heartbeat,
        })
    }
}

/// The desk of an active unit, for anyone.
async fn public_desk(state: &AppState, code: &str) -> ApiResult<QueueDesk> {
    let unit = unit_by_code(&state.db, &code.to_ascii_uppercase())
        .await?
        .filter(|unit| unit.active)
        .ok_or_else(ApiError::not_found)?;
    Ok(QueueDesk::of(&state.db, unit).await?)
}
