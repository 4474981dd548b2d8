//! Verified phones and citizens' password reset by SMS code, at exact instants, with the codes
//! read from a local SMS gateway as a citizen reads them from the phone.

use std::time::Duration;

use api::config::{SmsHttpConfig, SmsSenderConfig};
use entity::values::OtpPurpose;
use serde_json::{Value, json};

use crate::{
    common::{PASSWORD, TestApp},
    sessions::security_events,
    webhooks::{Hit, Receiver},
};

const PHONE: &str = "0912345678";
const STORED: &str = "+84912345678";
const NEW_PASSWORD: &str = "sông Hồng đỏ nặng phù sa";

/// An app whose SMS go to a local gateway (with a bearer token, retrying quickly).
async fn app_with_gateway() -> (TestApp, Receiver) {
    let gateway = Receiver::start().await;
    let url = gateway.url("/sms");
    let app = TestApp::spawn_with(|config| {
        let mut http = SmsHttpConfig::new(url);
        http.token = Some("gw-token".into());
        http.backoff = Duration::from_millis(10);
        config.sms.sender = SmsSenderConfig::Http(http);
    })
    .await;
    app.set_time("2026-12-01T09:00:00+07:00");
    (app, gateway)
}

/// The `n`th message the gateway got (from 1), waiting for it: sending is in the background.
pub(crate) async fn sms(gateway: &Receiver, n: usize) -> Value {
    for _ in 0..500 {
        if let Some(hit) = gateway.hits().get(n - 1) {
            return serde_json::from_slice(&hit.body).expect("the default body is JSON");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("SMS number {n} never came");
}

/// The 6 digits of the `n`th message.
pub(crate) async fn code(gateway: &Receiver, n: usize) -> String {
    let text = sms(gateway, n).await["text"].as_str().unwrap().to_owned();
    let digits: Vec<char> = text.chars().collect();
    let start = (0..digits.len() - 5).find(|&i| digits[i..i + 6].iter().all(char::is_ascii_digit)).unwrap();
    digits[start..start + 6].iter().collect()
}

/// Registers the citizen (the code goes out) and logs in: the access token.
async fn register(app: &TestApp) -> String {
    let body = json!({"phone": PHONE, "password": PASSWORD, "full_name": "Nguyễn Văn An"});
    let created = app.post("/api/v1/auth/register").json(&body).send().await;
    assert_eq!(created.assert_status(201)["phone_verified"], false);
    login(app, PASSWORD).await.expect("the new account logs in")["access_token"].as_str().unwrap().to_owned()
}

async fn login(app: &TestApp, password: &str) -> Option<Value> {
    let reply =
        app.post("/api/v1/auth/login").json(&json!({"phone": PHONE, "password": password})).send().await;
    (reply.status == 200).then(|| reply.body.clone())
}

async fn verify(app: &TestApp, token: &str, code: &str) -> crate::common::Reply {
    app.post("/api/v1/auth/phone/verify").bearer(token).json(&json!({"code": code})).send().await
}

async fn resend(app: &TestApp, token: &str) -> crate::common::Reply {
    app.post("/api/v1/auth/phone/resend").bearer(token).send().await
}

async fn failed_tries(app: &TestApp, purpose: OtpPurpose) -> i32 {
    use sea_orm::EntityTrait;
    let row =
        entity::one_time_code::Entity::find_by_id((STORED.to_owned(), purpose)).one(&app.db).await.unwrap();
    row.expect("a code row").failed_tries
}

fn wrong(code: &str) -> String {
    let last = (code.as_bytes()[5] - b'0' + 1) % 10;
    format!("{}{last}", &code[..5])
}

#[tokio::test]
async fn registration_sends_a_code_that_confirms_the_phone_and_opens_the_gate() {
    let (app, gateway) = app_with_gateway().await;
    let token = register(&app).await;

    let message = sms(&gateway, 1).await;
    assert_eq!(message["to"], STORED);
    let text = message["text"].as_str().unwrap();
    assert!(text.contains("hiệu lực 5 phút") && text.contains("Không chia sẻ"), "{text}");
    let hit: Hit = gateway.hits().remove(0);
    assert_eq!(hit.path, "/sms");
    assert_eq!(hit.headers["authorization"], "Bearer gw-token");
    assert_eq!(hit.headers["content-type"], "application/json");

    // Not yet confirmed: claiming, booking and rating are refused, and say why.
    let claim = json!({"code": "HS-NOPE", "secret": "ABCD-EFGH"});
    let booking =
        json!({"unit_code": "NOPE", "procedure_code": "NOPE", "start": "2026-12-02T09:00:00+07:00"});
    let rating = json!({"dossier_code": "HS-NOPE", "level": "satisfied"});
    let gated = async |expected: u16| {
        let claimed = app.post("/api/v1/me/dossiers/claim").bearer(&token).json(&claim).send().await;
        let booked = app
            .post("/api/v1/appointments")
            .bearer(&token)
            .header("idempotency-key", uuid::Uuid::now_v7().to_string())
            .json(&booking)
            .send()
            .await;
        let rated = app.post("/api/v1/ratings").bearer(&token).json(&rating).send().await;
        for reply in [claimed, booked, rated] {
            if expected == 403 {
                let problem = reply.assert_problem(403, "phone_not_verified");
                assert!(problem["detail"].as_str().unwrap().contains("/auth/phone/verify"));
            } else {
                // Past the gate: the made-up dossier and unit are not found.
                reply.assert_status(expected);
            }
        }
    };
    gated(403).await;

    let code = code(&gateway, 1).await;
    app.set_time("2026-12-01T09:04:59+07:00");
    let refused = verify(&app, &token, &wrong(&code)).await;
    assert!(refused.assert_problem(422, "otp_invalid")["detail"].as_str().unwrap().contains('4'));
    verify(&app, &token, &code).await.assert_status(204);

    let me = app.get("/api/v1/me").bearer(&token).send().await;
    assert_eq!(me.assert_status(200)["phone_verified"], true);
    gated(404).await;
    // Confirming again changes nothing; there is nothing to resend.
    verify(&app, &token, &code).await.assert_status(204);
    resend(&app, &token).await.assert_status(204);
    assert_eq!(gateway.hits().len(), 1);
    let events = security_events(&app, "phone.verify").await;
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn a_code_dies_at_five_minutes_exactly_and_a_new_one_replaces_it() {
    let (app, gateway) = app_with_gateway().await;
    let token = register(&app).await;
    let first = code(&gateway, 1).await;

    // The old code is replaced by the new one.
    app.set_time("2026-12-01T09:01:00+07:00");
    resend(&app, &token).await.assert_status(202);
    let second = code(&gateway, 2).await;
    if first != second {
        verify(&app, &token, &first).await.assert_problem(422, "otp_invalid");
    }
    app.set_time("2026-12-01T09:06:00+07:00");
    verify(&app, &token, &second).await.assert_problem(422, "otp_expired");

    resend(&app, &token).await.assert_status(202);
    let third = code(&gateway, 3).await;
    app.set_time("2026-12-01T09:10:59+07:00");
    verify(&app, &token, &third).await.assert_status(204);
}

#[tokio::test]
async fn the_fifth_wrong_try_kills_the_code() {
    let (app, gateway) = app_with_gateway().await;
    let token = register(&app).await;
    let code = code(&gateway, 1).await;

    for left in (0..5).rev() {
        let refused = verify(&app, &token, &wrong(&code)).await;
        let detail = refused.assert_problem(422, "otp_invalid")["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(&left.to_string()), "{detail}");
    }
    assert_eq!(failed_tries(&app, OtpPurpose::VerifyPhone).await, 5);
    verify(&app, &token, &code).await.assert_problem(422, "otp_expired");
    verify(&app, &token, &code).await.assert_problem(422, "otp_expired");
    assert_eq!(failed_tries(&app, OtpPurpose::VerifyPhone).await, 5, "a dead code counts no more tries");
}

#[tokio::test]
async fn a_new_code_waits_sixty_seconds_and_a_phone_gets_five_an_hour() {
    let (app, gateway) = app_with_gateway().await;
    let token = register(&app).await;

    app.set_time("2026-12-01T09:00:59+07:00");
    let early = resend(&app, &token).await;
    early.assert_problem(429, "otp_too_soon");
    assert_eq!(early.header("retry-after"), Some("1"));
    app.set_time("2026-12-01T09:01:00+07:00");
    resend(&app, &token).await.assert_status(202);
    code(&gateway, 2).await;

    // The refused resend counted too: 5 asked for in 5 minutes use the phone's hour up.
    for minute in 2..=4 {
        app.set_time(&format!("2026-12-01T09:0{minute}:00+07:00"));
        resend(&app, &token).await.assert_status(202);
    }
    app.set_time("2026-12-01T09:05:00+07:00");
    let limited = resend(&app, &token).await;
    limited.assert_problem(429, "quota_exceeded");
    assert!(limited.header("retry-after").is_some());
}

#[tokio::test]
async fn a_password_reset_by_code_signs_out_every_session() {
    let (app, gateway) = app_with_gateway().await;
    app.create_user(PHONE, "citizen", None).await;
    let phone_one = login(&app, PASSWORD).await.unwrap();
    let phone_two = login(&app, PASSWORD).await.unwrap();

    let asked = app.post("/api/v1/auth/password-reset").json(&json!({"phone": "+84 912 345 678"})).send();
    asked.await.assert_status(202);
    let text = sms(&gateway, 1).await["text"].as_str().unwrap().to_owned();
    assert!(text.contains("đặt lại mật khẩu"), "{text}");
    let code = code(&gateway, 1).await;

    let confirm = async |code: &str, password: &str| {
        let body = json!({"phone": PHONE, "code": code, "new_password": password});
        app.post("/api/v1/auth/password-reset/confirm").json(&body).send().await
    };
    confirm(&wrong(&code), NEW_PASSWORD).await.assert_problem(422, "otp_invalid");
    for weak in ["aaaaaaaaaa", "1234567890", "12345678"] {
        confirm(&code, weak).await.assert_problem(422, "validation_failed");
    }
    assert!(login(&app, PASSWORD).await.is_some(), "nothing changed yet");
    let still = login(&app, PASSWORD).await.unwrap();

    confirm(&code, NEW_PASSWORD).await.assert_status(204);

    for pair in [&phone_one, &phone_two, &still] {
        let me = app.get("/api/v1/me").bearer(pair["access_token"].as_str().unwrap()).send().await;
        me.assert_problem(401, "unauthenticated");
        let refresh = json!({"refresh_token": pair["refresh_token"]});
        app.post("/api/v1/auth/refresh").json(&refresh).send().await.assert_status(401);
    }
    assert!(login(&app, PASSWORD).await.is_none());
    assert!(login(&app, NEW_PASSWORD).await.is_some());
    // The code worked once.
    confirm(&code, "một mật khẩu mới khác hẳn").await.assert_problem(422, "otp_expired");
    assert_eq!(security_events(&app, "password.reset_request").await.len(), 1);
    let reset = security_events(&app, "password.reset").await;
    assert_eq!(reset.len(), 1);
}

#[tokio::test]
async fn a_reset_tells_nobody_which_phones_have_accounts() {
    let (app, gateway) = app_with_gateway().await;
    // A registered citizen whose phone is not confirmed gets only the registration code.
    register(&app).await;
    code(&gateway, 1).await;
    app.create_unit("UBND-X", None).await;
    app.create_user("0987654321", "officer", Some("UBND-X")).await;

    for phone in ["0911111111", PHONE, "0987654321"] {
        let asked = app.post("/api/v1/auth/password-reset").json(&json!({"phone": phone})).send().await;
        asked.assert_status(202);
        let body = json!({"phone": phone, "code": "123456", "new_password": NEW_PASSWORD});
        let confirmed = app.post("/api/v1/auth/password-reset/confirm").json(&body).send().await;
        confirmed.assert_problem(422, "otp_expired");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(gateway.hits().len(), 1, "no SMS but the registration's");
    let events = security_events(&app, "password.reset_request").await;
    assert_eq!(events.len(), 3);
}

#[tokio::test]
async fn the_gateway_is_tried_again_after_a_5xx_and_given_up_after_the_last_attempt() {
    use api::otp::SmsSender;
    let gateway = Receiver::start().await;
    let mut http = SmsHttpConfig::new(gateway.url("/send"));
    http.basic = Some(("motcua".to_owned(), "gw-pass".into()));
    http.body = "to={{phone}}&text={{message}}".to_owned();
    http.content_type = "text/plain; charset=utf-8".to_owned();
    http.backoff = Duration::from_millis(10);
    let sender = SmsSender::new(&SmsSenderConfig::Http(http));

    gateway.will_answer(500, Vec::new());
    sender.send(STORED, "Mã \"1\"").await.expect("the second attempt gets through");
    let hits = gateway.hits();
    assert_eq!(hits.len(), 2);
    assert_eq!(String::from_utf8(hits[1].body.clone()).unwrap(), "to=+84912345678&text=Mã \\\"1\\\"");
    // motcua:gw-pass
    assert_eq!(hits[1].headers["authorization"], "Basic bW90Y3VhOmd3LXBhc3M=");
    assert_eq!(hits[1].headers["content-type"], "text/plain; charset=utf-8");

    for _ in 0..3 {
        gateway.will_answer(503, Vec::new());
    }
    let failed = sender.send(STORED, "x").await.expect_err("3 attempts, all 503");
    assert!(failed.0.contains("3 attempts"), "{failed}");
    assert_eq!(gateway.hits().len(), 5);

    // A refusal is not tried again.
    gateway.will_answer(400, Vec::new());
    sender.send(STORED, "x").await.expect_err("400 is final");
    assert_eq!(gateway.hits().len(), 6);
}
