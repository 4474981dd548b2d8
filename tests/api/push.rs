//! Push: devices registered by their owners, every inbox entry pushed through a local fake of
//! FCM HTTP v1 (which checks the signed assertion and the access token it issued), retries on
//! the webhooks' schedule, unregistered tokens pruned, push off, and two dispatchers that never
//! send one push twice.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use poem::{Request, Response, http::StatusCode};
use rsa::{RsaPrivateKey, pkcs8::DecodePrivateKey, traits::PublicKeyParts};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    common::TestApp,
    dossiers::{OFFICER_PHONE, desk_with, take_in, transition},
};

const CITIZEN: &str = "0912345678";
const PROJECT: &str = "motcua-test";
const CLIENT_EMAIL: &str = "push@motcua-test.iam.gserviceaccount.com";
const KEY: &str = include_str!("../fixtures/fcm_test_key.pem");

/// What the fake FCM saw and will answer.
#[derive(Default)]
struct Seen {
    /// Access tokens issued, in order.
    issued: Vec<String>,
    /// The `message` of every accepted send.
    messages: Vec<Value>,
    /// Statuses and bodies to answer sends with before the usual 200.
    answers: VecDeque<(u16, Value)>,
}

/// FCM on a loopback port: a token endpoint that checks the assertion's signature and claims,
/// and `messages:send`, which checks the bearer token.
struct FakeFcm {
    port: u16,
    seen: Arc<Mutex<Seen>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl FakeFcm {
    async fn start() -> FakeFcm {
        let seen: Arc<Mutex<Seen>> = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = seen.clone();
        let endpoint = poem::endpoint::make(move |req: Request| {
            let seen = shared.clone();
            async move {
                let path = req.uri().path().to_owned();
                let bearer =
                    req.headers().get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
                let body = req.into_body().into_vec().await.unwrap_or_default();
                let (status, answer) = if path == "/token" {
                    token(&seen, port, &String::from_utf8_lossy(&body))
                } else if path == format!("/v1/projects/{PROJECT}/messages:send") {
                    send(&seen, bearer, &body)
                } else {
                    (404, json!({}))
                };
                Response::builder()
                    .status(StatusCode::from_u16(status).unwrap())
                    .content_type("application/json")
                    .body(answer.to_string())
            }
        });
        let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
        let server = tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(endpoint));
        FakeFcm { port, seen, server }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn will_answer(&self, status: u16, body: Value) {
        self.seen.lock().unwrap().answers.push_back((status, body));
    }

    fn messages(&self) -> Vec<Value> {
        self.seen.lock().unwrap().messages.clone()
    }

    fn tokens_issued(&self) -> usize {
        self.seen.lock().unwrap().issued.len()
    }

    /// The service account's JSON key, as Google issues it, pointing at this fake.
    fn credentials(&self) -> String {
        json!({
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "0123456789abcdef",
            "private_key": KEY,
            "client_email": CLIENT_EMAIL,
            "token_uri": format!("{}/token", self.url()),
        })
        .to_string()
    }
}

impl Drop for FakeFcm {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The token endpoint: a JWT-bearer grant whose assertion the service account's key signed,
/// for the messaging scope, addressed to this endpoint.
fn token(seen: &Mutex<Seen>, port: u16, form: &str) -> (u16, Value) {
    let field = |name: &str| form.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}=")));
    if field("grant_type") != Some("urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer") {
        return (400, json!({"error": "unsupported_grant_type"}));
    }
    let key = RsaPrivateKey::from_pkcs8_pem(KEY).unwrap();
    let public =
        jsonwebtoken::DecodingKey::from_rsa_raw_components(&key.n().to_bytes_be(), &key.e().to_bytes_be());
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    // The app's clock is the test's, not the machine's: the claims' times are checked below.
    validation.validate_exp = false;
    validation.set_audience(&[format!("http://127.0.0.1:{port}/token")]);
    validation.set_issuer(&[CLIENT_EMAIL]);
    let Ok(assertion) = jsonwebtoken::decode::<Value>(field("assertion").unwrap_or(""), &public, &validation)
    else {
        return (400, json!({"error": "invalid_grant"}));
    };
    let claims = assertion.claims;
    assert_eq!(claims["scope"], "https://www.googleapis.com/auth/firebase.messaging");
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 3600);
    let mut seen = seen.lock().unwrap();
    let issued = format!("ya29.fake-{}", seen.issued.len());
    seen.issued.push(issued.clone());
    (200, json!({"access_token": issued, "expires_in": 3600, "token_type": "Bearer"}))
}

/// `messages:send`: refused without a token the endpoint issued; otherwise the next scripted
/// answer, or accepted.
fn send(seen: &Mutex<Seen>, bearer: Option<String>, body: &[u8]) -> (u16, Value) {
    let mut seen = seen.lock().unwrap();
    let authorised = bearer.and_then(|b| b.strip_prefix("Bearer ").map(str::to_owned));
    if !authorised.is_some_and(|token| seen.issued.contains(&token)) {
        return (401, json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}}));
    }
    if let Some(answer) = seen.answers.pop_front() {
        return answer;
    }
    let message: Value = serde_json::from_slice(body).unwrap();
    seen.messages.push(message["message"].clone());
    (200, json!({"name": format!("projects/{PROJECT}/messages/{}", seen.messages.len())}))
}

/// A desk whose pushes go to `fcm` (push off without one), with the citizen's access token.
async fn desk_pushing_to(fcm: Option<&FakeFcm>) -> (TestApp, String, String) {
    let credentials = fcm.map(|fcm| (fcm.credentials(), fcm.url()));
    let (app, officer) = desk_with(|config| {
        if let Some((json, url)) = credentials {
            config.push.credentials = Some(api::config::FcmCredentials::from_json(&json).unwrap());
            config.push.base_url = url;
        }
    })
    .await;
    let citizen = app.token_for(CITIZEN, "citizen", None).await;
    (app, officer, citizen)
}

async fn register(app: &TestApp, token: &str, platform: &str, fcm_token: &str) -> crate::common::Reply {
    let body = json!({"platform": platform, "token": fcm_token});
    app.post("/api/v1/me/devices").bearer(token).json(&body).send().await
}

/// A dossier the citizen follows, moved on once: one notice in their inbox. Its code.
async fn notice_to_citizen(app: &TestApp, officer: &str, citizen: &str) -> String {
    let receipt = take_in(app, officer).await;
    let claim = json!({"code": receipt["code"], "secret": receipt["lookup_secret"]});
    app.post("/api/v1/me/dossiers/claim").bearer(citizen).json(&claim).send().await.assert_status(200);
    let code = receipt["code"].as_str().unwrap();
    transition(app, officer, code, "*", "in_progress").await.assert_status(200);
    code.to_owned()
}

async fn dispatch(app: &TestApp) -> api::push::Round {
    api::push::dispatch_due(&app.state).await.expect("a dispatch round")
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let statement = sea_orm::Statement::from_string(app.db.get_database_backend(), sql.to_owned());
    app.db.query_one_raw(statement).await.unwrap().unwrap().try_get::<i64>("", "n").unwrap()
}

async fn queued(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) AS n FROM push_deliveries").await
}

#[tokio::test]
async fn devices_are_registered_once_move_with_their_token_and_are_removed_by_their_owner() {
    let (app, _, citizen) = desk_pushing_to(None).await;
    let first = register(&app, &citizen, "android", "token-of-an-android-phone").await;
    let id = first.assert_status(201)["id"].as_str().unwrap().to_owned();
    assert_eq!(first.assert_status(201)["platform"], "android");
    let again = register(&app, &citizen, "android", "token-of-an-android-phone").await;
    assert_eq!(again.assert_status(200)["id"], id.as_str());
    let list = app.get("/api/v1/me/devices").bearer(&citizen).send().await;
    assert_eq!(list.assert_status(200)["items"].as_array().unwrap().len(), 1);
    assert!(list.assert_status(200)["items"][0].get("token").is_none(), "the token is not shown again");

    // The phone changes hands: the token moves to the new owner.
    let other = app.token_for("0912000111", "citizen", None).await;
    let moved = register(&app, &other, "android", "token-of-an-android-phone").await;
    let moved_id = moved.assert_status(201)["id"].as_str().unwrap().to_owned();
    assert_ne!(moved_id, id);
    let list = app.get("/api/v1/me/devices").bearer(&citizen).send().await;
    assert_eq!(list.assert_status(200)["items"], json!([]));

    // Only the owner removes a device.
    app.delete(&format!("/api/v1/me/devices/{moved_id}"))
        .bearer(&citizen)
        .send()
        .await
        .assert_problem(404, "not_found");
    app.delete(&format!("/api/v1/me/devices/{moved_id}")).bearer(&other).send().await.assert_status(204);
    app.delete(&format!("/api/v1/me/devices/{moved_id}"))
        .bearer(&other)
        .send()
        .await
        .assert_problem(404, "not_found");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM devices").await, 0);

    // An app that sends its token twice at once gets one device.
    let (one, two) = tokio::join!(
        register(&app, &citizen, "ios", "token-sent-twice"),
        register(&app, &citizen, "ios", "token-sent-twice")
    );
    let mut statuses = [one.status.as_u16(), two.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 201]);
    assert_eq!(one.body["id"], two.body["id"]);
}

#[tokio::test]
async fn a_device_goes_with_the_session_that_registered_it() {
    let (app, _, citizen) = desk_pushing_to(None).await;
    let phone = app.login(CITIZEN, crate::common::PASSWORD).await;
    let access = phone["access_token"].as_str().unwrap();
    register(&app, access, "android", "phone-token").await.assert_status(201);
    register(&app, &citizen, "ios", "tablet-token").await.assert_status(201);

    let logout = json!({"refresh_token": phone["refresh_token"]});
    app.post("/api/v1/auth/logout").bearer(access).json(&logout).send().await.assert_status(204);
    let list = app.get("/api/v1/me/devices").bearer(&citizen).send().await;
    let items = list.assert_status(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "the phone logged out gets no more pushes: {items:?}");
    assert_eq!(items[0]["platform"], "ios");
}

#[tokio::test]
async fn a_token_must_be_printable_ascii_of_at_most_4096_characters() {
    let (app, _, citizen) = desk_pushing_to(None).await;
    for bad in [String::new(), "has space".into(), "tiếng-việt".into(), "x".repeat(4097)] {
        register(&app, &citizen, "android", &bad).await.assert_problem(422, "validation_failed");
    }
    register(&app, &citizen, "windows", "token").await.assert_status(400);
    register(&app, &citizen, "ios", &"x".repeat(4096)).await.assert_status(201);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM devices").await, 1);
}

#[tokio::test]
async fn an_inbox_entry_is_pushed_to_each_device_of_its_recipient_with_its_text() {
    let fcm = FakeFcm::start().await;
    let (app, officer, citizen) = desk_pushing_to(Some(&fcm)).await;
    register(&app, &citizen, "android", "android-token").await.assert_status(201);
    register(&app, &citizen, "ios", "ios-token").await.assert_status(201);
    let code = notice_to_citizen(&app, &officer, &citizen).await;
    assert_eq!(queued(&app).await, 2);

    let round = dispatch(&app).await;
    assert_eq!(round, api::push::Round { delivered: 2, failed: 0, unregistered: 0 });
    assert_eq!(queued(&app).await, 0, "a push FCM accepted leaves the outbox");
    assert_eq!(fcm.tokens_issued(), 1, "one access token serves both sends");

    let inbox = app.get("/api/v1/me/notifications").bearer(&citizen).send().await;
    let entry = inbox.assert_status(200)["items"][0].clone();
    let mut messages = fcm.messages();
    messages.sort_by_key(|m| m["token"].as_str().unwrap().to_owned());
    let tokens: Vec<&str> = messages.iter().map(|m| m["token"].as_str().unwrap()).collect();
    assert_eq!(tokens, ["android-token", "ios-token"]);
    for message in &messages {
        assert_eq!(message["notification"]["title"], entry["title"]);
        assert_eq!(message["notification"]["body"], entry["body"]);
        assert!(entry["title"].as_str().unwrap().contains(&code), "the Vietnamese text: {entry}");
        assert_eq!(message["data"]["notification_id"], entry["id"]);
        assert_eq!(message["data"]["kind"], "dossier_status");
        assert!(message["data"]["dossier_id"].is_string());
    }

    // Nothing is left to send; a later entry reuses the access token until near its expiry.
    assert_eq!(dispatch(&app).await, api::push::Round::default());
    app.set_time("2026-12-01T09:50:00+07:00");
    let officer = app.token_of(OFFICER_PHONE).await;
    transition(&app, &officer, &code, "*", "processed").await.assert_status(200);
    dispatch(&app).await;
    assert_eq!(fcm.tokens_issued(), 1);
    app.set_time("2026-12-01T11:00:00+07:00");
    let officer = app.token_of(OFFICER_PHONE).await;
    transition(&app, &officer, &code, "*", "returned").await.assert_status(200);
    dispatch(&app).await;
    assert_eq!(fcm.tokens_issued(), 2, "an expired access token is replaced");
}

#[tokio::test]
async fn a_failed_push_is_retried_at_the_schedules_instants() {
    let fcm = FakeFcm::start().await;
    let (app, officer, citizen) = desk_pushing_to(Some(&fcm)).await;
    register(&app, &citizen, "android", "android-token").await.assert_status(201);
    notice_to_citizen(&app, &officer, &citizen).await;
    fcm.will_answer(500, json!({"error": {"code": 500, "status": "INTERNAL"}}));
    fcm.will_answer(503, json!({"error": {"code": 503, "status": "UNAVAILABLE"}}));

    let start = app.now();
    let after = |seconds: i64| start + chrono::Duration::seconds(seconds);
    assert_eq!(dispatch(&app).await.failed, 1);
    // 30 s after the first attempt, spread by up to 20% either way.
    let due = next_attempt(&app).await;
    assert!(due >= after(24) && due <= after(36), "{due}");
    app.clock.set(after(23));
    assert_eq!(dispatch(&app).await, api::push::Round::default(), "not due yet");
    app.clock.set(after(37));
    assert_eq!(dispatch(&app).await, api::push::Round { delivered: 0, failed: 1, unregistered: 0 });
    // Then 2 minutes ± 20%.
    let due = next_attempt(&app).await;
    assert!(due >= after(37 + 96) && due <= after(37 + 144), "{due}");
    app.clock.set(after(37 + 95));
    assert_eq!(dispatch(&app).await, api::push::Round::default(), "not due yet");
    app.clock.set(after(37 + 145));
    assert_eq!(dispatch(&app).await.delivered, 1);
    assert_eq!(fcm.messages().len(), 1);
    assert_eq!(queued(&app).await, 0);
}

async fn next_attempt(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    use sea_orm::EntityTrait;
    let pushes = entity::push_delivery::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(pushes.len(), 1);
    assert_eq!(pushes[0].status, entity::values::PushDeliveryStatus::Pending);
    assert!(pushes[0].last_error.as_deref().unwrap().starts_with("FCM answered 5"));
    pushes[0].next_attempt_at
}

#[tokio::test]
async fn a_push_is_given_up_after_the_schedules_last_attempt() {
    let fcm = FakeFcm::start().await;
    let (app, officer, citizen) = desk_pushing_to(Some(&fcm)).await;
    register(&app, &citizen, "android", "android-token").await.assert_status(201);
    notice_to_citizen(&app, &officer, &citizen).await;
    for _ in 0..10 {
        fcm.will_answer(500, json!({}));
    }
    for attempt in 1..=10 {
        assert_eq!(dispatch(&app).await.failed, 1, "attempt {attempt}");
        app.clock.set(app.now() + chrono::Duration::days(2));
    }
    assert_eq!(dispatch(&app).await, api::push::Round::default());
    let failed = count(&app, "SELECT COUNT(*) AS n FROM push_deliveries WHERE status = 'failed'").await;
    assert_eq!(failed, 1);
}

#[tokio::test]
async fn an_unregistered_token_removes_its_device_and_its_pushes() {
    let fcm = FakeFcm::start().await;
    let (app, officer, citizen) = desk_pushing_to(Some(&fcm)).await;
    register(&app, &citizen, "android", "uninstalled-app-token").await.assert_status(201);
    register(&app, &citizen, "ios", "ios-token").await.assert_status(201);
    notice_to_citizen(&app, &officer, &citizen).await;
    let unregistered = json!({"error": {"code": 404, "message": "Requested entity was not found.",
        "status": "NOT_FOUND", "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
        "errorCode": "UNREGISTERED"}]}});
    fcm.will_answer(404, unregistered);
    // Which of the two sends meets the refusal is up to the race: the other is delivered.
    let round = dispatch(&app).await;
    assert_eq!((round.delivered, round.unregistered), (1, 1));
    let list = app.get("/api/v1/me/devices").bearer(&citizen).send().await;
    assert_eq!(list.assert_status(200)["items"].as_array().unwrap().len(), 1);
    assert_eq!(queued(&app).await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM notifications").await, 1, "the inbox keeps its entry");
}

#[tokio::test]
async fn with_push_off_devices_are_kept_and_no_push_is_queued() {
    let (app, officer, citizen) = desk_pushing_to(None).await;
    assert!(app.state.fcm.is_none());
    register(&app, &citizen, "android", "android-token").await.assert_status(201);
    notice_to_citizen(&app, &officer, &citizen).await;
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM notifications").await, 1);
    assert_eq!(queued(&app).await, 0);
    assert_eq!(dispatch(&app).await, api::push::Round::default());
}

#[tokio::test]
async fn invalid_credentials_are_refused_with_a_clear_reason() {
    let refused = api::config::FcmCredentials::from_json("{}").unwrap_err();
    assert!(refused.starts_with("not a service account key"), "{refused}");
    let bad_key = json!({"project_id": PROJECT, "client_email": CLIENT_EMAIL, "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "token_uri": "https://oauth2.googleapis.com/token"});
    let refused = api::config::FcmCredentials::from_json(&bad_key.to_string()).unwrap_err();
    assert!(refused.starts_with("private_key is not an RSA key in PEM"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_dispatchers_never_send_one_push_twice() {
    let fcm = FakeFcm::start().await;
    let (app, officer, citizen) = desk_pushing_to(Some(&fcm)).await;
    for n in 0..20 {
        register(&app, &citizen, "android", &format!("phone-{n:02}")).await.assert_status(201);
    }
    notice_to_citizen(&app, &officer, &citizen).await;
    assert_eq!(queued(&app).await, 20);
    let other = app.second_process().await;
    let rounds = |app: TestApp| async move {
        let mut sent = 0;
        for _ in 0..5 {
            sent += dispatch(&app).await.delivered;
        }
        (app, sent)
    };
    let ((_, one), (_, two)) = tokio::join!(rounds(app), rounds(other));
    assert_eq!(one + two, 20);
    let mut tokens: Vec<String> =
        fcm.messages().iter().map(|m| m["token"].as_str().unwrap().to_owned()).collect();
    assert_eq!(tokens.len(), 20);
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 20, "each push reached FCM once");
}
