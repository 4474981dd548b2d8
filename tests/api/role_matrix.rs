//! The role matrix: every operation of the committed spec, called by six kinds of caller, and
//! the class of each answer checked against `role_matrix.txt` (which says what the classes
//! mean). An operation without a row, or a row without an operation, fails the test: the
//! table grows with the API.

use std::{collections::BTreeMap, sync::LazyLock};

use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream};
use poem::http::Method;
use serde_json::{Value, json};

use crate::{
    common::{Call, PASSWORD, Reply, TestApp},
    oidc::{begin, oidc_settings},
    oidc_provider::{Key, Provider, sign},
};

const SPEC: &str = include_str!("../../openapi/openapi.json");
const TABLE: &str = include_str!("role_matrix.txt");

/// The columns of the table, in order.
const CALLERS: [&str; 6] = ["anonymous", "citizen", "officer", "other_officer", "supervisor", "admin"];
const CITIZEN: usize = 1;
const OFFICER: usize = 2;
const SUPERVISOR: usize = 4;
const ADMIN: usize = 5;

const TOWN: &str = "000.00.20.H12";
/// The ward that owns every fixture; it is the unit of the spec's examples.
const WARD: &str = "000.20.33.H12";
const OTHER_WARD: &str = "000.20.34.H12";
/// The procedure of the spec's examples, offered by the ward.
const BIRTH: &str = "1.001193";

/// The account behind each caller (phone, role, unit), in the order of `CALLERS`.
const ACCOUNTS: [Option<(&str, &str, Option<&str>)>; 6] = [
    None,
    Some((CITIZEN_PHONE, "citizen", None)),
    Some(("0900000001", "officer", Some(WARD))),
    Some(("0900000002", "officer", Some(OTHER_WARD))),
    Some(("0900000003", "supervisor", Some(TOWN))),
    Some(("0900000009", "admin", None)),
];
/// The applicant of the spec's intake example, and the phone of its login example.
const CITIZEN_PHONE: &str = "0912345678";
/// A second officer of the ward: the staff account that staff operations name.
const COLLEAGUE: &str = "0900000004";

/// How many operations are checked at once. Each spends most of its time migrating its fresh
/// database and hashing passwords (on blocking threads), which the others can overlap.
const DESKS_AT_ONCE: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_every_kind_of_caller_as_the_table_says() {
    let operations = operations();
    let (table, mut wrong) = read_table();
    for row in table.keys().filter(|row| !operations.iter().any(|op| &op.id == *row)) {
        wrong.push(format!("{row}: a row for an operation the spec does not have"));
    }

    let checks = operations.iter().map(|operation| async {
        match table.get(operation.id.as_str()) {
            Some(expected) => wrong_cells(operation, expected).await,
            None => vec![format!("{}: no row in role_matrix.txt", operation.id)],
        }
    });
    let found: Vec<Vec<String>> = stream::iter(checks).buffered(DESKS_AT_ONCE).collect().await;
    wrong.extend(found.into_iter().flatten());

    assert!(wrong.is_empty(), "{} wrong in the role matrix:\n{}", wrong.len(), wrong.join("\n"));
}

/// Calls an operation as each caller in turn, on a desk of its own (so what one operation
/// changes never reaches another), and says which answers are not of the expected class.
async fn wrong_cells(operation: &Operation, expected: &[String]) -> Vec<String> {
    let desk = Desk::open().await;
    let fixtures = Fixtures::make(&desk).await;
    let mut wrong = Vec::new();
    for (caller, expected) in expected.iter().enumerate() {
        let Some(request) = request_for(&desk, &fixtures, &operation.id, caller).await else {
            return vec![format!("{}: role_matrix.rs writes no request for it", operation.id)];
        };
        let reply = desk.send(caller, operation, request).await;
        if class_of(&reply) != *expected {
            let body: String = reply.text.chars().take(200).collect();
            wrong.push(format!(
                "{} {}: expected {expected}, got {} {body}",
                operation.id, CALLERS[caller], reply.status
            ));
        }
    }
    wrong
}

/// What a caller sends: the path's parameters, the query string and the body.
#[derive(Default)]
struct Request {
    path: Vec<(&'static str, String)>,
    query: Option<String>,
    body: Option<Value>,
}

impl Request {
    fn at(parameter: &'static str, value: impl ToString) -> Request {
        Request { path: vec![(parameter, value.to_string())], query: None, body: None }
    }

    fn body(body: Value) -> Request {
        Request { path: Vec::new(), query: None, body: Some(body) }
    }

    /// A request with this query string (`name=value&…`).
    fn query(query: &str) -> Request {
        Request { query: Some(query.to_owned()), ..Request::default() }
    }

    fn with_body(self, body: Value) -> Request {
        Request { body: Some(body), ..self }
    }

    fn at_too(mut self, parameter: &'static str, value: impl ToString) -> Request {
        self.path.push((parameter, value.to_string()));
        self
    }
}

/// The request `caller` makes of an operation: valid, and naming the desk's fixtures, or
/// fresh ones where an earlier caller would have used them up. `None` for an operation this
/// file does not know yet.
async fn request_for(desk: &Desk, fixtures: &Fixtures, operation_id: &str, caller: usize) -> Option<Request> {
    let dossier = &fixtures.dossier;
    Some(match operation_id {
        // Nothing to name.
        "get_me"
        | "export_my_data"
        | "list_my_sessions"
        | "resend_phone_code"
        | "list_my_devices"
        | "list_units"
        | "list_holidays"
        | "list_procedures"
        | "list_legal_documents"
        | "list_admin_units"
        | "list_staff"
        | "list_audit_log"
        | "list_dossiers"
        | "list_my_dossiers"
        | "list_my_notifications"
        | "list_my_appointments" => Request::default(),

        // What a caller creates must not be taken already by an earlier caller.
        "register" => {
            Request::body(example_with("register", json!({"phone": format!("0966 000 00{caller}")})))
        }
        "create_holiday" => {
            Request::body(example_with("create_holiday", json!({"date": format!("2026-03-1{caller}")})))
        }
        "create_procedure" => {
            Request::body(example_with("create_procedure", json!({"code": format!("1.00900{caller}")})))
        }
        "create_legal_document" => Request::body(example_with(
            "create_legal_document",
            json!({"number": format!("12{caller}/2015/NĐ-CP")}),
        )),
        "create_unit" => Request::body(example_with(
            "create_unit",
            json!({"code": format!("000.20.4{caller}.H12"), "parent_code": TOWN}),
        )),
        "create_staff" => Request::body(example_with(
            "create_staff",
            json!({"phone": format!("0977 000 00{caller}"), "unit_code": WARD}),
        )),
        "take_in_dossier" => Request::body(example("take_in_dossier")),

        // The caller's own account. Every fixture account's phone is confirmed already.
        "login" => Request::body(example("login")),
        // Single sign-on: a login begun, and a code the provider issued for a new citizen's
        // verified phone.
        "oidc_login" => Request::default(),
        "oidc_callback" => {
            let login = begin(&desk.app, &desk.provider).await;
            let mut claims = desk.provider.claims(&format!("matrix-{caller}"), &login.nonce, desk.app.now());
            claims["phone_number"] = json!(format!("0987 000 10{caller}"));
            claims["phone_number_verified"] = json!(true);
            desk.provider.grant("the-code", &login.challenge, sign(&claims, Key::One, Key::One));
            Request::query(&format!("code=the-code&state={}", login.state))
        }
        "update_me" | "change_password" | "verify_phone" => Request::body(example(operation_id)),
        // The citizen erases their account (with its password); staff accounts may not.
        "delete_me" => Request::body(example(operation_id)),
        // A phone of each caller's own: one phone gets only so many codes an hour.
        "request_password_reset" => Request::body(json!({"phone": format!("0955 000 00{caller}")})),
        // Each caller resets a citizen account of its own, with a code issued as the SMS
        // would carry it.
        "confirm_password_reset" => {
            let phone = format!("0944 000 00{caller}");
            desk.app.create_user(&phone, "citizen", None).await;
            let stored = api::domain::account::PhoneNumber::parse(&phone)?;
            let (state, now) = (&desk.app.state, desk.app.state.clock.now());
            let purpose = entity::values::OtpPurpose::PasswordReset;
            let issued =
                api::otp::issue(&desk.app.db, state, stored.as_str(), purpose, now).await.ok()?.ok()?;
            let code = secrecy::ExposeSecret::expose_secret(&issued.code).to_owned();
            Request::body(example_with(operation_id, json!({"phone": phone, "code": code})))
        }
        // A refresh token is spent by use, and needs no access token: each caller presents a
        // fresh one of the citizen's, as the citizen's app would.
        "refresh_tokens" => {
            let tokens = desk.app.login(CITIZEN_PHONE, PASSWORD).await;
            Request::body(json!({"refresh_token": tokens["refresh_token"]}))
        }
        // A session of the citizen's other device: theirs to end, hidden from everyone else.
        "end_my_session" => {
            desk.app.login(CITIZEN_PHONE, PASSWORD).await;
            Request::at("id", newest_session(&desk.app).await)
        }
        // Each caller registers a phone of its own; the citizen's phone is theirs to remove.
        "register_my_device" => {
            Request::body(example_with(operation_id, json!({"token": format!("fcm-token-{caller}")})))
        }
        "remove_my_device" => {
            let token =
                desk.app.login(CITIZEN_PHONE, PASSWORD).await["access_token"].as_str().unwrap().to_owned();
            let body = json!({"platform": "android", "token": format!("citizen-phone-{caller}")});
            let device = desk.app.post("/api/v1/me/devices").bearer(&token).json(&body).send().await;
            Request::at("id", device.assert_status(201)["id"].as_str().unwrap())
        }
        // Each caller ends its own session; the anonymous one names the citizen's.
        "logout" => {
            let session = desk.sessions[caller].as_ref().or(desk.sessions[CITIZEN].as_ref())?;
            Request::body(json!({"refresh_token": session.refresh_token}))
        }

        // The ward and its catalogue.
        "get_unit" | "get_unit_calendar" => Request::at("code", WARD),
        "update_unit_settings" => Request::at("code", WARD).with_body(example(operation_id)),
        "update_unit" => {
            Request::at("code", WARD).with_body(example_with("update_unit", json!({"parent_code": TOWN})))
        }
        // Each caller removes a holiday of the ward of its own: one removed is gone.
        "delete_holiday" => Request::at("id", desk.add_holiday(&format!("2026-04-1{caller}")).await),
        "get_procedure" => Request::at("code", BIRTH),
        "replace_procedure" => Request::at("code", BIRTH).with_body(example(operation_id)),
        "get_legal_document" => Request::at("id", &fixtures.legal_document),

        // A colleague of the officer, in the ward.
        "get_staff" => Request::at("id", desk.colleague),
        "update_staff" => Request::at("id", desk.colleague).with_body(example(operation_id)),
        "reset_staff_password" => Request::at("id", desk.colleague),

        // The ward's dossier, which the citizen follows.
        "get_dossier" | "get_dossier_receipt" => Request::at("code", &dossier.code),
        "look_up_dossier" | "claim_dossier" => {
            Request::body(json!({"code": dossier.code, "secret": dossier.secret}))
        }
        "unclaim_dossier" => Request::at("code", &dossier.code),
        // The desk links it to the citizen's account (the example's phone is theirs).
        "link_dossier_citizen" => Request::at("code", &dossier.code).with_body(example(operation_id)),
        "mark_notification_read" => Request::at("id", &fixtures.notice),
        "mark_all_notifications_read" => Request::body(json!({"up_to_id": fixtures.notice})),
        // Each caller changes a dossier of its own: after one move the same move is illegal,
        // and an apology must set a later due date than the last one, on a working day (a
        // week later is the same weekday).
        "transition_dossier" => {
            Request::at("code", desk.take_in().await.code).with_body(example(operation_id))
        }
        "get_apology_slip" => {
            let (code, apology) = desk.apology().await;
            Request::at("code", code).at_too("event_id", apology)
        }
        "apologise_for_dossier" => {
            let fresh = desk.take_in().await;
            let later = fresh.due_at + chrono::Duration::days(7);
            Request::at("code", fresh.code)
                .with_body(example_with(operation_id, json!({"new_due_at": later.to_rfc3339()})))
        }
        "assign_dossier" => {
            Request::at("code", desk.take_in().await.code).with_body(json!({"officer_id": desk.colleague}))
        }

        // The ward's slots and day; the citizen's booking there (each caller's no-show is a
        // booking of its own whose slot is over).
        "list_unit_slots" | "list_unit_appointments" => Request::at("code", WARD),
        "book_appointment" => {
            Request::body(example_with(operation_id, json!({"start": "2026-12-03T08:15:00+07:00"})))
        }
        "get_appointment" | "cancel_appointment" => {
            Request::at("id", &fixtures.appointment).with_body(json!({}))
        }
        "reschedule_appointment" => Request::at("id", &fixtures.appointment).with_body(example(operation_id)),
        "mark_appointment_no_show" => Request::at("id", desk.missed_appointment().await),

        // The ward's queue: each caller acts on a ticket of its own, waiting or called to
        // counter 1 (whose last ticket is served first, so that the counter is free).
        "list_unit_tickets" | "list_counters" | "get_queue_settings" | "get_display" | "follow_display" => {
            Request::at("code", WARD)
        }
        "check_in" | "set_queue_settings" => Request::at("code", WARD).with_body(example(operation_id)),
        "set_counter" => Request::at("code", WARD).at_too("number", 1).with_body(example(operation_id)),
        "call_next_ticket" => {
            desk.open_counter().await;
            Request::at("code", WARD).at_too("number", 1)
        }
        "get_ticket" | "cancel_ticket" => Request::at("id", desk.waiting_ticket().await),
        "transfer_ticket" => Request::at("id", desk.waiting_ticket().await).with_body(example(operation_id)),
        "start_serving_ticket" | "mark_ticket_no_show" | "recall_ticket" | "return_ticket_to_queue" => {
            Request::at("id", desk.called_ticket().await).with_body(json!({}))
        }
        "serve_ticket" => Request::at("id", desk.called_ticket().await)
            .with_body(json!({"outcome": "dossier_received", "dossier_code": dossier.code})),

        // Ratings: each caller rates a visit of its own with the ticket's printed token, and
        // moderates a pending comment of its own; the officer's profile and the ward's ranking.
        "create_rating" => {
            Request::body(json!({"rating_token": desk.served_ticket_token().await, "level": "satisfied"}))
        }
        "list_ratings" => Request::default(),
        "get_rating" => Request::at("id", desk.pending_rating().await),
        "moderate_rating" => {
            Request::at("id", desk.pending_rating().await).with_body(json!({"decision": "approve"}))
        }
        "get_officer_profile" => Request::at("id", desk.colleague),
        "rank_unit_officers" | "get_feedback_settings" => Request::at("code", WARD),
        "set_feedback_settings" => Request::at("code", WARD).with_body(example(operation_id)),

        // Complaints: the citizen's about the colleague at the ward, each caller's new, and as
        // far along as the step needs (with a file for the attachment).
        "create_complaint" => Request::body(json!({
            "officer_id": desk.colleague, "category": "discourtesy", "description": "Cán bộ nói năng thiếu tôn trọng."
        })),
        "list_complaints" | "list_my_complaints" => Request::default(),
        "get_complaint" | "withdraw_complaint" => {
            Request::at("id", desk.complaint(&[]).await).with_body(json!({}))
        }
        "transition_complaint" => {
            Request::at("id", desk.complaint(&[]).await).with_body(json!({"to_status": "accepted"}))
        }
        "extend_complaint" => {
            Request::at("id", desk.complaint(&["accepted"]).await).with_body(example(operation_id))
        }
        "reopen_complaint" | "give_complaint_feedback" => {
            Request::at("id", desk.complaint(&["accepted", "investigating", "resolved"]).await)
                .with_body(json!({"level": "satisfied", "reason": "Chưa thỏa đáng."}))
        }
        "get_complaint_attachment" => {
            Request::at("id", desk.complaint_with_file().await).at_too("position", 1)
        }

        // Letters: each caller issues one of the ward's; the ward's letter to the citizen; the
        // ward's texts; the letter of a dossier of the ward, suppressed and lifted.
        "issue_letter" => Request::body(example_with(operation_id, json!({"unit_code": WARD}))),
        "list_letters" | "list_my_letters" => Request::default(),
        "get_letter" => Request::at("id", desk.letter_to_citizen().await),
        "get_letter_template" => Request::at("code", WARD).at_too("kind", "congratulation"),
        "put_letter_template" => {
            Request::at("code", WARD).at_too("kind", "congratulation").with_body(example(operation_id))
        }
        "suppress_dossier_letter" => {
            Request::at("code", desk.take_in().await.code).with_body(example(operation_id))
        }
        "lift_dossier_letter_suppression" => Request::at("code", desk.take_in().await.code),
        // The ward's review report and its public figures.
        "get_report_summary" => Request::query(&format!("unit={WARD}&from=2026-01-01&to=2026-12-31")),
        "get_unit_stats" => Request::at("code", WARD),
        // For keys only: a valid request, which no Bearer caller gets to make.
        "submit_dossier_online" => Request::body(example(operation_id)),
        "list_dossier_changes" => Request::default(),
        "get_integration_dossier" => Request::at("code", &dossier.code),
        "list_api_keys" => Request::default(),
        "create_api_key" => Request::body(example(operation_id)),
        "get_api_key" | "revoke_api_key" => Request::at("id", desk.api_key_id().await),
        "rotate_api_key" => Request::at("id", desk.api_key_id().await).with_body(example(operation_id)),
        // Webhooks: each caller names an endpoint of its own (the administrator's delete
        // removes it), and the delivery of its test ping.
        "list_webhooks" => Request::default(),
        "create_webhook" => Request::body(example(operation_id)),
        "redeliver_webhook_range" => Request::at("id", desk.webhook().await).with_body(example(operation_id)),
        "get_webhook"
        | "delete_webhook"
        | "rotate_webhook_secret"
        | "enable_webhook"
        | "test_webhook"
        | "list_webhook_deliveries" => Request::at("id", desk.webhook().await),
        "redeliver_webhook_delivery" => {
            let (webhook, delivery) = desk.webhook_delivery().await;
            Request::at("id", webhook).at_too("delivery_id", delivery)
        }

        _ => return None,
    })
}

/// A login: its access token and the refresh token of its session.
struct Session {
    access_token: String,
    refresh_token: String,
}

/// What intake answered: the dossier's code, lookup secret and due date.
struct Receipt {
    code: String,
    secret: String,
    due_at: DateTime<Utc>,
}

/// A fresh app with the people of the desk: a town with two wards, one account per caller,
/// logged in, and a colleague of the officer.
struct Desk {
    app: TestApp,
    /// The single sign-on provider the app is configured with.
    provider: Provider,
    /// Per caller, in the order of `CALLERS`.
    sessions: Vec<Option<Session>>,
    colleague: uuid::Uuid,
}

/// What the operations name, made through the API as staff would: a legal document and the
/// procedure based on it (offered by the ward), and a dossier taken in there and followed by
/// the citizen, who has a notice about its first step.
struct Fixtures {
    legal_document: String,
    dossier: Receipt,
    notice: String,
    appointment: String,
}

impl Fixtures {
    async fn make(desk: &Desk) -> Fixtures {
        let procedure = example("create_procedure");
        let law = example_with(
            "create_legal_document",
            json!({"number": procedure["legal_basis"][0], "title": "Luật Hộ tịch", "kind": "law", "issuer": "Quốc hội"}),
        );
        let law = desk.call(ADMIN, Method::POST, "/legal-documents").json(&law).send().await;
        let legal_document = law.assert_status(201)["id"].as_str().expect("an id").to_owned();
        let offered = desk.call(ADMIN, Method::POST, "/procedures").json(&procedure).send().await;
        assert_eq!(offered.assert_status(201)["unit_codes"], json!([WARD]));

        let dossier = desk.take_in().await;
        let claim = json!({"code": dossier.code, "secret": dossier.secret});
        desk.call(CITIZEN, Method::POST, "/me/dossiers/claim").json(&claim).send().await.assert_status(200);
        let first_step = json!({"to_status": "in_progress"});
        desk.call(OFFICER, Method::POST, &format!("/dossiers/{}/transitions", dossier.code))
            .header("if-match", "*")
            .json(&first_step)
            .send()
            .await
            .assert_status(200);
        let inbox = desk.call(CITIZEN, Method::GET, "/me/notifications").send().await;
        let notice = inbox.assert_status(200)["items"][0]["id"].as_str().expect("a notice").to_owned();
        let booked = desk
            .call(CITIZEN, Method::POST, "/appointments")
            .header("idempotency-key", "fixture")
            .json(&example("book_appointment"))
            .send()
            .await;
        let appointment = booked.assert_status(201)["id"].as_str().expect("an id").to_owned();
        Fixtures { legal_document, dossier, notice, appointment }
    }
}

impl Desk {
    /// A fresh key of the ward's (made in the database), by its id.
    async fn api_key_id(&self) -> String {
        let key = self.app.api_key(&["queue.write"], Some(WARD)).await;
        key["mc_live_".len()..][..32].to_owned()
    }

    async fn open() -> Desk {
        // An event stream ends after its first display, so that its answer can be read whole.
        let provider = Provider::start().await;
        let issuer = provider.issuer.clone();
        let app = TestApp::spawn_with(|config| {
            config.server.events_max = std::time::Duration::ZERO;
            config.oidc.provider = Some(oidc_settings(issuer));
        })
        .await;
        app.create_unit(TOWN, None).await;
        app.create_unit(WARD, Some(TOWN)).await;
        app.create_unit(OTHER_WARD, Some(TOWN)).await;
        let mut sessions = Vec::new();
        for account in ACCOUNTS {
            sessions.push(match account {
                Some((phone, role, unit)) => {
                    app.create_user(phone, role, unit).await;
                    let tokens = app.login(phone, PASSWORD).await;
                    let token = |name: &str| tokens[name].as_str().expect("a token").to_owned();
                    Some(Session {
                        access_token: token("access_token"),
                        refresh_token: token("refresh_token"),
                    })
                }
                None => None,
            });
        }
        let colleague = app.create_user(COLLEAGUE, "officer", Some(WARD)).await;
        Desk { app, provider, sessions, colleague }
    }

    /// A webhook endpoint the administrator subscribed, from the spec's example.
    async fn webhook(&self) -> String {
        let created =
            self.call(ADMIN, Method::POST, "/webhooks").json(&example("create_webhook")).send().await;
        created.assert_status(201)["id"].as_str().expect("an id").to_owned()
    }

    /// A webhook endpoint and the delivery of its test ping.
    async fn webhook_delivery(&self) -> (String, String) {
        let webhook = self.webhook().await;
        let ping = self.call(ADMIN, Method::POST, &format!("/webhooks/{webhook}/test")).send().await;
        let delivery = ping.assert_status(202)["id"].as_str().expect("a delivery").to_owned();
        (webhook, delivery)
    }

    /// A new dossier of the ward, taken in by its officer from the spec's example.
    async fn take_in(&self) -> Receipt {
        let reply =
            self.call(OFFICER, Method::POST, "/dossiers").json(&example("take_in_dossier")).send().await;
        let receipt = reply.assert_status(201);
        let text = |name: &str| receipt[name].as_str().expect("in the receipt").to_owned();
        Receipt {
            code: text("code"),
            secret: text("lookup_secret"),
            due_at: text("due_at").parse().expect("an RFC 3339 due date"),
        }
    }

    /// A new dossier of the ward with an apology: its code and the apology's timeline entry.
    async fn apology(&self) -> (String, String) {
        let fresh = self.take_in().await;
        let later = fresh.due_at + chrono::Duration::days(7);
        let body = example_with("apologise_for_dossier", json!({"new_due_at": later.to_rfc3339()}));
        let path = format!("/dossiers/{}/apologies", fresh.code);
        let reply = self.call(OFFICER, Method::POST, &path).header("if-match", "*").json(&body).send().await;
        let timeline = reply.assert_status(200)["timeline"].as_array().expect("a timeline").clone();
        let apology = timeline.iter().rfind(|entry| entry["kind"] == "apology").expect("the apology");
        (fresh.code, apology["id"].as_str().expect("an id").to_owned())
    }

    /// A new holiday of the ward on this date, added by an administrator; its id.
    async fn add_holiday(&self, date: &str) -> String {
        let holiday = example_with("create_holiday", json!({"date": date, "unit_code": WARD}));
        let reply = self.call(ADMIN, Method::POST, "/holidays").json(&holiday).send().await;
        reply.assert_status(201)["id"].as_str().expect("an id").to_owned()
    }

    /// A booking of the citizen at the ward whose slot (this morning, 07:30) is over, written
    /// straight into the database: the clock cannot go back to book it.
    async fn missed_appointment(&self) -> String {
        use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
        let procedure = entity::procedure::Entity::find()
            .filter(entity::procedure::Column::Code.eq(BIRTH))
            .one(&self.app.db)
            .await
            .unwrap()
            .expect("the procedure");
        let citizen = entity::user::Entity::find()
            .filter(entity::user::Column::Phone.eq("+84912345678"))
            .one(&self.app.db)
            .await
            .unwrap()
            .expect("the citizen");
        let start: DateTime<Utc> = "2026-12-01T07:30:00+07:00".parse().unwrap();
        let slot = api::domain::slots::Slot { start, end: start + chrono::Duration::minutes(15) };
        let ward = self.app.unit_id(WARD).await;
        let appointment =
            api::appointments::booking::new_booking((ward, procedure.id, citizen.id), &slot, self.app.now());
        let id = appointment.id.to_string();
        appointment.into_active_model().insert(&self.app.db).await.unwrap();
        id
    }

    /// A walk-in's new ticket at the ward, waiting; its id.
    async fn waiting_ticket(&self) -> String {
        let reply =
            self.call(OFFICER, Method::POST, &format!("/units/{WARD}/tickets")).json(&json!({})).send().await;
        reply.assert_status(201)["id"].as_str().expect("an id").to_owned()
    }

    /// Counter 1 of the ward, open and free: the ticket at it, if any, is served.
    async fn open_counter(&self) {
        let open = json!({"state": "open"});
        let counter = format!("/units/{WARD}/counters/1");
        self.call(OFFICER, Method::PUT, &counter).json(&open).send().await.assert_status(200);
        let at_it = self.call(OFFICER, Method::GET, &format!("/units/{WARD}/counters")).send().await;
        if let Some(ticket) = at_it.assert_status(200)[0]["ticket_id"].as_str() {
            let served = self.call(OFFICER, Method::POST, &format!("/tickets/{ticket}/served"));
            served.json(&json!({})).send().await.assert_status(200);
        }
    }

    /// A ticket of the ward called to counter 1; its id.
    async fn called_ticket(&self) -> String {
        self.open_counter().await;
        self.waiting_ticket().await;
        let next = self.call(OFFICER, Method::POST, &format!("/units/{WARD}/counters/1/next")).send().await;
        next.assert_status(200)["id"].as_str().expect("an id").to_owned()
    }

    /// The rating token printed on a ticket just served at counter 1.
    async fn served_ticket_token(&self) -> String {
        self.open_counter().await;
        let taken =
            self.call(OFFICER, Method::POST, &format!("/units/{WARD}/tickets")).json(&json!({})).send().await;
        let token = taken.assert_status(201)["rating_token"].as_str().expect("a rating token").to_owned();
        self.open_counter().await;
        let next = self.call(OFFICER, Method::POST, &format!("/units/{WARD}/counters/1/next")).send().await;
        let called = next.assert_status(200)["id"].as_str().expect("an id").to_owned();
        let served = self.call(OFFICER, Method::POST, &format!("/tickets/{called}/served"));
        served.json(&json!({})).send().await.assert_status(200);
        token
    }

    /// A rating of a visit to the ward's officer, its comment pending; its id.
    async fn pending_rating(&self) -> String {
        let rating = json!({"rating_token": self.served_ticket_token().await, "level": "satisfied", "comment": "Tốt."});
        let rated = self.call(0, Method::POST, "/ratings").json(&rating).send().await;
        rated.assert_status(201)["id"].as_str().expect("an id").to_owned()
    }

    /// A complaint of the citizen's about the colleague, taken by the supervisor through
    /// `steps`; its id.
    async fn complaint(&self, steps: &[&str]) -> String {
        let body = json!({"officer_id": self.colleague, "category": "other", "description": "Cán bộ hẹn lại nhiều lần."});
        let filed = self.call(CITIZEN, Method::POST, "/complaints").json(&body).send().await;
        let id = filed.assert_status(201)["id"].as_str().expect("an id").to_owned();
        for step in steps {
            let mut body = json!({"to_status": step});
            if *step == "resolved" {
                body = json!({"to_status": step, "outcome": "reminded", "conclusion": "Đã nhắc nhở cán bộ."});
            }
            let moved = self.call(SUPERVISOR, Method::POST, &format!("/complaints/{id}/transitions"));
            moved.json(&body).send().await.assert_status(200);
        }
        id
    }

    /// A complaint of the citizen's with one PDF attached; its id.
    async fn complaint_with_file(&self) -> String {
        let boundary = "role-matrix";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"officer_id\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nother\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nBiên lai thu tiền kèm theo.\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"bien-lai.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--{boundary}--\r\n",
            self.colleague
        );
        let filed = self
            .call(CITIZEN, Method::POST, "/complaints")
            .raw(&format!("multipart/form-data; boundary={boundary}"), body);
        filed.send().await.assert_status(201)["id"].as_str().expect("an id").to_owned()
    }

    /// A thank-you letter of the ward's officer to the citizen; its id.
    async fn letter_to_citizen(&self) -> String {
        let citizen = api::accounts::store::user_by_phone(&self.app.db, "+84912345678")
            .await
            .unwrap()
            .expect("the citizen");
        let letter = example_with("issue_letter", json!({"recipient_id": citizen.id}));
        let issued = self.call(OFFICER, Method::POST, "/letters").json(&letter).send().await;
        issued.assert_status(201)["id"].as_str().expect("an id").to_owned()
    }

    /// A request to a path of the spec, with the caller's access token if it has one.
    fn call(&self, caller: usize, method: Method, path: &str) -> Call<'_> {
        let base = DOCUMENT["servers"][0]["url"].as_str().unwrap_or_default();
        let call = self.app.call(method, &format!("{base}{path}"));
        match &self.sessions[caller] {
            Some(session) => call.bearer(&session.access_token),
            None => call,
        }
    }

    /// Makes the request of an operation as `caller`.
    async fn send(&self, caller: usize, operation: &Operation, request: Request) -> Reply {
        let mut path = operation.path.clone();
        for (name, value) in &request.path {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        assert!(!path.contains('{'), "{}: a path parameter is not filled in: {path}", operation.id);
        if let Some(query) = &request.query {
            path = format!("{path}?{query}");
        }
        let mut call = self.call(caller, operation.method.clone(), &path);
        if operation.needs_if_match {
            call = call.header("if-match", "*");
        }
        if operation.needs_idempotency_key {
            call = call.header("idempotency-key", format!("{}-{caller}", operation.id));
        }
        if let Some(body) = &request.body {
            call = call.json(body);
        }
        call.send().await
    }
}

/// The committed spec, read once.
static DOCUMENT: LazyLock<Value> = LazyLock::new(|| serde_json::from_str(SPEC).expect("the spec is JSON"));

/// One operation of the spec.
struct Operation {
    id: String,
    method: Method,
    /// The path (under the spec's server URL), with `{name}` where a parameter goes.
    path: String,
    /// Whether it changes a versioned record and so needs `If-Match`.
    needs_if_match: bool,
    /// Whether it is a retryable write that needs an `Idempotency-Key`.
    needs_idempotency_key: bool,
}

/// Every operation of the spec, in its order.
fn operations() -> Vec<Operation> {
    let mut operations = Vec::new();
    for (path, item) in DOCUMENT["paths"].as_object().expect("the spec has paths") {
        for (method, operation) in item.as_object().expect("a path item is an object") {
            let parameters = operation["parameters"].as_array().map(Vec::as_slice).unwrap_or_default();
            operations.push(Operation {
                id: operation["operationId"].as_str().expect("every operation is named").to_owned(),
                method: method.to_uppercase().parse().expect("an HTTP method"),
                path: path.clone(),
                needs_if_match: parameters
                    .iter()
                    .any(|p| p["in"] == "header" && p["name"] == "If-Match" && p["required"] == true),
                needs_idempotency_key: parameters
                    .iter()
                    .any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key" && p["required"] == true),
            });
        }
    }
    operations
}

/// The spec's example of an operation's request body.
fn example(operation_id: &str) -> Value {
    DOCUMENT["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(|item| item.as_object())
        .flat_map(|item| item.values())
        .find(|operation| operation["operationId"] == operation_id)
        .and_then(|operation| {
            operation["requestBody"]["content"].as_object()?.values().next()?.get("example")
        })
        .cloned()
        .unwrap_or_else(|| panic!("the spec has an example request for {operation_id}"))
}

/// The spec's example with some fields replaced, to name this desk's fixtures.
fn example_with(operation_id: &str, changes: Value) -> Value {
    let mut body = example(operation_id);
    for (field, value) in changes.as_object().expect("changes are an object") {
        body[field] = value.clone();
    }
    body
}

/// `ok` for any 2xx, else the status code itself.
fn class_of(reply: &Reply) -> String {
    if reply.status.is_success() { "ok".to_owned() } else { reply.status.as_u16().to_string() }
}

/// The table's rows by operation id, and what is wrong with the table itself.
fn read_table() -> (BTreeMap<&'static str, Vec<String>>, Vec<String>) {
    let mut rows = BTreeMap::new();
    let mut wrong = Vec::new();
    for (number, line) in TABLE.lines().enumerate() {
        let cells: Vec<&str> = line.split('#').next().unwrap_or_default().split_whitespace().collect();
        let Some((&operation, classes)) = cells.split_first() else { continue };
        let line = number + 1;
        if classes.len() != CALLERS.len()
            || !classes.iter().all(|c| *c == "ok" || (c.len() == 3 && c.parse::<u16>().is_ok()))
        {
            wrong.push(format!("role_matrix.txt:{line}: {operation} needs six classes (ok or a status)"));
        } else if classes.contains(&"404") && !classes.contains(&"ok") {
            // 404 means hidden: some caller must see that the resource is there.
            wrong.push(format!("role_matrix.txt:{line}: {operation} has a 404 but no caller gets ok"));
        } else if rows.insert(operation, classes.iter().map(|c| c.to_string()).collect()).is_some() {
            wrong.push(format!("role_matrix.txt:{line}: a second row for {operation}"));
        }
    }
    (rows, wrong)
}

/// The id of the session opened last.
async fn newest_session(app: &TestApp) -> uuid::Uuid {
    use sea_orm::{EntityTrait, QueryOrder};
    let newest = entity::session::Entity::find().order_by_desc(entity::session::Column::Id).one(&app.db);
    newest.await.unwrap().expect("a session").id
}
