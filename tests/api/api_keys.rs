//! API keys: administrators make, list, rotate and revoke them; a key's secret is shown once;
//! revocation, expiry and rotation take effect at their instant on every process; and the
//! operations that accept a key check its scope and its units.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::{
    common::{Reply, TestApp},
    dossiers::{OTHER_WARD, WARD, desk_with, take_in},
};

const KEYS: &str = "/api/v1/admin/api-keys";
const TOWN: &str = "000.00.20.H12";
const ADMIN_PHONE: &str = "0900000009";
/// An operation a key with `dossiers.read` may call.
const FEED: &str = "/api/v1/integrations/dossiers/changes";

/// The dossiers' desk, its tokens good for the week the tests move the clock through.
async fn desk() -> (TestApp, String) {
    desk_with(|config| config.auth.access_ttl = std::time::Duration::from_secs(7 * 86_400)).await
}

fn field_names(problem: &Value) -> Vec<&str> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect()
}

async fn make(app: &TestApp, admin: &str, body: Value) -> Reply {
    app.post(KEYS).bearer(admin).json(&body).send().await
}

/// Makes a key through the API and answers its record (with `key`).
async fn made(app: &TestApp, admin: &str, body: Value) -> Value {
    let reply = make(app, admin, body).await;
    reply.assert_status(201);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    reply.body.clone()
}

async fn feed_with(app: &TestApp, key: &str) -> Reply {
    app.get(FEED).header("x-api-key", key).send().await
}

async fn rotate(app: &TestApp, admin: &str, id: &str, body: Value) -> Value {
    let reply = app.post(&format!("{KEYS}/{id}/rotate")).bearer(admin).json(&body).send().await;
    reply.assert_status(200);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    reply.body.clone()
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap()
}

#[tokio::test]
async fn an_admin_makes_reads_lists_and_revokes_keys_and_nobody_else_may() {
    let (app, officer) = desk().await;
    let admin = app.token_for(ADMIN_PHONE, "admin", None).await;
    let supervisor = app.token_for("0900000003", "supervisor", Some(TOWN)).await;

    let body = json!({"name": "Cổng dịch vụ công tỉnh", "scopes": ["dossiers.read", "stats.read"],
        "unit_code": WARD.to_lowercase(), "rate_limit": 600});
    let created = made(&app, &admin, body.clone()).await;
    let key = text(&created["key"]).to_owned();
    let id = text(&created["id"]).to_owned();
    assert!(key.starts_with(&format!("mc_live_{}_", id.replace('-', ""))), "{key}");
    assert_eq!(created["scopes"], json!(["dossiers.read", "stats.read"]));
    assert_eq!(created["unit_code"], WARD);
    assert_eq!(created["rate_limit"], 600);
    assert_eq!(created["state"], "active");
    assert_eq!(created["last_used_at"], Value::Null);
    feed_with(&app, &key).await.assert_status(200);

    // The key is shown once: never again, in no list, no record and no audit entry.
    let secret = &key[key.len() - 43..];
    let older = made(&app, &admin, json!({"name": "Ki-ốt", "scopes": ["queue.write"]})).await;
    let list = app.get(KEYS).bearer(&admin).send().await;
    assert_eq!(list.assert_status(200)["total"], 2);
    assert_eq!(list.body["items"][0]["id"], older["id"], "newest first");
    assert_eq!(list.body["items"][1]["id"], id.as_str());
    assert_eq!(list.body["items"][1]["unit_code"], WARD);
    assert_eq!(list.body["items"][0]["unit_code"], Value::Null);
    let one = app.get(&format!("{KEYS}/{id}")).bearer(&admin).send().await;
    assert_eq!(one.assert_status(200)["name"], "Cổng dịch vụ công tỉnh");
    let audit = app.get("/api/v1/admin/audit-log?target_type=api_key").bearer(&admin).send().await;
    assert_eq!(audit.assert_status(200)["total"], 2);
    for reply in [&list, &one, &audit] {
        assert!(!reply.text.contains(secret) && !reply.text.contains("\"key\""), "{}", reply.text);
        assert!(!reply.text.contains("secret_hash"));
    }

    // Revoked at once, also for another server process; revoking again changes nothing.
    let other_process = app.second_process().await;
    feed_with(&other_process, &key).await.assert_status(200);
    app.delete(&format!("{KEYS}/{id}")).bearer(&admin).send().await.assert_status(204);
    feed_with(&other_process, &key).await.assert_problem(401, "api_key_invalid");
    feed_with(&app, &key).await.assert_problem(401, "api_key_invalid");
    app.delete(&format!("{KEYS}/{id}")).bearer(&admin).send().await.assert_status(204);
    // Deleted for its own address; the list keeps it, revoked.
    app.get(&format!("{KEYS}/{id}")).bearer(&admin).send().await.assert_problem(404, "not_found");
    let listed = app.get(KEYS).bearer(&admin).send().await;
    let revoked =
        listed.assert_status(200)["items"].as_array().unwrap().iter().find(|k| k["id"] == id).cloned();
    assert_eq!(revoked.unwrap()["state"], "revoked");
    let audit = app.get("/api/v1/admin/audit-log?action=api_key.revoke").bearer(&admin).send().await;
    assert_eq!(audit.assert_status(200)["total"], 1, "one entry, not one per call");
    app.post(&format!("{KEYS}/{id}/rotate"))
        .bearer(&admin)
        .json(&json!({}))
        .send()
        .await
        .assert_problem(409, "api_key_revoked");
    let unknown = uuid::Uuid::now_v7();
    app.delete(&format!("{KEYS}/{unknown}")).bearer(&admin).send().await.assert_problem(404, "not_found");
    app.get(&format!("{KEYS}/{unknown}")).bearer(&admin).send().await.assert_problem(404, "not_found");

    let older_id = text(&older["id"]);
    for token in [&officer, &supervisor] {
        app.get(KEYS).bearer(token).send().await.assert_problem(403, "forbidden");
        make(&app, token, body.clone()).await.assert_problem(403, "forbidden");
        let one = format!("{KEYS}/{older_id}");
        app.get(&one).bearer(token).send().await.assert_problem(403, "forbidden");
        app.delete(&one).bearer(token).send().await.assert_problem(403, "forbidden");
        let rotation = app.post(&format!("{one}/rotate")).bearer(token).json(&json!({})).send().await;
        rotation.assert_problem(403, "forbidden");
    }
    app.get(KEYS).send().await.assert_problem(401, "unauthenticated");
    // A key is no administrator.
    app.get(KEYS)
        .header("x-api-key", text(&older["key"]))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn a_new_key_is_checked_field_by_field() {
    let (app, _officer) = desk().await;
    let admin = app.token_for(ADMIN_PHONE, "admin", None).await;
    let good = json!({"name": "Cổng", "scopes": ["catalogue.read"]});
    let with = |changes: Value| {
        let mut body = good.clone();
        for (field, value) in changes.as_object().unwrap() {
            body[field] = value.clone();
        }
        body
    };

    let unknown_unit = make(&app, &admin, with(json!({"unit_code": "000.99.99.H99"}))).await;
    assert_eq!(field_names(unknown_unit.assert_problem(422, "validation_failed")), ["unit_code"]);
    let past = (app.now() - Duration::seconds(1)).to_rfc3339();
    let expired = make(&app, &admin, with(json!({"expires_at": past, "unit_code": "000.99.99.H99"}))).await;
    assert_eq!(field_names(expired.assert_problem(422, "validation_failed")), ["unit_code", "expires_at"]);
    for bad in
        [json!({"scopes": []}), json!({"name": ""}), json!({"rate_limit": 0}), json!({"rate_limit": 100_001})]
    {
        let reply = make(&app, &admin, with(bad.clone())).await;
        assert_eq!(reply.status.as_u16(), 422, "{bad}: {}", reply.text);
    }
    let twice =
        make(&app, &admin, with(json!({"scopes": ["stats.read", "catalogue.read", "stats.read"]}))).await;
    assert_eq!(field_names(twice.assert_problem(422, "validation_failed")), ["scopes"]);
    let limits = made(&app, &admin, with(json!({"rate_limit": 100_000}))).await;
    assert_eq!(limits["rate_limit"], 100_000);
    assert_eq!(app.get(KEYS).bearer(&admin).send().await.assert_status(200)["total"], 1);
}

#[tokio::test]
async fn a_key_stops_at_the_exact_instant_it_expires() {
    let (app, _officer) = desk().await;
    let admin = app.token_for(ADMIN_PHONE, "admin", None).await;
    app.set_time("2026-12-01T09:00:00+07:00");
    let created = made(
        &app,
        &admin,
        json!({"name": "Thử nghiệm", "scopes": ["dossiers.read"], "expires_at": "2026-12-01T10:00:00+07:00"}),
    )
    .await;
    let key = text(&created["key"]);
    app.set_time("2026-12-01T09:59:59.999+07:00");
    feed_with(&app, key).await.assert_status(200);
    app.set_time("2026-12-01T10:00:00+07:00");
    feed_with(&app, key).await.assert_problem(401, "api_key_invalid");
    let record = app.get(&format!("{KEYS}/{}", text(&created["id"]))).bearer(&admin).send().await;
    assert_eq!(record.assert_status(200)["state"], "expired");
}

#[tokio::test]
async fn a_rotated_key_keeps_its_old_secret_for_the_grace_and_no_longer() {
    let (app, _officer) = desk().await;
    let admin = app.token_for(ADMIN_PHONE, "admin", None).await;
    let created = made(&app, &admin, json!({"name": "Cổng", "scopes": ["dossiers.read"]})).await;
    let (id, first) = (text(&created["id"]), text(&created["key"]));

    let rotated = rotate(&app, &admin, id, json!({"grace_hours": 2})).await;
    let second = text(&rotated["key"]);
    assert_ne!(first, second);
    assert_eq!(rotated["id"], id);
    let until = app.now() + Duration::hours(2);
    assert_eq!(
        rotated["previous_valid_until"].as_str().unwrap().parse::<chrono::DateTime<Utc>>().unwrap(),
        until
    );
    assert!(rotated["rotated_at"].is_string());
    let other_process = app.second_process().await;
    for key in [first, second] {
        feed_with(&other_process, key).await.assert_status(200);
    }
    app.set_time(&(until - Duration::milliseconds(1)).to_rfc3339());
    feed_with(&app, first).await.assert_status(200);
    app.set_time(&until.to_rfc3339());
    feed_with(&app, first).await.assert_problem(401, "api_key_invalid");
    feed_with(&app, second).await.assert_status(200);

    // Without a grace the server's setting holds (a week); a secret from an earlier rotation
    // stops as soon as another rotation replaces it.
    let third = rotate(&app, &admin, id, json!({})).await;
    let week = app.now() + Duration::hours(168);
    assert_eq!(
        third["previous_valid_until"].as_str().unwrap().parse::<chrono::DateTime<Utc>>().unwrap(),
        week
    );
    feed_with(&app, second).await.assert_status(200);
    let fourth = rotate(&app, &admin, id, json!({"grace_hours": 0})).await;
    assert_eq!(fourth["previous_valid_until"], Value::Null);
    for old in [first, second, text(&third["key"])] {
        feed_with(&app, old).await.assert_problem(401, "api_key_invalid");
    }
    feed_with(&app, text(&fourth["key"])).await.assert_status(200);
    let audit = app.get("/api/v1/admin/audit-log?action=api_key.rotate").bearer(&admin).send().await;
    assert_eq!(audit.assert_status(200)["total"], 3);
}

#[tokio::test]
async fn last_use_is_written_at_most_once_a_minute() {
    let (app, _officer) = desk().await;
    let admin = app.token_for(ADMIN_PHONE, "admin", None).await;
    let created = made(&app, &admin, json!({"name": "Cổng", "scopes": ["dossiers.read"]})).await;
    let (id, key) = (text(&created["id"]), text(&created["key"]));
    let last_use = async || {
        let record = app.get(&format!("{KEYS}/{id}")).bearer(&admin).send().await;
        record.assert_status(200)["last_used_at"]
            .as_str()
            .map(|at| at.parse::<chrono::DateTime<Utc>>().unwrap())
    };
    assert_eq!(last_use().await, None);
    let first = app.now();
    feed_with(&app, key).await.assert_status(200);
    assert_eq!(last_use().await, Some(first));
    app.set_time(&(first + Duration::seconds(59)).to_rfc3339());
    feed_with(&app, key).await.assert_status(200);
    assert_eq!(last_use().await, Some(first), "not rewritten within the minute");
    let later = first + Duration::seconds(60);
    app.set_time(&later.to_rfc3339());
    feed_with(&app, key).await.assert_status(200);
    assert_eq!(last_use().await, Some(later));
}

#[tokio::test]
async fn malformed_and_unknown_keys_are_refused_wherever_a_key_is_taken() {
    let (app, _officer) = desk().await;
    let key = app.api_key(&["catalogue.read", "dossiers.read"], None).await;
    let unknown = format!("mc_live_{}_{}", uuid::Uuid::now_v7().simple(), &key[key.len() - 43..]);
    let wrong_secret = format!("{}{}", &key[..key.len() - 43], "A".repeat(43));
    for bad in ["", "nonsense", "mc_live_", &key[..key.len() - 1], &unknown, &wrong_secret] {
        for path in ["/api/v1/procedures", FEED] {
            let reply = app.get(path).header("x-api-key", bad).send().await;
            reply.assert_problem(401, "api_key_invalid");
        }
    }
    app.get("/api/v1/procedures").header("x-api-key", &key).send().await.assert_status(200);
    // The catalogue stays public.
    app.get("/api/v1/procedures").send().await.assert_status(200);
}

/// An operation that takes a key, called with `key`.
struct KeyedCall {
    name: &'static str,
    scope: &'static str,
    /// Whether the operation names a unit (the ward) that a key of another unit cannot reach.
    unit_bound: bool,
}

const KEYED: [KeyedCall; 11] = [
    KeyedCall { name: "list_procedures", scope: "catalogue.read", unit_bound: false },
    KeyedCall { name: "get_procedure", scope: "catalogue.read", unit_bound: false },
    KeyedCall { name: "list_legal_documents", scope: "catalogue.read", unit_bound: false },
    KeyedCall { name: "list_units", scope: "catalogue.read", unit_bound: false },
    KeyedCall { name: "get_unit", scope: "catalogue.read", unit_bound: false },
    KeyedCall { name: "list_holidays", scope: "catalogue.read", unit_bound: false },
    KeyedCall { name: "get_unit_calendar", scope: "catalogue.read", unit_bound: false },
    KeyedCall { name: "look_up_dossier", scope: "dossiers.read", unit_bound: false },
    KeyedCall { name: "get_unit_stats", scope: "stats.read", unit_bound: true },
    KeyedCall { name: "get_report_summary", scope: "stats.read", unit_bound: true },
    KeyedCall { name: "check_in", scope: "queue.write", unit_bound: true },
];

async fn call(app: &TestApp, name: &str, key: &str, dossier: &Value) -> Reply {
    let (path, body) = match name {
        "list_procedures" => ("/api/v1/procedures".to_owned(), None),
        "get_procedure" => ("/api/v1/procedures/1.001193".to_owned(), None),
        "list_legal_documents" => ("/api/v1/legal-documents".to_owned(), None),
        "list_units" => ("/api/v1/units".to_owned(), None),
        "get_unit" => (format!("/api/v1/units/{WARD}"), None),
        "list_holidays" => (format!("/api/v1/holidays?unit={WARD}"), None),
        "get_unit_calendar" => (format!("/api/v1/units/{WARD}/calendar"), None),
        "look_up_dossier" => (
            "/api/v1/dossiers/lookup".to_owned(),
            Some(json!({"code": dossier["code"], "secret": dossier["lookup_secret"]})),
        ),
        "get_unit_stats" => (format!("/api/v1/stats/units/{WARD}"), None),
        "get_report_summary" => {
            (format!("/api/v1/reports/summary?unit={WARD}&from=2026-11-01&to=2026-11-30"), None)
        }
        "check_in" => (format!("/api/v1/units/{WARD}/tickets"), Some(json!({}))),
        other => panic!("no call for {other}"),
    };
    let request = match body {
        Some(body) => app.post(&path).json(&body),
        None => app.get(&path),
    };
    request.header("x-api-key", key).send().await
}

#[tokio::test]
async fn each_operation_checks_a_keys_scope_and_units() {
    let (app, officer) = desk().await;
    let dossier = take_in(&app, &officer).await;
    let all_scopes = ["catalogue.read", "dossiers.read", "stats.read", "queue.write", "dossiers.write"];
    let mut wrong = Vec::new();
    for operation in &KEYED {
        let others: Vec<&str> =
            all_scopes.iter().copied().filter(|scope| *scope != operation.scope).collect();
        let cases = [
            (app.api_key(&[operation.scope], Some(WARD)).await, "2xx"),
            (app.api_key(&[operation.scope], Some(TOWN)).await, "2xx"),
            (app.api_key(&[operation.scope], None).await, "2xx"),
            (app.api_key(&others, Some(WARD)).await, "403"),
            (
                app.api_key(&[operation.scope], Some(OTHER_WARD)).await,
                if operation.unit_bound { "404" } else { "2xx" },
            ),
        ];
        for (index, (key, expected)) in cases.iter().enumerate() {
            let reply = call(&app, operation.name, key, &dossier).await;
            let class =
                if reply.status.is_success() { "2xx".to_owned() } else { reply.status.as_u16().to_string() };
            if class != *expected {
                wrong.push(format!(
                    "{} case {index}: expected {expected}, got {} {}",
                    operation.name, reply.status, reply.text
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Staff keep calling them with their token; a kiosk's ticket carries the rating token too.
    let ticket =
        app.post(&format!("/api/v1/units/{WARD}/tickets")).bearer(&officer).json(&json!({})).send().await;
    ticket.assert_status(201);
    let kiosk = app.api_key(&["queue.write"], Some(WARD)).await;
    let ticket = call(&app, "check_in", &kiosk, &dossier).await;
    assert!(ticket.assert_status(201)["rating_token"].is_string());
    app.post(&format!("/api/v1/units/{WARD}/tickets"))
        .json(&json!({}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    // A key and a token at once are refused, whichever of them is good.
    app.post(&format!("/api/v1/units/{WARD}/tickets"))
        .header("x-api-key", &kiosk)
        .bearer("not-a-token")
        .json(&json!({}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
}

#[test]
fn every_operation_that_takes_a_key_names_its_scope() {
    let document: Value = serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    let mut keyed = Vec::new();
    for operations in document["paths"].as_object().unwrap().values() {
        for operation in operations.as_object().unwrap().values() {
            let schemes = operation["security"].as_array().cloned().unwrap_or_default();
            if !schemes.iter().any(|scheme| scheme.get("ApiKey").is_some()) {
                continue;
            }
            let id = operation["operationId"].as_str().unwrap();
            let scope =
                operation["x-api-key-scope"].as_str().unwrap_or_else(|| panic!("{id} names no scope"));
            assert!(text(&operation["description"]).contains(&format!("Key scope `{scope}`")), "{id}");
            keyed.push(id.to_owned());
        }
    }
    for operation in &KEYED {
        assert!(keyed.iter().any(|id| id == operation.name), "{} takes no key", operation.name);
    }
}
