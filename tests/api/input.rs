//! Strict input at the edge: text is a JSON string, NFC-normalised, free of control and bidi
//! characters, not blank; problems name the field in the caller's language; lists share one
//! answer for pages out of range.

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::common::TestApp;

/// "Nguyễn Văn Ấn" as a keyboard sending decomposed characters types it.
const NFD_NAME: &str = "Nguye\u{0302}\u{0303}n Va\u{0306}n A\u{0302}\u{0301}n";
const NFC_NAME: &str = "Nguyễn Văn Ấn";

fn fields(problem: &Value) -> Vec<&str> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect()
}

async fn register(app: &TestApp, body: Value) -> crate::common::Reply {
    app.post("/api/v1/auth/register").json(&body).send().await
}

#[tokio::test]
async fn a_name_typed_decomposed_is_accepted_and_stored_composed() {
    let app = TestApp::spawn().await;

    let reply = register(
        &app,
        json!({"phone": "0912345678", "password": "lúa chín vàng đồng", "full_name": NFD_NAME}),
    )
    .await;

    assert_eq!(reply.assert_status(201)["full_name"], NFC_NAME);
    let stored = api::accounts::store::user_by_phone(&app.db, "+84912345678").await.unwrap().unwrap();
    assert_eq!(stored.full_name, NFC_NAME);
}

#[tokio::test]
async fn a_password_typed_on_another_keyboard_logs_in() {
    let app = TestApp::spawn().await;
    let composed = "mật khẩu dài lắm";
    let decomposed: String =
        "ma\u{0323}\u{0302}t kha\u{0302}\u{0309}u da\u{0300}i la\u{0306}\u{0301}m".into();
    assert_ne!(composed, decomposed);
    register(&app, json!({"phone": "0912345678", "password": decomposed, "full_name": "An"}))
        .await
        .assert_status(201);

    let login = |password: &str| {
        app.post("/api/v1/auth/login").json(&json!({"phone": "0912345678", "password": password})).send()
    };

    login(composed).await.assert_status(200);
    login(&decomposed).await.assert_status(200);
}

#[tokio::test]
async fn a_number_or_boolean_for_a_text_field_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.token_for("0900000001", "admin", None).await;

    let boolean_name =
        register(&app, json!({"phone": "0912345678", "password": "lúa chín vàng đồng", "full_name": false}))
            .await;
    let numeric_address = app
        .post("/api/v1/admin/units")
        .bearer(&admin)
        .english()
        .json(&json!({"code": "HN", "name": "Hà Nội", "kind": "province", "address": 12}))
        .send()
        .await;
    let renamed = app.patch("/api/v1/me").bearer(&admin).json(&json!({"full_name": true})).send().await;

    assert_eq!(fields(boolean_name.assert_problem(400, "malformed_request")), ["full_name"]);
    let problem = numeric_address.assert_problem(400, "malformed_request");
    assert_eq!(fields(problem), ["address"]);
    assert_eq!(
        problem["errors"][0]["message"],
        "Must be a string of 1–300 characters, not blank, without control characters."
    );
    assert_eq!(fields(renamed.assert_problem(400, "malformed_request")), ["full_name"]);
    assert!(api::accounts::store::user_by_phone(&app.db, "+84912345678").await.unwrap().is_none());
    assert_eq!(entity::unit::Entity::find().count(&app.db).await.unwrap(), 0);
    let me = app.get("/api/v1/me").bearer(&admin).send().await;
    assert_ne!(me.assert_status(200)["full_name"], "true");
}

#[tokio::test]
async fn control_characters_bidi_overrides_and_blank_text_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.token_for("0900000001", "admin", None).await;
    let create = |name: &str| {
        app.post("/api/v1/admin/units")
            .bearer(&admin)
            .json(&json!({"code": "HN", "name": name, "kind": "province"}))
            .send()
    };

    for name in ["Hà Nội\u{0000}", "Hà\nNội", "Hà Nội\u{202E}gpj", "\u{200B}\u{200B}", "   "] {
        let problem = create(name).await.assert_problem(422, "validation_failed").clone();
        assert_eq!(fields(&problem), ["name"], "{name:?}");
    }
    assert_eq!(entity::unit::Entity::find().count(&app.db).await.unwrap(), 0);
    create("  Hà Nội ").await.assert_status(201);
    let stored = entity::unit::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(stored.name, "Hà Nội");
}

#[tokio::test]
async fn problems_name_the_field_and_the_allowed_values_in_the_callers_language() {
    let app = TestApp::spawn().await;
    let admin = app.token_for("0900000001", "admin", None).await;
    let body = json!({"code": "HN", "name": "Hà Nội", "kind": "village"});

    let vi = app.post("/api/v1/admin/units").bearer(&admin).json(&body).send().await;
    let en = app.post("/api/v1/admin/units").bearer(&admin).english().json(&body).send().await;
    let bad_path = app.get("/api/v1/admin/users/not-a-uuid").bearer(&admin).english().send().await;

    let vi_problem = vi.assert_problem(400, "malformed_request");
    assert_eq!(
        vi_problem["errors"][0]["message"],
        "Phải là một trong: province, town, district, ward, commune, department, one_stop_desk."
    );
    let en_problem = en.assert_problem(400, "malformed_request");
    assert_eq!(en_problem["errors"][0]["field"], "kind");
    assert_eq!(
        en_problem["errors"][0]["message"],
        "Must be one of: province, town, district, ward, commune, department, one_stop_desk."
    );
    let path_problem = bad_path.assert_problem(400, "malformed_request");
    assert_eq!(path_problem["errors"][0]["field"], "id");
    assert_eq!(path_problem["errors"][0]["message"], "Must be a UUID.");
    for reply in [&vi, &en, &bad_path] {
        assert!(
            !reply.text.contains("failed to parse") && !reply.text.contains("occurred while"),
            "{}",
            reply.text
        );
        assert_eq!(reply.header("vary"), Some("accept-language"));
    }
}

#[tokio::test]
async fn every_list_answers_a_page_out_of_range_alike() {
    let app = TestApp::spawn().await;
    let admin = app.token_for("0900000001", "admin", None).await;
    for list in [
        "/api/v1/units",
        "/api/v1/procedures",
        "/api/v1/legal-documents",
        "/api/v1/admin/units",
        "/api/v1/admin/users",
        "/api/v1/admin/audit-log",
        "/api/v1/dossiers",
    ] {
        for (query, field) in [("page=0", "page"), ("per_page=0", "per_page"), ("per_page=101", "per_page")] {
            let reply = app.get(&format!("{list}?{query}")).bearer(&admin).english().send().await;
            let problem = reply.assert_problem(422, "validation_failed");
            assert_eq!(fields(problem), [field], "{list}?{query}");
        }
    }
}

#[tokio::test]
async fn a_method_a_route_does_not_take_is_405_listing_head_beside_get() {
    let app = TestApp::spawn().await;

    let reply = app.call(poem::http::Method::DELETE, "/api/v1/units").send().await;

    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET, HEAD"));
}

#[tokio::test]
async fn a_password_hashed_as_typed_before_normalisation_still_logs_in_and_is_rehashed() {
    let app = TestApp::spawn().await;
    let decomposed = "ma\u{0323}\u{0302}t kha\u{0302}\u{0309}u da\u{0300}i la\u{0306}\u{0301}m";
    let id = app.create_user("0912345678", "citizen", None).await;
    // What an account registered before passwords were normalised holds: a hash of the NFD form.
    let legacy = app.state.keys.passwords.hash(decomposed).await.unwrap();
    api::accounts::store::set_password_hash(&app.db, id, legacy.clone(), app.now()).await.unwrap();
    let login = |password: &str| {
        app.post("/api/v1/auth/login").json(&json!({"phone": "0912345678", "password": password})).send()
    };

    login(decomposed).await.assert_status(200);

    let stored = api::accounts::store::user_by_phone(&app.db, "+84912345678").await.unwrap().unwrap();
    assert_ne!(stored.password_hash, legacy, "rehashed in the normalised form");
    login("mật khẩu dài lắm").await.assert_status(200);
    login(decomposed).await.assert_status(200);
}
