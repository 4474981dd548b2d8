//! Webhooks: subscriptions and their secrets, the outbox written with the change, and the
//! refusal of internal addresses. Delivery itself is in `webhook_delivery`.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use poem::{Request, Response, http::StatusCode};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, TransactionTrait};
use serde_json::{Value, json};

use crate::{
    common::TestApp,
    dossiers::{desk_with, take_in},
};

pub(crate) const ADMIN: &str = "0900000009";

/// What a receiver got: one request.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub path: String,
    pub headers: poem::http::HeaderMap,
    pub body: Vec<u8>,
}

/// A status to answer with, and its headers.
type Answer = (u16, Vec<(&'static str, String)>);

/// A receiver on a loopback port: it records every request and answers with the statuses (and
/// headers) it was told, then 204.
pub(crate) struct Receiver {
    pub port: u16,
    hits: Arc<Mutex<Vec<Hit>>>,
    answers: Arc<Mutex<VecDeque<Answer>>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let answers: Arc<Mutex<VecDeque<Answer>>> = Arc::default();
        let (seen, scripted) = (hits.clone(), answers.clone());
        let endpoint = poem::endpoint::make(move |req: Request| {
            let (seen, scripted) = (seen.clone(), scripted.clone());
            async move {
                let path = req.uri().path().to_owned();
                let headers = req.headers().clone();
                let body = req.into_body().into_vec().await.unwrap_or_default();
                seen.lock().unwrap().push(Hit { path, headers, body });
                let (status, headers) = scripted.lock().unwrap().pop_front().unwrap_or((204, Vec::new()));
                let mut response = Response::builder().status(StatusCode::from_u16(status).unwrap());
                for (name, value) in headers {
                    response = response.header(name, value);
                }
                response.finish()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
        let server = tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(endpoint));
        Receiver { port, hits, answers, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The next answer: a status and its headers.
    pub fn will_answer(&self, status: u16, headers: Vec<(&'static str, String)>) {
        self.answers.lock().unwrap().push_back((status, headers));
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Subscribes `url` to `events` as the administrator; the created endpoint with its secret.
pub(crate) async fn subscribe(app: &TestApp, admin: &str, url: &str, events: &[&str]) -> Value {
    let body = json!({"url": url, "events": events, "description": "Cổng tỉnh"});
    app.post("/api/v1/webhooks").bearer(admin).json(&body).send().await.assert_status(201).clone()
}

pub(crate) async fn deliveries(app: &TestApp, admin: &str, webhook: &Value, query: &str) -> Value {
    let path = format!("/api/v1/webhooks/{}/deliveries?{query}", webhook["id"].as_str().unwrap());
    app.get(&path).bearer(admin).send().await.assert_status(200).clone()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn an_administrator_subscribes_and_sees_the_secret_only_once() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(ADMIN, "admin", None).await;
    let url = "https://dichvucong.binhduong.gov.vn/hooks/motcua";
    let created = subscribe(&app, &admin, url, &["dossier.status_changed", "appointment.booked"]).await;
    let secret = created["secret"].as_str().unwrap();
    let key = secret.strip_prefix("whsec_").expect("a whsec_ secret");
    use base64::Engine;
    assert!(base64::engine::general_purpose::STANDARD.decode(key).unwrap().len() >= 24);
    assert_eq!(created["url"], url);
    assert_eq!(created["active"], true);
    assert_eq!(created["events"], json!(["dossier.status_changed", "appointment.booked"]));

    let id = created["id"].as_str().unwrap();
    let listed = app.get("/api/v1/webhooks").bearer(&admin).send().await;
    assert_eq!(listed.assert_status(200)[0]["id"], id);
    assert!(!listed.text.contains(secret) && listed.body[0].get("secret").is_none());
    let read = app.get(&format!("/api/v1/webhooks/{id}")).bearer(&admin).send().await;
    assert!(read.assert_status(200).get("secret").is_none() && !read.text.contains(secret));

    let rotated = app.post(&format!("/api/v1/webhooks/{id}/rotate-secret")).bearer(&admin).send().await;
    let rotated = rotated.assert_status(200);
    assert_ne!(rotated["secret"], secret);
    let until =
        chrono::DateTime::parse_from_rfc3339(rotated["previous_secret_until"].as_str().unwrap()).unwrap();
    assert_eq!(until, app.now() + chrono::TimeDelta::hours(24), "the old secret signs for a day");

    app.create_unit("000.00.20.H12", None).await;
    let supervisor = app.token_for("0900000003", "supervisor", Some("000.00.20.H12")).await;
    app.get("/api/v1/webhooks").bearer(&supervisor).send().await.assert_problem(403, "forbidden");
    app.delete(&format!("/api/v1/webhooks/{id}")).bearer(&admin).send().await.assert_status(204);
    app.get(&format!("/api/v1/webhooks/{id}")).bearer(&admin).send().await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn urls_must_be_absolute_https_and_without_credentials() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(ADMIN, "admin", None).await;
    for url in [
        "/hooks",
        "http://dichvucong.binhduong.gov.vn/hooks",
        "https://user:pass@dichvucong.binhduong.gov.vn/hooks",
        "ftp://dichvucong.binhduong.gov.vn/hooks",
    ] {
        let body = json!({"url": url, "events": ["dossier.created"]});
        let reply = app.post("/api/v1/webhooks").bearer(&admin).json(&body).send().await;
        let problem = reply.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "url", "{url}");
    }
    let body = json!({"url": "https://dichvucong.binhduong.gov.vn/hooks", "events": ["ping"]});
    let reply = app.post("/api/v1/webhooks").bearer(&admin).json(&body).send().await;
    assert_eq!(reply.assert_problem(422, "validation_failed")["errors"][0]["field"], "events");
}

#[tokio::test]
async fn the_deliveries_of_an_event_commit_with_the_change_and_roll_back_with_it() {
    let (app, officer) = desk_with(|_| {}).await;
    let admin = app.token_for(ADMIN, "admin", None).await;
    let created =
        subscribe(&app, &admin, "https://dichvucong.binhduong.gov.vn/hooks", &["dossier.created"]).await;
    subscribe(&app, &admin, "https://other.binhduong.gov.vn/hooks", &["letter.issued"]).await;

    // A change that commits leaves its event and one delivery per subscribed endpoint.
    let receipt = take_in(&app, &officer).await;
    let page = deliveries(&app, &admin, &created, "").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["event_type"], "dossier.created");
    assert_eq!(page["items"][0]["status"], "pending");
    assert_eq!(count(&app, "webhook_deliveries").await, 1);
    assert!(receipt["code"].is_string());

    // One rolled back leaves neither.
    let events_before = count(&app, "events").await;
    let unit = app.unit_id(crate::dossiers::WARD).await;
    let tx = app.db.begin().await.unwrap();
    api::events::record(
        &tx,
        app.now(),
        entity::values::EventType::DossierCreated,
        Some(unit),
        json!({"code": "x"}),
    )
    .await
    .unwrap();
    let inside = entity::webhook_delivery::Entity::find().count(&tx).await.unwrap();
    assert_eq!(inside, 2, "the delivery is written inside the transaction");
    tx.rollback().await.unwrap();
    assert_eq!(count(&app, "webhook_deliveries").await, 1);
    assert_eq!(count(&app, "events").await, events_before);
}

#[tokio::test]
async fn internal_addresses_are_refused_even_through_a_host_name() {
    let receiver = Receiver::start().await;
    let app = TestApp::spawn().await;
    let admin = app.token_for(ADMIN, "admin", None).await;
    let port = receiver.port;
    for url in [
        format!("https://localhost:{port}/hook"),
        format!("https://127.0.0.1:{port}/hook"),
        format!("https://[::ffff:127.0.0.1]:{port}/hook"),
        "https://no-such-host.invalid/hook".to_owned(),
    ] {
        let webhook = subscribe(&app, &admin, &url, &["dossier.created"]).await;
        let id = webhook["id"].as_str().unwrap();
        app.post(&format!("/api/v1/webhooks/{id}/test")).bearer(&admin).send().await.assert_status(202);
        let round = api::webhooks::dispatch_due(&app.state).await.unwrap();
        assert_eq!(round.failed, 1, "{url}");
        let page = deliveries(&app, &admin, &webhook, "").await;
        let attempt = &page["items"][0]["attempts"][0];
        let expected =
            if url.contains(".invalid") { "the host name did not resolve" } else { "address not allowed" };
        assert_eq!(attempt["error"], expected, "{url}");
        assert_eq!(attempt["status_code"], Value::Null);
        assert_eq!(page["items"][0]["status"], "pending", "retried later, like any failure");
    }
    assert!(receiver.hits().is_empty(), "nothing reached the internal receiver");
}

#[tokio::test]
async fn a_letter_issued_by_hand_is_announced_with_codes_and_no_personal_data() {
    use sea_orm::{ColumnTrait, QueryFilter};
    let (app, officer) = desk_with(|_| {}).await;
    let admin = app.token_for(ADMIN, "admin", None).await;
    let webhook =
        subscribe(&app, &admin, "https://dichvucong.binhduong.gov.vn/hooks", &["letter.issued"]).await;
    let body = json!({"kind": "thank_you", "recipient_name": "Trần Thị Bình", "honorific": "Bà", "event": "góp ý giúp cải tiến thủ tục"});
    let letter = app.post("/api/v1/letters").bearer(&officer).json(&body).send().await;
    let letter = letter.assert_status(201).clone();

    let page = deliveries(&app, &admin, &webhook, "").await;
    assert_eq!(page["items"][0]["event_type"], "letter.issued");
    let event = entity::event::Entity::find()
        .filter(
            entity::event::Column::Id
                .eq(uuid::Uuid::parse_str(page["items"][0]["event_id"].as_str().unwrap()).unwrap()),
        )
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let data: Value = serde_json::from_str(&event.data).unwrap();
    assert_eq!(data["letter_id"], letter["id"]);
    assert_eq!(data["unit_code"], crate::dossiers::WARD);
    assert_eq!(data["kind"], "thank_you");
    assert!(!event.data.contains("Bình"), "no recipient's name: {}", event.data);
}
