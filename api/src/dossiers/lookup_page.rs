//! `GET /tra-cuu?code=&secret=`: the public lookup as a page, which the receipt's QR code opens
//! in any phone's browser. Server-rendered HTML without JavaScript, in the reader's language,
//! showing what the API lookup answers, through the same function and so behind the same
//! limits. Without a code and secret it is a form; an unknown code and a wrong secret get one
//! and the same page.

use chrono::{DateTime, Utc};
use poem::{
    IntoResponse, Request, Response, handler,
    http::{
        StatusCode,
        header::{CACHE_CONTROL, REFERRER_POLICY, RETRY_AFTER},
    },
    web::Data,
};
use serde::{Deserialize, Serialize};

use super::{dto::Timeliness, lookup::look_up, lookup_dto::LookupResult};
use crate::{
    documents::{self, LocalTime},
    i18n::Lang,
    state::AppState,
};

/// The page's query; anything missing or blank shows the form.
#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    code: Option<String>,
    secret: Option<String>,
}

/// One public step, its times in local time.
#[derive(Serialize)]
struct Step {
    at: LocalTime,
    status_label: String,
    note: Option<String>,
    new_due_at: Option<LocalTime>,
}

/// The dossier found, as the page shows it.
#[derive(Serialize)]
struct Found {
    code: String,
    status_label: String,
    procedure: String,
    unit: String,
    unit_address: Option<String>,
    applicant: String,
    received_at: LocalTime,
    due_at: LocalTime,
    completed_at: Option<LocalTime>,
    returned_at: Option<LocalTime>,
    timeliness: Timeliness,
    steps: Vec<Step>,
}

impl From<LookupResult> for Found {
    fn from(result: LookupResult) -> Found {
        // Vietnam keeps one time zone; the page shows the times as the desk does.
        let local = |at: DateTime<Utc>| LocalTime::of(at, chrono_tz::Asia::Ho_Chi_Minh);
        Found {
            code: result.code,
            status_label: result.status_label,
            procedure: result.procedure.name,
            unit: result.unit.name,
            unit_address: result.unit.address,
            applicant: result.applicant,
            received_at: local(result.received_at),
            due_at: local(result.due_at),
            completed_at: result.completed_at.map(local),
            returned_at: result.returned_at.map(local),
            timeliness: result.timeliness,
            steps: result
                .timeline
                .into_iter()
                .map(|step| Step {
                    at: local(step.at),
                    status_label: step.status_label,
                    note: step.note,
                    new_due_at: step.new_due_at.map(local),
                })
                .collect(),
        }
    }
}

/// What `lookup.html` is rendered with.
#[derive(Serialize)]
struct Page {
    lang: &'static str,
    code: String,
    found: Option<Found>,
    /// `not_found` or `throttled`.
    problem: Option<&'static str>,
}

fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The lookup page: the form, the dossier, or why not.
#[handler]
pub async fn page(state: Data<&AppState>, req: &Request) -> Response {
    let query: PageQuery = req.params().unwrap_or_default();
    let (code, secret) = (trimmed(query.code), trimmed(query.secret));
    let mut page = Page {
        lang: Lang::current().code(),
        code: code.clone().unwrap_or_default(),
        found: None,
        problem: None,
    };
    let (mut status, mut retry_after) = (StatusCode::OK, None);
    if let (Some(code), Some(secret)) = (code, secret) {
        match look_up(&state, req, &code, &secret).await {
            Ok(result) => page.found = Some(result.into()),
            Err(error) if matches!(error.status(), StatusCode::NOT_FOUND | StatusCode::TOO_MANY_REQUESTS) => {
                status = error.status();
                page.problem = Some(if status == StatusCode::NOT_FOUND { "not_found" } else { "throttled" });
                retry_after = error.into_response().headers().get(RETRY_AFTER).cloned();
            }
            Err(error) => return error.into_response(),
        }
    }
    let html = match documents::render("lookup.html", &page) {
        Ok(html) => html,
        Err(error) => return error.into_response(),
    };
    let mut response = Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(CACHE_CONTROL, "no-store")
        // The address holds the secret: it is not handed to other sites.
        .header(REFERRER_POLICY, "no-referrer")
        .body(html);
    if let Some(retry_after) = retry_after {
        response.headers_mut().insert(RETRY_AFTER, retry_after);
    }
    response
}
