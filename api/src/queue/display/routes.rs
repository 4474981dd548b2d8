//! The screen's feed, `GET /units/{code}/display`, and its event stream.

use std::sync::Arc;

use futures_util::{StreamExt, stream::BoxStream};
use poem::{
    IntoResponse, Response,
    web::{
        Data,
        sse::{Event, SSE},
    },
};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path},
    payload::{Json, Payload},
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry},
    types::Type,
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

/// The screen's event stream: `retry: 3000`, then a `display` event with the whole
/// [`Display`] after every change of the queue, its `id` the snapshot's `event_id`; a comment
/// line while nothing changes.
pub struct DisplayEvents {
    frames: BoxStream<'static, Arc<Frame>>,
    heartbeat: std::time::Duration,
    /// When the stream ends; zero: after the first display.
    lifetime: std::time::Duration,
}

impl Payload for DisplayEvents {
    const CONTENT_TYPE: &'static str = "text/event-stream";

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            items: Some(Box::new(Display::schema_ref())),
            ..MetaSchema::new_with_format("array", "event-stream")
        }))
    }

    fn register(registry: &mut Registry) {
        Display::register(registry);
    }
}

impl IntoResponse for DisplayEvents {
    fn into_response(self) -> Response {
        let retry = futures_util::stream::once(async { Event::Retry { retry: RETRY_MILLIS } });
        let frames = if self.lifetime.is_zero() {
            self.frames.take(1).boxed()
        } else {
            self.frames.take_until(tokio::time::sleep(self.lifetime)).boxed()
        };
        let frames = frames.map(|frame| {
            Event::message(frame.json.clone()).id(frame.event_id.to_string()).event_type("display")
        });
        // poem's SSE answers with `Cache-Control: no-cache` and `X-Accel-Buffering: no`, so
        // that nginx and other proxies pass each event on at once.
        SSE::new(retry.chain(frames)).keep_alive(self.heartbeat).into_response()
    }
}

impl ApiResponse for DisplayEvents {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "Server-sent events: `retry: 3000`, then a `display` event (data: the whole display, id: its `event_id`) now and after every change; a comment every 15 seconds while nothing changes. The server ends a stream after an hour; the screen reconnects with `Last-Event-ID` and misses nothing.",
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

/// The snapshots of a unit as a screen receives them: the latest (unless it is the one the
/// screen says it has), then each new one.
fn frames(
    latest: tokio::sync::watch::Receiver<Option<Arc<Frame>>>,
    has: Option<i64>,
) -> BoxStream<'static, Arc<Frame>> {
    futures_util::stream::unfold((latest, has, true), |(mut latest, has, mut first)| async move {
        loop {
            if !first && latest.changed().await.is_err() {
                return None;
            }
            first = false;
            let frame = latest.borrow_and_update().clone();
            if let Some(frame) = frame.filter(|frame| has != Some(frame.event_id)) {
                return Some((frame, (latest, None, false)));
            }
        }
    })
    .boxed()
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
        let desk = public_desk(&state, &code).await?;
        hub::listen(&state).await;
        let latest = state.displays.subscribe(desk.unit.id);
        if latest.borrow().is_none() {
            hub::refresh(&state, desk.unit.id).await;
        }
        let has = last_event_id.0.and_then(|id| id.trim().parse::<i64>().ok());
        let server = &state.config.server;
        Ok(DisplayEvents {
            frames: frames(latest, has),
            heartbeat: server.events_heartbeat,
            lifetime: server.events_max,
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
