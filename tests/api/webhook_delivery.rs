//! Webhook delivery: signed requests a receiver verifies from the raw body, retries on the
//! schedule, 410 and the administrators' inbox, redirects not followed, redelivery, and two
//! dispatchers that never send one attempt twice.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::{
    common::TestApp,
    webhooks::{ADMIN, Hit, Receiver, deliveries, subscribe},
};

/// An app that may deliver to the loopback receiver of the test.
async fn app_with_receiver() -> (TestApp, String, Receiver) {
    let app = TestApp::spawn_with(|config| config.webhooks.allow_private = true).await;
    let admin = app.token_for(ADMIN, "admin", None).await;
    (app, admin, Receiver::start().await)
}

async fn ping(app: &TestApp, admin: &str, webhook: &Value) -> Value {
    let id = webhook["id"].as_str().unwrap();
    app.post(&format!("/api/v1/webhooks/{id}/test")).bearer(admin).send().await.assert_status(202).clone()
}

async fn dispatch(app: &TestApp) -> api::webhooks::Round {
    api::webhooks::dispatch_due(&app.state).await.expect("a dispatch round")
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn header<'a>(hit: &'a Hit, name: &str) -> &'a str {
    hit.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header"))
}

/// Checks both signatures of a request as a receiver would: from the raw body bytes, with the
/// secret the administrator was shown.
fn assert_signed_with(hit: &Hit, secret: &str) {
    let key =
        base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let (id, timestamp) = (header(hit, "webhook-id"), header(hit, "webhook-timestamp"));
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(&hit.body);
    let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(hmac(&key, &signed)));
    assert!(
        header(hit, "webhook-signature").split(' ').any(|s| s == expected),
        "Standard Webhooks signature"
    );

    let motcua = header(hit, "x-motcua-signature");
    let t = motcua.split(',').find_map(|part| part.strip_prefix("t=")).unwrap();
    assert_eq!(t, timestamp);
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(&hit.body);
    let expected = hex::encode(hmac(&key, &signed));
    assert!(motcua.split(',').any(|part| part == format!("v1={expected}")), "X-MotCua-Signature");
}

#[tokio::test]
async fn a_delivery_reaches_the_receiver_signed_both_ways() {
    let (app, admin, receiver) = app_with_receiver().await;
    let webhook = subscribe(&app, &admin, &receiver.url("/hooks"), &["dossier.created"]).await;
    let secret = webhook["secret"].as_str().unwrap().to_owned();
    let queued = ping(&app, &admin, &webhook).await;
    assert_eq!(queued["status"], "pending");

    let round = dispatch(&app).await;
    assert_eq!((round.delivered, round.failed), (1, 0));
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit.path, "/hooks");
    assert_eq!(header(hit, "content-type"), "application/json");
    assert_eq!(header(hit, "webhook-id"), queued["event_id"].as_str().unwrap());
    assert_eq!(header(hit, "webhook-timestamp"), app.now().timestamp().to_string());
    assert_signed_with(hit, &secret);
    let payload: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(payload["id"], queued["event_id"]);
    assert_eq!(payload["type"], "ping");
    assert_eq!(payload["data"], json!({"webhook_id": webhook["id"]}));
    assert!(payload["created_at"].is_string());

    let page = deliveries(&app, &admin, &webhook, "").await;
    assert_eq!(page["items"][0]["status"], "succeeded");
    assert_eq!(page["items"][0]["attempts"][0]["status_code"], 204);
    assert_eq!(page["items"][0]["event"], payload, "the delivery shows the body it sent");
    assert_eq!(dispatch(&app).await, api::webhooks::Round::default(), "nothing is sent twice");

    // After a rotation both secrets verify for a day, then only the new one signs.
    let id = webhook["id"].as_str().unwrap();
    let rotated = app.post(&format!("/api/v1/webhooks/{id}/rotate-secret")).bearer(&admin).send().await;
    let new_secret = rotated.assert_status(200)["secret"].as_str().unwrap().to_owned();
    ping(&app, &admin, &webhook).await;
    dispatch(&app).await;
    let hit = receiver.hits().pop().unwrap();
    assert_eq!(header(&hit, "webhook-signature").split(' ').count(), 2);
    assert_signed_with(&hit, &secret);
    assert_signed_with(&hit, &new_secret);
    app.set_time("2026-12-02T09:00:01+07:00");
    let admin = app.token_of(ADMIN).await;
    ping(&app, &admin, &webhook).await;
    dispatch(&app).await;
    let hit = receiver.hits().pop().unwrap();
    assert_eq!(header(&hit, "webhook-signature").split(' ').count(), 1);
    assert_signed_with(&hit, &new_secret);
}

#[tokio::test]
async fn a_failed_delivery_is_tried_again_on_schedule_under_the_same_id() {
    let (app, admin, receiver) = app_with_receiver().await;
    let webhook = subscribe(&app, &admin, &receiver.url("/hooks"), &["dossier.created"]).await;
    receiver.will_answer(500, Vec::new());
    receiver.will_answer(503, vec![("retry-after", "300".into())]);
    ping(&app, &admin, &webhook).await;

    assert_eq!(dispatch(&app).await.failed, 1);
    assert_eq!(dispatch(&app).await, api::webhooks::Round::default(), "not due yet");
    // The second attempt comes 30 s later, ±20%.
    app.set_time("2026-12-01T09:00:23+07:00");
    assert_eq!(dispatch(&app).await.failed, 0, "not before 24 s");
    app.set_time("2026-12-01T09:00:37+07:00");
    assert_eq!(dispatch(&app).await.failed, 1);
    // The receiver asked for 300 s; the schedule's 2 min is not enough.
    app.set_time("2026-12-01T09:03:30+07:00");
    assert_eq!(dispatch(&app).await, api::webhooks::Round::default(), "Retry-After honoured");
    app.set_time("2026-12-01T09:05:38+07:00");
    assert_eq!(dispatch(&app).await.delivered, 1);

    let hits = receiver.hits();
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|hit| header(hit, "webhook-id") == header(&hits[0], "webhook-id")));
    let page = deliveries(&app, &admin, &webhook, "").await;
    let statuses: Vec<&Value> =
        page["items"][0]["attempts"].as_array().unwrap().iter().map(|a| &a["status_code"]).collect();
    assert_eq!(statuses, [&json!(500), &json!(503), &json!(204)]);
    let read =
        app.get(&format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap())).bearer(&admin).send().await;
    assert_eq!(read.assert_status(200)["failing_since"], Value::Null, "a success ends the run of failures");
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_tells_every_administrator() {
    let (app, admin, receiver) = app_with_receiver().await;
    let other_admin = app.token_for("0900000008", "admin", None).await;
    let webhook = subscribe(&app, &admin, &receiver.url("/hooks"), &["dossier.created"]).await;
    let id = webhook["id"].as_str().unwrap();
    receiver.will_answer(410, Vec::new());
    ping(&app, &admin, &webhook).await;
    ping(&app, &admin, &webhook).await;

    let round = dispatch(&app).await;
    assert!(round.failed >= 1);
    let read = app.get(&format!("/api/v1/webhooks/{id}")).bearer(&admin).send().await;
    let read = read.assert_status(200);
    assert_eq!((read["active"].clone(), read["disabled_reason"].clone()), (json!(false), json!("gone")));
    for token in [&admin, &other_admin] {
        let inbox = app.get("/api/v1/me/notifications").bearer(token).english().send().await;
        let notices = inbox.assert_status(200)["items"].as_array().unwrap().clone();
        assert_eq!(notices.len(), 1, "one notice, however many deliveries failed");
        assert_eq!(notices[0]["kind"], "webhook_disabled");
        assert_eq!(notices[0]["webhook_id"], id);
        assert!(notices[0]["body"].as_str().unwrap().contains("410"));
    }
    let hits_while_disabled = receiver.hits().len();
    ping(&app, &admin, &webhook).await;
    app.set_time("2026-12-02T09:00:00+07:00");
    dispatch(&app).await;
    assert_eq!(receiver.hits().len(), hits_while_disabled, "nothing goes to a disabled endpoint");

    let admin = app.token_of(ADMIN).await;
    let enabled = app.post(&format!("/api/v1/webhooks/{id}/enable")).bearer(&admin).send().await;
    assert_eq!(enabled.assert_status(200)["active"], true);
    assert!(dispatch(&app).await.delivered >= 1, "what waited goes out once it is enabled");
}

#[tokio::test]
async fn a_redirect_is_a_failure_and_is_not_followed() {
    let (app, admin, receiver) = app_with_receiver().await;
    let inside = Receiver::start().await;
    let webhook = subscribe(&app, &admin, &receiver.url("/hooks"), &["dossier.created"]).await;
    receiver.will_answer(302, vec![("location", inside.url("/admin"))]);
    ping(&app, &admin, &webhook).await;

    assert_eq!(dispatch(&app).await.failed, 1);
    assert!(inside.hits().is_empty(), "the redirect was not followed");
    let page = deliveries(&app, &admin, &webhook, "").await;
    let attempt = &page["items"][0]["attempts"][0];
    assert_eq!(
        (attempt["status_code"].clone(), attempt["error"].clone()),
        (json!(302), json!("redirect not followed"))
    );
}

#[tokio::test]
async fn deliveries_are_listed_and_sent_again_one_by_one_or_by_period() {
    let (app, admin, receiver) = app_with_receiver().await;
    let webhook = subscribe(&app, &admin, &receiver.url("/hooks"), &["dossier.created"]).await;
    let id = webhook["id"].as_str().unwrap();
    for _ in 0..3 {
        ping(&app, &admin, &webhook).await;
    }
    receiver.will_answer(410, Vec::new());
    receiver.will_answer(410, Vec::new());
    receiver.will_answer(410, Vec::new());
    dispatch(&app).await;
    let failed = deliveries(&app, &admin, &webhook, "status=failed").await;
    assert_eq!(failed["items"].as_array().unwrap().len(), 3);

    // Pages follow the cursor, newest first, with nothing repeated.
    let first = deliveries(&app, &admin, &webhook, "limit=2").await;
    let second = deliveries(
        &app,
        &admin,
        &webhook,
        &format!("limit=2&cursor={}", first["next_cursor"].as_str().unwrap()),
    )
    .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], Value::Null);
    let bad = app.get(&format!("/api/v1/webhooks/{id}/deliveries?cursor=nope")).bearer(&admin).send().await;
    bad.assert_problem(422, "validation_failed");

    app.post(&format!("/api/v1/webhooks/{id}/enable")).bearer(&admin).send().await.assert_status(200);
    let one = first["items"][0]["id"].as_str().unwrap();
    let again =
        app.post(&format!("/api/v1/webhooks/{id}/deliveries/{one}/redeliver")).bearer(&admin).send().await;
    assert_eq!(again.assert_status(202)["status"], "pending");
    assert_eq!(dispatch(&app).await.delivered, 1);
    let period = json!({"from": "2026-12-01T00:00:00+07:00", "to": "2026-12-02T00:00:00+07:00"});
    let requeued =
        app.post(&format!("/api/v1/webhooks/{id}/redeliver")).bearer(&admin).json(&period).send().await;
    assert_eq!(requeued.assert_status(202)["requeued"], 2, "only the failed ones");
    assert_eq!(dispatch(&app).await.delivered, 2);
    let backwards = json!({"from": "2026-12-02T00:00:00+07:00", "to": "2026-12-01T00:00:00+07:00"});
    let reply =
        app.post(&format!("/api/v1/webhooks/{id}/redeliver")).bearer(&admin).json(&backwards).send().await;
    reply.assert_problem(422, "validation_failed");
    let unknown = uuid::Uuid::now_v7();
    let reply = app
        .post(&format!("/api/v1/webhooks/{id}/deliveries/{unknown}/redeliver"))
        .bearer(&admin)
        .send()
        .await;
    reply.assert_problem(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_dispatchers_never_send_one_attempt_twice() {
    let (app, admin, receiver) = app_with_receiver().await;
    let other = app.second_process().await;
    let webhook = subscribe(&app, &admin, &receiver.url("/hooks"), &["dossier.created"]).await;
    for _ in 0..20 {
        ping(&app, &admin, &webhook).await;
    }
    let (one, two) = tokio::join!(
        async {
            let mut sent = 0;
            for _ in 0..5 {
                sent += dispatch(&app).await.delivered;
            }
            sent
        },
        async {
            let mut sent = 0;
            for _ in 0..5 {
                sent += dispatch(&other).await.delivered;
            }
            sent
        },
    );
    assert_eq!(one + two, 20);
    let mut ids: Vec<String> =
        receiver.hits().iter().map(|hit| header(hit, "webhook-id").to_owned()).collect();
    assert_eq!(ids.len(), 20);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "each event reached the receiver once");
}

#[tokio::test]
async fn a_day_of_failures_disables_the_endpoint() {
    let (app, admin, receiver) = app_with_receiver().await;
    let webhook = subscribe(&app, &admin, &receiver.url("/hooks"), &["dossier.created"]).await;
    let id = webhook["id"].as_str().unwrap();
    for _ in 0..4 {
        receiver.will_answer(500, Vec::new());
    }
    ping(&app, &admin, &webhook).await;
    assert_eq!(dispatch(&app).await.failed, 1);
    app.set_time("2026-12-02T08:59:00+07:00");
    assert_eq!(dispatch(&app).await.failed, 1);
    let admin = app.token_of(ADMIN).await;
    let read = app.get(&format!("/api/v1/webhooks/{id}")).bearer(&admin).send().await;
    assert_eq!(read.assert_status(200)["active"], true, "23 h 59 min of failures are not a day");

    app.set_time("2026-12-02T09:00:00+07:00");
    ping(&app, &admin, &webhook).await;
    assert_eq!(dispatch(&app).await.failed, 1);
    let read = app.get(&format!("/api/v1/webhooks/{id}")).bearer(&admin).send().await;
    let read = read.assert_status(200);
    assert_eq!((read["active"].clone(), read["disabled_reason"].clone()), (json!(false), json!("failing")));
    let inbox = app.get("/api/v1/me/notifications").bearer(&admin).send().await;
    assert_eq!(inbox.assert_status(200)["items"][0]["kind"], "webhook_disabled");
}
