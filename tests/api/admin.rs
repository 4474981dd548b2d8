//! Administration: the unit tree, staff accounts with their scopes, the audit log, and who may
//! call what.

use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::common::{PASSWORD, Reply, TestApp};

/// A unit tree: HN (province) > HK (district) > HB (ward), and DD (another district).
async fn tree(app: &TestApp) {
    app.create_unit("HN", None).await;
    app.create_unit("HK", Some("HN")).await;
    app.create_unit("HB", Some("HK")).await;
    app.create_unit("DD", Some("HN")).await;
}

async fn admin_token(app: &TestApp) -> String {
    app.token_for("0900000001", "admin", None).await
}

fn codes(page: &Value) -> Vec<&str> {
    page["items"].as_array().unwrap().iter().map(|item| item["code"].as_str().unwrap()).collect()
}

fn phones(page: &Value) -> Vec<&str> {
    page["items"].as_array().unwrap().iter().map(|item| item["phone"].as_str().unwrap()).collect()
}

fn error_fields(problem: &Value) -> Vec<&str> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect()
}

/// The audit log's changes, oldest first: without the logins (security events) of the tests'
/// own callers.
async fn audit_rows(app: &TestApp) -> Vec<entity::audit_log::Model> {
    use entity::{audit_log::Column, values::AuditAction};
    use sea_orm::{ColumnTrait, QueryFilter};
    let changes = entity::audit_log::Entity::find().filter(Column::Action.ne(AuditAction::AuthLogin));
    changes.order_by_asc(Column::Id).all(&app.db).await.unwrap()
}

#[tokio::test]
async fn an_admin_builds_the_unit_tree() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;

    let province = app
        .post("/api/v1/admin/units")
        .bearer(&admin)
        .json(&json!({"code": "HN", "name": " Thành phố  Hà Nội ", "kind": "province"}))
        .send()
        .await;
    let ward = app
        .post("/api/v1/admin/units")
        .bearer(&admin)
        .json(&json!({
            "code": "HN-HK.01_a", "name": "Phường Hàng Bạc", "kind": "ward",
            "parent_code": "HN", "address": "12 Hàng Bạc"
        }))
        .send()
        .await;

    assert_eq!(
        *province.assert_status(201),
        json!({"code": "HN", "name": "Thành phố Hà Nội", "kind": "province",
               "parent_code": null, "address": null, "locality": null, "active": true})
    );
    assert_eq!(
        *ward.assert_status(201),
        json!({"code": "HN-HK.01_A", "name": "Phường Hàng Bạc", "kind": "ward",
               "parent_code": "HN", "address": "12 Hàng Bạc", "locality": null, "active": true})
    );
    let stored = entity::unit::Entity::find()
        .filter(entity::unit::Column::Code.eq("HN-HK.01_A"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.parent_id, Some(app.unit_id("HN").await));
    assert_eq!(stored.time_zone, "Asia/Ho_Chi_Minh");
}

#[tokio::test]
async fn unit_input_is_checked() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    app.create_unit("HN", None).await;
    let create = |body: Value| app.post("/api/v1/admin/units").bearer(&admin).json(&body).send();

    let bad =
        create(json!({"code": "Hà Nội", "name": " ", "kind": "ward", "address": "", "parent_code": "XX"}))
            .await;
    let too_long = create(json!({"code": "X".repeat(41), "name": "Phường", "kind": "ward"})).await;
    let unknown_kind = create(json!({"code": "P1", "name": "Phường", "kind": "village"})).await;
    let taken = create(json!({"code": "HN", "name": "Hà Nội", "kind": "province"})).await;
    let unknown_parent =
        create(json!({"code": "P1", "name": "Phường", "kind": "ward", "parent_code": "XX"})).await;

    // Every field that breaks its schema at once; then, once the request has the operation's
    // shape, every rule that needs the database (the parent must exist).
    let problem = bad.assert_problem(422, "validation_failed");
    assert_eq!(error_fields(problem), ["code", "name", "address"]);
    too_long.assert_problem(422, "validation_failed");
    unknown_kind.assert_problem(400, "malformed_request");
    taken.assert_problem(409, "unit_code_taken");
    assert_eq!(error_fields(unknown_parent.assert_problem(422, "validation_failed")), ["parent_code"]);
    let english = app
        .post("/api/v1/admin/units")
        .bearer(&admin)
        .english()
        .json(&json!({"code": "HN", "name": "Hà Nội", "kind": "province"}))
        .send()
        .await;
    assert_eq!(english.body["detail"], "This unit code is already in use.");
}

#[tokio::test]
async fn units_list_in_code_order_with_filters_and_pages() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    tree(&app).await;
    app.patch("/api/v1/admin/units/DD").bearer(&admin).json(&json!({"active": false})).send().await;
    let list = |query: &str| app.get(&format!("/api/v1/admin/units{query}")).bearer(&admin).send();

    let all = list("").await;
    let children = list("?parent_code=HN").await;
    let inactive = list("?active=false").await;
    let unknown_parent = list("?parent_code=XX").await;
    let second_page = list("?page=2&per_page=3").await;
    let out_of_range = list("?page=0").await;
    let too_many = list("?per_page=1000").await;
    let not_a_number = list("?page=two").await;

    let all = all.assert_status(200);
    assert_eq!(codes(all), ["DD", "HB", "HK", "HN"]);
    assert_eq!(
        (all["page"].as_u64(), all["per_page"].as_u64(), all["total"].as_u64()),
        (Some(1), Some(20), Some(4))
    );
    assert_eq!(
        all["items"][2],
        json!({"code": "HK", "name": "Đơn vị HK", "kind": "ward",
        "parent_code": "HN", "address": null, "locality": null, "active": true})
    );
    assert_eq!(codes(children.assert_status(200)), ["DD", "HK"]);
    assert_eq!(codes(inactive.assert_status(200)), ["DD"]);
    assert_eq!(unknown_parent.assert_status(200)["total"], 0);
    let second_page = second_page.assert_status(200);
    assert_eq!(codes(second_page), ["HN"]);
    assert_eq!((second_page["page"].as_u64(), second_page["total"].as_u64()), (Some(2), Some(4)));
    assert_eq!(error_fields(out_of_range.assert_problem(422, "validation_failed")), ["page"]);
    assert_eq!(error_fields(too_many.assert_problem(422, "validation_failed")), ["per_page"]);
    assert_eq!(error_fields(not_a_number.assert_problem(400, "malformed_request")), ["page"]);
}

#[tokio::test]
async fn a_unit_is_renamed_moved_deactivated_and_reactivated_but_never_below_itself() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    tree(&app).await;
    let patch = |code: &str, body: Value| {
        app.patch(&format!("/api/v1/admin/units/{code}")).bearer(&admin).json(&body).send()
    };

    let renamed =
        patch("HB", json!({"name": "Phường Hàng Bạc", "kind": "commune", "address": "1 Hàng Bạc"})).await;
    let moved = patch("HB", json!({"parent_code": "DD"})).await;
    let under_itself = patch("HN", json!({"parent_code": "HN"})).await;
    let under_its_grandchild = patch("HN", json!({"parent_code": "HB"})).await;
    let to_the_top = patch("HK", json!({"parent_code": null, "address": null})).await;
    let deactivated = patch("HK", json!({"active": false})).await;
    let reactivated = patch("HK", json!({"active": true})).await;
    let unknown = patch("XX", json!({"name": "Không có"})).await;
    let bad_parent = patch("HK", json!({"parent_code": "XX"})).await;

    assert_eq!(
        *renamed.assert_status(200),
        json!({"code": "HB", "name": "Phường Hàng Bạc", "kind": "commune",
               "parent_code": "HK", "address": "1 Hàng Bạc", "locality": null, "active": true})
    );
    assert_eq!(moved.assert_status(200)["parent_code"], "DD");
    under_itself.assert_problem(422, "unit_cycle");
    under_its_grandchild.assert_problem(422, "unit_cycle");
    let to_the_top = to_the_top.assert_status(200);
    assert_eq!((&to_the_top["parent_code"], &to_the_top["address"]), (&Value::Null, &Value::Null));
    assert_eq!(deactivated.assert_status(200)["active"], false);
    assert_eq!(reactivated.assert_status(200)["active"], true);
    unknown.assert_problem(404, "not_found");
    assert_eq!(error_fields(bad_parent.assert_problem(422, "validation_failed")), ["parent_code"]);
    let hn = app.unit_id("HN").await;
    let hn = entity::unit::Entity::find_by_id(hn).one(&app.db).await.unwrap().unwrap();
    assert_eq!(hn.parent_id, None, "a refused move changes nothing");
}

async fn create_staff(app: &TestApp, token: &str, body: Value) -> Reply {
    app.post("/api/v1/admin/users").bearer(token).json(&body).send().await
}

fn staff(phone: &str, role: &str, unit: Option<&str>) -> Value {
    json!({"phone": phone, "full_name": "Lê Văn Cường", "role": role, "unit_code": unit, "password": PASSWORD})
}

#[tokio::test]
async fn an_admin_creates_officers_supervisors_and_admins_who_can_log_in() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    tree(&app).await;

    let officer = create_staff(&app, &admin, staff("0912 000 001", "officer", Some("HB"))).await;
    let supervisor = create_staff(&app, &admin, staff("0912000002", "supervisor", Some("HK"))).await;
    let second_admin = create_staff(&app, &admin, staff("0912000003", "admin", None)).await;

    let officer = officer.assert_status(201);
    assert_eq!(officer["phone"], "+84912000001");
    assert_eq!(officer["role"], "officer");
    assert_eq!(officer["unit_code"], "HB");
    assert_eq!(officer["active"], true);
    assert!(officer.get("password_hash").is_none());
    assert_eq!(supervisor.assert_status(201)["unit_code"], "HK");
    assert_eq!(second_admin.assert_status(201)["unit_code"], Value::Null);
    let tokens = app.login("0912000001", PASSWORD).await;
    let me = app.get("/api/v1/me").bearer(tokens["access_token"].as_str().unwrap()).send().await;
    assert_eq!(me.assert_status(200)["unit_code"], "HB");
    let id = officer["id"].as_str().unwrap();
    let read = app.get(&format!("/api/v1/admin/users/{id}")).bearer(&admin).send().await;
    assert_eq!(read.assert_status(200), officer);
}

#[tokio::test]
async fn staff_input_is_checked_like_registration() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    tree(&app).await;

    let bad = create_staff(
        &app,
        &admin,
        json!({"phone": "0212345678", "full_name": "", "role": "officer", "unit_code": "XX", "password": "1234567890"}),
    )
    .await;
    let common_password_unknown_unit = create_staff(
        &app,
        &admin,
        json!({"phone": "0912000002", "full_name": "An", "role": "officer", "unit_code": "XX", "password": "1234567890"}),
    )
    .await;
    let officer_without_unit = create_staff(&app, &admin, staff("0912000001", "officer", None)).await;
    let admin_with_unit = create_staff(&app, &admin, staff("0912000001", "admin", Some("HN"))).await;
    let citizen = create_staff(&app, &admin, staff("0912000001", "citizen", None)).await;
    let taken = create_staff(&app, &admin, staff("+84 900 000 001", "admin", None)).await;

    assert_eq!(error_fields(bad.assert_problem(422, "validation_failed")), ["phone", "full_name"]);
    assert_eq!(
        error_fields(common_password_unknown_unit.assert_problem(422, "validation_failed")),
        ["password", "unit_code"]
    );
    assert_eq!(error_fields(officer_without_unit.assert_problem(422, "validation_failed")), ["unit_code"]);
    assert_eq!(error_fields(admin_with_unit.assert_problem(422, "validation_failed")), ["unit_code"]);
    citizen.assert_problem(400, "malformed_request");
    taken.assert_problem(409, "phone_taken");
    assert!(api::accounts::store::user_by_phone(&app.db, "+84912000001").await.unwrap().is_none());
}

#[tokio::test]
async fn a_supervisor_creates_officers_only_inside_their_units() {
    let app = TestApp::spawn().await;
    tree(&app).await;
    let supervisor = app.token_for("0911000001", "supervisor", Some("HK")).await;

    let own_unit = create_staff(&app, &supervisor, staff("0912000001", "officer", Some("HK"))).await;
    let sub_unit = create_staff(&app, &supervisor, staff("0912000002", "officer", Some("HB"))).await;
    let other_unit = create_staff(&app, &supervisor, staff("0912000003", "officer", Some("DD"))).await;
    let parent_unit = create_staff(&app, &supervisor, staff("0912000004", "officer", Some("HN"))).await;
    let a_supervisor = create_staff(&app, &supervisor, staff("0912000005", "supervisor", Some("HK"))).await;
    let an_admin = create_staff(&app, &supervisor, staff("0912000006", "admin", None)).await;
    let unknown_unit = create_staff(&app, &supervisor, staff("0912000007", "officer", Some("XX"))).await;

    assert_eq!(own_unit.assert_status(201)["unit_code"], "HK");
    assert_eq!(sub_unit.assert_status(201)["unit_code"], "HB");
    other_unit.assert_problem(404, "not_found");
    parent_unit.assert_problem(404, "not_found");
    a_supervisor.assert_problem(403, "forbidden");
    an_admin.assert_problem(403, "forbidden");
    unknown_unit.assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_supervisor_sees_and_changes_only_the_staff_of_their_units() {
    let app = TestApp::spawn().await;
    tree(&app).await;
    let supervisor = app.token_for("0911000001", "supervisor", Some("HK")).await;
    let own = app.create_user("0912000001", "officer", Some("HK")).await;
    let below = app.create_user("0912000002", "officer", Some("HB")).await;
    let elsewhere = app.create_user("0912000003", "officer", Some("DD")).await;
    let peer = app.create_user("0912000004", "supervisor", Some("HK")).await;
    let admin = app.create_user("0912000005", "admin", None).await;
    app.create_user("0912000006", "citizen", None).await;
    let user = |id| format!("/api/v1/admin/users/{id}");

    let list = app.get("/api/v1/admin/users").bearer(&supervisor).send().await;
    assert_eq!(
        phones(list.assert_status(200)),
        ["+84911000001", "+84912000001", "+84912000002", "+84912000004"]
    );
    app.get(&user(below)).bearer(&supervisor).send().await.assert_status(200);
    app.get(&user(peer)).bearer(&supervisor).send().await.assert_status(200);
    for hidden in [elsewhere, admin] {
        app.get(&user(hidden)).bearer(&supervisor).send().await.assert_problem(404, "not_found");
        let patch = app.patch(&user(hidden)).bearer(&supervisor).json(&json!({"active": false})).send().await;
        patch.assert_problem(404, "not_found");
    }

    let renamed =
        app.patch(&user(own)).bearer(&supervisor).json(&json!({"full_name": "Lê Thị Hoa"})).send().await;
    let moved_down = app.patch(&user(own)).bearer(&supervisor).json(&json!({"unit_code": "HB"})).send().await;
    let moved_out = app.patch(&user(own)).bearer(&supervisor).json(&json!({"unit_code": "DD"})).send().await;
    let promoted =
        app.patch(&user(own)).bearer(&supervisor).json(&json!({"role": "supervisor"})).send().await;
    let peer_touched =
        app.patch(&user(peer)).bearer(&supervisor).json(&json!({"full_name": "Lê Thị Hoa"})).send().await;
    let deactivated =
        app.patch(&user(below)).bearer(&supervisor).json(&json!({"active": false})).send().await;
    let reactivated = app.patch(&user(below)).bearer(&supervisor).json(&json!({"active": true})).send().await;

    assert_eq!(renamed.assert_status(200)["full_name"], "Lê Thị Hoa");
    assert_eq!(moved_down.assert_status(200)["unit_code"], "HB");
    moved_out.assert_problem(404, "not_found");
    promoted.assert_problem(403, "forbidden");
    peer_touched.assert_problem(403, "forbidden");
    assert_eq!(deactivated.assert_status(200)["active"], false);
    assert_eq!(reactivated.assert_status(200)["active"], true);
    let elsewhere = api::accounts::store::user_by_id(&app.db, elsewhere).await.unwrap().unwrap();
    assert!(elsewhere.active);
}

#[tokio::test]
async fn staff_lists_filter_by_role_unit_activity_and_phone_or_name() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    tree(&app).await;
    for (phone, name, role, unit) in [
        ("0912000001", "Nguyễn Văn An", "officer", Some("HK")),
        ("0912000002", "Trần Thị Bình", "officer", Some("HB")),
        ("0987000003", "Phạm Văn Cường", "supervisor", Some("HK")),
    ] {
        create_staff(
            &app,
            &admin,
            json!({"phone": phone, "full_name": name, "role": role, "unit_code": unit, "password": PASSWORD}),
        )
        .await
        .assert_status(201);
    }
    app.create_user("0933000004", "citizen", None).await;
    let bình = api::accounts::store::user_by_phone(&app.db, "+84912000002").await.unwrap().unwrap();
    app.patch(&format!("/api/v1/admin/users/{}", bình.id))
        .bearer(&admin)
        .json(&json!({"active": false}))
        .send()
        .await;
    let list = |query: &str| app.get(&format!("/api/v1/admin/users{query}")).bearer(&admin).send();

    let everyone = list("").await;
    let officers = list("?role=officer").await;
    let of_hk = list("?unit_code=HK").await;
    let inactive = list("?active=false").await;
    let by_digits = list("?q=0987").await;
    let by_name = list("?q=v%C4%83n").await;
    let by_spaced_name = list("?q=%20V%C4%83n%20%20AN").await;
    let paged = list("?per_page=2&page=2").await;

    assert_eq!(
        phones(everyone.assert_status(200)),
        ["+84900000001", "+84912000001", "+84912000002", "+84987000003"]
    );
    assert_eq!(phones(officers.assert_status(200)), ["+84912000001", "+84912000002"]);
    assert_eq!(phones(of_hk.assert_status(200)), ["+84912000001", "+84987000003"]);
    assert_eq!(phones(inactive.assert_status(200)), ["+84912000002"]);
    assert_eq!(phones(by_digits.assert_status(200)), ["+84987000003"]);
    assert_eq!(phones(by_name.assert_status(200)), ["+84912000001", "+84987000003"]);
    assert_eq!(phones(by_spaced_name.assert_status(200)), ["+84912000001"]);
    let paged = paged.assert_status(200);
    assert_eq!(phones(paged), ["+84912000002", "+84987000003"]);
    assert_eq!(paged["total"], 4);
}

#[tokio::test]
async fn role_and_unit_changes_keep_staff_consistent_and_admins_cannot_lock_themselves_out() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let admin_id = api::accounts::store::user_by_phone(&app.db, "+84900000001").await.unwrap().unwrap().id;
    tree(&app).await;
    let officer = app.create_user("0912000001", "officer", Some("HK")).await;
    let patch = |id: uuid::Uuid, body: Value| {
        app.patch(&format!("/api/v1/admin/users/{id}")).bearer(&admin).json(&body).send()
    };

    let promoted = patch(officer, json!({"role": "supervisor", "unit_code": "HN"})).await;
    let admin_keeping_unit = patch(officer, json!({"role": "admin"})).await;
    let made_admin = patch(officer, json!({"role": "admin", "unit_code": null})).await;
    let self_demoted = patch(admin_id, json!({"role": "officer", "unit_code": "HN"})).await;
    let self_deactivated = patch(admin_id, json!({"active": false})).await;
    let self_renamed = patch(admin_id, json!({"full_name": "Quản Trị Viên"})).await;
    let citizen = app.create_user("0933000004", "citizen", None).await;
    let citizen_patch = patch(citizen, json!({"active": false})).await;

    let promoted = promoted.assert_status(200);
    assert_eq!((&promoted["role"], &promoted["unit_code"]), (&json!("supervisor"), &json!("HN")));
    assert_eq!(error_fields(admin_keeping_unit.assert_problem(422, "validation_failed")), ["unit_code"]);
    let made_admin = made_admin.assert_status(200);
    assert_eq!((&made_admin["role"], &made_admin["unit_code"]), (&json!("admin"), &Value::Null));
    self_demoted.assert_problem(422, "own_account_locked");
    self_deactivated.assert_problem(422, "own_account_locked");
    self_renamed.assert_status(200);
    citizen_patch.assert_problem(404, "not_found");
}

#[tokio::test]
async fn deactivation_locks_the_account_out_at_once_and_reactivation_lets_it_back() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    tree(&app).await;
    let officer = app.create_user("0912000001", "officer", Some("HK")).await;
    let session = app.login("0912000001", PASSWORD).await;
    let access = session["access_token"].as_str().unwrap();
    let deactivate = |active: bool| {
        app.patch(&format!("/api/v1/admin/users/{officer}"))
            .bearer(&admin)
            .json(&json!({"active": active}))
            .send()
    };

    deactivate(false).await.assert_status(200);

    app.get("/api/v1/me").bearer(access).send().await.assert_problem(401, "unauthenticated");
    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"phone": "0912000001", "password": PASSWORD}))
        .send()
        .await;
    login.assert_problem(401, "invalid_credentials");
    let revoked = entity::refresh_token::Entity::find()
        .filter(entity::refresh_token::Column::UserId.eq(officer))
        .all(&app.db)
        .await
        .unwrap();
    assert!(!revoked.is_empty() && revoked.iter().all(|token| token.revoked_at.is_some()));
    deactivate(true).await.assert_status(200);
    let refresh = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": session["refresh_token"]}))
        .send()
        .await;
    refresh.assert_problem(401, "invalid_refresh_token");
    app.login("0912000001", PASSWORD).await;
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_with_its_actor_request_and_states() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let admin_id = api::accounts::store::user_by_phone(&app.db, "+84900000001").await.unwrap().unwrap().id;

    app.post("/api/v1/admin/units")
        .bearer(&admin)
        .header("x-request-id", "req-unit-create")
        .json(&json!({"code": "HN", "name": "Hà Nội", "kind": "province"}))
        .send()
        .await
        .assert_status(201);
    app.patch("/api/v1/admin/units/HN")
        .bearer(&admin)
        .json(&json!({"name": "Thành phố Hà Nội"}))
        .send()
        .await
        .assert_status(200);
    let officer = create_staff(&app, &admin, staff("0912000001", "officer", Some("HN"))).await;
    let officer_id = officer.assert_status(201)["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/admin/users/{officer_id}"))
        .bearer(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .assert_status(200);
    let unchanged =
        app.patch("/api/v1/admin/units/HN").bearer(&admin).json(&json!({"active": true})).send().await;
    unchanged.assert_status(200);
    let refused =
        app.patch("/api/v1/admin/units/HN").bearer(&admin).json(&json!({"parent_code": "HN"})).send().await;
    refused.assert_problem(422, "unit_cycle");

    let rows = audit_rows(&app).await;
    let actions: Vec<String> = rows.iter().map(|row| row.action.to_value()).collect();
    assert_eq!(actions, ["unit.create", "unit.update", "user.create", "user.update"]);
    let hn = app.unit_id("HN").await;
    assert!(rows.iter().all(|row| row.actor_id == Some(admin_id) && row.unit_id == Some(hn)));
    assert!(rows.iter().all(|row| row.request_id.is_some()));
    assert_eq!(rows[0].request_id.as_deref(), Some("req-unit-create"));
    assert_eq!(
        (rows[0].target_type.to_value().as_str(), rows[0].target_id.as_str(), &rows[0].before_state),
        ("unit", "HN", &None)
    );
    let before: Value = serde_json::from_str(rows[1].before_state.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(rows[1].after_state.as_deref().unwrap()).unwrap();
    assert_eq!((&before["name"], &after["name"]), (&json!("Hà Nội"), &json!("Thành phố Hà Nội")));
    assert_eq!(
        (rows[3].target_type.to_value().as_str(), rows[3].target_id.as_str()),
        ("user", officer_id.as_str())
    );
    let after: Value = serde_json::from_str(rows[3].after_state.as_deref().unwrap()).unwrap();
    assert_eq!(after["active"], false);
    for row in &rows {
        let states = format!("{:?}{:?}", row.before_state, row.after_state);
        assert!(!states.contains("argon2") && !states.contains("password"), "{states}");
    }

    let log = app.get("/api/v1/admin/audit-log").bearer(&admin).send().await;
    let log = log.assert_status(200);
    let listed: Vec<&str> =
        log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    // The admin's own login came first: a security event, listed with the changes.
    assert_eq!(listed, ["user.update", "user.create", "unit.update", "unit.create", "auth.login"]);
    assert_eq!(log["items"][0]["before_state"]["active"], true);
    assert_eq!(log["items"][0]["after_state"]["active"], false);
    assert_eq!(log["items"][0]["unit_code"], "HN");
    assert_eq!(log["items"][3]["request_id"], "req-unit-create");
    assert_eq!(log["items"][3]["actor_id"], admin_id.to_string());
}

#[tokio::test]
async fn the_audit_log_filters_by_actor_target_action_and_time() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let other_admin = app.token_for("0900000002", "admin", None).await;
    let other_id = api::accounts::store::user_by_phone(&app.db, "+84900000002").await.unwrap().unwrap().id;
    let create_unit = |token: &str, code: &str| {
        app.post("/api/v1/admin/units")
            .bearer(token)
            .json(&json!({"code": code, "name": "Đơn vị", "kind": "ward"}))
            .send()
    };
    create_unit(&admin, "A1").await.assert_status(201);
    app.clock.advance(chrono::Duration::minutes(1));
    let middle = app.now();
    app.clock.advance(chrono::Duration::minutes(1));
    create_unit(&other_admin, "B2").await.assert_status(201);
    app.patch("/api/v1/admin/units/A1").bearer(&other_admin).json(&json!({"active": false})).send().await;
    let log = |query: String| app.get(&format!("/api/v1/admin/audit-log{query}")).bearer(&admin).send();
    let targets = |reply: &Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["target_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);

    // Each admin's login is in the log too (a security event about a user): units only.
    let by_actor = log(format!("?actor_id={other_id}&target_type=unit")).await;
    let by_target = log("?target_type=unit&target_id=A1".into()).await;
    let by_action = log("?action=unit.update".into()).await;
    let since = log(format!("?from={}&target_type=unit", at(middle))).await;
    let until = log(format!("?to={}&target_type=unit", at(middle))).await;
    let paged = log("?target_type=unit&per_page=1&page=3".into()).await;
    let bad_time = log("?from=yesterday".into()).await;

    by_actor.assert_status(200);
    assert_eq!(targets(&by_actor), ["A1", "B2"]);
    assert_eq!(targets(&by_target), ["A1", "A1"]);
    assert_eq!(targets(&by_action), ["A1"]);
    assert_eq!(targets(&since), ["A1", "B2"]);
    assert_eq!(targets(&until), ["A1"]);
    assert_eq!((targets(&paged), &paged.body["total"]), (vec!["A1".to_owned()], &json!(3)));
    bad_time.assert_problem(400, "malformed_request");
}

#[tokio::test]
async fn the_command_line_creates_an_administrator_who_can_log_in() {
    let app = TestApp::spawn().await;
    let passwords = &app.state.keys.passwords;

    let id = api::admin::create_administrator(
        &app.db,
        passwords,
        "0912 345 678",
        "Nguyễn Văn Quản",
        PASSWORD,
        app.now(),
    )
    .await
    .unwrap();
    let again =
        api::admin::create_administrator(&app.db, passwords, "0912345678", "Ai Đó", PASSWORD, app.now())
            .await;
    let invalid = api::admin::create_administrator(&app.db, passwords, "12", "", "short", app.now()).await;

    let tokens = app.login("0912345678", PASSWORD).await;
    let me = app.get("/api/v1/me").bearer(tokens["access_token"].as_str().unwrap()).send().await;
    let me = me.assert_status(200);
    assert_eq!((&me["id"], &me["role"]), (&json!(id.to_string()), &json!("admin")));
    assert!(matches!(again, Err(api::admin::CreateAdministratorError::PhoneTaken)));
    let errors = match invalid {
        Err(api::admin::CreateAdministratorError::Invalid(errors)) => errors,
        other => panic!("{other:?}"),
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["phone", "full_name", "password"]);
    let rows = audit_rows(&app).await;
    assert_eq!((rows.len(), rows[0].action.to_value().as_str(), rows[0].actor_id), (1, "user.create", None));
}

#[tokio::test]
async fn two_concurrent_moves_cannot_make_a_cycle() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    app.create_unit("A", None).await;
    app.create_unit("B", None).await;
    let move_under = |code: &str, parent: &str| {
        app.patch(&format!("/api/v1/admin/units/{code}"))
            .bearer(&admin)
            .json(&json!({"parent_code": parent}))
            .send()
    };

    let (a_under_b, b_under_a) = tokio::join!(move_under("A", "B"), move_under("B", "A"));

    let mut outcomes = [a_under_b.status.as_u16(), b_under_a.status.as_u16()];
    outcomes.sort_unstable();
    assert_eq!(outcomes, [200, 422], "{} / {}", a_under_b.text, b_under_a.text);
    let refused = if a_under_b.status == 422 { &a_under_b } else { &b_under_a };
    refused.assert_problem(422, "unit_cycle");
}

#[tokio::test]
async fn a_phone_gets_one_staff_account_even_when_two_admins_race() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    app.create_unit("HN", None).await;
    let create = || create_staff(&app, &admin, staff("0912000001", "officer", Some("HN")));

    let (first, second) = tokio::join!(create(), create());

    let mut outcomes = [first.status.as_u16(), second.status.as_u16()];
    outcomes.sort_unstable();
    assert_eq!(outcomes, [201, 409], "{} / {}", first.text, second.text);
    let creations = audit_rows(&app)
        .await
        .into_iter()
        .filter(|row| row.action == entity::values::AuditAction::UserCreate)
        .count();
    assert_eq!(creations, 1);
}

#[tokio::test]
async fn a_refused_change_releases_the_rows_it_locked() {
    use sea_orm::sea_query::Expr;
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    tree(&app).await;
    let supervisor = app.token_for("0911000001", "supervisor", Some("HK")).await;
    let peer = app.create_user("0912000001", "supervisor", Some("HK")).await;

    let refused = app
        .patch(&format!("/api/v1/admin/users/{peer}"))
        .bearer(&supervisor)
        .json(&json!({"active": false}))
        .send()
        .await;
    let cycle =
        app.patch("/api/v1/admin/units/HN").bearer(&admin).json(&json!({"parent_code": "HB"})).send().await;

    refused.assert_problem(403, "forbidden");
    cycle.assert_problem(422, "unit_cycle");
    // Right after the answers, another server process writes the same rows. It runs on a thread
    // of its own while this test's runtime is blocked, so nothing left for later (such as a
    // rollback queued by a dropped transaction) can run first: the locks must be gone already.
    let config = app.state.config.database.clone();
    let other_server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let db = api::db::connect(&config).await.unwrap();
            let writes = async {
                entity::user::Entity::update_many()
                    .col_expr(entity::user::Column::FullName, Expr::value("Lê Thị Hoa"))
                    .filter(entity::user::Column::Id.eq(peer))
                    .exec(&db)
                    .await?;
                entity::unit::Entity::update_many()
                    .col_expr(entity::unit::Column::Name, Expr::value("Hà Nội"))
                    .filter(entity::unit::Column::Code.eq("HN"))
                    .exec(&db)
                    .await
            };
            let done = tokio::time::timeout(std::time::Duration::from_secs(3), writes).await;
            db.close().await.ok();
            done.map(|written| written.is_ok())
        })
    });
    assert_eq!(other_server.join().unwrap(), Ok(true), "the rows stayed locked");
}
