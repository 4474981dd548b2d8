//! The printable receipt (Mẫu 01): an A5 page in Vietnamese with a QR code that the mobile
//! app scans to follow the dossier. It carries the lookup secret, so it is produced only at
//! intake, while the secret is still known (it is stored hashed).

use qrcode::{QrCode, render::svg};

use super::dto::Receipt;

/// What the QR code holds: a link the app understands, with the code and (at intake) the secret.
pub fn qr_payload(code: &str, secret: Option<&str>) -> String {
    match secret {
        Some(secret) => format!("motcua://dossiers/lookup?code={code}&secret={secret}"),
        None => format!("motcua://dossiers/lookup?code={code}"),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn local(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).format("%H:%M ngày %d/%m/%Y").to_string()
}

/// What the rating QR code holds: a link the app (or a kiosk) opens to rate the officer.
pub fn rating_qr_payload(token: &str) -> String {
    format!("motcua://ratings/new?token={token}")
}

fn qr_svg(payload: &str, size: u32) -> String {
    QrCode::new(payload)
        .map(|code| code.render::<svg::Color>().min_dimensions(size, size).build())
        .unwrap_or_default()
}

/// The receipt as a printable page; without the secret (a reprint), its line says so.
pub fn render_html(receipt: &Receipt, secret: Option<&str>) -> String {
    let qr = qr_svg(&qr_payload(&receipt.code, secret), 150);
    let rating_qr = qr_svg(&rating_qr_payload(&receipt.rating_token), 110);
    let documents: String =
        receipt.documents.iter().map(|d| format!("<li>{} — {} bản</li>", escape(&d.name), d.count)).collect();
    let days = if receipt.processing_days == 0.0 {
        "trong ngày".to_owned()
    } else {
        format!("{} ngày làm việc", receipt.processing_days)
    };
    format!(
        r#"<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Giấy tiếp nhận hồ sơ {code}</title>
<style>@page {{ size: A5; margin: 12mm }} body {{ font-family: "Times New Roman", serif; font-size: 12pt }}
h1 {{ font-size: 14pt; text-align: center }} .qr {{ float: right }} .rate {{ clear: both; border-top: 1px dashed #000; padding-top: 4mm }} dt {{ font-weight: bold }}</style></head>
<body>
<p>{desk}</p>
<h1>GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</h1>
<div class="qr">{qr}</div>
<dl>
<dt>Mã hồ sơ</dt><dd>{code}</dd>
<dt>Mã tra cứu</dt><dd>{secret}</dd>
<dt>Người nộp</dt><dd>{name} — số giấy tờ {id_number} — điện thoại {phone}</dd>
<dt>Thủ tục</dt><dd>{procedure}</dd>
<dt>Giấy tờ đã nhận</dt><dd><ul>{documents}</ul></dd>
<dt>Thời hạn giải quyết</dt><dd>{days}</dd>
<dt>Nhận hồ sơ lúc</dt><dd>{received}</dd>
<dt>Hẹn trả kết quả</dt><dd>{due}</dd>
<dt>Nơi trả kết quả</dt><dd>{place}</dd>
<dt>Lệ phí</dt><dd>{fee} đồng</dd>
<dt>Người tiếp nhận</dt><dd>{officer}</dd>
</dl>
<p>Tra cứu tình trạng hồ sơ trên ứng dụng Một Cửa bằng mã hồ sơ và mã tra cứu, hoặc quét mã QR.</p>
<div class="rate"><div class="qr">{rating_qr}</div>
<p><b>Đánh giá cán bộ</b>: khi nhận kết quả, quét mã này (hoặc dùng máy tại bộ phận một cửa) để đánh giá
thái độ phục vụ. Mã chỉ dùng được một lần, trong thời hạn đánh giá sau khi trả kết quả.</p></div>
</body></html>
"#,
        code = escape(&receipt.code),
        desk = escape(&receipt.desk.name),
        secret = secret.map_or_else(|| "(chỉ in trên giấy tiếp nhận bản gốc)".to_owned(), escape),
        name = escape(&receipt.applicant.full_name),
        id_number = escape(&receipt.applicant.id_number),
        phone = escape(receipt.applicant.phone.as_str()),
        procedure = escape(&receipt.procedure.name),
        received = local(receipt.received_at),
        due = local(receipt.due_at),
        place = escape(&receipt.result_returned_at),
        fee = receipt.fee_vnd,
        officer = escape(&receipt.received_by),
    )
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
