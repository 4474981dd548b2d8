//! Printable documents: receipts numbered per unit and year and printed as Mẫu 01, the public
//! lookup page their QR code opens, apology slips (Mẫu 04), and the place their date line names.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    common::{PASSWORD, Reply, TestApp},
    dossiers::{BIRTH, OFFICER_PHONE, OTHER_WARD, WARD, desk, desk_with, intake_body, take_in},
};

const PUBLIC_URL: &str = "https://motcua.thuanan.gov.vn";
const OTHER_OFFICER_PHONE: &str = "0900000002";

/// The ward's procedure takes a day and a half and costs 50,000 đồng; the sibling ward offers
/// it too, with an officer of its own (their token).
pub(crate) async fn documents_desk(app: &TestApp) -> String {
    use sea_orm::sea_query::Expr;
    let id = api::procedures::store::procedure_by_code(&app.db, BIRTH).await.unwrap().unwrap().id;
    entity::procedure::Entity::update_many()
        .col_expr(entity::procedure::Column::ProcessingHalfDays, Expr::value(3))
        .col_expr(entity::procedure::Column::FeeVnd, Expr::value(50_000i64))
        .filter(entity::procedure::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
    let other = app.unit_id(OTHER_WARD).await;
    entity::procedure_unit::ActiveModel { procedure_id: Set(id), unit_id: Set(other) }
        .insert(&app.db)
        .await
        .unwrap();
    app.token_for(OTHER_OFFICER_PHONE, "officer", Some(OTHER_WARD)).await
}

async fn take_in_at(app: &TestApp, officer: &str, unit: &str) -> Value {
    let mut body = intake_body("Trần Thị Bình");
    body["unit_code"] = json!(unit);
    app.post("/api/v1/dossiers").bearer(officer).json(&body).send().await.assert_status(201).clone()
}

async fn stored_receipt_number(app: &TestApp, code: &str) -> Option<i32> {
    api::dossiers::store::by_code(&app.db, code).await.unwrap().unwrap().receipt_number
}

async fn set_locality(app: &TestApp, admin: &str, unit: &str, locality: Value) -> Reply {
    app.patch(&format!("/api/v1/admin/units/{unit}"))
        .bearer(admin)
        .json(&json!({"locality": locality}))
        .send()
        .await
}

/// The apology of a dossier at version `version`, with the id of its timeline entry.
pub(crate) async fn apologise(
    app: &TestApp,
    officer: &str,
    receipt: &Value,
    version: u32,
) -> (Value, String) {
    let code = receipt["code"].as_str().unwrap();
    let due: chrono::DateTime<chrono::Utc> = receipt["due_at"].as_str().unwrap().parse().unwrap();
    let reply = app
        .post(&format!("/api/v1/dossiers/{code}/apologies"))
        .bearer(officer)
        .header("if-match", format!("\"{version}\""))
        .json(&json!({"new_due_at": (due + chrono::Duration::days(7)).to_rfc3339(), "reason": "Cần xác minh thêm tại nơi cư trú"}))
        .send()
        .await;
    let dossier = reply.assert_status(200).clone();
    let entry =
        dossier["timeline"].as_array().unwrap().iter().rfind(|e| e["kind"] == "apology").unwrap().clone();
    let id = entry["id"].as_str().unwrap().to_owned();
    (entry, id)
}

#[tokio::test]
async fn receipts_are_numbered_per_unit_and_year() {
    let (app, officer) = desk().await;
    let other_officer = documents_desk(&app).await;

    let first = take_in(&app, &officer).await;
    let second = take_in(&app, &officer).await;
    let elsewhere = take_in_at(&app, &other_officer, OTHER_WARD).await;
    app.set_time("2027-01-05T09:00:00+07:00");
    let officer = app.login(OFFICER_PHONE, PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    let next_year = take_in(&app, &officer).await;

    let numbers: Vec<&Value> =
        [&first, &second, &elsewhere, &next_year].iter().map(|r| &r["receipt_number"]).collect();
    assert_eq!(numbers, [&json!(1), &json!(2), &json!(1), &json!(1)]);
    for receipt in [&first, &second, &elsewhere, &next_year] {
        let code = receipt["code"].as_str().unwrap();
        assert_eq!(
            stored_receipt_number(&app, code).await,
            receipt["receipt_number"].as_i64().map(|n| n as i32)
        );
    }
    let code = second["code"].as_str().unwrap();
    let read = app.get(&format!("/api/v1/dossiers/{code}")).bearer(&officer).send().await;
    assert_eq!(read.assert_status(200)["receipt_number"], 2);
    assert!(unescaped(next_year["receipt_html"].as_str().unwrap()).contains("Số: 1/TNHS"));
    assert!(unescaped(second["receipt_html"].as_str().unwrap()).contains("Số: 2/TNHS"));
}

#[tokio::test]
async fn the_receipt_is_a_mau_01_whose_qr_code_opens_the_public_page() {
    let (app, officer) = desk_with(|config| config.server.public_url = PUBLIC_URL.into()).await;
    documents_desk(&app).await;
    let admin = app.token_for("0900000099", "admin", None).await;
    set_locality(&app, &admin, WARD, json!("Lái Thiêu")).await.assert_status(200);

    let receipt = take_in(&app, &officer).await;
    let (code, secret) = (receipt["code"].as_str().unwrap(), receipt["lookup_secret"].as_str().unwrap());
    let html = &unescaped(receipt["receipt_html"].as_str().unwrap());
    for printed in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập – Tự do – Hạnh phúc",
        "ĐƠN VỊ 000.00.20.H12",
        "ĐƠN VỊ 000.20.33.H12",
        "Số: 1/TNHS",
        "Lái Thiêu, ngày 01 tháng 12 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Ông/Bà: <b>Nguyễn Văn An</b>",
        "Đăng ký khai sinh",
        "Giấy chứng sinh",
        "1,5 ngày làm việc",
        "lệ phí: 50.000 đồng",
        "09 giờ 00 phút, ngày 01 tháng 12 năm 2026",
        "Người nộp hồ sơ",
        "Người tiếp nhận hồ sơ",
        "(Ký và ghi rõ họ tên)",
        "<svg",
    ] {
        assert!(html.contains(printed), "the receipt lacks {printed:?}");
    }
    let link = format!("{PUBLIC_URL}/tra-cuu?code={code}&secret={secret}");
    assert!(html.contains(&link) && receipt["lookup_url"] == link.as_str());
    assert!(!html.contains("motcua://dossiers") && !html.contains("1.5 ngày"));

    let reprint =
        app.get(&format!("/api/v1/dossiers/{code}/receipt?format=html")).bearer(&officer).send().await;
    assert_eq!(reprint.assert_status(200), &Value::Null);
    let reprint = unescaped(&reprint.text);
    let data = app.get(&format!("/api/v1/dossiers/{code}/receipt")).bearer(&officer).send().await;
    assert_eq!(data.assert_status(200)["lookup_url"], format!("{PUBLIC_URL}/tra-cuu?code={code}"));
    assert!(reprint.contains(&format!("{PUBLIC_URL}/tra-cuu?code={code}</span>")));
    assert!(reprint.contains("Số: 1/TNHS") && !reprint.contains(secret));
}

/// A page's text with the escapes the template engine writes (`/` and `&`) undone.
fn unescaped(html: &str) -> String {
    html.replace("&#x2f;", "/").replace("&amp;", "&")
}

fn page_path(code: &str, secret: &str) -> String {
    format!("/tra-cuu?code={code}&secret={secret}")
}

#[tokio::test]
async fn the_lookup_page_shows_the_dossier_to_whoever_holds_code_and_secret() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let (code, secret) = (receipt["code"].as_str().unwrap(), receipt["lookup_secret"].as_str().unwrap());

    let page = app.get(&page_path(code, &secret.to_lowercase())).send().await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    let text = unescaped(&page.text);
    for shown in [code, "Đã tiếp nhận", "Đăng ký khai sinh", "N*** V*** A***", "09:00 ngày 01/12/2026"]
    {
        assert!(text.contains(shown), "the page lacks {shown:?}");
    }
    assert!(text.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#));
    assert!(!page.text.contains("<script") && !page.text.contains("Nguyễn Văn An"));

    let english = app.get(&page_path(code, secret)).english().send().await;
    assert!(
        english.text.contains("Dossier lookup")
            && english.text.contains("Accepted")
            && unescaped(&english.text).contains("09:00, 01/12/2026")
    );

    let form = app.get("/tra-cuu").send().await;
    assert_eq!(form.status, 200);
    assert!(
        form.text.contains("<form")
            && form.text.contains("name=\"secret\"")
            && !form.text.contains("<script")
    );
    let posted = app.post("/tra-cuu").send().await;
    assert_eq!(posted.status, 405);
    assert!(posted.header("allow").is_some_and(|allow| allow.contains("GET")));
    let typed = app.get(&format!("/tra-cuu?code={code}")).send().await;
    assert!(typed.text.contains(&format!("value=\"{code}\"")));
}

#[tokio::test]
async fn a_wrong_secret_and_an_unknown_code_get_the_same_page() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    let unknown = format!("{WARD}-261201-0099");

    let wrong = app.get(&page_path(code, "ZZZZZZZZ")).send().await;
    let missing = app.get(&page_path(&unknown, "ZZZZZZZZ")).send().await;

    assert_eq!((wrong.status.as_u16(), missing.status.as_u16()), (404, 404));
    assert!(wrong.text.contains("Không tìm thấy hồ sơ"));
    assert_eq!(wrong.text.replace(code, "CODE"), missing.text.replace(&unknown, "CODE"));
    assert_eq!(wrong.header("cache-control"), Some("no-store"));
    assert!(!wrong.text.contains("Đăng ký khai sinh"));
}

#[tokio::test]
async fn the_lookup_page_shares_the_api_lookups_limit() {
    let (app, officer) = desk_with(|config| config.lookup.limit_per_minute = 3).await;
    let receipt = take_in(&app, &officer).await;
    let (code, secret) = (receipt["code"].as_str().unwrap(), receipt["lookup_secret"].as_str().unwrap());
    let api = || app.post("/api/v1/dossiers/lookup").json(&json!({"code": code, "secret": secret})).send();

    api().await.assert_status(200);
    api().await.assert_status(200);
    app.get(&page_path(code, secret)).send().await.assert_status(200);
    let throttled = app.get(&page_path(code, secret)).send().await;

    assert_eq!(throttled.status, 429);
    assert!(throttled.header("retry-after").is_some_and(|s| s.parse::<u64>().unwrap() >= 1));
    assert_eq!(throttled.header("ratelimit-remaining"), Some("0"));
    assert!(
        throttled.text.contains("Tra cứu quá nhiều lần") && !throttled.text.contains("Đăng ký khai sinh")
    );
    api().await.assert_problem(429, "quota_exceeded");
}

#[tokio::test]
async fn an_apology_slip_is_numbered_and_printed_for_the_units_staff_only() {
    let (app, officer) = desk().await;
    let other_officer = documents_desk(&app).await;
    let first = take_in(&app, &officer).await;
    let second = take_in(&app, &officer).await;

    let (entry, id) = apologise(&app, &officer, &first, 1).await;
    let (later, _) = apologise(&app, &officer, &second, 1).await;
    assert_eq!((entry["document_number"].clone(), later["document_number"].clone()), (json!(1), json!(2)));

    let code = first["code"].as_str().unwrap();
    let due: chrono::DateTime<chrono::Utc> = first["due_at"].as_str().unwrap().parse().unwrap();
    let spelled = |at: chrono::DateTime<chrono::Utc>| {
        at.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
            .format("%H giờ %M phút, ngày %d tháng %m năm %Y")
            .to_string()
    };
    let (put_off, new_due) = (spelled(due), spelled(due + chrono::Duration::days(7)));
    let path = format!("/api/v1/dossiers/{code}/apologies/{id}");
    let slip = app.get(&path).bearer(&officer).send().await;
    assert_eq!(slip.status, 200, "{}", slip.text);
    assert_eq!(slip.header("content-type"), Some("text/html; charset=utf-8"));
    let text = unescaped(&slip.text);
    for printed in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 1/PXL",
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Kính gửi: Ông/Bà <b>Nguyễn Văn An</b>",
        "Ngày 01 tháng 12 năm 2026, Đơn vị 000.20.33.H12 tiếp nhận",
        "Mã hồ sơ: <b>",
        &format!("Thời gian hẹn trả kết quả giải quyết hồ sơ: {put_off}."),
        "Lý do: Cần xác minh thêm tại nơi cư trú.",
        "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại cho Ông/Bà.",
        &format!("hẹn trả kết quả vào <b>{new_due}</b>"),
        "Mong nhận được sự thông cảm của Ông/Bà.",
        "Thủ trưởng cơ quan",
        "(Ký, ghi rõ họ tên và đóng dấu)",
    ] {
        assert!(text.contains(printed), "the slip lacks {printed:?}");
    }

    app.get(&path).bearer(&other_officer).send().await.assert_problem(404, "not_found");
    let intake = first["code"].as_str().map(|_| uuid::Uuid::now_v7()).unwrap();
    app.get(&format!("/api/v1/dossiers/{code}/apologies/{intake}"))
        .bearer(&officer)
        .send()
        .await
        .assert_problem(404, "not_found");
    let stored =
        entity::dossier_event::Entity::find_by_id(uuid::Uuid::parse_str(&id).unwrap()).one(&app.db).await;
    assert_eq!(stored.unwrap().unwrap().document_number, Some(1));
}

#[tokio::test]
async fn administrators_set_the_place_a_units_documents_are_dated_at() {
    let app = TestApp::spawn().await;
    app.create_unit("000.00.20.H12", None).await;
    app.create_unit(WARD, Some("000.00.20.H12")).await;
    let admin = app.token_for("0900000099", "admin", None).await;

    let created = app
        .post("/api/v1/admin/units")
        .bearer(&admin)
        .json(&json!({"code": "000.20.35.H12", "name": "UBND phường Bình Hòa", "kind": "ward", "parent_code": "000.00.20.H12", "locality": "  Bình Hòa "}))
        .send()
        .await;
    assert_eq!(created.assert_status(201)["locality"], "Bình Hòa");
    let changed = set_locality(&app, &admin, WARD, json!("Lái Thiêu")).await;
    assert_eq!(changed.assert_status(200)["locality"], "Lái Thiêu");
    assert_eq!(set_locality(&app, &admin, WARD, json!("x".repeat(101))).await.status, 422);
    let unit = entity::unit::Entity::find_by_id(app.unit_id(WARD).await).one(&app.db).await.unwrap().unwrap();
    assert_eq!(unit.locality.as_deref(), Some("Lái Thiêu"));
    assert!(set_locality(&app, &admin, WARD, Value::Null).await.assert_status(200)["locality"].is_null());
}
