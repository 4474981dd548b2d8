//! The inbox: newest first, paged by a cursor that new notices do not shift, read one by one or
//! all up to what the app has shown, in the reader's language, linked to what it is about.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    common::TestApp,
    dossiers::{desk, take_in, transition},
};

const CITIZEN: &str = "0912345678";

/// A desk with `n` dossiers that the citizen follows; their codes.
async fn followed_dossiers(n: usize) -> (TestApp, String, String, Vec<String>) {
    let (app, officer) = desk().await;
    let citizen = app.token_for(CITIZEN, "citizen", None).await;
    let mut codes = Vec::new();
    for _ in 0..n {
        let receipt = take_in(&app, &officer).await;
        let claim = json!({"code": receipt["code"], "secret": receipt["lookup_secret"]});
        app.post("/api/v1/me/dossiers/claim").bearer(&citizen).json(&claim).send().await.assert_status(200);
        codes.push(receipt["code"].as_str().unwrap().to_owned());
    }
    (app, officer, citizen, codes)
}

async fn inbox(app: &TestApp, citizen: &str, query: &str) -> Value {
    app.get(&format!("/api/v1/me/notifications?{query}"))
        .bearer(citizen)
        .send()
        .await
        .assert_status(200)
        .clone()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect()
}

/// Every page from the newest, following `next_cursor`.
async fn all_pages(app: &TestApp, citizen: &str, query: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut page = inbox(app, citizen, query).await;
    loop {
        seen.extend(ids(&page));
        let Some(cursor) = page["next_cursor"].as_str() else { break };
        page = inbox(app, citizen, &format!("{query}&cursor={cursor}")).await;
    }
    seen
}

#[tokio::test]
async fn the_inbox_pages_newest_first_and_new_notices_do_not_shift_the_pages() {
    let (app, officer, citizen, codes) = followed_dossiers(5).await;
    // Two pairs of notices at one instant: the id breaks the tie, so no page repeats or skips.
    for (code, at) in codes.iter().zip(["09:01", "09:02", "09:02", "09:03", "09:03"]) {
        app.set_time(&format!("2026-12-01T{at}:00+07:00"));
        transition(&app, &officer, code, "*", "in_progress").await.assert_status(200);
    }

    let first = inbox(&app, &citizen, "limit=2").await;
    assert_eq!(first["unread_count"], 5);
    assert_eq!(first["items"][0]["dossier_code"], codes[4].as_str());
    let times: Vec<&str> =
        first["items"].as_array().unwrap().iter().map(|n| n["created_at"].as_str().unwrap()).collect();
    assert_eq!(times[0], times[1], "the two newest came at one instant");

    // A notice arriving while the app reads goes to the head, not into the next page.
    app.set_time("2026-12-01T09:04:00+07:00");
    transition(&app, &officer, &codes[0], "*", "supplement_requested").await.assert_status(200);
    let mut read = ids(&first);
    let mut cursor = first["next_cursor"].as_str().unwrap().to_owned();
    loop {
        let page = inbox(&app, &citizen, &format!("limit=2&cursor={cursor}")).await;
        read.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(read.len(), 5);
    let mut unique = read.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "no notice twice: {read:?}");

    let whole = all_pages(&app, &citizen, "limit=100").await;
    assert_eq!(whole.len(), 6);
    assert_eq!(whole[1..], read[..], "the new notice is first, the rest in the order read");
    assert_eq!(all_pages(&app, &citizen, "limit=1").await, whole);
    let newest = inbox(&app, &citizen, "limit=1").await;
    assert_eq!(newest["items"][0]["dossier_code"], codes[0].as_str());
    assert_eq!(newest["items"][0]["kind"], "dossier_status");
}

#[tokio::test]
async fn read_all_marks_up_to_what_the_app_showed_and_leaves_newer_notices_unread() {
    let (app, officer, citizen, codes) = followed_dossiers(3).await;
    for (code, at) in codes.iter().zip(["09:01", "09:02", "09:03"]) {
        app.set_time(&format!("2026-12-01T{at}:00+07:00"));
        transition(&app, &officer, code, "*", "in_progress").await.assert_status(200);
    }
    let shown = inbox(&app, &citizen, "").await;
    let newest_shown = shown["items"][0]["id"].as_str().unwrap().to_owned();
    // One more arrives after the app drew the inbox.
    app.set_time("2026-12-01T09:04:00+07:00");
    transition(&app, &officer, &codes[0], "*", "supplement_requested").await.assert_status(200);

    let stranger = app.token_for("0987654321", "citizen", None).await;
    let body = json!({"up_to_id": newest_shown});
    app.post("/api/v1/me/notifications/read-all")
        .bearer(&stranger)
        .json(&body)
        .send()
        .await
        .assert_problem(404, "not_found");
    let done = app.post("/api/v1/me/notifications/read-all").bearer(&citizen).json(&body).send().await;
    assert_eq!(done.assert_status(200), &json!({"marked": 3, "unread_count": 1}));

    let unread = inbox(&app, &citizen, "unread=true").await;
    assert_eq!(unread["unread_count"], 1);
    assert_eq!(unread["items"].as_array().unwrap().len(), 1);
    assert_eq!(unread["items"][0]["dossier_code"], codes[0].as_str());
    assert!(unread["items"][0]["read_at"].is_null());
    let marked_at: Vec<Value> = inbox(&app, &citizen, "").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["read_at"].clone())
        .collect();
    assert!(marked_at[0].is_null());
    assert!(
        marked_at[1..].iter().all(|at| at.as_str().is_some_and(|at| at.starts_with("2026-12-01T02:04:00"))),
        "{marked_at:?}"
    );

    // Again: nothing more to mark, and the first reading time stays.
    let again = app.post("/api/v1/me/notifications/read-all").bearer(&citizen).json(&body).send().await;
    assert_eq!(again.assert_status(200), &json!({"marked": 0, "unread_count": 1}));
    let unread_in_db = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM notifications WHERE read_at IS NULL",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(unread_in_db, 1);
}

#[tokio::test]
async fn notices_come_in_the_readers_language_and_older_vietnamese_only_ones_still_read() {
    let (app, officer, citizen, codes) = followed_dossiers(2).await;
    transition(&app, &officer, &codes[0], "*", "in_progress").await.assert_status(200);
    transition(&app, &officer, &codes[1], "*", "in_progress").await.assert_status(200);
    app.db
        .execute_unprepared(&format!(
            "UPDATE notifications SET title_en = NULL, body_en = NULL WHERE dossier_id = \
             (SELECT id FROM dossiers WHERE code = '{}')",
            codes[1]
        ))
        .await
        .unwrap();

    let english = app.get("/api/v1/me/notifications").bearer(&citizen).english().send().await;
    let items = english.assert_status(200)["items"].as_array().unwrap().clone();
    let by_code = |code: &str| items.iter().find(|n| n["dossier_code"] == code).unwrap().clone();
    assert!(by_code(&codes[0])["title"].as_str().unwrap().starts_with("Dossier"), "{items:?}");
    assert!(by_code(&codes[1])["title"].as_str().unwrap().starts_with("Hồ sơ"), "{items:?}");
    let vietnamese = inbox(&app, &citizen, "").await;
    assert!(
        vietnamese["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["title"].as_str().unwrap().starts_with("Hồ sơ"))
    );
}

#[tokio::test]
async fn a_cursor_or_limit_the_server_did_not_make_is_a_422_naming_it() {
    let (app, _officer, citizen, _codes) = followed_dossiers(0).await;
    for (query, field) in [
        ("cursor=bm9wZQ", "cursor"),
        ("cursor=%25%25", "cursor"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
    ] {
        let reply =
            app.get(&format!("/api/v1/me/notifications?{query}")).bearer(&citizen).english().send().await;
        let problem = reply.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
    }
    let empty = inbox(&app, &citizen, "").await;
    assert_eq!(empty, json!({"items": [], "next_cursor": null, "unread_count": 0}));
}
