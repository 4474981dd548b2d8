//! The platform: health, metrics, the spec, and problem+json for every error poem raises.

use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn live_answers_ok_and_echoes_the_request_id() {
    let app = TestApp::spawn().await;

    let reply = app.get("/health/live").header("x-request-id", "kiosk-42.abc").send().await;

    assert_eq!(reply.assert_status(200), &json!({ "status": "ok" }));
    assert_eq!(reply.header("x-request-id"), Some("kiosk-42.abc"));
}

#[tokio::test]
async fn a_request_id_is_generated_when_none_or_a_bad_one_is_sent() {
    let app = TestApp::spawn().await;

    let generated = app.get("/health/live").send().await;
    let replaced = app.get("/health/live").header("x-request-id", "bad id\twith spaces").send().await;

    let id = generated.header("x-request-id").expect("a request id");
    assert_eq!(id.len(), 36);
    assert_ne!(replaced.header("x-request-id"), Some("bad id\twith spaces"));
    assert!(replaced.header("x-request-id").is_some());
}

#[tokio::test]
async fn ready_checks_the_database_and_turns_503_when_it_goes_away() {
    let app = TestApp::spawn().await;
    app.get("/health/ready").send().await.assert_status(200);

    app.db.close_by_ref().await.unwrap();

    let reply = app.get("/health/ready").send().await;
    reply.assert_problem(503, "service_unavailable");
    assert!(reply.header("retry-after").is_some());
}

#[tokio::test]
async fn unknown_routes_are_problems_in_vietnamese_by_default_and_english_on_request() {
    let app = TestApp::spawn().await;

    let vi = app.get("/api/v1/no-such-thing").header("x-request-id", "r-1").send().await;
    let en = app.get("/api/v1/no-such-thing").english().send().await;

    vi.assert_problem(404, "route_not_found");
    assert_eq!(vi.body["title"], "Không tìm thấy");
    assert_eq!(vi.body["type"], "urn:motcua:problem:route_not_found");
    assert_eq!(vi.body["request_id"], "r-1");
    assert_eq!(vi.header("content-language"), Some("vi"));
    en.assert_problem(404, "route_not_found");
    assert_eq!(en.body["title"], "Not found");
    assert_eq!(en.header("content-language"), Some("en"));
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = TestApp::spawn().await;

    let reply = app.delete("/health/live").send().await;

    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET, HEAD"));
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let app = TestApp::spawn_with(|config| config.server.body_limit = 1024).await;

    let reply = app.post("/api/v1/anything").raw("application/json", vec![b' '; 2048]).send().await;

    reply.assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = TestApp::spawn().await;
    app.get("/health/live").send().await;
    app.get("/api/v1/missing").send().await;

    let reply = app.get("/metrics").send().await;

    reply.assert_status(200);
    assert!(reply.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        reply
            .text
            .contains(r#"motcua_http_requests_total{method="GET",route="/health/live",status="200"} 1"#),
        "{}",
        reply.text
    );
    assert!(reply.text.contains(r#"route="unmatched",status="404""#), "{}", reply.text);
    assert!(reply.text.contains("motcua_http_request_duration_seconds_bucket"));
    assert!(reply.text.contains(r#"motcua_db_pool_connections{state="idle"}"#));
}

#[tokio::test]
async fn the_spec_and_docs_are_served() {
    let app = TestApp::spawn().await;

    let yaml = app.get("/openapi.yaml").send().await;
    let json = app.get("/openapi.json").send().await;
    let docs = app.get("/docs").send().await;

    yaml.assert_status(200);
    assert!(yaml.text.starts_with("openapi: 3.0.0"));
    assert_eq!(json.assert_status(200)["info"]["title"], "Một Cửa API");
    docs.assert_status(200);
    assert!(docs.text.contains("<html"));
    // Titled for what it documents, and nothing fetched from outside (an offline desk).
    assert!(docs.text.contains("<title>Một Cửa API</title>"));
    assert!(
        !docs.text.contains("fonts.googleapis.com") && !docs.text.contains("<link"),
        "no outside stylesheet"
    );
    assert!(docs.text.contains(r#"regular-font="system-ui"#) && docs.text.contains(r#"load-fonts="false""#));
    // The docs show the refined spec, the one clients are generated from, not poem-openapi's.
    assert!(
        docs.text.contains(r#""security":[]"#) || docs.text.contains(r#""security": []"#),
        "refined spec in /docs"
    );
    assert_eq!(
        json.body,
        serde_json::from_str::<serde_json::Value>(&api::spec(api::SpecFormat::Json)).unwrap()
    );
}

#[test]
fn the_committed_spec_matches_the_code() {
    let root = env!("CARGO_MANIFEST_DIR");
    for (format, file) in [(api::SpecFormat::Yaml, "openapi.yaml"), (api::SpecFormat::Json, "openapi.json")] {
        let committed = std::fs::read_to_string(format!("{root}/openapi/{file}")).unwrap_or_default();
        let generated = api::spec(format);
        assert!(
            committed == generated,
            "openapi/{file} is out of date: regenerate it with \
             `cargo run -- openapi --format yaml > openapi/openapi.yaml && \
             cargo run -- openapi --format json > openapi/openapi.json` and commit it"
        );
    }
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_problem_without_internals() {
    use poem::{EndpointExt, handler, test::TestClient};
    #[handler]
    fn boom() -> &'static str {
        panic!("secret internal detail")
    }
    let app = TestApp::spawn().await;
    let client = TestClient::new(
        api::with_middleware(
            poem::Route::new().at("/boom", boom),
            app.state.clone(),
            api::spec::Contract::new(Default::default()),
        )
        .boxed(),
    );

    let response = client.get("/boom").header("accept-language", "en").send().await;

    response.assert_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR);
    response.assert_content_type("application/problem+json");
    let text = response.0.into_body().into_string().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["code"], "internal_error");
    assert_eq!(body["title"], "Internal server error");
    assert!(!text.contains("secret internal detail"));
}

#[tokio::test]
async fn api_calls_answer_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.db.close_by_ref().await.unwrap();

    let reply = app
        .post("/api/v1/auth/register")
        .json(&json!({"phone": "0912345678", "password": "lúa chín vàng đồng", "full_name": "An"}))
        .send()
        .await;

    reply.assert_problem(503, "service_unavailable");
}

#[tokio::test]
async fn bad_query_parameters_are_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let token = app.token_for("0900000001", "admin", None).await;

    let reply = app.get("/api/v1/dossiers?page=minus-one").bearer(&token).send().await;

    let body = reply.assert_problem(400, "malformed_request");
    assert_eq!(body["errors"][0]["field"], "page");
}

#[tokio::test]
async fn a_migration_that_fails_halfway_leaves_nothing_behind() {
    use sea_orm::ConnectionTrait;
    let (url, _scratch) = crate::common::scratch_database().await;
    let config = api::config::Config::for_database(url);
    let db = api::db::connect_single(&config.database).await.unwrap();
    // The first migration creates `units`, then `users`: a `users` already there stops it after
    // its first table.
    db.execute_unprepared("CREATE TABLE users (id INTEGER)").await.unwrap();

    let failed = api::db::migrate(&config.database).await;
    let units_after_failure = db.execute_unprepared("SELECT 1 FROM units").await;
    db.execute_unprepared("DROP TABLE users").await.unwrap();
    let retried = api::db::migrate(&config.database).await;
    let units_after_retry = db.execute_unprepared("SELECT 1 FROM units").await;

    assert!(failed.is_err());
    assert!(units_after_failure.is_err(), "the failed migration's first table was kept");
    retried.expect("the migrations apply once the obstacle is gone");
    assert!(units_after_retry.is_ok());
    db.close().await.unwrap();
}

#[test]
fn the_spec_command_ends_quietly_when_its_reader_stops_reading() {
    use std::{
        io::Read,
        process::{Command, Stdio},
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["openapi", "--format", "yaml"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the motcua binary runs");
    // Read one line's worth, as `| head -1` would, and hang up.
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let output = child.wait_with_output().unwrap();

    assert!(first.starts_with(b"openapi"), "{}", String::from_utf8_lossy(&first));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && stderr.is_empty(), "status {:?}, stderr: {stderr}", output.status);
}
