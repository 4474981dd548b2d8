//! Letters: issued automatically exactly once when a birth or death registration is processed
//! (never for refused, withdrawn or stopped dossiers, nor when suppressed or opted out), by
//! hand, read only by the recipient and the unit's staff, rendered from each unit's text with
//! every value escaped, numbered per unit and year, and fixed once issued.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::{
    common::{Reply, TestApp},
    dossiers::{OTHER_WARD, WARD, desk, intake_body, take_in, transition},
};

const CITIZEN_PHONE: &str = "0912345678";

/// A dossier taken in at the ward and followed by the applicant's account: its code, and the
/// applicant's token.
async fn claimed_dossier(app: &TestApp, officer: &str) -> (String, String) {
    let receipt = take_in(app, officer).await;
    let code = receipt["code"].as_str().unwrap().to_owned();
    let citizen = app.token_of(CITIZEN_PHONE).await;
    let claim = json!({"code": code, "secret": receipt["lookup_secret"]});
    app.post("/api/v1/me/dossiers/claim").bearer(&citizen).json(&claim).send().await.assert_status(200);
    (code, citizen)
}

async fn letters_in_db(app: &TestApp) -> u64 {
    entity::letter::Entity::find().count(&app.db).await.unwrap()
}

async fn my_letters(app: &TestApp, citizen: &str) -> Value {
    app.get("/api/v1/me/letters").bearer(citizen).send().await.assert_status(200).clone()
}

async fn issue(app: &TestApp, officer: &str, body: Value) -> Reply {
    app.post("/api/v1/letters").bearer(officer).json(&body).send().await
}

fn thank_you(name: &str) -> Value {
    json!({"kind": "thank_you", "recipient_name": name, "honorific": "Ông", "event": "góp ý giúp cải tiến thủ tục"})
}

#[tokio::test]
async fn a_processed_birth_registration_brings_one_congratulation_letter() {
    let (app, officer) = desk().await;
    app.create_user(CITIZEN_PHONE, "citizen", None).await;
    let (code, citizen) = claimed_dossier(&app, &officer).await;

    let version = app.get(&format!("/api/v1/dossiers/{code}")).bearer(&officer).send().await;
    let version = version.assert_status(200).clone();
    let etag = format!("\"{}\"", version["version"]);
    transition(&app, &officer, &code, &etag, "processed").await.assert_status(200);

    let mine = my_letters(&app, &citizen).await;
    assert_eq!(mine["total"], 1, "{mine}");
    let letter = &mine["items"][0];
    assert_eq!(letter["kind"], "congratulation");
    assert_eq!(letter["number"], 1);
    assert_eq!(letter["year"], 2026);
    assert_eq!(letter["number_text"], "1/TCM");
    assert_eq!(letter["dossier_code"], code.as_str());
    assert_eq!(letter["recipient_name"], "Nguyễn Văn An");
    assert_eq!(letter["honorific"], "Ông/Bà");
    assert_eq!(letter["event"], "chào đón thành viên mới");
    assert_eq!(letter["automatic"], true);
    let id = letter["id"].as_str().unwrap();

    // Retried: the same request again (stale version), and once more whatever the version.
    transition(&app, &officer, &code, &etag, "processed").await.assert_problem(412, "version_mismatch");
    transition(&app, &officer, &code, "*", "processed").await.assert_problem(409, "illegal_transition");
    // Returned afterwards: still the one letter.
    transition(&app, &officer, &code, "*", "returned").await.assert_status(200);
    assert_eq!(letters_in_db(&app).await, 1);
    assert_eq!(my_letters(&app, &citizen).await["total"], 1);

    // The inbox tells the citizen; the notice names the letter.
    let inbox = app.get("/api/v1/me/notifications").bearer(&citizen).send().await;
    let notices = inbox.assert_status(200)["items"].as_array().unwrap().clone();
    let notices: Vec<&Value> = notices.iter().filter(|n| n["kind"] == "letter_issued").collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0]["body"].as_str().unwrap().contains("1/TCM"));
    let stored = entity::notification::Entity::find().all(&app.db).await.unwrap();
    assert!(stored.iter().any(|n| n.letter_id.map(|l| l.to_string()) == Some(id.to_owned())));

    // The printable page, as issued.
    let page = app.get(&format!("/api/v1/letters/{id}?format=html")).bearer(&citizen).send().await;
    page.assert_status(200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "THƯ CHÚC MỪNG",
        "Số: 1&#x2f;TCM",
        "Nguyễn Văn An",
        "@page { size: A4",
    ] {
        assert!(page.text.contains(expected), "{expected} missing in {}", page.text);
    }
    // A second automatic letter by hand on the same dossier is refused.
    let again = json!({"kind": "congratulation", "dossier_code": code, "recipient_name": "Nguyễn Văn An", "honorific": "Ông", "event": "x"});
    issue(&app, &officer, again).await.assert_problem(409, "letter_exists");
    assert_eq!(letters_in_db(&app).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_transitions_to_processed_make_one_letter() {
    let (app, officer) = desk().await;
    for _ in 0..3 {
        let code = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
        let second = app.second_process().await;
        let (a, b) = tokio::join!(
            transition(&app, &officer, &code, "*", "processed"),
            transition(&second, &officer, &code, "*", "processed"),
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{} / {}", a.text, b.text);
    }
    assert_eq!(letters_in_db(&app).await, 3);
    let numbers: Vec<i32> =
        entity::letter::Entity::find().all(&app.db).await.unwrap().iter().map(|l| l.number).collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(sorted, [1, 2, 3], "no gaps in the register");
}

#[tokio::test]
async fn refused_withdrawn_and_stopped_dossiers_get_no_letter() {
    let (app, officer) = desk().await;
    let supervisor = app.token_for("0900000003", "supervisor", Some("000.00.20.H12")).await;
    let mut online = intake_body("Nguyễn Văn An");
    online["channel"] = json!("online");
    let submitted = app.post("/api/v1/dossiers").bearer(&officer).json(&online).send().await;
    let refused = submitted.assert_status(201)["code"].as_str().unwrap().to_owned();
    transition(&app, &officer, &refused, "*", "refused").await.assert_status(200);
    let withdrawn = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    transition(&app, &officer, &withdrawn, "*", "withdrawn").await.assert_status(200);
    let stopped = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    transition(&app, &supervisor, &stopped, "*", "stopped").await.assert_status(200);

    for code in [&refused, &withdrawn, &stopped] {
        transition(&app, &officer, code, "*", "processed").await.assert_problem(409, "illegal_transition");
    }
    assert_eq!(letters_in_db(&app).await, 0);
}

#[tokio::test]
async fn a_suppressed_letter_is_not_issued_until_the_suppression_is_lifted() {
    let (app, officer) = desk().await;
    let code = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/dossiers/{code}/letter-suppression");
    let reason = json!({"reason": "Gia đình đề nghị không gửi thư."});
    let suppressed = app.put(&path).bearer(&officer).json(&reason).send().await;
    assert_eq!(suppressed.assert_status(200)["letter_suppressed_reason"], "Gia đình đề nghị không gửi thư.");
    let other_officer = app.token_for("0900000002", "officer", Some(OTHER_WARD)).await;
    app.put(&path).bearer(&other_officer).json(&reason).send().await.assert_problem(404, "not_found");

    transition(&app, &officer, &code, "*", "processed").await.assert_status(200);
    assert_eq!(letters_in_db(&app).await, 0);
    // Once processed, the record stands.
    app.delete(&path).bearer(&officer).send().await.assert_problem(409, "dossier_closed");
    let audit = app.db.query_one_raw(sea_orm::Statement::from_string(
        app.db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'dossier.letter_suppression'",
    ));
    let n: i64 = audit.await.unwrap().unwrap().try_get("", "n").unwrap();
    assert_eq!(n, 1);

    // Lifted on another dossier: its letter comes.
    let other = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    let other_path = format!("/api/v1/dossiers/{other}/letter-suppression");
    app.put(&other_path).bearer(&officer).json(&reason).send().await.assert_status(200);
    let lifted = app.delete(&other_path).bearer(&officer).send().await;
    assert!(lifted.assert_status(200)["letter_suppressed_reason"].is_null());
    transition(&app, &officer, &other, "*", "processed").await.assert_status(200);
    assert_eq!(letters_in_db(&app).await, 1);
}

#[tokio::test]
async fn a_citizen_who_opted_out_gets_no_letter() {
    let (app, officer) = desk().await;
    let citizen_id = app.create_user(CITIZEN_PHONE, "citizen", None).await;
    let (code, citizen) = claimed_dossier(&app, &officer).await;
    let me = app.get("/api/v1/me").bearer(&citizen).send().await;
    assert_eq!(me.assert_status(200)["letters_opt_out"], false);
    let changed =
        app.patch("/api/v1/me").bearer(&citizen).json(&json!({"letters_opt_out": true})).send().await;
    assert_eq!(changed.assert_status(200)["letters_opt_out"], true);

    transition(&app, &officer, &code, "*", "processed").await.assert_status(200);
    assert_eq!(letters_in_db(&app).await, 0);
    let mut by_hand = thank_you("Trần Thị Bình");
    by_hand["recipient_id"] = json!(citizen_id);
    issue(&app, &officer, by_hand.clone()).await.assert_problem(409, "letters_opted_out");
    assert_eq!(letters_in_db(&app).await, 0);

    // Opted in again: letters come again.
    app.patch("/api/v1/me")
        .bearer(&citizen)
        .json(&json!({"letters_opt_out": false}))
        .send()
        .await
        .assert_status(200);
    issue(&app, &officer, by_hand).await.assert_status(201);
    assert_eq!(my_letters(&app, &citizen).await["total"], 1);
}

#[tokio::test]
async fn a_processed_death_registration_brings_a_condolence() {
    let (app, officer) = desk().await;
    let procedure = entity::procedure::Entity::find().one(&app.db).await.unwrap().unwrap();
    let mut death: entity::procedure::ActiveModel = procedure.into();
    death.name = Set("Đăng ký khai tử".into());
    death.letter_on_completion = Set(entity::values::LetterOnCompletion::Condolence);
    death.update(&app.db).await.unwrap();
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap().to_owned();

    transition(&app, &officer, &code, "*", "in_progress").await.assert_status(200);
    transition(&app, &officer, &code, "*", "processed").await.assert_status(200);

    let letters = app.get("/api/v1/letters").bearer(&officer).send().await;
    let letter = &letters.assert_status(200)["items"][0];
    assert_eq!(letter["kind"], "condolence");
    assert_eq!(letter["number_text"], "1/TCB");
    assert_eq!(letter["event"], "có người thân từ trần");
    assert!(letter["recipient_id"].is_null());
    let page =
        app.get(&format!("/api/v1/letters/{}?format=html", letter["id"].as_str().unwrap())).bearer(&officer);
    let page = page.send().await;
    assert!(page.assert_status(200).is_null() && page.text.contains("THƯ CHIA BUỒN"));
    assert!(!page.text.contains("chúc mừng"));

    // Issued before anyone followed the dossier: the applicant finds it once they claim it.
    let citizen = app.token_for(CITIZEN_PHONE, "citizen", None).await;
    assert_eq!(my_letters(&app, &citizen).await["total"], 0);
    let claim = json!({"code": code, "secret": receipt["lookup_secret"]});
    app.post("/api/v1/me/dossiers/claim").bearer(&citizen).json(&claim).send().await.assert_status(200);
    let mine = my_letters(&app, &citizen).await;
    assert_eq!(mine["items"][0]["id"], letter["id"], "{mine}");
    let id = letter["id"].as_str().unwrap();
    app.get(&format!("/api/v1/letters/{id}")).bearer(&citizen).send().await.assert_status(200);
}

#[tokio::test]
async fn only_the_recipient_and_the_units_staff_read_a_letter() {
    let (app, officer) = desk().await;
    app.create_user(CITIZEN_PHONE, "citizen", None).await;
    let (code, citizen) = claimed_dossier(&app, &officer).await;
    transition(&app, &officer, &code, "*", "processed").await.assert_status(200);
    let id = my_letters(&app, &citizen).await["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/letters/{id}");

    let neighbour = app.token_for("0987654321", "citizen", None).await;
    let other_officer = app.token_for("0900000002", "officer", Some(OTHER_WARD)).await;
    let supervisor = app.token_for("0900000003", "supervisor", Some("000.00.20.H12")).await;
    for stranger in [&neighbour, &other_officer] {
        app.get(&path).bearer(stranger).send().await.assert_problem(404, "not_found");
        app.get(&format!("{path}?format=html"))
            .bearer(stranger)
            .send()
            .await
            .assert_problem(404, "not_found");
    }
    assert_eq!(my_letters(&app, &neighbour).await["total"], 0);
    for reader in [&citizen, &officer, &supervisor] {
        assert_eq!(app.get(&path).bearer(reader).send().await.assert_status(200)["id"], id.as_str());
    }
    let theirs = app.get("/api/v1/letters").bearer(&other_officer).send().await;
    assert_eq!(theirs.assert_status(200)["total"], 0);
    let elsewhere = app.get(&format!("/api/v1/letters?unit={WARD}")).bearer(&other_officer).send().await;
    elsewhere.assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_units_text_escapes_every_value_and_refuses_unknown_placeholders() {
    let (app, officer) = desk().await;
    let supervisor = app.token_for("0900000003", "supervisor", Some("000.00.20.H12")).await;
    let path = format!("/api/v1/units/{WARD}/letter-templates/thank_you");
    let shipped = app.get(&path).bearer(&officer).send().await;
    assert_eq!(shipped.assert_status(200)["is_default"], true);
    assert!(shipped.body["body"].as_str().unwrap().contains("{{ recipient_name }}"));

    let text = |body: &str| json!({"title": "THƯ CẢM ƠN", "body": body, "signer_name": "Lê Văn Cường", "signer_title": "CHỦ TỊCH"});
    for (body, named) in [
        ("Kính gửi {{ recipient_name }}, lương {{ salary }}.", "salary"),
        ("{% if event %}Cảm ơn{% endif %}", "{%"),
        ("{{ recipient_name * 100000 }}", "recipient_name * 100000"),
        ("Kính gửi {{ recipient_name", "}}"),
    ] {
        let refused = app.put(&path).bearer(&supervisor).json(&text(body)).send().await;
        let problem = refused.assert_problem(422, "letter_template_invalid");
        assert!(problem["detail"].as_str().unwrap().contains(named), "{problem}");
    }
    assert_eq!(entity::letter_template::Entity::find().count(&app.db).await.unwrap(), 0);
    app.put(&path).bearer(&officer).json(&text("{{ event }}")).send().await.assert_problem(403, "forbidden");

    let body = "Kính gửi {{ honorific }} {{ recipient_name|upper }} <i>\n\n{{ unit }} cảm ơn {{ honorific }} đã {{ event }} ngày {{ event_date }}. Thư số {{ letter_number }}, {{ issue_date }}, {{ signer_title }} {{ signer_name }}.";
    let saved = app.put(&path).bearer(&supervisor).json(&text(body)).send().await;
    assert_eq!(saved.assert_status(200)["is_default"], false);
    assert_eq!(app.get(&path).bearer(&officer).send().await.assert_status(200)["body"], body);

    let letter = json!({"kind": "thank_you", "recipient_name": "<script>alert(1)</script>", "honorific": "Lê & Trần",
                        "event": "góp ý \"thẳng thắn\"", "event_date": "2026-11-30"});
    let issued = issue(&app, &officer, letter).await;
    let id = issued.assert_status(201)["id"].as_str().unwrap().to_owned();
    let page = app.get(&format!("/api/v1/letters/{id}?format=html")).bearer(&officer).send().await;
    page.assert_status(200);
    assert!(!page.text.contains("<script>alert"), "{}", page.text);
    assert!(!page.text.contains("<i>"));
    for expected in [
        "Kính gửi Lê &amp; Trần &lt;SCRIPT&gt;ALERT(1)&lt;&#x2f;SCRIPT&gt; &lt;i&gt;",
        // Slashes too are escaped (`&#x2f;`), which a browser prints as `/`.
        "đã góp ý &quot;thẳng thắn&quot; ngày 30&#x2f;11&#x2f;2026",
        "Thư số 1&#x2f;TCƠ, 01&#x2f;12&#x2f;2026, CHỦ TỊCH Lê Văn Cường.",
        "Đơn vị 000.20.33.H12 cảm ơn",
    ] {
        assert!(page.text.contains(expected), "{expected} missing in {}", page.text);
    }
}

#[tokio::test]
async fn a_letter_is_fixed_once_issued() {
    let (app, officer) = desk().await;
    issue(&app, &officer, thank_you("Nguyễn Văn An")).await.assert_status(201);
    let backend = app.db.get_database_backend();
    for sql in ["UPDATE letters SET title = 'Khác'", "UPDATE letters SET html = ''", "DELETE FROM letters"] {
        let changed = app.db.execute_raw(sea_orm::Statement::from_string(backend, sql)).await;
        assert!(changed.is_err(), "{sql} went through");
    }
    let letter = entity::letter::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(letter.title, "THƯ CẢM ƠN");
    assert!(letter.html.contains("Nguyễn Văn An"));
}

#[tokio::test]
async fn letters_are_numbered_per_unit_and_year() {
    let (app, officer) = desk().await;
    let other_officer = app.token_for("0900000002", "officer", Some(OTHER_WARD)).await;
    let number = |reply: Reply| reply.assert_status(201)["number_text"].as_str().unwrap().to_owned();

    assert_eq!(number(issue(&app, &officer, thank_you("A")).await), "1/TCƠ");
    assert_eq!(number(issue(&app, &officer, thank_you("B")).await), "2/TCƠ");
    let mut congratulation = thank_you("C");
    congratulation["kind"] = json!("congratulation");
    assert_eq!(number(issue(&app, &officer, congratulation).await), "3/TCM");
    assert_eq!(number(issue(&app, &other_officer, thank_you("D")).await), "1/TCƠ");

    app.set_time("2027-01-04T09:00:00+07:00");
    let officer = app.token_of(crate::dossiers::OFFICER_PHONE).await;
    let next_year = issue(&app, &officer, thank_you("E")).await;
    assert_eq!(next_year.assert_status(201)["year"], 2027);
    assert_eq!(next_year.body["number"], 1);
}

#[tokio::test]
async fn a_letter_by_hand_names_a_unit_dossier_and_recipient_of_the_callers() {
    let (app, officer) = desk().await;
    let admin = app.token_for("0900000009", "admin", None).await;
    let citizen = app.token_for(CITIZEN_PHONE, "citizen", None).await;
    let officer_id = app.create_user("0900000004", "officer", Some(WARD)).await;
    let other_officer = app.token_for("0900000002", "officer", Some(OTHER_WARD)).await;
    let code = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    let with = |changes: Value| {
        let mut body = thank_you("Nguyễn Văn An");
        for (field, value) in changes.as_object().unwrap() {
            body[field] = value.clone();
        }
        body
    };

    let no_unit = issue(&app, &admin, with(json!({}))).await;
    assert_eq!(no_unit.assert_problem(422, "validation_failed")["errors"][0]["field"], "unit_code");
    issue(&app, &officer, with(json!({"unit_code": OTHER_WARD}))).await.assert_problem(404, "not_found");
    let elsewhere = issue(&app, &other_officer, with(json!({"dossier_code": code}))).await;
    assert_eq!(elsewhere.assert_problem(422, "validation_failed")["errors"][0]["field"], "dossier_code");
    let staff = issue(&app, &officer, with(json!({"recipient_id": officer_id}))).await;
    assert_eq!(staff.assert_problem(422, "validation_failed")["errors"][0]["field"], "recipient_id");
    issue(&app, &citizen, with(json!({}))).await.assert_problem(403, "forbidden");
    assert_eq!(letters_in_db(&app).await, 0);

    // The administrator names the unit; the dossier's letter goes to whoever follows it later.
    let issued =
        issue(&app, &admin, with(json!({"unit_code": WARD, "dossier_code": code.to_lowercase()}))).await;
    let letter = issued.assert_status(201);
    assert_eq!(letter["unit_code"], WARD);
    assert_eq!(letter["dossier_code"], code.as_str());
    assert_eq!(letter["automatic"], false);
    assert_eq!(letter["event_date"], "2026-12-01");
}
