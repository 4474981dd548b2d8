//! Single sign-on with OpenID Connect, against a provider the test starts: staff linked by an
//! administrator's subject or by phone, citizens linked or created by their verified phone,
//! and every refusal: a bad signature, a wrong audience, an expired token (at the app's
//! clock), a reused, unknown or expired state, a code without its PKCE verifier, no account.
//! Keys rotated by the provider are fetched again once.

use api::config::OidcProvider;
use entity::{audit_log, user, values::AuditAction};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::{
    common::{Reply, TestApp},
    oidc_provider::{CLIENT_ID, Key, Provider, sign},
};

const ADMIN: &str = "0889000001";
const OFFICER: &str = "0912000001";

/// Settings for the test's provider at `issuer` (plain http).
pub(crate) fn oidc_settings(issuer: String) -> OidcProvider {
    let mut sso = OidcProvider::new(issuer, CLIENT_ID);
    sso.allow_http = true;
    sso
}

async fn app_for(provider: &Provider) -> TestApp {
    let issuer = provider.issuer.clone();
    TestApp::spawn_with(move |config| config.oidc.provider = Some(oidc_settings(issuer))).await
}

/// A login begun at the app: what the authorize URL told the provider.
pub(crate) struct Login {
    pub state: String,
    pub nonce: String,
    pub challenge: String,
}

pub(crate) async fn begin(app: &TestApp, provider: &Provider) -> Login {
    let reply = app.get("/api/v1/auth/oidc/login").send().await;
    let location = reply.assert_status(200)["authorization_url"].as_str().expect("a URL").to_owned();
    let query = location.strip_prefix(&format!("{}/authorize?", provider.issuer)).expect("the provider's");
    let param = |name: &str| {
        query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')).unwrap_or("").to_owned()
    };
    assert_eq!(param("client_id"), CLIENT_ID);
    assert_eq!(param("response_type"), "code");
    assert_eq!(param("code_challenge_method"), "S256");
    assert!(param("scope").contains("phone"), "{location}");
    Login { state: param("state"), nonce: param("nonce"), challenge: param("code_challenge") }
}

async fn callback(app: &TestApp, code: &str, state: &str) -> Reply {
    app.get(&format!("/api/v1/auth/oidc/callback?code={code}&state={state}")).send().await
}

/// A whole sign-in as `subject` with these claims besides the usual ones, the token signed
/// with `key` under the name `kid`.
async fn attempt(
    app: &TestApp,
    provider: &Provider,
    subject: &str,
    extra: Value,
    key: Key,
    kid: Key,
) -> Reply {
    let login = begin(app, provider).await;
    let mut claims = provider.claims(subject, &login.nonce, app.now());
    for (name, value) in extra.as_object().unwrap() {
        claims[name] = value.clone();
    }
    provider.grant("the-code", &login.challenge, sign(&claims, key, kid));
    callback(app, "the-code", &login.state).await
}

async fn sign_in(app: &TestApp, provider: &Provider, subject: &str, extra: Value) -> Reply {
    attempt(app, provider, subject, extra, Key::One, Key::One).await
}

fn verified_phone(phone: &str) -> Value {
    json!({ "phone_number": phone, "phone_number_verified": true })
}

/// Whose tokens these are, as `GET /me` says.
async fn me(app: &TestApp, reply: &Reply) -> Value {
    let token = reply.assert_status(200)["access_token"].as_str().expect("an access token");
    app.get("/api/v1/me").bearer(token).send().await.assert_status(200).clone()
}

async fn account(app: &TestApp, phone: &str) -> user::Model {
    api::accounts::store::user_by_phone(&app.db, phone).await.unwrap().expect("the account")
}

/// The reasons of the failed single sign-ons recorded, oldest first.
async fn failures(app: &TestApp) -> Vec<String> {
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(AuditAction::AuthLoginFailed))
        .order_by_asc(audit_log::Column::At)
        .all(&app.db)
        .await
        .unwrap();
    rows.iter()
        .map(|row| serde_json::from_str::<Value>(row.after_state.as_deref().unwrap()).unwrap())
        .inspect(|detail| assert_eq!(detail["method"], "oidc"))
        .map(|detail| detail["reason"].as_str().unwrap().to_owned())
        .collect()
}

async fn link_subject(app: &TestApp, admin: &str, id: uuid::Uuid, subject: Value) -> Reply {
    app.patch(&format!("/api/v1/admin/users/{id}"))
        .bearer(admin)
        .json(&json!({ "oidc_subject": subject }))
        .send()
        .await
}

#[tokio::test]
async fn staff_sign_in_by_the_subject_an_administrator_set() {
    let provider = Provider::start().await;
    let app = app_for(&provider).await;
    app.create_unit("UBND-HK", None).await;
    let officer = app.create_user(OFFICER, "officer", Some("UBND-HK")).await;
    let admin = app.token_for(ADMIN, "admin", None).await;
    let view = link_subject(&app, &admin, officer, json!("cccd-001")).await;
    assert_eq!(view.assert_status(200)["oidc_subject"], "cccd-001");

    // The app's clock is days behind the real one: the token counts as valid at the app's.
    let reply = sign_in(&app, &provider, "cccd-001", json!({})).await;
    assert_eq!(me(&app, &reply).await["id"], officer.to_string());
    let session = entity::session::Entity::find()
        .filter(entity::session::Column::UserId.eq(officer))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the officer's session");
    assert_eq!(session.method, entity::values::SignInMethod::Oidc);

    // Unlinked (a blank subject), the subject finds no account.
    link_subject(&app, &admin, officer, json!("")).await.assert_status(200);
    assert_eq!(account(&app, "+84912000001").await.oidc_subject, None);
    sign_in(&app, &provider, "cccd-001", json!({})).await.assert_problem(403, "oidc_no_account");
    assert_eq!(failures(&app).await, ["no_account"]);
}

#[tokio::test]
async fn a_subject_is_linked_to_one_account_and_only_by_administrators() {
    let provider = Provider::start().await;
    let app = app_for(&provider).await;
    app.create_unit("UBND-HK", None).await;
    let officer = app.create_user(OFFICER, "officer", Some("UBND-HK")).await;
    let other = app.create_user("0912000002", "officer", Some("UBND-HK")).await;
    let admin = app.token_for(ADMIN, "admin", None).await;
    link_subject(&app, &admin, officer, json!("cccd-001")).await.assert_status(200);
    link_subject(&app, &admin, other, json!("cccd-001")).await.assert_problem(409, "oidc_subject_taken");
    link_subject(&app, &admin, officer, Value::Null).await.assert_status(200);
    assert_eq!(account(&app, "+84912000001").await.oidc_subject, None);

    let supervisor = app.token_for("0912000009", "supervisor", Some("UBND-HK")).await;
    link_subject(&app, &supervisor, other, json!("cccd-002")).await.assert_problem(403, "forbidden");
    assert_eq!(account(&app, "+84912000002").await.oidc_subject, None);
}

#[tokio::test]
async fn staff_sign_in_by_the_verified_phone_and_are_linked() {
    let provider = Provider::start().await;
    let app = app_for(&provider).await;
    app.create_unit("UBND-HK", None).await;
    let officer = app.create_user(OFFICER, "officer", Some("UBND-HK")).await;

    // A phone the provider does not vouch for finds nothing.
    let unverified = json!({ "phone_number": "0912000001", "phone_number_verified": false });
    sign_in(&app, &provider, "sso-77", unverified).await.assert_problem(403, "oidc_no_account");

    let reply = sign_in(&app, &provider, "sso-77", verified_phone("+84 912 000 001")).await;
    assert_eq!(me(&app, &reply).await["id"], officer.to_string());
    assert_eq!(account(&app, "+84912000001").await.oidc_subject.as_deref(), Some("sso-77"));
    // Linked, the account answers to its subject alone; another subject with its phone does not.
    assert_eq!(
        me(&app, &sign_in(&app, &provider, "sso-77", json!({})).await).await["id"],
        officer.to_string()
    );
    sign_in(&app, &provider, "sso-78", verified_phone("0912000001"))
        .await
        .assert_problem(403, "oidc_no_account");
    assert_eq!(failures(&app).await, ["no_account", "no_account"]);
}

#[tokio::test]
async fn a_citizen_is_linked_or_made_by_the_verified_phone_on_first_login() {
    let provider = Provider::start().await;
    let app = app_for(&provider).await;
    // Registered, the phone not yet confirmed by code: the provider's word confirms it.
    let registered =
        json!({"phone": "0987000001", "full_name": "Lê Văn Cường", "password": "mật khẩu dài đủ"});
    app.post("/api/v1/auth/register").json(&registered).send().await.assert_status(201);
    let squatter = app.login("0987000001", "mật khẩu dài đủ").await;
    let reply = sign_in(&app, &provider, "vneid-1", verified_phone("0987000001")).await;
    let profile = me(&app, &reply).await;
    assert_eq!(
        (profile["phone"].as_str(), profile["phone_verified"].as_bool()),
        (Some("+84987000001"), Some(true))
    );
    assert_eq!(account(&app, "+84987000001").await.oidc_subject.as_deref(), Some("vneid-1"));
    // Whoever registered it without proving the phone loses the password and the session.
    let login = json!({"phone": "0987000001", "password": "mật khẩu dài đủ"});
    app.post("/api/v1/auth/login").json(&login).send().await.assert_problem(401, "invalid_credentials");
    let refresh = json!({"refresh_token": squatter["refresh_token"]});
    app.post("/api/v1/auth/refresh").json(&refresh).send().await.assert_problem(401, "invalid_refresh_token");
    app.set_time("2026-12-01T09:00:10+07:00");
    let squatters = app.get("/api/v1/me").bearer(squatter["access_token"].as_str().unwrap()).send().await;
    squatters.assert_problem(401, "unauthenticated");

    // No account on the phone: a citizen account is made, with the provider's name.
    let mut claims = verified_phone("0987000002");
    claims["name"] = json!("Phạm Thị Dung");
    let profile = me(&app, &sign_in(&app, &provider, "vneid-2", claims).await).await;
    assert_eq!(profile["role"], "citizen");
    assert_eq!(profile["full_name"], "Phạm Thị Dung");
    assert_eq!(profile["phone_verified"], true);
    let made = account(&app, "+84987000002").await;
    assert_eq!((made.oidc_subject.as_deref(), made.phone_verified_at), (Some("vneid-2"), Some(app.now())));
    // It has no password to log in with.
    let login = json!({"phone": "0987000002", "password": "!"});
    app.post("/api/v1/auth/login").json(&login).send().await.assert_problem(401, "invalid_credentials");
    // The next login finds it by the subject.
    assert_eq!(me(&app, &sign_in(&app, &provider, "vneid-2", json!({})).await).await["id"], profile["id"]);
}

#[tokio::test]
async fn tokens_that_fail_a_check_are_refused() {
    let provider = Provider::start().await;
    let app = app_for(&provider).await;
    app.create_user("0987000001", "citizen", None).await;
    let phone = verified_phone("0987000001");

    // Signed with a key other than the one it names.
    attempt(&app, &provider, "vneid-1", phone.clone(), Key::Two, Key::One)
        .await
        .assert_problem(401, "oidc_token_invalid");
    let mut wrong_audience = phone.clone();
    wrong_audience["aud"] = json!("another-app");
    sign_in(&app, &provider, "vneid-1", wrong_audience).await.assert_problem(401, "oidc_token_invalid");
    // Expired a second ago by the app's clock (long expired by the real one, as every token
    // of these tests is, so it is the app's clock the check reads).
    let mut expired = phone.clone();
    expired["exp"] = json!(app.now().timestamp() - 1);
    sign_in(&app, &provider, "vneid-1", expired).await.assert_problem(401, "oidc_token_invalid");
    let mut other_nonce = phone.clone();
    other_nonce["nonce"] = json!("not-this-login");
    sign_in(&app, &provider, "vneid-1", other_nonce).await.assert_problem(401, "oidc_token_invalid");
    assert_eq!(failures(&app).await, ["bad_signature", "wrong_audience", "expired", "nonce_mismatch"]);
    assert_eq!(account(&app, "+84987000001").await.oidc_subject, None, "nothing linked");
    assert_eq!(entity::session::Entity::find().all(&app.db).await.unwrap().len(), 0);

    // The same claims, well signed and in time, sign in.
    sign_in(&app, &provider, "vneid-1", phone).await.assert_status(200);
}

#[tokio::test]
async fn a_state_is_good_once_for_ten_minutes() {
    let provider = Provider::start().await;
    let app = app_for(&provider).await;
    app.create_user("0987000001", "citizen", None).await;
    let login = begin(&app, &provider).await;
    let claims = |nonce: &str| {
        let mut claims = provider.claims("vneid-1", nonce, app.now());
        claims["phone_number"] = json!("0987000001");
        claims["phone_number_verified"] = json!(true);
        sign(&claims, Key::One, Key::One)
    };
    provider.grant("code-1", &login.challenge, claims(&login.nonce));
    callback(&app, "code-1", &login.state).await.assert_status(200);
    provider.grant("code-2", &login.challenge, claims(&login.nonce));
    callback(&app, "code-2", &login.state).await.assert_problem(401, "oidc_state_invalid");
    callback(&app, "code-2", "never-issued").await.assert_problem(401, "oidc_state_invalid");

    let late = begin(&app, &provider).await;
    provider.grant("code-3", &late.challenge, claims(&late.nonce));
    app.set_time("2026-12-01T09:10:00+07:00");
    callback(&app, "code-3", &late.state).await.assert_problem(401, "oidc_state_invalid");
    assert_eq!(failures(&app).await, ["state_invalid"; 3]);
}

#[tokio::test]
async fn the_code_is_exchanged_with_the_logins_pkce_verifier() {
    let provider = Provider::start().await;
    let app = app_for(&provider).await;
    app.create_user("0987000001", "citizen", None).await;
    let first = begin(&app, &provider).await;
    let second = begin(&app, &provider).await;
    let mut claims = provider.claims("vneid-1", &second.nonce, app.now());
    claims["phone_number"] = json!("0987000001");
    claims["phone_number_verified"] = json!(true);
    // The code was issued for the first login's challenge: the second's verifier fails it.
    provider.grant("code-1", &first.challenge, sign(&claims, Key::One, Key::One));
    callback(&app, "code-1", &second.state).await.assert_problem(401, "oidc_token_invalid");
    assert_eq!(failures(&app).await, ["code_rejected:invalid_grant"]);
}

#[tokio::test]
async fn rotated_keys_are_fetched_again_once() {
    let provider = Provider::start().await;
    let app = app_for(&provider).await;
    app.create_user("0987000001", "citizen", None).await;
    let phone = verified_phone("0987000001");
    sign_in(&app, &provider, "vneid-1", phone.clone()).await.assert_status(200);
    sign_in(&app, &provider, "vneid-1", phone.clone()).await.assert_status(200);
    assert_eq!(provider.jwks_fetches(), 1, "the keys are kept");

    provider.rotate_to(Key::Two);
    attempt(&app, &provider, "vneid-1", phone.clone(), Key::Two, Key::Two).await.assert_status(200);
    assert_eq!(provider.jwks_fetches(), 2);
    attempt(&app, &provider, "vneid-1", phone.clone(), Key::Two, Key::Two).await.assert_status(200);
    assert_eq!(provider.jwks_fetches(), 2);
    // A key the provider no longer publishes: one fetch more, and still refused.
    sign_in(&app, &provider, "vneid-1", phone).await.assert_problem(401, "oidc_token_invalid");
    assert_eq!(provider.jwks_fetches(), 3);
}

#[tokio::test]
async fn a_deactivated_account_is_refused_as_at_login() {
    let provider = Provider::start().await;
    let app = app_for(&provider).await;
    app.create_unit("UBND-HK", None).await;
    let officer = app.create_user(OFFICER, "officer", Some("UBND-HK")).await;
    let admin = app.token_for(ADMIN, "admin", None).await;
    let changes = json!({ "oidc_subject": "cccd-001", "active": false });
    app.patch(&format!("/api/v1/admin/users/{officer}"))
        .bearer(&admin)
        .json(&changes)
        .send()
        .await
        .assert_status(200);
    sign_in(&app, &provider, "cccd-001", json!({})).await.assert_problem(401, "invalid_credentials");
    assert_eq!(failures(&app).await, ["inactive"]);
}

#[tokio::test]
async fn without_a_provider_single_sign_on_is_off() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/auth/oidc/login").send().await.assert_problem(404, "oidc_disabled");
    callback(&app, "a-code", "a-state").await.assert_problem(404, "oidc_disabled");
}
