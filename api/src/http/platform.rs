//! Platform routes outside `/api/v1`: health, metrics, the spec and its docs page.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    web::{Data, Json},
};
use serde_json::json;

use crate::{db, error::ApiError, state::AppState};

#[handler]
pub fn live() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

#[handler]
pub async fn ready(state: Data<&AppState>) -> Response {
    if db::is_ready(&state.db).await {
        Json(json!({ "status": "ok", "database": "ok" })).into_response()
    } else {
        ApiError::unavailable().into_response()
    }
}

#[handler]
pub fn metrics(state: Data<&AppState>) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.db))
}
