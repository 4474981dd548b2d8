//! The public catalogue: procedures and legal documents, their search with and without
//! diacritics, who may edit them, the demo data and the import.

use api::procedures::import::{self, ImportError, ImportFormat};
use serde_json::{Value, json};

use crate::common::{Reply, TestApp};

/// Lái Thiêu ward and An Phú ward, under Thuận An town, in the demo data.
const LAI_THIEU: &str = "000.20.33.H12";
const AN_PHU: &str = "000.20.34.H12";
const TOWN: &str = "000.00.20.H12";
const PROVINCE: &str = "000.00.00.H12";

async fn demo_app() -> TestApp {
    let app = TestApp::spawn().await;
    api::seed::seed_demo(&app.db, app.now()).await.expect("demo data loads");
    app
}

fn codes(reply: &Reply) -> Vec<String> {
    reply.body["items"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap().to_owned()).collect()
}

fn new_procedure(code: &str, unit: &str) -> Value {
    json!({
        "code": code,
        "name": "Cấp giấy phép tổ chức lễ hội",
        "name_en": "Festival permit",
        "field": "Văn hóa",
        "level": "commune",
        "unit_codes": [unit],
        "processing_days": 2.5,
        "fee_vnd": 50000,
        "documents": [{"name": "Đơn đề nghị", "form": "original", "count": 1}],
        "steps": ["Nộp hồ sơ", "Nhận kết quả"],
        "result": "Giấy phép",
        "legal_basis": ["60/2014/QH13"],
        "online_submission": "partial",
        "letter_on_completion": "none"
    })
}

async fn count(app: &TestApp, path: &str) -> u64 {
    app.get(path).send().await.assert_status(200)["total"].as_u64().unwrap()
}

#[tokio::test]
async fn the_demo_data_loads_once_and_finds_birth_registration() {
    let app = TestApp::spawn().await;

    let first = api::seed::seed_demo(&app.db, app.now()).await.unwrap();
    let second = api::seed::seed_demo(&app.db, app.now()).await.unwrap();

    assert_eq!(first.units_created, 6);
    assert!(first.legal_documents_created >= 20);
    assert!(first.holidays_created >= 20);
    assert!(first.procedures >= 20);
    let roles: Vec<String> =
        first.accounts_created.iter().map(|a| sea_orm::ActiveEnum::to_value(&a.role)).collect();
    assert_eq!(roles, ["admin", "supervisor", "officer", "officer", "citizen"]);
    assert!(first.accounts_created.iter().all(|a| a.password.len() >= 16));
    assert_eq!(
        (
            second.units_created,
            second.legal_documents_created,
            second.holidays_created,
            second.accounts_created.len()
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(second.procedures, first.procedures);
    assert_eq!(count(&app, "/api/v1/units?per_page=1").await, 6);
    assert_eq!(count(&app, "/api/v1/procedures?per_page=1").await, first.procedures as u64);
    assert_eq!(count(&app, "/api/v1/legal-documents?per_page=1").await, first.legal_documents_created as u64);
    let officer = &first.accounts_created[2];
    assert_eq!(officer.unit_code.as_deref(), Some(LAI_THIEU));
    let login = app.login(&officer.phone, &officer.password).await;
    assert!(login["access_token"].is_string());

    let found = app.get("/api/v1/procedures?q=khai%20sinh").send().await;
    found.assert_status(200);
    assert_eq!(codes(&found)[0], "1.001193");
    assert_eq!(found.body["items"][0]["name"], "Đăng ký khai sinh");
}

#[tokio::test]
async fn search_matches_with_or_without_diacritics_in_any_case() {
    let app = demo_app().await;

    for q in
        ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "dăng ky khai sinh", "Đăng ký khai sinh", "  khai-SINH "]
    {
        let reply = app.get(&format!("/api/v1/procedures?q={}", urlencode(q))).send().await;
        let found = codes(&reply);
        assert!(found.contains(&"1.001193".to_owned()), "{q}: {found:?}");
    }
    let prefix = app.get(&format!("/api/v1/procedures?q={}", urlencode("ĐĂNG KÝ"))).send().await;
    let items = prefix.body["items"].as_array().unwrap();
    // The field counts too: "Xác nhận thông tin về cư trú" is in "Đăng ký, quản lý cư trú".
    let in_name_or_field = |p: &Value| {
        [&p["name"], &p["field"]].iter().any(|text| text.as_str().unwrap().to_lowercase().contains("đăng ký"))
    };
    assert!(items.iter().all(in_name_or_field), "{items:?}");
    assert!(items[0]["name"].as_str().unwrap().starts_with("Đăng ký"));
    assert_eq!(items.last().unwrap()["name"], "Xác nhận thông tin về cư trú");
    let by_english = app.get("/api/v1/procedures?q=birth%20registration").send().await;
    assert_eq!(codes(&by_english)[0], "1.001193");
    let nothing = app.get("/api/v1/procedures?q=xyzzy").send().await;
    assert_eq!(nothing.assert_status(200)["total"], 0);
    let by_code = app.get("/api/v1/procedures?q=1.001193").send().await;
    assert_eq!(codes(&by_code), ["1.001193"]);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn procedures_filter_by_unit_field_and_level_and_page_by_code() {
    let app = demo_app().await;

    let at_ward = app.get(&format!("/api/v1/procedures?unit={LAI_THIEU}&per_page=100")).send().await;
    let civil_status =
        app.get(&format!("/api/v1/procedures?field={}&per_page=100", urlencode("ho tich"))).send().await;
    let district = app.get("/api/v1/procedures?level=district&per_page=100").send().await;
    let page_one = app.get("/api/v1/procedures?per_page=10").send().await;
    let page_three = app.get("/api/v1/procedures?per_page=10&page=3").send().await;
    let unknown_unit = app.get("/api/v1/procedures?unit=NOPE").send().await;
    let bad_level = app.get("/api/v1/procedures?level=galactic").send().await;

    let ward_codes = codes(&at_ward);
    assert!(ward_codes.contains(&"1.001193".to_owned()));
    assert!(!ward_codes.contains(&"1.001612".to_owned()), "business registration is the town's");
    assert_eq!(civil_status.assert_status(200)["total"], 11);
    assert!(civil_status.body["items"].as_array().unwrap().iter().all(|p| p["field"] == "Hộ tịch"));
    assert!(district.body["items"].as_array().unwrap().iter().all(|p| p["level"] == "district"));
    assert!(district.assert_status(200)["total"].as_u64().unwrap() > 0);
    let total = page_one.assert_status(200)["total"].as_u64().unwrap();
    let first_page = codes(&page_one);
    let mut sorted = first_page.clone();
    sorted.sort();
    assert_eq!(first_page, sorted);
    assert_eq!(codes(&page_three).len() as u64, total - 20);
    assert_eq!(unknown_unit.assert_status(200)["total"], 0);
    for path in
        ["/api/v1/procedures", "/api/v1/procedures?q=dang%20ky", "/api/v1/legal-documents", "/api/v1/units"]
    {
        let far = app
            .get(&format!("{path}{}page=9223372036854775807", if path.contains('?') { '&' } else { '?' }))
            .send()
            .await;
        assert_eq!(far.assert_status(200)["items"], json!([]), "{path}");
    }
    bad_level.assert_problem(400, "malformed_request");
}

#[tokio::test]
async fn a_procedure_reads_in_full_with_its_legal_basis() {
    let app = demo_app().await;

    let reply = app.get("/api/v1/procedures/1.001193").send().await;

    let p = reply.assert_status(200);
    assert_eq!(p["name_en"], "Birth registration");
    assert_eq!(p["unit_codes"], json!([LAI_THIEU, AN_PHU]));
    assert_eq!(p["processing_days"], 0.0);
    assert_eq!(
        p["documents"][0],
        json!({"name": "Tờ khai đăng ký khai sinh theo mẫu", "form": "original", "count": 1})
    );
    assert_eq!(p["steps"].as_array().unwrap().len(), 5);
    let numbers: Vec<&str> =
        p["legal_basis"].as_array().unwrap().iter().map(|d| d["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["04/2020/TT-BTP", "123/2015/NĐ-CP", "60/2014/QH13"]);
    assert!(p["legal_basis"][0]["id"].is_string());
    assert_eq!(p["letter_on_completion"], "congratulation");
    assert_eq!(p["active"], true);
    assert!(p["updated_at"].is_string());
    let half_day = app.get("/api/v1/procedures/1.010041").send().await;
    assert_eq!(half_day.assert_status(200)["processing_days"], 0.5);
    app.get("/api/v1/procedures/9.999999").send().await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn catalogue_reads_answer_if_none_match_with_304() {
    let app = demo_app().await;
    let document_id = app.get("/api/v1/legal-documents?per_page=1").send().await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let paths = [
        "/api/v1/procedures?q=khai%20sinh".to_owned(),
        "/api/v1/procedures/1.001193".to_owned(),
        "/api/v1/legal-documents?q=ho%20tich".to_owned(),
        format!("/api/v1/legal-documents/{document_id}"),
        format!("/api/v1/units/{LAI_THIEU}"),
        "/api/v1/units".to_owned(),
    ];
    for path in &paths {
        let first = app.get(path).send().await;
        first.assert_status(200);
        let etag = first.header("etag").unwrap_or_else(|| panic!("{path} has no ETag")).to_owned();

        let fresh = app.get(path).header("if-none-match", &etag).send().await;
        let weak = app.get(path).header("if-none-match", format!("\"x\", W/{etag}")).send().await;
        let other = app.get(path).header("if-none-match", "\"0000\"").send().await;

        assert_eq!(fresh.status.as_u16(), 304, "{path}");
        assert_eq!(fresh.header("etag"), Some(etag.as_str()));
        assert_eq!(weak.status.as_u16(), 304, "{path}");
        assert_eq!(other.status.as_u16(), 200, "{path}");
        assert_eq!(other.header("etag"), Some(etag.as_str()));
    }

    // A change gives a new tag.
    let admin = app.token_for("0911111111", "admin", None).await;
    let before = app.get("/api/v1/procedures/1.001193").send().await.header("etag").unwrap().to_owned();
    let mut changed = app.get("/api/v1/procedures/1.001193").send().await.body;
    changed["fee_vnd"] = json!(8000);
    changed["legal_basis"] = json!(["60/2014/QH13"]);
    app.put("/api/v1/procedures/1.001193").bearer(&admin).json(&changed).send().await.assert_status(200);
    let after = app.get("/api/v1/procedures/1.001193").header("if-none-match", &before).send().await;
    assert_eq!(after.status.as_u16(), 200);
    assert_ne!(after.header("etag"), Some(before.as_str()));
}

#[tokio::test]
async fn procedures_are_written_by_supervisors_of_their_units_and_admins() {
    let app = demo_app().await;
    let citizen = app.token_for("0911111111", "citizen", None).await;
    let officer = app.token_for("0911111112", "officer", Some(LAI_THIEU)).await;
    let town_supervisor = app.token_for("0911111113", "supervisor", Some(TOWN)).await;
    let ward_supervisor = app.token_for("0911111114", "supervisor", Some(AN_PHU)).await;
    let admin = app.token_for("0911111115", "admin", None).await;
    let post = |token: &str, body: Value| app.post("/api/v1/procedures").bearer(token).json(&body).send();

    app.post("/api/v1/procedures")
        .json(&new_procedure("9.000001", LAI_THIEU))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    post(&citizen, new_procedure("9.000001", LAI_THIEU)).await.assert_problem(403, "forbidden");
    post(&officer, new_procedure("9.000001", LAI_THIEU)).await.assert_problem(403, "forbidden");
    post(&ward_supervisor, new_procedure("9.000001", LAI_THIEU)).await.assert_problem(403, "forbidden");
    post(&town_supervisor, new_procedure("9.000001", PROVINCE)).await.assert_problem(403, "forbidden");
    let created = post(&town_supervisor, new_procedure("9.000001", LAI_THIEU)).await;
    let created = created.assert_status(201);
    assert_eq!(created["processing_days"], 2.5);
    assert_eq!(created["unit_codes"], json!([LAI_THIEU]));
    assert_eq!(created["legal_basis"][0]["number"], "60/2014/QH13");
    post(&admin, new_procedure("9.000001", AN_PHU)).await.assert_problem(409, "procedure_exists");
    post(&admin, new_procedure("9.000002", PROVINCE)).await.assert_status(201);

    let put = |token: &str, code: &str, body: Value| {
        app.put(&format!("/api/v1/procedures/{code}")).bearer(token).json(&body).send()
    };
    let mut renamed = new_procedure("9.000001", LAI_THIEU);
    renamed["name"] = json!("Cấp phép lễ hội truyền thống");
    put(&officer, "9.000001", renamed.clone()).await.assert_problem(403, "forbidden");
    put(&ward_supervisor, "9.000001", renamed.clone()).await.assert_problem(404, "not_found");
    put(&town_supervisor, "9.000002", new_procedure("9.000002", LAI_THIEU))
        .await
        .assert_problem(404, "not_found");
    put(&town_supervisor, "9.000001", new_procedure("9.000003", LAI_THIEU))
        .await
        .assert_problem(422, "validation_failed");
    put(&admin, "9.999999", new_procedure("9.999999", LAI_THIEU)).await.assert_problem(404, "not_found");
    let replaced = put(&town_supervisor, "9.000001", renamed).await;
    assert_eq!(replaced.assert_status(200)["name"], "Cấp phép lễ hội truyền thống");
    let found = app.get("/api/v1/procedures?q=le%20hoi%20truyen%20thong").send().await;
    assert_eq!(codes(&found), ["9.000001"]);

    let mut hidden = new_procedure("9.000002", PROVINCE);
    hidden["active"] = json!(false);
    put(&admin, "9.000002", hidden).await.assert_status(200);
    assert!(
        !codes(&app.get("/api/v1/procedures?q=le%20hoi&per_page=100").send().await)
            .contains(&"9.000002".to_owned())
    );
    assert_eq!(app.get("/api/v1/procedures/9.000002").send().await.assert_status(200)["active"], false);
}

#[tokio::test]
async fn a_procedure_breaking_rules_is_refused_naming_each_field() {
    let app = demo_app().await;
    let admin = app.token_for("0911111115", "admin", None).await;
    let mut broken = new_procedure("x", "NOPE");
    broken["name"] = json!(" ");
    broken["processing_days"] = json!(0.3);
    broken["fee_vnd"] = json!(-1);
    broken["documents"] = json!([{"name": "Đơn", "form": "copy", "count": 21}]);
    broken["legal_basis"] = json!(["1/1900/XX"]);

    let reply = app.post("/api/v1/procedures").bearer(&admin).english().json(&broken).send().await;

    // What the schema says is checked first, all at once; then the rules that need the catalogue.
    let body = reply.assert_problem(422, "validation_failed");
    let fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "processing_days", "fee_vnd", "documents[0].count"]);
    assert_eq!(body["errors"][1]["message"], "Must be a number from 0 to 365, a multiple of 0.5.");
    let mut unknown_references = new_procedure("x", "NOPE");
    unknown_references["legal_basis"] = json!(["1/1900/XX"]);
    let reply =
        app.post("/api/v1/procedures").bearer(&admin).english().json(&unknown_references).send().await;
    let body = reply.assert_problem(422, "validation_failed");
    let fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["code", "unit_codes", "legal_basis"]);
    assert_eq!(body["errors"][1]["message"], "No unit has the code: NOPE");
    let mut no_documents = new_procedure("9.000009", LAI_THIEU);
    no_documents["documents"] = json!([]);
    let reply = app.post("/api/v1/procedures").bearer(&admin).json(&no_documents).send().await;
    assert_eq!(reply.assert_problem(422, "validation_failed")["errors"][0]["field"], "documents");
    let bad_form = new_procedure("9.000009", LAI_THIEU);
    let mut bad_form = bad_form;
    bad_form["documents"][0]["form"] = json!("photocopy");
    app.post("/api/v1/procedures")
        .bearer(&admin)
        .json(&bad_form)
        .send()
        .await
        .assert_problem(400, "malformed_request");
    app.get("/api/v1/procedures/9.000009").send().await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn legal_documents_are_searched_read_and_added_by_admins() {
    let app = demo_app().await;
    let supervisor = app.token_for("0911111113", "supervisor", Some(TOWN)).await;
    let admin = app.token_for("0911111115", "admin", None).await;
    let document = json!({
        "number": "01/2018/TT-VPCP",
        "title": "Thông tư hướng dẫn thi hành cơ chế một cửa, một cửa liên thông",
        "kind": "circular",
        "issuer": "Văn phòng Chính phủ",
        "issued_on": "2018-11-23",
        "url": "https://vbpl.vn/"
    });

    let found = app.get("/api/v1/legal-documents?q=LUAT%20HO%20TICH").send().await;
    let decrees = app.get("/api/v1/legal-documents?kind=decree&per_page=100").send().await;
    app.post("/api/v1/legal-documents")
        .bearer(&supervisor)
        .json(&document)
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.post("/api/v1/legal-documents").json(&document).send().await.assert_problem(401, "unauthenticated");
    let created = app.post("/api/v1/legal-documents").bearer(&admin).json(&document).send().await;
    let duplicate = app.post("/api/v1/legal-documents").bearer(&admin).json(&document).send().await;
    let mut broken = document.clone();
    broken["number"] = json!("");
    let invalid = app.post("/api/v1/legal-documents").bearer(&admin).json(&broken).send().await;
    let mut ftp = document.clone();
    ftp["number"] = json!("02/2018/TT-VPCP");
    ftp["url"] = json!("ftp://example");
    let not_http = app.post("/api/v1/legal-documents").bearer(&admin).json(&ftp).send().await;

    let found = found.assert_status(200);
    assert_eq!(found["items"][0]["number"], "60/2014/QH13");
    assert!(decrees.body["items"].as_array().unwrap().iter().all(|d| d["kind"] == "decree"));
    let created = created.assert_status(201);
    let id = created["id"].as_str().unwrap();
    duplicate.assert_problem(409, "legal_document_exists");
    let fields: Vec<&str> = invalid.assert_problem(422, "validation_failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["number"]);
    assert_eq!(not_http.assert_problem(422, "validation_failed")["errors"][0]["field"], "url");
    let read = app.get(&format!("/api/v1/legal-documents/{id}")).send().await;
    assert_eq!(read.assert_status(200)["title"], document["title"]);
    let by_number = app.get("/api/v1/legal-documents?q=01%2F2018").send().await;
    assert_eq!(by_number.body["items"][0]["id"], id);
    let one_stop = app.get("/api/v1/legal-documents?q=mot%20cua%20lien%20thong").send().await;
    assert_eq!(one_stop.body["items"][0]["number"], "01/2018/TT-VPCP");
    app.get(&format!("/api/v1/legal-documents/{}", uuid::Uuid::nil()))
        .send()
        .await
        .assert_problem(404, "not_found");
}

const CSV_HEADER: &str = "code,name,name_en,field,level,unit_codes,processing_days,fee_vnd,fee_note,documents,steps,result,legal_basis,online_submission,letter_on_completion,description\n";

fn csv_row(code: &str, name: &str, units: &str, days: &str) -> String {
    format!(
        "{code},{name},,Văn hóa,commune,{units},{days},20000,,\"[{{\"\"name\"\":\"\"Đơn\"\",\"\"form\"\":\"\"original\"\",\"\"count\"\":1}}]\",Nộp|Nhận,Giấy phép,60/2014/QH13;123/2015/NĐ-CP,none,none,\n"
    )
}

async fn import_text(
    app: &TestApp,
    format: ImportFormat,
    text: &str,
    skip_invalid: bool,
) -> Result<import::ImportReport, ImportError> {
    let rows = import::parse(format, text)?;
    import::import_procedures(&app.db, rows, skip_invalid, app.now(), &|_| {}).await
}

#[tokio::test]
async fn a_good_csv_file_imports_and_a_second_import_replaces_by_code() {
    let app = demo_app().await;
    let before = count(&app, "/api/v1/procedures?per_page=1").await;
    // As a spreadsheet saves it: with a byte-order mark.
    let text = format!(
        "\u{feff}{CSV_HEADER}{}{}",
        csv_row("8.000001", "Cấp phép biểu diễn nghệ thuật", &format!("{LAI_THIEU};{AN_PHU}"), "3"),
        csv_row("8.000002", "Đăng ký tổ chức lễ hội", LAI_THIEU, "0.5")
    );

    let report = import_text(&app, ImportFormat::Csv, &text, false).await.unwrap();
    let again = import_text(&app, ImportFormat::Csv, &text.replace("20000", "30000"), false).await.unwrap();

    assert_eq!((report.imported, report.skipped.len()), (2, 0));
    assert_eq!(again.imported, 2);
    assert_eq!(count(&app, "/api/v1/procedures?per_page=1").await, before + 2);
    let p = app.get("/api/v1/procedures/8.000001").send().await;
    let p = p.assert_status(200);
    assert_eq!(p["fee_vnd"], 30000);
    assert_eq!(p["unit_codes"], json!([LAI_THIEU, AN_PHU]));
    assert_eq!(p["steps"], json!(["Nộp", "Nhận"]));
    assert_eq!(p["legal_basis"].as_array().unwrap().len(), 2);
    let found = app.get("/api/v1/procedures?q=bieu%20dien%20nghe%20thuat").send().await;
    assert_eq!(codes(&found), ["8.000001"]);
}

#[tokio::test]
async fn a_json_file_in_the_demo_format_imports() {
    let app = demo_app().await;
    let items = json!([new_procedure("7.000001", LAI_THIEU), new_procedure("7.000002", AN_PHU)]);

    let report = import_text(&app, ImportFormat::Json, &items.to_string(), false).await.unwrap();

    assert_eq!(report.imported, 2);
    app.get("/api/v1/procedures/7.000002").send().await.assert_status(200);
}

#[tokio::test]
async fn a_bad_file_imports_nothing_and_names_every_bad_row() {
    let app = demo_app().await;
    let before = count(&app, "/api/v1/procedures?per_page=1").await;
    let text = format!(
        "{CSV_HEADER}{}{}{}{}{}",
        csv_row("8.000001", "Tốt", LAI_THIEU, "3"),
        csv_row("8.000002", "Sai đơn vị", "NOPE", "3"),
        csv_row("8.000003", "Sai thời hạn", LAI_THIEU, "0.3"),
        csv_row("8.000001", "Trùng mã", LAI_THIEU, "3"),
        csv_row("8.000004", "Sai số", LAI_THIEU, "ba ngày"),
    );

    let error = import_text(&app, ImportFormat::Csv, &text, false).await.unwrap_err();

    let ImportError::Invalid(problems) = error else { panic!("{error}") };
    let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
    assert_eq!(rows, [3, 4, 5, 6]);
    assert!(problems[0].reason.contains("unit_codes"), "{}", problems[0]);
    assert!(problems[1].reason.contains("processing_days"), "{}", problems[1]);
    assert!(problems[2].reason.contains("repeats row 2"), "{}", problems[2]);
    assert!(problems[3].reason.contains("processing_days"), "{}", problems[3]);
    assert_eq!(count(&app, "/api/v1/procedures?per_page=1").await, before);
    app.get("/api/v1/procedures/8.000001").send().await.assert_problem(404, "not_found");

    let report = import_text(&app, ImportFormat::Csv, &text, true).await.unwrap();
    assert_eq!(report.imported, 1);
    assert_eq!(report.skipped.len(), 4);
    assert_eq!(count(&app, "/api/v1/procedures?per_page=1").await, before + 1);

    let unreadable = import_text(&app, ImportFormat::Json, "{not json", false).await.unwrap_err();
    assert!(matches!(unreadable, ImportError::Unreadable(_)));
    let json_rows = json!([new_procedure("7.000001", LAI_THIEU), {"code": "7.000002"}]);
    let ImportError::Invalid(problems) =
        import_text(&app, ImportFormat::Json, &json_rows.to_string(), false).await.unwrap_err()
    else {
        panic!("expected invalid rows")
    };
    assert_eq!(problems.iter().map(|p| p.row).collect::<Vec<_>>(), [2]);
}
