//! `GET /minh-bach/{code}`: a unit's transparency page, in Vietnamese, without JavaScript: the
//! published figures (as `GET /stats/units/{code}` answers them) and three charts drawn on the
//! server. Cached like the figures: five minutes, an `ETag`, 304.

use chrono::NaiveDate;
use poem::{
    IntoResponse, Request, Response, handler,
    http::{StatusCode, header},
    web::{Data, Path, Query},
};
use poem_openapi::types::ToJSON;
use serde::{Deserialize, Serialize};

use super::{
    answers::PUBLIC_CACHE,
    charts::{Chart, count_bars, share_columns},
    figures,
    public::publish,
    public_dto::UnitFigures,
    routes::{public_period, public_unit},
};
use crate::{
    documents::render,
    domain::vn_format,
    error::ApiResult,
    http::etag::{body_tag, lists_tag},
    state::AppState,
};

/// The page's period, as the public figures take it.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

/// What the template is given.
#[derive(Serialize)]
struct Page {
    /// The figures as the JSON API writes them.
    figures: serde_json::Value,
    from: String,
    to: String,
    on_time: Chart,
    satisfaction: Chart,
    fields: Chart,
}

/// `12/2026` from `2026-12`.
fn month_label(month: &str) -> String {
    match month.split_once('-') {
        Some((year, month)) => format!("{month}/{year}"),
        None => month.to_owned(),
    }
}

/// The page of the figures.
fn page_html(figures: &UnitFigures) -> ApiResult<String> {
    let months = &figures.months;
    let page = Page {
        figures: figures.to_json().unwrap_or_default(),
        from: vn_format::date(figures.from),
        to: vn_format::date(figures.to),
        on_time: share_columns(
            &months.iter().map(|m| (month_label(&m.month), m.on_time_rate)).collect::<Vec<_>>(),
        ),
        satisfaction: share_columns(
            &months.iter().map(|m| (month_label(&m.month), m.satisfied_share)).collect::<Vec<_>>(),
        ),
        fields: count_bars(&figures.fields.iter().map(|f| (f.field.clone(), f.received)).collect::<Vec<_>>()),
    };
    render("transparency.html", page)
}

async fn answer(
    state: &AppState,
    code: &str,
    query: PageQuery,
    if_none_match: Option<&str>,
) -> ApiResult<Response> {
    let unit = public_unit(state, code).await?;
    let period = public_period(state, &unit, query.from, query.to)?;
    let counts = figures::unit_counts(&state.db, &unit, &period).await?;
    let html = page_html(&publish(&unit, &period, &counts))?;
    let etag = body_tag(html.as_bytes());
    let response =
        Response::builder().header(header::CACHE_CONTROL, PUBLIC_CACHE).header(header::ETAG, &etag);
    Ok(if if_none_match.is_some_and(|tag| lists_tag(tag, &etag)) {
        response.status(StatusCode::NOT_MODIFIED).finish()
    } else {
        response.content_type("text/html; charset=utf-8").body(html)
    })
}

/// The page of a unit's figures; 404 for a unit that does not exist or is closed down.
#[handler]
pub async fn transparency(
    state: Data<&AppState>,
    Path(code): Path<String>,
    Query(query): Query<PageQuery>,
    request: &Request,
) -> Response {
    let if_none_match = request.header(header::IF_NONE_MATCH);
    answer(&state, &code, query, if_none_match).await.unwrap_or_else(IntoResponse::into_response)
}
