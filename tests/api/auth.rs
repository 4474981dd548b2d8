//! Registration, login, lockout, token rotation and rejection of bad tokens.

use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::common::{PASSWORD, TestApp};

async fn register(app: &TestApp, phone: &str) -> crate::common::Reply {
    app.post("/api/v1/auth/register")
        .json(&json!({"phone": phone, "password": PASSWORD, "full_name": "  Nguyễn  Văn An "}))
        .send()
        .await
}

#[tokio::test]
async fn citizens_register_with_any_accepted_phone_form_stored_as_plus_84() {
    let app = TestApp::spawn().await;
    for (input, stored) in [
        ("0912 345 678", "+84912345678"),
        ("+84387654321", "+84387654321"),
        ("84.981.234.567", "+84981234567"),
    ] {
        let reply = register(&app, input).await;
        let body = reply.assert_status(201);
        assert_eq!(body["phone"], stored);
        assert_eq!(body["full_name"], "Nguyễn Văn An");
        assert_eq!(body["role"], "citizen");
        assert!(body.get("password_hash").is_none());
    }
    let stored = api::accounts::store::user_by_phone(&app.db, "+84912345678").await.unwrap().unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}

#[tokio::test]
async fn registration_refuses_bad_numbers_names_and_passwords_naming_each_field() {
    let app = TestApp::spawn().await;

    let reply = app
        .post("/api/v1/auth/register")
        .json(&json!({"phone": "0212345678", "password": "1234567890", "full_name": ""}))
        .send()
        .await;

    let body = reply.assert_problem(422, "validation_failed");
    let fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    // The fields that break their schema, all at once; the common password is a rule of its own.
    assert_eq!(fields, ["phone", "full_name"]);
    let common = app
        .post("/api/v1/auth/register")
        .json(&json!({"phone": "0912345678", "password": "1234567890", "full_name": "An"}))
        .send()
        .await;
    assert_eq!(common.assert_problem(422, "validation_failed")["errors"][0]["field"], "password");
    let too_long = app
        .post("/api/v1/auth/register")
        .english()
        .json(&json!({"phone": "0912345678", "password": "x".repeat(129), "full_name": "An"}))
        .send()
        .await;
    let body = too_long.assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["message"], "Must be a string of 10–128 characters.");
    let short = app
        .post("/api/v1/auth/register")
        .json(&json!({"phone": "0912345678", "password": "short", "full_name": "An"}))
        .send()
        .await;
    short.assert_problem(422, "validation_failed");
    assert!(api::accounts::store::user_by_phone(&app.db, "+84912345678").await.unwrap().is_none());
}

#[tokio::test]
async fn a_phone_registers_once() {
    let app = TestApp::spawn().await;
    register(&app, "0912345678").await.assert_status(201);

    register(&app, "+84 912 345 678").await.assert_problem(409, "phone_taken");
}

#[tokio::test]
async fn malformed_json_and_wrong_content_type_are_problems() {
    let app = TestApp::spawn().await;

    let malformed = app.post("/api/v1/auth/register").raw("application/json", "{\"phone\": ").send().await;
    let missing = app.post("/api/v1/auth/register").json(&json!({"phone": "0912345678"})).send().await;
    let wrong_type = app.post("/api/v1/auth/register").raw("text/plain", "hello").send().await;

    malformed.assert_problem(400, "malformed_request");
    missing.assert_problem(400, "malformed_request");
    wrong_type.assert_problem(415, "unsupported_media_type");
}

#[tokio::test]
async fn login_gives_tokens_that_open_the_profile() {
    let app = TestApp::spawn().await;
    register(&app, "0912345678").await;

    let tokens = app.login("0912.345.678", PASSWORD).await;

    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let me = app.get("/api/v1/me").bearer(tokens["access_token"].as_str().unwrap()).send().await;
    assert_eq!(me.assert_status(200)["phone"], "+84912345678");
}

#[tokio::test]
async fn wrong_password_and_unknown_phone_get_the_same_401() {
    let app = TestApp::spawn().await;
    register(&app, "0912345678").await;

    let wrong = app
        .post("/api/v1/auth/login")
        .json(&json!({"phone": "0912345678", "password": "not the password"}))
        .send()
        .await;
    let unknown = app
        .post("/api/v1/auth/login")
        .json(&json!({"phone": "0987654321", "password": PASSWORD}))
        .send()
        .await;

    wrong.assert_problem(401, "invalid_credentials");
    unknown.assert_problem(401, "invalid_credentials");
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
}

#[tokio::test]
async fn refresh_rotates_and_a_replayed_token_revokes_the_session() {
    let app = TestApp::spawn().await;
    register(&app, "0912345678").await;
    let first = app.login("0912345678", PASSWORD).await;

    let second =
        app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": first["refresh_token"]})).send().await;
    let second: Value = second.assert_status(200).clone();
    assert_ne!(second["refresh_token"], first["refresh_token"]);

    let replay =
        app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": first["refresh_token"]})).send().await;
    replay.assert_problem(401, "invalid_refresh_token");
    let after_theft = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": second["refresh_token"]}))
        .send()
        .await;
    after_theft.assert_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let app = TestApp::spawn().await;
    register(&app, "0912345678").await;
    let tokens = app.login("0912345678", PASSWORD).await;
    let access = tokens["access_token"].as_str().unwrap();

    app.post("/api/v1/auth/logout")
        .bearer(access)
        .json(&json!({"refresh_token": tokens["refresh_token"]}))
        .send()
        .await
        .assert_status(204);

    let reply = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": tokens["refresh_token"]}))
        .send()
        .await;
    reply.assert_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn changing_the_password_revokes_the_other_sessions_only() {
    let app = TestApp::spawn().await;
    register(&app, "0912345678").await;
    let phone_session = app.login("0912345678", PASSWORD).await;
    let laptop_session = app.login("0912345678", PASSWORD).await;

    let change = app
        .post("/api/v1/me/password")
        .bearer(laptop_session["access_token"].as_str().unwrap())
        .json(&json!({"current_password": PASSWORD, "new_password": "một mật khẩu mới dài"}))
        .send()
        .await;

    change.assert_status(204);
    let refresh = |token: &Value| {
        app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": token["refresh_token"]})).send()
    };
    refresh(&phone_session).await.assert_problem(401, "invalid_refresh_token");
    refresh(&laptop_session).await.assert_status(200);
    app.login("0912345678", "một mật khẩu mới dài").await;
}

#[tokio::test]
async fn missing_bad_expired_and_unsigned_tokens_get_401_with_a_challenge() {
    let app = TestApp::spawn().await;
    let user = app.create_user("0912345678", "citizen", None).await;
    let keys = &app.state.keys.tokens;
    let expired = api::auth::tokens::claims_for(
        user,
        api::auth::Role::Citizen,
        None,
        uuid::Uuid::new_v4(),
        app.now() - chrono::Duration::hours(2),
        std::time::Duration::from_secs(900),
    );
    let expired = keys.sign(&expired).unwrap();
    let unsigned = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let now = app.now().timestamp();
        format!(
            "{}.{}.",
            engine.encode(r#"{"alg":"none","typ":"JWT"}"#),
            engine.encode(format!(r#"{{"sub":"{user}","role":"admin","iat":{now},"exp":{}}}"#, now + 600))
        )
    };

    for token in [None, Some("garbage"), Some(expired.as_str()), Some(unsigned.as_str())] {
        let mut call = app.get("/api/v1/me");
        if let Some(token) = token {
            call = call.bearer(token);
        }
        let reply = call.send().await;
        reply.assert_problem(401, "unauthenticated");
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    }
}

#[tokio::test]
async fn a_deactivated_account_is_locked_out_at_once() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
    let app = TestApp::spawn().await;
    let token = app.token_for("0912345678", "citizen", None).await;
    let user = api::accounts::store::user_by_phone(&app.db, "+84912345678").await.unwrap().unwrap();
    let mut user = user.into_active_model();
    user.active = Set(false);
    user.update(&app.db).await.unwrap();

    app.get("/api/v1/me").bearer(&token).send().await.assert_problem(401, "unauthenticated");
    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"phone": "0912345678", "password": PASSWORD}))
        .send()
        .await;
    login.assert_problem(401, "invalid_credentials");
}

#[tokio::test]
async fn a_profile_name_can_be_changed_and_is_validated() {
    let app = TestApp::spawn().await;
    let token = app.token_for("0912345678", "citizen", None).await;

    let ok = app.patch("/api/v1/me").bearer(&token).json(&json!({"full_name": "Lê Thị Hồng"})).send().await;
    let bad = app.patch("/api/v1/me").bearer(&token).json(&json!({"full_name": "<script>"})).send().await;

    assert_eq!(ok.assert_status(200)["full_name"], "Lê Thị Hồng");
    bad.assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_hash_with_older_parameters_is_upgraded_at_the_next_login() {
    use argon2::{Algorithm, Argon2, Params, Version, password_hash::PasswordHasher};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
    let app = TestApp::spawn().await;
    app.create_user("0912345678", "citizen", None).await;
    let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(4096, 1, 1, None).unwrap());
    let old_hash = weak.hash_password(PASSWORD.as_bytes()).unwrap().to_string();
    let user = api::accounts::store::user_by_phone(&app.db, "+84912345678").await.unwrap().unwrap();
    let mut user = user.into_active_model();
    user.password_hash = Set(old_hash.clone());
    user.update(&app.db).await.unwrap();

    app.login("0912345678", PASSWORD).await;

    let stored = api::accounts::store::user_by_phone(&app.db, "+84912345678").await.unwrap().unwrap();
    assert_ne!(stored.password_hash, old_hash);
    assert!(stored.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}

#[tokio::test]
async fn concurrent_registrations_of_one_phone_make_one_account_and_say_phone_taken_to_the_rest() {
    let app = TestApp::spawn().await;

    // All pass the check for an existing account while the passwords hash; the unique
    // constraint on the phone decides, and its name says which problem that is.
    let replies = futures_util::future::join_all((0..4).map(|_| register(&app, "0912345678"))).await;

    let created = replies.iter().filter(|r| r.status.as_u16() == 201).count();
    for reply in replies.iter().filter(|r| r.status.as_u16() != 201) {
        reply.assert_problem(409, "phone_taken");
    }
    assert_eq!(created, 1);
    let accounts = entity::user::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(accounts.len(), 1);
}

#[tokio::test]
async fn a_new_password_sent_with_a_login_is_checked_even_when_none_is_needed() {
    let app = TestApp::spawn().await;
    app.create_user("0912345678", "citizen", None).await;
    let body = json!({"phone": "0912345678", "password": PASSWORD, "new_password": "aaaaaaaaaa"});
    let reply = app.post("/api/v1/auth/login").json(&body).send().await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "new_password");
}
