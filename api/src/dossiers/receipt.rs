//! The printable receipt (Mẫu 01 of Circular 01/2018/TT-VPCP, "giấy tiếp nhận hồ sơ và hẹn
//! trả kết quả"): an A5 page rendered from `templates/receipt.html`, with a QR code that opens
//! the public lookup page in any phone's browser. With the lookup secret (known only at intake,
//! as it is stored hashed) the link opens the dossier at once; a reprint's link asks for it.

use chrono_tz::Tz;
use entity::unit;
use serde::Serialize;

use super::dto::Receipt;
use crate::{
    documents::{self, Letterhead, LocalTime},
    error::ApiResult,
    state::AppState,
};

/// The public lookup page of a dossier under `public_url`, with the secret when it is known.
pub fn lookup_url(public_url: &str, code: &str, secret: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("code", code);
    if let Some(secret) = secret {
        query.append_pair("secret", secret);
    }
    format!("{public_url}/tra-cuu?{}", query.finish())
}

/// What the rating QR code holds: a link the app (or a kiosk) opens to rate the officer.
pub fn rating_qr_payload(token: &str) -> String {
    format!("motcua://ratings/new?token={token}")
}

/// The number a receipt is printed with: its place in the unit's series for the year.
pub fn number_label(number: Option<i32>) -> String {
    number.map(|n| format!("Số: {n}/TNHS")).unwrap_or_default()
}

#[derive(Serialize)]
struct Document<'a> {
    name: &'a str,
    count: u32,
}

/// What `receipt.html` is rendered with.
#[derive(Serialize)]
struct Page<'a> {
    paper: &'static str,
    head: Letterhead,
    unit_name: &'a str,
    code: &'a str,
    secret: Option<&'a str>,
    applicant: &'a str,
    id_number: &'a str,
    phone: &'a str,
    email: Option<&'a str>,
    procedure: &'a str,
    documents: Vec<Document<'a>>,
    processing_days: f64,
    fee_vnd: i64,
    received_at: LocalTime,
    due_at: LocalTime,
    result_place: &'a str,
    officer: &'a str,
    lookup_url: &'a str,
    lookup_qr: String,
    rating_qr: String,
}

/// The receipt of a dossier of `unit` as a printable page, with the lookup secret when the
/// receipt has it (at intake).
pub async fn render_html(state: &AppState, unit: &unit::Model, receipt: &Receipt) -> ApiResult<String> {
    let head =
        Letterhead::of(&state.db, unit, number_label(receipt.receipt_number), receipt.received_at).await?;
    let zone: Tz = unit.time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
    let page = Page {
        paper: "A5",
        head,
        unit_name: &receipt.desk.name,
        code: &receipt.code,
        secret: receipt.lookup_secret.as_deref(),
        applicant: &receipt.applicant.full_name,
        id_number: &receipt.applicant.id_number,
        phone: receipt.applicant.phone.as_str(),
        email: receipt.applicant.email.as_deref(),
        procedure: &receipt.procedure.name,
        documents: receipt.documents.iter().map(|d| Document { name: &d.name, count: d.count }).collect(),
        processing_days: receipt.processing_days,
        fee_vnd: receipt.fee_vnd,
        received_at: LocalTime::of(receipt.received_at, zone),
        due_at: LocalTime::of(receipt.due_at, zone),
        result_place: &receipt.result_returned_at,
        officer: &receipt.received_by,
        lookup_qr: documents::qr_svg(&receipt.lookup_url, 96),
        lookup_url: &receipt.lookup_url,
        rating_qr: documents::qr_svg(&rating_qr_payload(&receipt.rating_token), 96),
    };
    documents::render("receipt.html", page)
}

/// How `GET /dossiers/{code}/receipt` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum ReceiptFormat {
    /// The receipt data as JSON.
    Json,
    /// The printable page.
    Html,
}

/// One 200 answer in two media types: the receipt data (JSON, the default) or, with
/// `?format=html`, the printable page. Written by hand because a derived `ApiResponse` with
/// two variants of one status documents the status twice.
pub enum ReceiptResponse {
    Json(Box<Receipt>),
    Html(String),
}

impl poem_openapi::ApiResponse for ReceiptResponse {
    fn meta() -> poem_openapi::registry::MetaResponses {
        use poem_openapi::{
            payload::{Html, Json, Payload},
            registry::{MetaMediaType, MetaResponse, MetaResponses},
        };
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The receipt data without the lookup secret (shown only at intake); \
                              with `?format=html`, the printable page.",
                status: Some(200),
                status_range: None,
                content: vec![
                    MetaMediaType {
                        content_type: Json::<Receipt>::CONTENT_TYPE,
                        schema: Json::<Receipt>::schema_ref(),
                    },
                    MetaMediaType {
                        content_type: Html::<String>::CONTENT_TYPE,
                        schema: Html::<String>::schema_ref(),
                    },
                ],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        <Receipt as poem_openapi::types::Type>::register(registry);
    }
}

impl poem::IntoResponse for ReceiptResponse {
    fn into_response(self) -> poem::Response {
        use poem_openapi::payload::{Html, Json};
        match self {
            ReceiptResponse::Json(receipt) => Json(receipt).into_response(),
            ReceiptResponse::Html(page) => Html(page).into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_links_the_public_lookup_page_over_https() {
        let base = "https://motcua.thuanan.gov.vn";
        assert_eq!(
            lookup_url(base, "000.20.33.H12-261126-0001", Some("7KX4-M2QP")),
            "https://motcua.thuanan.gov.vn/tra-cuu?code=000.20.33.H12-261126-0001&secret=7KX4-M2QP"
        );
        assert_eq!(
            lookup_url(base, "000.20.33.H12-261126-0001", None),
            "https://motcua.thuanan.gov.vn/tra-cuu?code=000.20.33.H12-261126-0001"
        );
        // Whatever a code holds stays inside its parameter.
        assert_eq!(
            lookup_url(base, "A&B C", Some("x=y")),
            format!("{base}/tra-cuu?code=A%26B+C&secret=x%3Dy")
        );
    }

    #[test]
    fn a_receipt_number_is_printed_with_its_symbol() {
        assert_eq!(number_label(Some(12)), "Số: 12/TNHS");
        assert_eq!(number_label(None), "");
    }
}
