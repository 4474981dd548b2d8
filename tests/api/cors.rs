//! CORS: browsers on the configured origins may call the API and read its headers; others
//! are told nothing, and without configured origins nobody is.

use poem::http::Method;

use crate::common::{Reply, TestApp};

const PORTAL: &str = "https://portal.example.gov.vn";

async fn with_portal() -> TestApp {
    TestApp::spawn_with(|config| {
        config.cors.origins = vec![PORTAL.to_owned(), "http://localhost:5173".into()]
    })
    .await
}

async fn preflight(app: &TestApp, origin: &str, method: &str) -> Reply {
    app.call(Method::OPTIONS, "/api/v1/dossiers/H12-261201-0001")
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", "authorization, if-match, idempotency-key")
        .send()
        .await
}

fn list(reply: &Reply, name: &str) -> Vec<String> {
    reply.header(name).unwrap_or_default().split(',').map(|item| item.trim().to_ascii_lowercase()).collect()
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_gets_the_apis_methods_and_headers() {
    let app = with_portal().await;

    let reply = preflight(&app, PORTAL, "PATCH").await;

    assert_eq!(reply.status, 204);
    assert_eq!(reply.header("access-control-allow-origin"), Some(PORTAL));
    assert_eq!(list(&reply, "access-control-allow-methods"), ["get", "post", "put", "patch", "delete"]);
    let headers = list(&reply, "access-control-allow-headers");
    for header in [
        "authorization",
        "content-type",
        "accept-language",
        "idempotency-key",
        "if-match",
        "if-none-match",
        "x-api-key",
    ] {
        assert!(headers.contains(&header.to_owned()), "{header} in {headers:?}");
    }
    assert!(reply.headers.get_all("vary").iter().any(|v| v == "origin"));
}

#[tokio::test]
async fn a_preflight_from_another_origin_is_not_allowed_anything() {
    let app = with_portal().await;

    let reply = preflight(&app, "https://evil.example", "POST").await;
    let lookalike = preflight(&app, "https://portal.example.gov.vn.evil.example", "GET").await;

    for reply in [reply, lookalike] {
        assert_eq!(reply.header("access-control-allow-origin"), None);
        assert_eq!(reply.header("access-control-allow-methods"), None);
        // Served as without CORS: the route has no OPTIONS.
        reply.assert_problem(405, "method_not_allowed");
    }
}

#[tokio::test]
async fn an_allowed_origin_reads_the_etag_location_and_rate_limit_headers() {
    let app = with_portal().await;

    let allowed = app.get("/api/v1/units").header("origin", PORTAL).send().await;
    let other = app.get("/api/v1/units").header("origin", "https://evil.example").send().await;

    allowed.assert_status(200);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(PORTAL));
    let exposed = list(&allowed, "access-control-expose-headers");
    for header in [
        "etag",
        "location",
        "retry-after",
        "ratelimit-policy",
        "ratelimit",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
    ] {
        assert!(exposed.contains(&header.to_owned()), "{header} in {exposed:?}");
    }
    other.assert_status(200);
    assert_eq!(other.header("access-control-allow-origin"), None);
    assert_eq!(other.header("access-control-expose-headers"), None);
}

#[tokio::test]
async fn without_configured_origins_there_are_no_cors_headers() {
    let app = TestApp::spawn().await;

    let reply = preflight(&app, PORTAL, "GET").await;
    let read = app.get("/api/v1/units").header("origin", PORTAL).send().await;

    reply.assert_problem(405, "method_not_allowed");
    assert!(reply.header("allow").is_some());
    assert_eq!(reply.header("access-control-allow-origin"), None);
    assert_eq!(read.header("access-control-allow-origin"), None);
}
