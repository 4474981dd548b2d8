//! A person's own data: the export of everything held, the erasure of an account leaving the
//! units' records whole, `no-store` on personal answers, and staff temporary passwords.

use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    appointments::{CITIZEN_PHONE, book},
    common::{PASSWORD, TestApp},
    dossiers::{WARD, take_in_for, transition},
    queue::queue_desk,
};

async fn audit_rows(app: &TestApp, action: &str) -> Vec<entity::audit_log::Model> {
    let action = entity::values::AuditAction::try_from_value(&action.to_owned()).unwrap();
    let rows = entity::audit_log::Entity::find().filter(entity::audit_log::Column::Action.eq(action));
    rows.all(&app.db).await.unwrap()
}

async fn id_of(app: &TestApp, token: &str) -> uuid::Uuid {
    app.get("/api/v1/me").bearer(token).send().await.assert_status(200)["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A citizen with some history at the ward: a dossier claimed, processed (a letter of
/// congratulation), returned and rated, an appointment booked, and notices in the inbox. The
/// dossier's code.
async fn history(app: &TestApp, officer: &str, citizen: &str) -> String {
    let receipt = take_in_for(app, officer, CITIZEN_PHONE).await;
    let code = receipt["code"].as_str().unwrap().to_owned();
    let claim = json!({"code": code, "secret": receipt["lookup_secret"]});
    app.post("/api/v1/me/dossiers/claim").bearer(citizen).json(&claim).send().await.assert_status(200);
    for (version, to) in [("\"1\"", "in_progress"), ("\"2\"", "processed"), ("\"3\"", "returned")] {
        transition(app, officer, &code, version, to).await.assert_status(200);
    }
    let rating = json!({"dossier_code": code, "level": "satisfied", "comment": "Nhanh gọn."});
    app.post("/api/v1/ratings").bearer(citizen).json(&rating).send().await.assert_status(201);
    book(app, citizen, "2026-12-03T08:15:00+07:00", "history").await.assert_status(201);
    code
}

#[tokio::test]
async fn the_export_holds_everything_about_the_caller_and_is_recorded() {
    let (app, officer, citizen, _) = queue_desk().await;
    let code = history(&app, &officer, &citizen).await;
    let citizen_id = id_of(&app, &citizen).await;
    let device = json!({"platform": "android", "token": "fcm-token-of-the-citizens-phone"});
    app.post("/api/v1/me/devices").bearer(&citizen).json(&device).send().await.assert_status(201);

    let export =
        app.get("/api/v1/me/export").bearer(&citizen).header("user-agent", "MotCua/2.3").send().await;
    assert_eq!(export.header("cache-control"), Some("no-store"));
    let body = export.assert_status(200);
    assert_eq!(body["profile"]["phone"], "+84912000001");
    assert_eq!(body["exported_at"], "2026-12-01T02:00:00+00:00");
    assert!(!body["sessions"].as_array().unwrap().is_empty());
    assert_eq!(body["devices"][0]["platform"], "android");
    assert!(!export.text.contains("fcm-token-of-the-citizens-phone"), "a device's token is not shown again");
    assert_eq!(body["dossiers"][0]["code"], code.as_str());
    assert_eq!(body["dossiers"][0]["applicant_name"], "Nguyễn Văn An");
    assert_eq!(body["ratings"][0]["level"], "satisfied");
    assert_eq!(body["ratings"][0]["comment"], "Nhanh gọn.");
    assert_eq!(body["appointments"][0]["status"], "booked");
    assert_eq!(body["letters"][0]["kind"], "congratulation");
    assert!(!body["notifications"].as_array().unwrap().is_empty());
    let actions: Vec<&str> =
        body["audit_entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"auth.login") && actions.contains(&"dossier.claim"), "{actions:?}");

    let recorded = audit_rows(&app, "account.export").await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        (recorded[0].actor_id, recorded[0].user_agent.as_deref()),
        (Some(citizen_id), Some("MotCua/2.3"))
    );
    // An officer's export holds their own account, not the citizens they served.
    let theirs = app.get("/api/v1/me/export").bearer(&officer).send().await;
    assert_eq!(theirs.assert_status(200)["dossiers"], json!([]));
}

#[tokio::test]
async fn erasure_anonymises_the_account_and_leaves_the_units_records_whole() {
    let (app, officer, citizen, _) = queue_desk().await;
    let code = history(&app, &officer, &citizen).await;
    let citizen_id = id_of(&app, &citizen).await;
    let refresh = app.login(CITIZEN_PHONE, PASSWORD).await;

    let wrong =
        app.delete("/api/v1/me").bearer(&citizen).json(&json!({"password": "not the password"})).send();
    wrong.await.assert_problem(422, "validation_failed");
    let staff = app.delete("/api/v1/me").bearer(&officer).json(&json!({"password": PASSWORD})).send().await;
    staff.assert_problem(403, "staff_account");
    app.get("/api/v1/me").bearer(&citizen).send().await.assert_status(200);

    let erased = app.delete("/api/v1/me").bearer(&citizen).json(&json!({"password": PASSWORD})).send().await;
    erased.assert_status(204);
    assert_eq!(erased.header("cache-control"), Some("no-store"));
    app.get("/api/v1/me").bearer(&citizen).send().await.assert_problem(401, "unauthenticated");
    let again = app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": refresh["refresh_token"]}));
    again.send().await.assert_problem(401, "invalid_refresh_token");
    let login = app.post("/api/v1/auth/login").json(&json!({"phone": CITIZEN_PHONE, "password": PASSWORD}));
    login.send().await.assert_problem(401, "invalid_credentials");

    let user = api::accounts::store::user_by_id(&app.db, citizen_id).await.unwrap().unwrap();
    assert_eq!(user.full_name, api::personal::erase::ERASED_NAME);
    assert_eq!(user.phone, format!("deleted:{citizen_id}"));
    assert_eq!(user.password_hash, "!");
    assert!(!user.active && user.deleted_at == Some(app.now()) && user.oidc_subject.is_none());
    // The dossier stays the ward's, as filed, unlinked; its rating and letter stay too.
    let dossier = api::dossiers::store::by_code(&app.db, &code).await.unwrap().unwrap();
    assert_eq!((dossier.citizen_id, dossier.applicant_name.as_str()), (None, "Nguyễn Văn An"));
    let rating = entity::rating::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!((rating.dossier_id, rating.comment.as_deref()), (Some(dossier.id), Some("Nhanh gọn.")));
    let letter = entity::letter::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!((letter.dossier_id, letter.recipient_id), (Some(dossier.id), Some(citizen_id)));
    let notices =
        entity::notification::Entity::find().filter(entity::notification::Column::UserId.eq(citizen_id));
    assert_eq!(notices.count(&app.db).await.unwrap(), 0);
    let open_sessions = entity::session::Entity::find()
        .filter(entity::session::Column::UserId.eq(citizen_id))
        .filter(entity::session::Column::RevokedAt.is_null());
    assert_eq!(open_sessions.count(&app.db).await.unwrap(), 0);
    let recorded = audit_rows(&app, "account.delete").await;
    assert_eq!((recorded.len(), recorded[0].actor_id), (1, Some(citizen_id)));
    // The ward still sees its dossier.
    let desk = app.get(&format!("/api/v1/dossiers/{code}")).bearer(&officer).send().await;
    assert_eq!(desk.assert_status(200)["applicant"]["full_name"], "Nguyễn Văn An");

    // The phone is free again.
    let register = json!({"phone": CITIZEN_PHONE, "password": PASSWORD, "full_name": "Lê Văn Cường"});
    app.post("/api/v1/auth/register").json(&register).send().await.assert_status(201);
    let fresh = app.token_of(CITIZEN_PHONE).await;
    let mine = app.get("/api/v1/me/dossiers").bearer(&fresh).send().await;
    assert_eq!(mine.assert_status(200)["total"], 0, "the new account inherits nothing");
}

#[tokio::test]
async fn personal_answers_are_never_stored_by_caches() {
    let (app, officer, citizen, _) = queue_desk().await;
    for reply in [
        app.get("/api/v1/me").bearer(&citizen).send().await,
        app.get("/api/v1/me/notifications").bearer(&citizen).send().await,
        app.get(&format!("/api/v1/units/{WARD}/tickets")).bearer(&officer).send().await,
        app.post("/api/v1/auth/login")
            .json(&json!({"phone": CITIZEN_PHONE, "password": PASSWORD}))
            .send()
            .await,
        app.post("/api/v1/auth/login")
            .json(&json!({"phone": CITIZEN_PHONE, "password": "wrong one"}))
            .send()
            .await,
        app.get("/api/v1/me").send().await,
    ] {
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{}", reply.text);
    }
    let public = app.get("/api/v1/units").send().await;
    assert_eq!(public.assert_status(200).clone(), public.body);
    assert_eq!(public.header("cache-control"), None, "public reads stay cacheable");
}

#[tokio::test]
async fn a_staff_password_reset_gives_a_temporary_password_changed_at_the_next_login() {
    let app = TestApp::spawn().await;
    app.create_unit("000.00.20.H12", None).await;
    app.create_unit(WARD, Some("000.00.20.H12")).await;
    let supervisor = app.token_for("0900000005", "supervisor", Some(WARD)).await;
    let supervisor_id = id_of(&app, &supervisor).await;
    let peer = app.create_user("0900000006", "supervisor", Some(WARD)).await;
    let officer_id = app.create_user("0900000001", "officer", Some(WARD)).await;
    let officer = app.login("0900000001", PASSWORD).await;
    let citizen = app.token_for("0912000009", "citizen", None).await;
    let access = officer["access_token"].as_str().unwrap();

    let path = format!("/api/v1/admin/users/{officer_id}/password-reset");
    app.post(&path).bearer(&citizen).send().await.assert_problem(403, "forbidden");
    let peers = format!("/api/v1/admin/users/{peer}/password-reset");
    app.post(&peers).bearer(&supervisor).send().await.assert_problem(403, "forbidden");
    let reset = app.post(&path).bearer(&supervisor).send().await;
    assert_eq!(reset.header("cache-control"), Some("no-store"));
    let temporary = reset.assert_status(200)["temporary_password"].as_str().unwrap().to_owned();
    assert_eq!(temporary.len(), 23, "{temporary}");

    // The officer's sessions ended.
    app.get("/api/v1/me").bearer(access).send().await.assert_problem(401, "unauthenticated");
    let refresh = app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": officer["refresh_token"]}));
    refresh.send().await.assert_problem(401, "invalid_refresh_token");
    // The old password is gone; the temporary one must be replaced.
    let old = app.post("/api/v1/auth/login").json(&json!({"phone": "0900000001", "password": PASSWORD}));
    old.send().await.assert_problem(401, "invalid_credentials");
    let login = |body: Value| app.post("/api/v1/auth/login").json(&body).send();
    login(json!({"phone": "0900000001", "password": temporary}))
        .await
        .assert_problem(403, "password_change_required");
    login(json!({"phone": "0900000001", "password": temporary, "new_password": "12345678"}))
        .await
        .assert_problem(422, "validation_failed");
    login(json!({"phone": "0900000001", "password": temporary, "new_password": temporary}))
        .await
        .assert_problem(422, "validation_failed");
    let chosen = "hoa sen nở giữa đầm";
    let changed = login(json!({"phone": "0900000001", "password": temporary, "new_password": chosen})).await;
    let token = changed.assert_status(200)["access_token"].as_str().unwrap().to_owned();
    app.get("/api/v1/me").bearer(&token).send().await.assert_status(200);
    login(json!({"phone": "0900000001", "password": temporary}))
        .await
        .assert_problem(401, "invalid_credentials");
    app.login("0900000001", chosen).await;
    let user = api::accounts::store::user_by_id(&app.db, officer_id).await.unwrap().unwrap();
    assert!(!user.must_change_password);

    let resets = audit_rows(&app, "user.password_reset").await;
    assert_eq!((resets.len(), resets[0].actor_id), (1, Some(supervisor_id)));
    assert_eq!(resets[0].target_id, officer_id.to_string());
    assert!(!resets[0].after_state.as_deref().unwrap().contains(&temporary), "never the password");
    let changes = audit_rows(&app, "password.change").await;
    assert_eq!((changes.len(), changes[0].actor_id), (1, Some(officer_id)));

    // An administrator resets anyone's, a supervisor's too.
    let admin = app.token_for("0900000009", "admin", None).await;
    let by_admin = format!("/api/v1/admin/users/{peer}/password-reset");
    app.post(&by_admin).bearer(&admin).send().await.assert_status(200);
    let peer = api::accounts::store::user_by_id(&app.db, peer).await.unwrap().unwrap();
    assert!(peer.must_change_password);
}
