//! Sessions: the devices a user sees and signs out, and revocations that every server
//! process honours within `MOTCUA_REVOCATION_CACHE_SECS` (10 s here), at exact instants.

use serde_json::{Value, json};

use crate::common::{PASSWORD, TestApp};

const PHONE: &str = "0912345678";
const ANDROID: &str = "MotCua/2.3 (Android 14)";
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64)";

/// Logs in from this address with this user agent; the token pair.
async fn login_from(app: &TestApp, address: &str, agent: &str) -> Value {
    app.post("/api/v1/auth/login")
        .sent_from(address)
        .header("user-agent", agent)
        .json(&json!({"phone": PHONE, "password": PASSWORD}))
        .send()
        .await
        .assert_status(200)
        .clone()
}

fn access(pair: &Value) -> &str {
    pair["access_token"].as_str().unwrap()
}

async fn profile_status(app: &TestApp, pair: &Value) -> u16 {
    app.get("/api/v1/me").bearer(access(pair)).send().await.status.as_u16()
}

async fn refresh_status(app: &TestApp, pair: &Value) -> u16 {
    let reply =
        app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": pair["refresh_token"]})).send();
    reply.await.status.as_u16()
}

/// The audit entries of this action, oldest first, as an administrator reads them.
pub(crate) async fn security_events(app: &TestApp, action: &str) -> Vec<Value> {
    const ADMIN: &str = "0889000001";
    if api::accounts::store::user_by_phone(&app.db, "+84889000001").await.unwrap().is_none() {
        app.create_user(ADMIN, "admin", None).await;
    }
    let admin = app.token_of(ADMIN).await;
    let reply = app.get(&format!("/api/v1/admin/audit-log?action={action}")).bearer(&admin).send().await;
    let mut items = reply.assert_status(200)["items"].as_array().unwrap().clone();
    items.reverse();
    items
}

#[tokio::test]
async fn a_user_sees_each_signed_in_device_and_signs_one_out_at_once() {
    let app = TestApp::spawn().await;
    app.create_user(PHONE, "citizen", None).await;
    let phone = login_from(&app, "203.113.152.7", ANDROID).await;
    app.set_time("2026-12-01T09:05:00+07:00");
    let laptop = login_from(&app, "198.51.100.20", BROWSER).await;

    let list = app.get("/api/v1/me/sessions").bearer(access(&laptop)).send().await;
    let items = list.assert_status(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0]["current"], true);
    assert_eq!(items[0]["address"], "198.51.100.20");
    assert_eq!(items[0]["user_agent"], BROWSER);
    assert_eq!(items[0]["method"], "password");
    assert_eq!(items[0]["last_used_at"], "2026-12-01T02:05:00+00:00");
    assert_eq!(items[1]["current"], false);
    assert_eq!(items[1]["user_agent"], ANDROID);
    let phone_session = items[1]["id"].as_str().unwrap().to_owned();

    let end = app.delete(&format!("/api/v1/me/sessions/{phone_session}")).bearer(access(&laptop));
    end.send().await.assert_status(204);
    assert_eq!(profile_status(&app, &phone).await, 401, "the signed-out device's access token");
    assert_eq!(refresh_status(&app, &phone).await, 401, "and its refresh token");
    assert_eq!(profile_status(&app, &laptop).await, 200);
    let again = app.delete(&format!("/api/v1/me/sessions/{phone_session}")).bearer(access(&laptop));
    again.send().await.assert_problem(404, "not_found");

    let list = app.get("/api/v1/me/sessions").bearer(access(&laptop)).send().await;
    assert_eq!(list.assert_status(200)["items"].as_array().unwrap().len(), 1);
    let events = security_events(&app, "session.revoke").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["target_id"], phone_session.as_str());
    assert_eq!(events[0]["after_state"]["reason"], "signed_out");
    assert!(events[0]["actor_id"].is_string(), "the user who signed it out: {events:?}");
}

#[tokio::test]
async fn another_accounts_session_is_not_found() {
    let app = TestApp::spawn().await;
    app.create_user(PHONE, "citizen", None).await;
    let mine = login_from(&app, "203.113.152.7", ANDROID).await;
    let stranger = app.token_for("0987654321", "citizen", None).await;
    let list = app.get("/api/v1/me/sessions").bearer(access(&mine)).send().await;
    let id = list.assert_status(200)["items"][0]["id"].as_str().unwrap().to_owned();

    let reply = app.delete(&format!("/api/v1/me/sessions/{id}")).bearer(&stranger).send().await;
    reply.assert_problem(404, "not_found");
    assert_eq!(profile_status(&app, &mine).await, 200);
}

#[tokio::test]
async fn logout_bites_here_at_once_and_on_another_process_within_the_cache_time() {
    let app = TestApp::spawn().await;
    let other = app.second_process().await;
    app.create_user(PHONE, "citizen", None).await;
    let pair = login_from(&app, "203.113.152.7", ANDROID).await;
    // The other process has read the revocations (none yet) at 09:00:00.
    assert_eq!(profile_status(&other, &pair).await, 200);

    app.post("/api/v1/auth/logout")
        .bearer(access(&pair))
        .json(&json!({"refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .assert_status(204);

    assert_eq!(profile_status(&app, &pair).await, 401, "the process that logged out knows at once");
    app.set_time("2026-12-01T09:00:09+07:00");
    assert_eq!(profile_status(&other, &pair).await, 200, "the other answers from its copy for 10 s");
    app.set_time("2026-12-01T09:00:10+07:00");
    assert_eq!(profile_status(&other, &pair).await, 401, "then reads the revocations again");
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_session_everywhere_and_is_a_security_event() {
    let app = TestApp::spawn().await;
    let other = app.second_process().await;
    app.create_user(PHONE, "citizen", None).await;
    let stolen = login_from(&app, "203.113.152.7", ANDROID).await;
    let thief = app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": stolen["refresh_token"]}));
    let thief = thief.send().await.assert_status(200).clone();
    assert_eq!(profile_status(&other, &thief).await, 200);

    // The owner's app refreshes with the token the thief already spent.
    let replay = app
        .post("/api/v1/auth/refresh")
        .sent_from("203.113.152.7")
        .header("user-agent", ANDROID)
        .json(&json!({"refresh_token": stolen["refresh_token"]}))
        .send()
        .await;
    replay.assert_problem(401, "invalid_refresh_token");

    assert_eq!(profile_status(&app, &thief).await, 401);
    assert_eq!(refresh_status(&app, &thief).await, 401);
    app.set_time("2026-12-01T09:00:10+07:00");
    assert_eq!(profile_status(&other, &thief).await, 401);
    let events = security_events(&app, "auth.refresh_reuse").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["address"], "203.113.152.7");
    assert_eq!(events[0]["user_agent"], ANDROID);
    assert_eq!(events[0]["target_type"], "session");
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_on_every_process() {
    let app = TestApp::spawn().await;
    let other = app.second_process().await;
    app.create_user(PHONE, "citizen", None).await;
    let phone = login_from(&app, "203.113.152.7", ANDROID).await;
    let laptop = login_from(&app, "198.51.100.20", BROWSER).await;
    assert_eq!(profile_status(&other, &phone).await, 200);

    let change = app
        .post("/api/v1/me/password")
        .bearer(access(&laptop))
        .json(&json!({"current_password": PASSWORD, "new_password": "một mật khẩu mới dài"}))
        .send()
        .await;
    change.assert_status(204);

    assert_eq!(profile_status(&app, &phone).await, 401);
    assert_eq!(profile_status(&app, &laptop).await, 200, "the session that changed it goes on");
    app.set_time("2026-12-01T09:00:10+07:00");
    assert_eq!(profile_status(&other, &phone).await, 401);
    assert_eq!(profile_status(&other, &laptop).await, 200);
    assert_eq!(security_events(&app, "password.change").await.len(), 1);
}

#[tokio::test]
async fn a_deactivated_accounts_sessions_end_and_its_tokens_are_refused() {
    let app = TestApp::spawn().await;
    app.create_unit("HN-W1", None).await;
    let officer = app.create_user(PHONE, "officer", Some("HN-W1")).await;
    let pair = login_from(&app, "203.113.152.7", ANDROID).await;
    let admin = app.token_for("0889000002", "admin", None).await;

    let patch = app.patch(&format!("/api/v1/admin/users/{officer}")).bearer(&admin);
    patch.json(&json!({"active": false})).send().await.assert_status(200);

    assert_eq!(profile_status(&app, &pair).await, 401);
    assert_eq!(refresh_status(&app, &pair).await, 401);
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let sessions = entity::session::Entity::find()
        .filter(entity::session::Column::UserId.eq(officer))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].revoked_reason, Some(entity::values::SessionEnd::Deactivated));
}

#[tokio::test]
async fn logins_and_failures_are_security_events_with_address_and_agent() {
    let app = TestApp::spawn().await;
    let user = app.create_user(PHONE, "citizen", None).await;
    let wrong = app
        .post("/api/v1/auth/login")
        .sent_from("198.51.100.20")
        .header("user-agent", BROWSER)
        .json(&json!({"phone": PHONE, "password": "not the password"}))
        .send()
        .await;
    wrong.assert_problem(401, "invalid_credentials");
    login_from(&app, "203.113.152.7", ANDROID).await;

    let failures = security_events(&app, "auth.login_failed").await;
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0]["target_id"], user.to_string());
    assert_eq!(failures[0]["address"], "198.51.100.20");
    assert_eq!(failures[0]["user_agent"], BROWSER);
    let logins = security_events(&app, "auth.login").await;
    // The administrator who reads the log logged in too.
    let mine: Vec<_> = logins.iter().filter(|e| e["target_id"] == user.to_string()).collect();
    assert_eq!(mine.len(), 1, "{logins:?}");
    assert_eq!(mine[0]["address"], "203.113.152.7");
    assert_eq!(mine[0]["user_agent"], ANDROID);
    assert_eq!(mine[0]["after_state"]["method"], "password");
}

#[tokio::test]
async fn the_session_making_the_request_ends_by_logout_not_by_signing_out() {
    let app = TestApp::spawn().await;
    app.create_user(PHONE, "citizen", None).await;
    let pair = login_from(&app, "203.113.152.7", ANDROID).await;
    let list = app.get("/api/v1/me/sessions").bearer(access(&pair)).send().await;
    let id = list.assert_status(200)["items"][0]["id"].as_str().unwrap().to_owned();

    let reply = app.delete(&format!("/api/v1/me/sessions/{id}")).bearer(access(&pair)).send().await;
    reply.assert_problem(409, "session_is_current");
    assert_eq!(profile_status(&app, &pair).await, 200);

    // A refresh token that is not the caller's own ends nothing.
    let stranger = app.token_for("0987654321", "citizen", None).await;
    let logout = app.post("/api/v1/auth/logout").bearer(&stranger);
    logout.json(&json!({"refresh_token": pair["refresh_token"]})).send().await.assert_status(204);
    assert_eq!(profile_status(&app, &pair).await, 200);
    assert_eq!(refresh_status(&app, &pair).await, 200);
}
