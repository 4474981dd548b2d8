//! Ratings: who may rate what, once and inside the window; the printed tokens; masking and
//! moderation; flagged ratings in the supervisors' inbox; the public profile and the Wilson
//! ranking; the unit's settings; and the database refusing to edit or delete a rating.

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::{
    appointments::{CITIZEN_PHONE, book},
    common::{Reply, TestApp},
    dossiers::{WARD, take_in, take_in_for, transition},
    queue::{act, check_in, next, open, queue_desk},
};

const PARENT: &str = "000.00.20.H12";

async fn rate(app: &TestApp, token: Option<&str>, body: Value) -> Reply {
    let call = app.post("/api/v1/ratings").json(&body);
    match token {
        Some(token) => call.bearer(token),
        None => call,
    }
    .send()
    .await
}

async fn id_of(app: &TestApp, token: &str) -> String {
    app.get("/api/v1/me").bearer(token).send().await.assert_status(200)["id"].as_str().unwrap().to_owned()
}

/// A walk-in served by `officer` at `counter`: the check-in answer, with its rating token.
async fn served_walk_in(app: &TestApp, officer: &str, counter: i32) -> Value {
    let ticket = check_in(app, officer, json!({})).await.assert_status(201).clone();
    open(app, officer, counter).await;
    let called = next(app, officer, counter).await.assert_status(200).clone();
    assert_eq!(called["id"], ticket["id"]);
    act(app, officer, &called, "served", json!({})).await.assert_status(200);
    ticket
}

/// A dossier taken in by `officer`, claimed by `citizen`, then processed and returned by
/// `returner`: its code.
async fn returned_dossier(app: &TestApp, officer: &str, returner: &str, citizen: &str) -> String {
    let receipt = take_in_for(app, officer, CITIZEN_PHONE).await;
    let code = receipt["code"].as_str().unwrap().to_owned();
    let claim = json!({"code": code, "secret": receipt["lookup_secret"]});
    app.post("/api/v1/me/dossiers/claim").bearer(citizen).json(&claim).send().await.assert_status(200);
    for (version, to) in [("\"1\"", "in_progress"), ("\"2\"", "processed"), ("\"3\"", "returned")] {
        transition(app, returner, &code, version, to).await.assert_status(200);
    }
    code
}

async fn ratings_stored(app: &TestApp) -> u64 {
    entity::rating::Entity::find().count(&app.db).await.unwrap()
}

#[tokio::test]
async fn a_citizen_rates_the_officer_who_returned_their_dossier_once_and_inside_the_window() {
    let (app, officer, citizen, _) = queue_desk().await;
    let returner = app.token_for("0900000011", "officer", Some(WARD)).await;
    let stranger = app.token_for("0912000099", "citizen", None).await;

    let receipt = take_in_for(&app, &officer, CITIZEN_PHONE).await;
    let code = receipt["code"].as_str().unwrap().to_owned();
    let claim = json!({"code": code, "secret": receipt["lookup_secret"]});
    app.post("/api/v1/me/dossiers/claim").bearer(&citizen).json(&claim).send().await.assert_status(200);
    let body = json!({"dossier_code": code, "level": "satisfied", "trips_to_complete": "1"});
    rate(&app, Some(&citizen), body.clone()).await.assert_problem(409, "not_rateable_yet");
    for (version, to) in [("\"1\"", "in_progress"), ("\"2\"", "processed"), ("\"3\"", "returned")] {
        transition(&app, &returner, &code, version, to).await.assert_status(200);
    }

    rate(&app, None, body.clone()).await.assert_problem(401, "unauthenticated");
    rate(&app, Some(&officer), body.clone()).await.assert_problem(403, "staff_cannot_rate");
    rate(&app, Some(&stranger), body.clone()).await.assert_problem(404, "not_found");
    let two = json!({"dossier_code": code, "ticket_id": uuid::Uuid::now_v7(), "level": "satisfied"});
    rate(&app, Some(&citizen), two).await.assert_problem(422, "validation_failed");
    let rated = rate(&app, Some(&citizen), body.clone()).await;
    let rated = rated.assert_status(201);
    assert_eq!(rated["officer"]["id"], id_of(&app, &returner).await.as_str());
    assert_eq!(
        (rated["channel"].as_str(), rated["dossier_code"].as_str()),
        (Some("app"), Some(code.as_str()))
    );
    assert_eq!(
        (rated["level"].as_str(), rated["trips_to_complete"].as_str()),
        (Some("satisfied"), Some("1"))
    );
    assert_eq!(rated["dossier_timeliness"], "early");
    assert_eq!(rated["complaint_suggested"], false);
    rate(&app, Some(&citizen), body).await.assert_problem(409, "already_rated");
    assert_eq!(ratings_stored(&app).await, 1);

    let late = returned_dossier(&app, &officer, &returner, &citizen).await;
    app.set_time("2027-01-01T09:00:01+07:00");
    let citizen = app.token_of(crate::appointments::CITIZEN_PHONE).await;
    let body = json!({"dossier_code": late, "level": "not_satisfied"});
    rate(&app, Some(&citizen), body).await.assert_problem(409, "rating_window_closed");
    assert_eq!(ratings_stored(&app).await, 1);
}

#[tokio::test]
async fn a_kiosk_rates_a_served_ticket_with_its_printed_token_once() {
    let (app, officer, citizen, _) = queue_desk().await;
    let waiting = check_in(&app, &officer, json!({})).await.assert_status(201).clone();
    let token = waiting["rating_token"].as_str().expect("the check-in prints a rating token").to_owned();
    let body = json!({"rating_token": token, "level": "very_satisfied", "guidance_clear": "very_satisfied"});
    rate(&app, None, body.clone()).await.assert_problem(409, "not_rateable_yet");
    open(&app, &officer, 1).await;
    let called = next(&app, &officer, 1).await.assert_status(200).clone();
    assert!(called.get("rating_token").is_none(), "only the check-in answer prints it");
    act(&app, &officer, &called, "served", json!({})).await.assert_status(200);

    rate(&app, Some(&officer), body.clone()).await.assert_problem(403, "staff_cannot_rate");
    let rated = rate(&app, None, body.clone()).await;
    let rated = rated.assert_status(201);
    assert_eq!(
        (rated["channel"].as_str(), rated["ticket_id"].as_str()),
        (Some("kiosk_token"), waiting["id"].as_str())
    );
    assert_eq!(rated["officer"]["id"], id_of(&app, &officer).await.as_str());
    rate(&app, None, body).await.assert_problem(409, "already_rated");
    let mut forged = token.clone();
    let last = if forged.pop() == Some('0') { '1' } else { '0' };
    forged.push(last);
    rate(&app, None, json!({"rating_token": forged, "level": "satisfied"}))
        .await
        .assert_problem(404, "not_found");
    let stored = entity::rating::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!((stored.citizen_id, stored.level), (None, entity::values::RatingLevel::VerySatisfied));

    // An appointment is rated through its ticket, by its own citizen: once for both.
    let booked = book(&app, &citizen, "2026-12-01T10:00:00+07:00", "ten").await.assert_status(201).clone();
    app.set_time("2026-12-01T09:45:00+07:00");
    let ticket =
        check_in(&app, &officer, json!({"appointment_id": booked["id"]})).await.assert_status(201).clone();
    let called = next(&app, &officer, 1).await.assert_status(200).clone();
    act(&app, &officer, &called, "served", json!({})).await.assert_status(200);
    let by_appointment =
        rate(&app, Some(&citizen), json!({"appointment_id": booked["id"], "level": "satisfied"})).await;
    assert_eq!(by_appointment.assert_status(201)["ticket_id"], ticket["id"]);
    let by_ticket = json!({"ticket_id": ticket["id"], "level": "satisfied"});
    rate(&app, Some(&citizen), by_ticket).await.assert_problem(409, "already_rated");

    // A token lapses with the window.
    let later = served_walk_in(&app, &officer, 1).await;
    app.set_time("2027-01-01T09:00:00+07:00");
    let lapsed = json!({"rating_token": later["rating_token"], "level": "satisfied"});
    rate(&app, None, lapsed).await.assert_problem(409, "rating_window_closed");
    assert_eq!(ratings_stored(&app).await, 2);
}

#[tokio::test]
async fn the_receipt_prints_a_rating_token_that_rates_the_dossier_without_sign_in() {
    let (app, officer, citizen, _) = queue_desk().await;
    let receipt = take_in(&app, &officer).await;
    let token = receipt["rating_token"].as_str().unwrap().to_owned();
    assert!(receipt["receipt_html"].as_str().unwrap().contains("Đánh giá cán bộ"));
    let code = receipt["code"].as_str().unwrap();
    for (version, to) in [("\"1\"", "in_progress"), ("\"2\"", "processed")] {
        transition(&app, &officer, code, version, to).await.assert_status(200);
    }
    // A signed-in citizen may use a token of someone else's dossier (family at the desk).
    let rated =
        rate(&app, Some(&citizen), json!({"rating_token": token, "level": "satisfied", "channel": "web"}))
            .await;
    assert_eq!(rated.assert_status(201)["channel"], "web");
    assert_eq!(rated.body["dossier_code"], code);
}

#[tokio::test]
async fn comments_are_masked_and_public_only_once_a_supervisor_approves_them() {
    let (app, officer, _, supervisor) = queue_desk().await;
    let officer_id = id_of(&app, &officer).await;
    let first = served_walk_in(&app, &officer, 1).await;
    let comment = "Chị rất nhiệt tình. Gọi tôi 0901234567, CCCD 001099012345. Lệ phí 50000 đồng.";
    let rated = rate(
        &app,
        None,
        json!({"rating_token": first["rating_token"], "level": "very_satisfied", "comment": comment}),
    )
    .await;
    let rated = rated.assert_status(201).clone();
    assert_eq!(rated["comment"], "Chị rất nhiệt tình. Gọi tôi ***, CCCD ***. Lệ phí 50000 đồng.");
    assert_eq!(rated["comment_status"], "pending");
    // Five working days from Tuesday 1 December: Tuesday 8 December, at closing time.
    let due: chrono::DateTime<chrono::Utc> = rated["moderation_due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive().to_string(), "2026-12-08");

    let profile_path = format!("/api/v1/officers/{officer_id}");
    let profile = app.get(&profile_path).send().await.assert_status(200).clone();
    assert_eq!((profile["n"].as_u64(), profile["counts"]["very_satisfied"].as_u64()), (Some(1), Some(1)));
    assert_eq!(profile["recent_comments"], json!([]));

    app.get("/api/v1/ratings?status=pending").bearer(&officer).send().await.assert_problem(403, "forbidden");
    let pending = app.get("/api/v1/ratings?status=pending").bearer(&supervisor).send().await;
    assert_eq!(pending.assert_status(200)["total"], 1);
    let id = rated["id"].as_str().unwrap();
    let moderate = |body: Value| {
        app.post(&format!("/api/v1/ratings/{id}/moderation")).bearer(&supervisor).json(&body).send()
    };
    moderate(json!({"decision": "approve", "reason": "spam"})).await.assert_problem(422, "validation_failed");
    moderate(json!({"decision": "approve"})).await.assert_status(200);
    moderate(json!({"decision": "reject", "reason": "spam"})).await.assert_problem(409, "already_moderated");
    let profile = app.get(&profile_path).send().await.assert_status(200).clone();
    assert_eq!(profile["recent_comments"][0]["comment"], rated["comment"]);
    assert!(profile["recent_comments"][0].get("citizen_id").is_none());

    let second = served_walk_in(&app, &officer, 1).await;
    let offensive = json!({"rating_token": second["rating_token"], "level": "not_satisfied", "comment": "lời lẽ xúc phạm"});
    let rejected = rate(&app, None, offensive).await.assert_status(201).clone();
    app.set_time("2026-12-09T09:00:00+07:00");
    let supervisor = app.token_of(crate::appointments::SUPERVISOR_PHONE).await;
    let overdue = app.get("/api/v1/ratings?status=pending&overdue=true").bearer(&supervisor).send().await;
    assert_eq!(overdue.assert_status(200)["items"][0]["id"], rejected["id"]);
    let path = format!("/api/v1/ratings/{}/moderation", rejected["id"].as_str().unwrap());
    app.post(&path)
        .bearer(&supervisor)
        .json(&json!({"decision": "reject"}))
        .send()
        .await
        .assert_problem(422, "validation_failed");
    let done = app
        .post(&path)
        .bearer(&supervisor)
        .json(&json!({"decision": "reject", "reason": "offensive"}))
        .send()
        .await;
    assert_eq!(done.assert_status(200)["rejection_reason"], "offensive");
    let profile = app.get(&profile_path).send().await.assert_status(200).clone();
    assert_eq!((profile["n"].as_u64(), profile["recent_comments"].as_array().unwrap().len()), (Some(2), 1));
    let stored =
        entity::rating::Entity::find_by_id(rejected["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.comment.as_deref(), Some("lời lẽ xúc phạm"), "a rejected comment stays for the record");
    app.get("/api/v1/officers/00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_comment_about_a_supervisor_is_moderated_by_the_unit_above() {
    let (app, _, _, supervisor) = queue_desk().await;
    let peer = app.token_for("0900000012", "supervisor", Some(WARD)).await;
    let above = app.token_for("0900000013", "supervisor", Some(PARENT)).await;
    let ticket = served_walk_in(&app, &supervisor, 1).await;
    let body =
        json!({"rating_token": ticket["rating_token"], "level": "satisfied", "comment": "Anh ấy tận tâm."});
    let rated = rate(&app, None, body).await.assert_status(201).clone();
    let id = rated["id"].as_str().unwrap();

    let own = app.get("/api/v1/ratings?status=pending").bearer(&supervisor).send().await;
    assert_eq!(own.assert_status(200)["total"], 0, "never one's own");
    app.get(&format!("/api/v1/ratings/{id}"))
        .bearer(&supervisor)
        .send()
        .await
        .assert_problem(404, "not_found");
    let peers = app.get("/api/v1/ratings?status=pending").bearer(&peer).send().await;
    assert_eq!(peers.assert_status(200)["total"], 0);
    let decision = json!({"decision": "approve"});
    let path = format!("/api/v1/ratings/{id}/moderation");
    app.post(&path).bearer(&peer).json(&decision).send().await.assert_problem(403, "moderated_above");
    app.post(&path).bearer(&supervisor).json(&decision).send().await.assert_problem(404, "not_found");
    let queue = app.get("/api/v1/ratings?status=pending").bearer(&above).send().await;
    assert_eq!(queue.assert_status(200)["items"][0]["id"], id);
    app.post(&path).bearer(&above).json(&decision).send().await.assert_status(200);
}

#[tokio::test]
async fn a_rating_reporting_unofficial_payment_reaches_the_supervisors_inbox_at_once() {
    let (app, officer, _, supervisor) = queue_desk().await;
    let elsewhere = app.token_for("0900000014", "supervisor", Some(crate::dossiers::OTHER_WARD)).await;
    let ticket = served_walk_in(&app, &officer, 1).await;
    let body = json!({"rating_token": ticket["rating_token"], "level": "not_satisfied", "asked_for_unofficial_payment": true});
    let rated = rate(&app, None, body).await.assert_status(201).clone();
    assert_eq!(rated["complaint_suggested"], true);

    let inbox =
        app.get("/api/v1/me/notifications").bearer(&supervisor).send().await.assert_status(200).clone();
    let notice = &inbox["items"][0];
    assert_eq!(
        (notice["kind"].as_str(), notice["rating_id"].as_str()),
        (Some("rating_flagged"), rated["id"].as_str())
    );
    assert!(notice["body"].as_str().unwrap().contains("chi tiền ngoài quy định"));
    let flagged = app.get("/api/v1/ratings?flagged=true").bearer(&supervisor).send().await;
    assert_eq!(flagged.assert_status(200)["items"][0]["id"], rated["id"]);
    let path = format!("/api/v1/ratings/{}", rated["id"].as_str().unwrap());
    app.get(&path).bearer(&supervisor).send().await.assert_status(200);
    app.get(&path).bearer(&elsewhere).send().await.assert_problem(404, "not_found");
    let theirs = app.get("/api/v1/me/notifications").bearer(&elsewhere).send().await;
    assert_eq!(theirs.assert_status(200)["items"], serde_json::json!([]));
}

#[tokio::test]
async fn the_ranking_orders_by_the_wilson_bound_and_lists_officers_with_too_few_ratings_after() {
    let (app, officer, _, supervisor) = queue_desk().await;
    let settings = format!("/api/v1/units/{WARD}/feedback-settings");
    let three = json!({"rating_window_days": 30, "ranking_min_ratings": 3, "moderation_working_days": 5,
        "complaint_due_working_days": 15, "complaint_reopen_days": 30});
    app.put(&settings).bearer(&officer).json(&three).send().await.assert_problem(403, "forbidden");
    let zero = json!({"rating_window_days": 0, "ranking_min_ratings": 3, "moderation_working_days": 5,
        "complaint_due_working_days": 15, "complaint_reopen_days": 30});
    app.put(&settings).bearer(&supervisor).json(&zero).send().await.assert_problem(422, "validation_failed");
    app.put(&settings).bearer(&supervisor).json(&three).send().await.assert_status(200);
    assert_eq!(app.get(&settings).bearer(&officer).send().await.assert_status(200)["ranking_min_ratings"], 3);
    let other = format!("/api/v1/units/{}/feedback-settings", crate::dossiers::OTHER_WARD);
    app.put(&other).bearer(&supervisor).json(&three).send().await.assert_problem(404, "not_found");

    let mixed = app.token_for("0900000015", "officer", Some(WARD)).await;
    let few = app.token_for("0900000016", "officer", Some(WARD)).await;
    let idle = app.token_for("0900000017", "officer", Some(WARD)).await;
    let plan: [(&str, i32, &[&str]); 3] = [
        (&officer, 1, &["very_satisfied", "satisfied", "satisfied"]),
        (&mixed, 2, &["satisfied", "satisfied", "satisfied", "not_satisfied"]),
        (&few, 3, &["very_satisfied", "very_satisfied"]),
    ];
    for (token, counter, levels) in plan {
        for level in levels {
            let ticket = served_walk_in(&app, token, counter).await;
            rate(&app, None, json!({"rating_token": ticket["rating_token"], "level": level}))
                .await
                .assert_status(201);
        }
    }

    let ranking = app.get(&format!("/api/v1/units/{WARD}/officers?sort=satisfaction")).send().await;
    let ranking = ranking.assert_status(200).clone();
    assert_eq!(ranking["min_ratings"], 3);
    let rows: Vec<(Value, Value, Value, bool)> = ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["officer_id"].clone(),
                r["rank"].clone(),
                r["n"].clone(),
                r["enough_ratings"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected = vec![
        (json!(id_of(&app, &officer).await), json!(1), json!(3), true),
        (json!(id_of(&app, &mixed).await), json!(2), json!(4), true),
        (json!(id_of(&app, &few).await), Value::Null, json!(2), false),
        (json!(id_of(&app, &idle).await), Value::Null, json!(0), false),
    ];
    // The supervisor served nobody: among the unranked with the idle officer.
    let supervisor_id = json!(id_of(&app, &supervisor).await);
    let without_supervisor: Vec<_> = rows.into_iter().filter(|r| r.0 != supervisor_id).collect();
    assert_eq!(without_supervisor, expected);
    let first = &ranking["items"][0];
    let lower = first["wilson_lower"].as_f64().unwrap();
    assert!((lower - 0.4385).abs() < 1e-3, "3 of 3: {lower}");
    assert_eq!(first["satisfied_share"], 1.0);

    let tomorrow =
        app.get(&format!("/api/v1/units/{WARD}/officers?from=2026-12-02&to=2026-12-31")).send().await;
    assert!(tomorrow.assert_status(200)["items"].as_array().unwrap().iter().all(|r| r["n"] == 0));
    let backwards =
        app.get(&format!("/api/v1/units/{WARD}/officers?from=2026-12-02&to=2026-12-01")).send().await;
    backwards.assert_problem(422, "validation_failed");
    app.get("/api/v1/units/NOPE/officers").send().await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_database_refuses_to_edit_or_delete_a_rating_but_takes_its_moderation() {
    let (app, officer, _, _) = queue_desk().await;
    let ticket = served_walk_in(&app, &officer, 1).await;
    rate(
        &app,
        None,
        json!({"rating_token": ticket["rating_token"], "level": "not_satisfied", "comment": "chậm"}),
    )
    .await
    .assert_status(201);
    for statement in [
        "UPDATE ratings SET level = 'very_satisfied'",
        "UPDATE ratings SET comment = 'nhanh'",
        "DELETE FROM ratings",
    ] {
        assert!(app.db.execute_unprepared(statement).await.is_err(), "{statement} went through");
    }
    app.db.execute_unprepared("UPDATE ratings SET moderation_due_at = rated_at").await.unwrap();
    assert_eq!(ratings_stored(&app).await, 1);
}
