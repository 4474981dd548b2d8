//! Failed logins slow a guesser down without locking the owner out: step-up by SMS code per
//! phone, a steady wait per address, at exact instants. The codes are read from a local SMS
//! gateway, as the owner reads them on the phone.

use std::time::Duration;

use api::config::{SmsHttpConfig, SmsSenderConfig};
use serde_json::json;

use crate::{
    common::{PASSWORD, Reply, TestApp},
    phone::{code, sms},
    sessions::security_events,
    webhooks::Receiver,
};

const OFFICER: &str = "0912345678";
const COLLEAGUE: &str = "0912345679";
const WARD_OFFICE: &str = "203.113.152.7";
const STRANGER: &str = "198.51.100.66";

/// An app whose SMS go to a local gateway; 5 failures per phone and address, 8 per phone from
/// anywhere, 20 per address in 15 minutes.
async fn app_with_gateway() -> (TestApp, Receiver) {
    let gateway = Receiver::start().await;
    let url = gateway.url("/sms");
    let app = TestApp::spawn_with(|config| {
        let mut http = SmsHttpConfig::new(url);
        http.backoff = Duration::from_millis(10);
        config.sms.sender = SmsSenderConfig::Http(http);
        config.auth.login_max_per_phone_anywhere = 8;
    })
    .await;
    app.create_unit("HN-W1", None).await;
    app.create_user(OFFICER, "officer", Some("HN-W1")).await;
    app.create_user(COLLEAGUE, "officer", Some("HN-W1")).await;
    (app, gateway)
}

async fn login(app: &TestApp, from: &str, phone: &str, password: &str, otp: Option<&str>) -> Reply {
    let mut body = json!({"phone": phone, "password": password});
    if let Some(otp) = otp {
        body["otp"] = json!(otp);
    }
    app.post("/api/v1/auth/login").sent_from(from).header("user-agent", "test").json(&body).send().await
}

async fn fail(app: &TestApp, from: &str, phone: &str, times: usize) {
    for _ in 0..times {
        let reply = login(app, from, phone, "not the password", None).await;
        assert!([401, 429].contains(&reply.status.as_u16()), "{}", reply.text);
    }
}

#[tokio::test]
async fn a_stranger_guessing_an_officers_password_gets_no_lock_only_a_code_the_officer_has() {
    let (app, gateway) = app_with_gateway().await;
    fail(&app, STRANGER, OFFICER, 5).await;

    // From the stranger's address the phone now needs a code; a wrong password and the right
    // one get the same answer, and only the right one sends a code.
    login(&app, STRANGER, OFFICER, "still not it", None).await.assert_problem(401, "step_up_required");
    assert!(gateway.hits().is_empty(), "a wrong password sends nothing");
    let right = login(&app, STRANGER, OFFICER, PASSWORD, None).await;
    right.assert_problem(401, "step_up_required");
    assert_eq!(sms(&gateway, 1).await["to"], "+84912345678");

    // The officer at the ward office is not even asked: the failures were not from there.
    login(&app, WARD_OFFICE, OFFICER, PASSWORD, None).await.assert_status(200);

    // With the code from the phone, the login from the stranger's address goes through too
    // (it is the owner's phone that proves it).
    let code = code(&gateway, 1).await;
    login(&app, STRANGER, OFFICER, PASSWORD, Some("000000")).await.assert_problem(401, "step_up_required");
    login(&app, STRANGER, OFFICER, "wrong again", Some(&code)).await.assert_problem(401, "step_up_required");
    login(&app, STRANGER, OFFICER, PASSWORD, Some(&code)).await.assert_status(200);

    let step_ups = security_events(&app, "auth.step_up").await;
    assert_eq!(step_ups.len(), 1, "{step_ups:?}");
    assert_eq!(step_ups[0]["address"], STRANGER);
    assert_eq!(step_ups[0]["after_state"]["code_sent"], true);
    let failures = security_events(&app, "auth.login_failed").await;
    assert_eq!(failures.len(), 5 + 1 + 2, "{failures:?}");
    assert_eq!(failures.last().unwrap()["after_state"]["reason"], "credentials");
    assert_eq!(failures[failures.len() - 2]["after_state"]["reason"], "one_time_code");
}

#[tokio::test]
async fn failures_from_many_addresses_put_the_phone_under_step_up_everywhere_until_the_window_ends() {
    let (app, gateway) = app_with_gateway().await;
    for last in 1..=4 {
        fail(&app, &format!("198.51.100.{last}"), OFFICER, 2).await;
    }

    let reply = login(&app, WARD_OFFICE, OFFICER, PASSWORD, None).await;
    reply.assert_problem(401, "step_up_required");
    let code = code(&gateway, 1).await;
    login(&app, WARD_OFFICE, OFFICER, PASSWORD, Some(&code)).await.assert_status(200);

    // Asking again within a minute sends no second code, and says the same.
    login(&app, WARD_OFFICE, OFFICER, PASSWORD, None).await.assert_problem(401, "step_up_required");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(gateway.hits().len(), 1);

    // The failures count for the 15 minutes from the first.
    app.set_time("2026-12-01T09:14:59+07:00");
    login(&app, WARD_OFFICE, OFFICER, PASSWORD, None).await.assert_problem(401, "step_up_required");
    app.set_time("2026-12-01T09:15:00+07:00");
    login(&app, WARD_OFFICE, OFFICER, PASSWORD, None).await.assert_status(200);
}

#[tokio::test]
async fn a_guesser_behind_the_ward_offices_address_slows_its_colleagues_for_seconds_not_the_window() {
    let (app, _gateway) = app_with_gateway().await;
    // Twenty failures over many phones from the office's one public address.
    for n in 0..20 {
        let reply = login(&app, WARD_OFFICE, &format!("09870000{n:02}"), "guess guess", None).await;
        reply.assert_problem(401, "invalid_credentials");
    }

    let slowed = login(&app, WARD_OFFICE, COLLEAGUE, PASSWORD, None).await;
    slowed.assert_problem(429, "quota_exceeded");
    // The count drains steadily: 20 a 15 minutes is one every 45 s.
    assert_eq!(slowed.header("retry-after"), Some("45"));
    // Another address is not slowed at all.
    login(&app, STRANGER, OFFICER, PASSWORD, None).await.assert_status(200);

    app.set_time("2026-12-01T09:00:45+07:00");
    login(&app, WARD_OFFICE, COLLEAGUE, PASSWORD, None).await.assert_status(200);
    // A correct login took nothing: the next colleague gets in as well.
    login(&app, WARD_OFFICE, OFFICER, PASSWORD, None).await.assert_status(200);
}
