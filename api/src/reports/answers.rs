//! How the report and the public figures answer: the report as JSON or its dossier table as a
//! CSV attachment (one 200, two media types); public figures cacheable by anyone for five
//! minutes, with an `ETag` and 304.

use poem::{IntoResponse, Response, http::header};
use poem_openapi::{
    ApiResponse,
    payload::{Json, Payload, PlainText},
    registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::{ToJSON, Type},
};

use super::dto::ReportSummary;
use crate::http::etag::{body_tag, lists_tag};

/// How long anyone may keep public figures: they change slowly, and the page is read by many.
pub const PUBLIC_CACHE: &str = "public, max-age=300";

/// The review report: JSON, or with `format=csv` its dossier table as a spreadsheet file.
/// Written by hand because a derived `ApiResponse` with two variants of one status documents
/// the status twice.
pub enum SummaryResponse {
    Json(Box<ReportSummary>),
    Csv { filename: String, body: String },
}

impl ApiResponse for SummaryResponse {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The report; with `format=csv`, its dossier table as `text/csv` (UTF-8 with a \
                              BOM) in an attachment.",
                status: Some(200),
                status_range: None,
                content: vec![
                    MetaMediaType {
                        content_type: Json::<ReportSummary>::CONTENT_TYPE,
                        schema: Json::<ReportSummary>::schema_ref(),
                    },
                    MetaMediaType { content_type: "text/csv", schema: PlainText::<String>::schema_ref() },
                ],
                headers: vec![MetaHeader {
                    name: "Content-Disposition".into(),
                    description: Some(
                        "With `format=csv`: `attachment; filename=\"bao-cao-<unit>-<from>-<to>.csv\"`."
                            .into(),
                    ),
                    required: false,
                    deprecated: false,
                    schema: String::schema_ref(),
                }],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        <ReportSummary as Type>::register(registry);
    }
}

impl IntoResponse for SummaryResponse {
    fn into_response(self) -> Response {
        match self {
            SummaryResponse::Json(report) => Json(report).into_response(),
            SummaryResponse::Csv { filename, body } => Response::builder()
                .content_type("text/csv; charset=utf-8")
                .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\""))
                .body(body),
        }
    }
}

/// Public figures: the body with its `ETag`, or 304 when `If-None-Match` names it; either way
/// cacheable by anyone for five minutes.
#[derive(ApiResponse)]
pub enum PublicAnswer<T: ToJSON> {
    /// The figures.
    #[oai(status = 200)]
    Fresh(
        Json<T>,
        /// A strong validator of the body; send it back in `If-None-Match`.
        #[oai(header = "ETag")]
        String,
        /// `public, max-age=300`.
        #[oai(header = "Cache-Control")]
        String,
    ),
    /// The copy named in `If-None-Match` is current; no body.
    #[oai(status = 304)]
    NotModified(
        /// The validator of the current figures.
        #[oai(header = "ETag")]
        String,
        /// `public, max-age=300`.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

/// Tags public figures and answers 304 when `if_none_match` lists the tag.
pub fn public_answer<T: ToJSON>(body: T, if_none_match: Option<&str>) -> PublicAnswer<T> {
    let etag = body_tag(body.to_json_string().as_bytes());
    if if_none_match.is_some_and(|header| lists_tag(header, &etag)) {
        PublicAnswer::NotModified(etag, PUBLIC_CACHE.into())
    } else {
        PublicAnswer::Fresh(Json(body), etag, PUBLIC_CACHE.into())
    }
}
