//! Dossiers: intake and codes, receipts, the status machine, the paused clock, public lookup,
//! citizens following their dossiers, and unit boundaries.

use futures_util::future::join_all;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use serde_json::{Value, json};

use api::domain::{calendar::Timeliness, dossier::Status};

use crate::common::{PASSWORD, Reply, TestApp};

pub(crate) const WARD: &str = "000.20.33.H12";
/// The desk officer of [`desk`].
pub(crate) const OFFICER_PHONE: &str = "0900000001";
pub(crate) const OTHER_WARD: &str = "000.20.34.H12";
pub(crate) const BIRTH: &str = "1.001193";

/// A town with two wards, a birth-registration procedure offered by the first, and an officer there.
pub(crate) async fn desk() -> (TestApp, String) {
    desk_with(|_| {}).await
}

/// [`desk`] with settings changed from the defaults.
pub(crate) async fn desk_with(configure: impl FnOnce(&mut api::config::Config)) -> (TestApp, String) {
    let app = TestApp::spawn_with(configure).await;
    app.create_unit("000.00.20.H12", None).await;
    let ward = app.create_unit(WARD, Some("000.00.20.H12")).await;
    app.create_unit(OTHER_WARD, Some("000.00.20.H12")).await;
    let now = app.now();
    let procedure = uuid::Uuid::now_v7();
    entity::procedure::ActiveModel {
        id: Set(procedure),
        code: Set(BIRTH.into()),
        name: Set("Đăng ký khai sinh".into()),
        name_en: Set(Some("Birth registration".into())),
        field: Set("Hộ tịch".into()),
        field_folded: Set("ho tich".into()),
        level: Set(entity::values::ProcedureLevel::Commune),
        processing_half_days: Set(6),
        fee_vnd: Set(0),
        fee_note: Set(None),
        documents: Set(r#"[{"name":"Tờ khai đăng ký khai sinh","form":"original","count":1},{"name":"Giấy chứng sinh","form":"original","count":1}]"#.into()),
        steps: Set("[]".into()),
        result: Set("Giấy khai sinh".into()),
        online_submission: Set(entity::values::OnlineSubmission::Full),
        letter_on_completion: Set(entity::values::LetterOnCompletion::Congratulation),
        description: Set(None),
        active: Set(true),
        search_text: Set("1.001193 dang ky khai sinh".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    entity::procedure_unit::ActiveModel { procedure_id: Set(procedure), unit_id: Set(ward) }
        .insert(&app.db)
        .await
        .unwrap();
    let officer = app.token_for(OFFICER_PHONE, "officer", Some(WARD)).await;
    (app, officer)
}

pub(crate) fn intake_body(name: &str) -> Value {
    intake_body_for(name, "0912345678")
}

/// An intake of an applicant with this phone: the one account that may claim the dossier.
pub(crate) fn intake_body_for(name: &str, phone: &str) -> Value {
    json!({
        "procedure_code": BIRTH,
        "applicant": {"full_name": name, "id_number": "074095001234", "phone": phone, "kind": "citizen"},
        "documents": [{"name": "Tờ khai đăng ký khai sinh", "count": 1}, {"name": "Giấy chứng sinh", "count": 1}],
        "channel": "desk"
    })
}

pub(crate) async fn take_in(app: &TestApp, officer: &str) -> Value {
    take_in_for(app, officer, "0912345678").await
}

/// A dossier of an applicant with this phone, taken in by `officer`: the receipt.
pub(crate) async fn take_in_for(app: &TestApp, officer: &str, phone: &str) -> Value {
    let body = intake_body_for("Nguyễn Văn An", phone);
    let reply = app.post("/api/v1/dossiers").bearer(officer).json(&body).send().await;
    reply.assert_status(201).clone()
}

pub(crate) async fn transition(app: &TestApp, token: &str, code: &str, version: &str, to: &str) -> Reply {
    app.post(&format!("/api/v1/dossiers/{code}/transitions"))
        .bearer(token)
        .header("if-match", version)
        .json(&json!({"to_status": to, "public_note": format!("→ {to}")}))
        .send()
        .await
}

async fn version_of(app: &TestApp, token: &str, code: &str) -> String {
    let reply = app.get(&format!("/api/v1/dossiers/{code}")).bearer(token).send().await;
    reply.assert_status(200);
    reply.header("etag").unwrap().to_owned()
}

#[tokio::test]
async fn intake_assigns_a_code_a_secret_and_a_due_date_and_prints_the_receipt() {
    let (app, officer) = desk().await;

    let receipt = take_in(&app, &officer).await;

    let code = receipt["code"].as_str().unwrap();
    assert_eq!(code, format!("{WARD}-261201-0001"));
    assert_eq!(receipt["status"], "accepted");
    assert_eq!(receipt["status_code"], 2);
    assert_eq!(receipt["processing_days"], 3.0);
    let secret = receipt["lookup_secret"].as_str().unwrap();
    assert_eq!(secret.len(), 8);
    let html = receipt["receipt_html"].as_str().unwrap();
    assert!(html.contains("<svg") && html.contains(code) && html.contains(secret));
    // Tuesday 09:00 plus three working days: Friday at closing (17:00 in Hanoi).
    assert_eq!(receipt["received_at"], "2026-12-01T02:00:00+00:00");
    assert_eq!(receipt["due_at"], "2026-12-04T10:00:00+00:00");
    let stored = api::dossiers::store::by_code(&app.db, code).await.unwrap().unwrap();
    assert_ne!(stored.lookup_secret_hash, secret);
    assert!(!stored.lookup_secret_hash.contains(secret));
    assert_eq!(stored.applicant_phone, "+84912345678");

    let reprint = app.get(&format!("/api/v1/dossiers/{code}/receipt")).bearer(&officer).send().await;
    assert!(reprint.assert_status(200)["lookup_secret"].is_null());
    let page = app.get(&format!("/api/v1/dossiers/{code}/receipt?format=html")).bearer(&officer).send().await;
    assert!(
        page.assert_status(200).is_null()
            && page.text.contains("GIẤY TIẾP NHẬN")
            && !page.text.contains(secret)
    );
}

#[tokio::test]
async fn fifty_parallel_intakes_get_fifty_consecutive_codes() {
    let (app, officer) = desk().await;

    let replies = join_all(
        (0..50)
            .map(|_| app.post("/api/v1/dossiers").bearer(&officer).json(&intake_body("Lê Văn Tám")).send()),
    )
    .await;

    let mut sequences: Vec<u32> = replies
        .iter()
        .map(|r| r.assert_status(201)["code"].as_str().unwrap().rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    sequences.sort();
    assert_eq!(sequences, (1..=50).collect::<Vec<_>>());
}

#[tokio::test]
async fn holidays_push_the_due_date() {
    let (app, officer) = desk().await;
    let without = take_in(&app, &officer).await;
    let today = app.now().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive();
    for offset in 1..=7 {
        entity::holiday::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            unit_id: Set(None),
            date: Set(today + chrono::Duration::days(offset)),
            kind: Set(entity::values::HolidayKind::Off),
            name: Set("Nghỉ thử".into()),
            created_at: Set(app.now()),
        }
        .insert(&app.db)
        .await
        .unwrap();
    }

    let with = take_in(&app, &officer).await;

    let due = |r: &Value| r["due_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    assert!(due(&with) > due(&without));
    let due_day = due(&with).with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive();
    assert!(due_day > today + chrono::Duration::days(7));
}

#[tokio::test]
async fn intake_validates_and_writes_nothing_on_bad_input() {
    let (app, officer) = desk().await;
    let mut body = intake_body("");
    body["applicant"]["phone"] = json!("12345");
    body["documents"] = json!([{"name": "Không có trong danh mục", "count": 0}]);

    let reply = app.post("/api/v1/dossiers").bearer(&officer).json(&body).send().await;

    let problem = reply.assert_problem(422, "validation_failed");
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["applicant.full_name", "applicant.phone", "documents[0].count"]);
    let mut not_in_the_list = intake_body("Nguyễn Văn An");
    not_in_the_list["documents"] = json!([{"name": "Không có trong danh mục", "count": 1}]);
    let reply = app.post("/api/v1/dossiers").bearer(&officer).json(&not_in_the_list).send().await;
    assert_eq!(reply.assert_problem(422, "validation_failed")["errors"][0]["field"], "documents[0].name");
    assert!(entity::dossier::Entity::find().all(&app.db).await.unwrap().is_empty());
    let citizen = app.token_for("0911111111", "citizen", None).await;
    app.post("/api/v1/dossiers")
        .bearer(&citizen)
        .json(&intake_body("An"))
        .send()
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn the_status_machine_allows_only_legal_moves_with_a_fresh_version() {
    let (app, officer) = desk().await;
    let code = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();

    transition(&app, &officer, &code, "\"1\"", "returned").await.assert_problem(409, "illegal_transition");
    let missing = app
        .post(&format!("/api/v1/dossiers/{code}/transitions"))
        .bearer(&officer)
        .json(&json!({"to_status": "in_progress"}))
        .send()
        .await;
    missing.assert_problem(428, "if_match_required");
    let moved = transition(&app, &officer, &code, "\"1\"", "in_progress").await;
    assert_eq!(moved.assert_status(200)["status_code"], 4);
    assert_eq!(moved.header("etag"), Some("\"2\""));
    transition(&app, &officer, &code, "\"1\"", "processed").await.assert_problem(412, "version_mismatch");
    transition(&app, &officer, &code, "\"2\"", "stopped").await.assert_problem(403, "forbidden");

    // Due Friday at closing; done on Tuesday, the day it came in, is early.
    let done = transition(&app, &officer, &code, "\"2\"", "processed").await;
    let body = done.assert_status(200);
    assert_eq!(body["completed_at"], "2026-12-01T02:00:00+00:00");
    assert_eq!(body["timeliness"], "early");
    let returned = transition(&app, &officer, &code, "\"3\"", "returned").await;
    assert!(returned.assert_status(200)["returned_at"].is_string());
    let timeline: Vec<&str> = returned.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(timeline, ["accepted", "in_progress", "processed", "returned"]);
    let closed = transition(&app, &officer, &code, "\"4\"", "in_progress").await;
    closed.assert_problem(409, "illegal_transition");
    let stored = api::dossiers::store::by_code(&app.db, &code).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.version, stored.timeliness),
        (Status::Returned, 4, Some(Timeliness::Early))
    );
}

#[tokio::test]
async fn every_pair_of_statuses_is_judged_by_the_state_machine() {
    use api::domain::dossier::can_transition;
    use sea_orm::{ActiveEnum, Iterable};
    let (app, officer) = desk().await;
    let supervisor = app.token_for("0900000002", "supervisor", Some(WARD)).await;
    for from in Status::iter() {
        for to in Status::iter() {
            let code = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
            let mut dossier =
                api::dossiers::store::by_code(&app.db, &code).await.unwrap().unwrap().into_active_model();
            dossier.status = Set(from);
            dossier.update(&app.db).await.unwrap();

            let reply = transition(&app, &supervisor, &code, "\"1\"", &to.to_value()).await;

            let expected = if can_transition(from, to) { 200 } else { 409 };
            assert_eq!(reply.status.as_u16(), expected, "{from:?} -> {to:?}: {}", reply.text);
        }
    }
}

#[tokio::test]
async fn a_supplement_request_stops_the_clock_and_resuming_moves_the_due_date() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    // Taken in on Tuesday 1 December at 09:00 for three working days: due Friday at closing.
    assert_eq!(receipt["due_at"], "2026-12-04T10:00:00+00:00");
    let paused = transition(&app, &officer, code, "\"1\"", "supplement_requested").await;
    assert_eq!(paused.assert_status(200)["paused_at"], "2026-12-01T02:00:00+00:00");

    // The citizen brings the papers a week later: Wednesday to Tuesday is five working days.
    app.set_time("2026-12-08T09:00:00+07:00");
    let officer = app.login(OFFICER_PHONE, PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    let resumed = transition(&app, &officer, code, "\"2\"", "in_progress").await;

    let body = resumed.assert_status(200);
    assert!(body["paused_at"].is_null());
    assert_eq!(body["due_at"], "2026-12-11T10:00:00+00:00");
}

#[tokio::test]
async fn an_apology_sets_a_later_due_date_shown_to_the_citizen() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    let due: chrono::DateTime<chrono::Utc> = receipt["due_at"].as_str().unwrap().parse().unwrap();
    let later = (due + chrono::Duration::days(5)).to_rfc3339();

    let earlier = app
        .post(&format!("/api/v1/dossiers/{code}/apologies"))
        .bearer(&officer)
        .header("if-match", "\"1\"")
        .json(&json!({"new_due_at": (due - chrono::Duration::days(1)).to_rfc3339(), "reason": "x"}))
        .send()
        .await;
    let apology = app
        .post(&format!("/api/v1/dossiers/{code}/apologies"))
        .bearer(&officer)
        .header("if-match", "\"1\"")
        .json(&json!({"new_due_at": later, "reason": "Cần xác minh thêm, xin lỗi ông/bà."}))
        .send()
        .await;

    earlier.assert_problem(422, "validation_failed");
    apology.assert_status(200);
    let lookup = app
        .post("/api/v1/dossiers/lookup")
        .json(&json!({"code": code, "secret": receipt["lookup_secret"]}))
        .send()
        .await;
    let body = lookup.assert_status(200);
    assert_eq!(
        body["due_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap(),
        later.parse::<chrono::DateTime<chrono::Utc>>().unwrap()
    );
    assert_eq!(body["timeline"][1]["note"], "Cần xác minh thêm, xin lỗi ông/bà.");
}

#[tokio::test]
async fn lookup_shows_status_without_personal_data_and_hides_which_part_was_wrong() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    let secret = receipt["lookup_secret"].as_str().unwrap();

    let found = app
        .post("/api/v1/dossiers/lookup")
        .english()
        .json(&json!({"code": code, "secret": secret.to_lowercase()}))
        .send()
        .await;
    let wrong_secret =
        app.post("/api/v1/dossiers/lookup").json(&json!({"code": code, "secret": "ZZZZZZZZ"})).send().await;
    let unknown_code = app
        .post("/api/v1/dossiers/lookup")
        .json(&json!({"code": format!("{WARD}-990101-0001"), "secret": secret}))
        .send()
        .await;

    let body = found.assert_status(200);
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["status_label"], "Accepted");
    assert_eq!(body["applicant"], "N*** V*** A***");
    assert_eq!(body["procedure"]["code"], BIRTH);
    assert_eq!(body["timeliness"], "in_time");
    for private in ["074095001234", "912345678", "Nguyễn"] {
        assert!(!found.text.contains(private), "{private} leaked: {}", found.text);
    }
    wrong_secret.assert_problem(404, "not_found");
    unknown_code.assert_problem(404, "not_found");
    assert_eq!(wrong_secret.body["detail"], unknown_code.body["detail"]);
}

#[tokio::test]
async fn the_public_timeline_shows_public_steps_in_order_and_survives_its_migration() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    let colleague = app.create_user("0900000003", "officer", Some(WARD)).await;
    transition(&app, &officer, code, "\"1\"", "in_progress").await.assert_status(200);
    app.put(&format!("/api/v1/dossiers/{code}/assignment"))
        .bearer(&officer)
        .header("if-match", "\"2\"")
        .json(&json!({"officer_id": colleague}))
        .send()
        .await
        .assert_status(200);
    transition(&app, &officer, code, "\"3\"", "supplement_requested").await.assert_status(200);
    let look_up = || {
        app.post("/api/v1/dossiers/lookup")
            .english()
            .json(&json!({"code": code, "secret": receipt["lookup_secret"]}))
            .send()
    };
    let before = look_up().await.assert_status(200).clone();

    // Migration 5 copies the timeline of dossiers taken in before it: undo it and every later
    // one, then run them again.
    use migration::MigratorTrait;
    let schema = api::db::connect_single(&app.state.config.database).await.unwrap();
    let from_fifth = migration::Migrator::migrations().len() as u32 - 4;
    migration::Migrator::down(&schema, Some(from_fifth)).await.unwrap();
    schema.close().await.unwrap();
    api::db::migrate(&app.state.config.database).await.unwrap();
    let after = look_up().await.assert_status(200).clone();

    let steps: Vec<(&str, &str, &str)> = before["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["status"].as_str().unwrap(),
                s["status_label"].as_str().unwrap(),
                s["note"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("accepted", "Accepted", ""),
            ("in_progress", "In progress", "→ in_progress"),
            ("supplement_requested", "Supplement requested", "→ supplement_requested"),
        ]
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn lookups_show_a_renamed_unit_once_the_names_they_keep_are_stale() {
    let (app, officer) =
        desk_with(|config| config.lookup.names_ttl = std::time::Duration::from_secs(60)).await;
    let receipt = take_in(&app, &officer).await;
    let admin = app.token_for("0900000009", "admin", None).await;
    let look_up = || {
        app.post("/api/v1/dossiers/lookup")
            .json(&json!({"code": receipt["code"], "secret": receipt["lookup_secret"]}))
            .send()
    };

    let before = look_up().await;
    app.patch(&format!("/api/v1/admin/units/{WARD}"))
        .bearer(&admin)
        .json(&json!({"name": "Phường Lái Thiêu (mới)"}))
        .send()
        .await
        .assert_status(200);
    app.clock.advance(chrono::Duration::seconds(59));
    let soon_after = look_up().await;
    app.clock.advance(chrono::Duration::seconds(1));
    let later = look_up().await;

    assert_eq!(before.assert_status(200)["unit"]["name"], format!("Đơn vị {WARD}"));
    assert_eq!(soon_after.assert_status(200)["unit"]["name"], format!("Đơn vị {WARD}"));
    assert_eq!(later.assert_status(200)["unit"]["name"], "Phường Lái Thiêu (mới)");
    assert_eq!(later.body["procedure"]["name"], "Đăng ký khai sinh");
}

#[tokio::test]
async fn lookups_on_their_own_connections_or_the_pool_serve_many_at_once_and_see_each_change() {
    // 0: the pool; 2: two connections of the lookup's own (on SQLite), shared by 24 callers.
    for connections in [0, 2] {
        let (app, officer) = desk_with(|config| {
            config.lookup.connections = connections;
            config.lookup.limit_per_minute = 0;
        })
        .await;
        let receipt = take_in(&app, &officer).await;
        let code = receipt["code"].as_str().unwrap();
        let look_up = || {
            app.post("/api/v1/dossiers/lookup")
                .json(&json!({"code": code, "secret": receipt["lookup_secret"]}))
                .send()
        };

        let at_once = join_all((0..24).map(|_| look_up())).await;
        transition(&app, &officer, code, "\"1\"", "in_progress").await.assert_status(200);
        let after = look_up().await;

        assert!(at_once.iter().all(|reply| reply.status == 200 && reply.body["status"] == "accepted"));
        assert_eq!(after.assert_status(200)["status"], "in_progress", "with {connections} connections");
    }
}

/// A lookup of this code from this client address.
async fn look_up_from(app: &TestApp, client: &str, code: &str) -> Reply {
    app.post("/api/v1/dossiers/lookup")
        .sent_from(client)
        .json(&json!({"code": code, "secret": "AAAAAAAA"}))
        .send()
        .await
}

#[tokio::test]
async fn one_client_guessing_many_codes_is_limited() {
    let app = TestApp::spawn_with(|config| config.lookup.limit_per_minute = 3).await;
    for sequence in 1..=3 {
        let code = format!("{WARD}-261201-000{sequence}");
        look_up_from(&app, "203.0.113.7", &code).await.assert_problem(404, "not_found");
    }

    let blocked = look_up_from(&app, "203.0.113.7", &format!("{WARD}-261201-0004")).await;
    let another_client = look_up_from(&app, "198.51.100.9", &format!("{WARD}-261201-0005")).await;

    blocked.assert_problem(429, "quota_exceeded");
    // Three a minute: a token is back every 20 seconds.
    assert_eq!(blocked.header("retry-after"), Some("20"));
    another_client.assert_problem(404, "not_found");
    app.clock.advance(chrono::Duration::seconds(60));
    look_up_from(&app, "203.0.113.7", &format!("{WARD}-261201-0006")).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn many_clients_guessing_one_code_are_limited() {
    let app = TestApp::spawn_with(|config| config.lookup.limit_per_minute = 3).await;
    let code = format!("{WARD}-261201-0001");
    for client in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        look_up_from(&app, client, &code).await.assert_problem(404, "not_found");
    }

    let blocked = look_up_from(&app, "203.0.113.4", &code).await;
    let another_code = look_up_from(&app, "203.0.113.4", &format!("{WARD}-261201-0002")).await;

    blocked.assert_problem(429, "quota_exceeded");
    assert_eq!(blocked.header("retry-after"), Some("20"));
    assert_eq!(blocked.header("ratelimit"), Some("\"lookup\";r=2;t=20, \"lookup-code\";r=0;t=60"));
    another_code.assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_citizen_follows_a_dossier_and_gets_its_status_changes() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    let citizen = app.token_for("0912345678", "citizen", None).await;
    let neighbour = app.token_for("0987654321", "citizen", None).await;
    let claim = json!({"code": code, "secret": receipt["lookup_secret"]});

    app.post("/api/v1/me/dossiers/claim").bearer(&citizen).json(&claim).send().await.assert_status(200);
    app.post("/api/v1/me/dossiers/claim").bearer(&citizen).json(&claim).send().await.assert_status(200);
    app.post("/api/v1/me/dossiers/claim")
        .bearer(&neighbour)
        .json(&claim)
        .send()
        .await
        .assert_problem(409, "dossier_already_claimed");
    let wrong = json!({"code": code, "secret": "ZZZZZZZZ"});
    app.post("/api/v1/me/dossiers/claim")
        .bearer(&neighbour)
        .json(&wrong)
        .send()
        .await
        .assert_problem(404, "not_found");
    transition(&app, &officer, code, "\"1\"", "in_progress").await.assert_status(200);

    let mine = app.get("/api/v1/me/dossiers").bearer(&citizen).send().await;
    let body = mine.assert_status(200);
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["status"], "in_progress");
    let inbox = app.get("/api/v1/me/notifications?unread=true").bearer(&citizen).send().await;
    let notice = inbox.assert_status(200)["items"][0].clone();
    assert_eq!(inbox.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(inbox.body["unread_count"], 1);
    assert_eq!(notice["dossier_code"], code);
    assert!(notice["title"].as_str().unwrap().contains(code));
    let read = format!("/api/v1/me/notifications/{}/read", notice["id"].as_str().unwrap());
    app.post(&read).bearer(&neighbour).send().await.assert_problem(404, "not_found");
    app.post(&read).bearer(&citizen).send().await.assert_status(204);
    let unread = app.get("/api/v1/me/notifications?unread=true").bearer(&citizen).send().await;
    assert_eq!(unread.assert_status(200)["items"], json!([]));
    assert_eq!(unread.body["unread_count"], 0);
    let theirs = app.get("/api/v1/me/dossiers").bearer(&neighbour).send().await;
    assert_eq!(theirs.assert_status(200)["total"], 0);
}

#[tokio::test]
async fn officers_never_see_another_units_dossiers() {
    let (app, officer) = desk().await;
    let code = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    let stranger = app.token_for("0900000009", "officer", Some(OTHER_WARD)).await;
    let town_supervisor = app.token_for("0900000008", "supervisor", Some("000.00.20.H12")).await;

    app.get(&format!("/api/v1/dossiers/{code}"))
        .bearer(&stranger)
        .send()
        .await
        .assert_problem(404, "not_found");
    transition(&app, &stranger, &code, "\"1\"", "in_progress").await.assert_problem(404, "not_found");
    let theirs = app.get("/api/v1/dossiers").bearer(&stranger).send().await;
    assert_eq!(theirs.assert_status(200)["total"], 0);
    let above = app.get(&format!("/api/v1/dossiers/{code}")).bearer(&town_supervisor).send().await;
    above.assert_status(200);
    let intake_elsewhere = app.post("/api/v1/dossiers").bearer(&stranger).json(&json!({
        "procedure_code": BIRTH, "unit_code": WARD,
        "applicant": {"full_name": "An", "id_number": "074095001234", "phone": "0912345678", "kind": "citizen"},
        "channel": "desk"})).send().await;
    intake_elsewhere.assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_worklist_filters_and_searches_without_diacritics() {
    let (app, officer) = desk().await;
    for name in ["Nguyễn Văn An", "Trần Thị Bình", "Đỗ Văn Cường"] {
        app.post("/api/v1/dossiers")
            .bearer(&officer)
            .json(&intake_body(name))
            .send()
            .await
            .assert_status(201);
    }
    let first = app.get("/api/v1/dossiers?q=do%20van%20cuong").bearer(&officer).send().await;
    let by_status = app.get("/api/v1/dossiers?status=accepted&per_page=2").bearer(&officer).send().await;
    let overdue = app.get("/api/v1/dossiers?overdue=true").bearer(&officer).send().await;

    let body = first.assert_status(200);
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["applicant_name"], "Đỗ Văn Cường");
    let body = by_status.assert_status(200);
    assert_eq!((body["total"].as_u64(), body["items"].as_array().unwrap().len()), (Some(3), 2));
    assert_eq!(overdue.assert_status(200)["total"], 0);
    let version = version_of(&app, &officer, body["items"][0]["code"].as_str().unwrap()).await;
    assert_eq!(version, "\"1\"");
}

#[tokio::test]
async fn a_dossier_is_assigned_to_a_colleague_of_its_unit_only() {
    let (app, officer) = desk().await;
    let code = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    let colleague = app.create_user("0900000003", "officer", Some(WARD)).await;
    let stranger = app.create_user("0900000004", "officer", Some(OTHER_WARD)).await;
    let assign = |who: uuid::Uuid, version: &'static str| {
        app.put(&format!("/api/v1/dossiers/{code}/assignment"))
            .bearer(&officer)
            .header("if-match", version)
            .json(&json!({"officer_id": who}))
            .send()
    };

    assign(stranger, "\"1\"").await.assert_problem(422, "validation_failed");
    let assigned = assign(colleague, "\"1\"").await;

    assert_eq!(assigned.assert_status(200)["assigned_to"], colleague.to_string());
    let theirs = app.get(&format!("/api/v1/dossiers?assigned_to={colleague}")).bearer(&officer).send().await;
    assert_eq!(theirs.assert_status(200)["total"], 1);
    assign(colleague, "\"1\"").await.assert_problem(412, "version_mismatch");
}

#[tokio::test]
async fn a_code_typed_in_lower_case_with_spaces_is_found() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    let typed = format!("  {} ", code.to_lowercase());
    assert_ne!(typed.trim(), code, "the unit code has letters to change case");

    let found = app
        .post("/api/v1/dossiers/lookup")
        .json(&json!({"code": typed, "secret": receipt["lookup_secret"]}))
        .send()
        .await;
    let by_officer =
        app.get(&format!("/api/v1/dossiers/{}", code.to_lowercase())).bearer(&officer).send().await;

    assert_eq!(found.assert_status(200)["code"], code);
    assert_eq!(by_officer.assert_status(200)["code"], code);
}

#[tokio::test]
async fn an_applicant_name_typed_decomposed_is_stored_composed() {
    let (app, officer) = desk().await;
    let body = intake_body("Nguye\u{0302}\u{0303}n Va\u{0306}n A\u{0302}\u{0301}n");

    let reply = app.post("/api/v1/dossiers").bearer(&officer).json(&body).send().await;

    let receipt = reply.assert_status(201);
    assert_eq!(receipt["applicant"]["full_name"], "Nguyễn Văn Ấn");
    let stored = entity::dossier::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(stored.applicant_name, "Nguyễn Văn Ấn");
}

#[tokio::test]
async fn a_stored_value_the_code_does_not_know_is_a_logged_500_not_a_guess() {
    use sea_orm::ConnectionTrait;
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    let citizen = app.token_for("0912345678", "citizen", None).await;
    let claim = json!({"code": code, "secret": receipt["lookup_secret"]});
    app.post("/api/v1/me/dossiers/claim").bearer(&citizen).json(&claim).send().await.assert_status(200);
    transition(&app, &officer, code, "*", "in_progress").await.assert_status(200);
    // A kind written by some later version of the server (the column has no check).
    app.db.execute_unprepared("UPDATE notifications SET kind = 'letter'").await.unwrap();

    let inbox = app.get("/api/v1/me/notifications").bearer(&citizen).send().await;

    inbox.assert_problem(500, "internal_error");
    assert!(!inbox.text.contains("letter"), "nothing internal in the answer: {}", inbox.text);
}
