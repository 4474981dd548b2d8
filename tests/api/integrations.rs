//! Integrators with a key: online submission with idempotent retries, reading a dossier of
//! the key's units, and the change feed, which skips nothing when commits come out of order.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use serde_json::{Value, json};

use crate::{
    common::TestApp,
    dossiers::{BIRTH, OTHER_WARD, WARD, desk, desk_with, take_in, transition},
};

const CHANGES: &str = "/api/v1/integrations/dossiers/changes";

pub(crate) fn submission(unit: &str) -> Value {
    json!({
        "procedure_code": BIRTH,
        "unit_code": unit,
        "applicant": {"full_name": "Lê Thị Hoa", "id_number": "074095001234", "phone": "0912345678", "kind": "citizen"},
        "documents": [{"name": "Tờ khai đăng ký khai sinh", "count": 1}],
    })
}

pub(crate) async fn submit(
    app: &TestApp,
    key: &str,
    idempotency_key: &str,
    body: &Value,
) -> crate::common::Reply {
    app.post("/api/v1/integrations/dossiers")
        .header("x-api-key", key)
        .header("idempotency-key", idempotency_key)
        .json(body)
        .send()
        .await
}

async fn dossier_count(app: &TestApp) -> u64 {
    entity::dossier::Entity::find().count(&app.db).await.unwrap()
}

#[tokio::test]
async fn a_portal_submits_online_and_a_retry_gets_the_same_dossier() {
    let (app, officer) = desk().await;
    let key = app.api_key(&["dossiers.write", "dossiers.read"], Some("000.00.20.H12")).await;

    let first = submit(&app, &key, "a1b2c3", &submission(WARD)).await;
    let receipt = first.assert_status(201).clone();
    assert_eq!(receipt["status"], "newly_submitted");
    assert_eq!(receipt["status_code"], 1);
    let code = receipt["code"].as_str().unwrap().to_owned();
    let secret = receipt["lookup_secret"].as_str().unwrap().to_owned();
    assert!(first.header("idempotency-replayed").is_none());

    // The portal timed out and sends the same request again: the same dossier, not two.
    let retry = submit(&app, &key, "a1b2c3", &submission(WARD)).await;
    assert_eq!(retry.assert_status(201)["code"], code.as_str());
    assert_eq!(retry.body["lookup_secret"], secret.as_str());
    assert_eq!(retry.header("idempotency-replayed"), Some("true"));
    assert_eq!(dossier_count(&app).await, 1);
    // The same key with another body is a client's mistake, not a new dossier.
    let mut other = submission(WARD);
    other["applicant"]["full_name"] = json!("Lê Thị Lan");
    submit(&app, &key, "a1b2c3", &other).await.assert_problem(422, "idempotency_key_reused");
    // Another key's idempotency keys are its own.
    let second_key = app.api_key(&["dossiers.write"], Some(WARD)).await;
    submit(&app, &second_key, "a1b2c3", &submission(WARD)).await.assert_status(201);
    assert_eq!(dossier_count(&app).await, 2);

    let stored = api::dossiers::store::by_code(&app.db, &code).await.unwrap().unwrap();
    assert_eq!(stored.channel, entity::values::Channel::Online);
    assert_eq!(stored.received_by, None);
    // The citizen's secret opens the public lookup.
    let lookup =
        app.post("/api/v1/dossiers/lookup").json(&json!({"code": code, "secret": secret})).send().await;
    assert_eq!(lookup.assert_status(200)["status"], "newly_submitted");
    // The officer who accepts it is its receiver.
    let etag = app.get(&format!("/api/v1/dossiers/{code}")).bearer(&officer).send().await;
    let version = etag.header("etag").unwrap().to_owned();
    transition(&app, &officer, &code, &version, "accepted").await.assert_status(200);
    let accepted = api::dossiers::store::by_code(&app.db, &code).await.unwrap().unwrap();
    assert!(accepted.received_by.is_some());
}

#[tokio::test]
async fn an_online_submission_is_checked_like_a_desk_intake_and_needs_its_key() {
    let (app, _officer) = desk().await;
    let writer = app.api_key(&["dossiers.write"], Some(WARD)).await;

    let missing = app
        .post("/api/v1/integrations/dossiers")
        .header("x-api-key", &writer)
        .json(&submission(WARD))
        .send()
        .await;
    assert!(missing.status.is_client_error(), "{}", missing.text);
    let mut unlisted = submission(WARD);
    unlisted["documents"] = json!([{"name": "Sổ đỏ", "count": 1}]);
    let refused = submit(&app, &writer, "k1", &unlisted).await;
    refused.assert_problem(422, "validation_failed");
    // A unit outside the key's is not there for it; a key without the scope may not submit.
    submit(&app, &writer, "k2", &submission(OTHER_WARD)).await.assert_problem(404, "not_found");
    let reader = app.api_key(&["dossiers.read"], Some(WARD)).await;
    submit(&app, &reader, "k3", &submission(WARD)).await.assert_problem(403, "forbidden");
    submit(&app, "mc_live_nothing", "k4", &submission(WARD)).await.assert_problem(401, "api_key_invalid");
    app.post("/api/v1/integrations/dossiers")
        .header("idempotency-key", "k5")
        .json(&submission(WARD))
        .send()
        .await
        .assert_status(401);
    assert_eq!(dossier_count(&app).await, 0);
}

#[tokio::test]
async fn a_key_reads_the_dossiers_of_its_units_without_the_secret() {
    let (app, officer) = desk().await;
    let code = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    let ward_reader = app.api_key(&["dossiers.read"], Some(WARD)).await;
    let other_reader = app.api_key(&["dossiers.read"], Some(OTHER_WARD)).await;
    let province = app.api_key(&["dossiers.read"], None).await;
    let no_scope = app.api_key(&["catalogue.read"], Some(WARD)).await;
    let path = format!("/api/v1/integrations/dossiers/{}", code.to_lowercase());

    for key in [&ward_reader, &province] {
        let view = app.get(&path).header("x-api-key", key).send().await;
        assert_eq!(view.assert_status(200)["code"], code.as_str());
        assert_eq!(view.body["status"], "accepted");
        assert!(view.body.get("lookup_secret").is_none() && !view.text.contains("074095001234"));
    }
    app.get(&path).header("x-api-key", &other_reader).send().await.assert_problem(404, "not_found");
    app.get(&path).header("x-api-key", &no_scope).send().await.assert_problem(403, "forbidden");
    app.get("/api/v1/integrations/dossiers/NO-SUCH")
        .header("x-api-key", &ward_reader)
        .send()
        .await
        .assert_problem(404, "not_found");
    app.get(&path).bearer(&officer).send().await.assert_problem(401, "unauthenticated");
}

/// Reads the whole feed from `cursor`, page by page.
async fn read_feed(app: &TestApp, key: &str, mut cursor: Option<String>, limit: u32) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    loop {
        let path = match &cursor {
            Some(cursor) => format!("{CHANGES}?limit={limit}&cursor={cursor}"),
            None => format!("{CHANGES}?limit={limit}"),
        };
        let page = app.get(&path).header("x-api-key", key).send().await.assert_status(200).clone();
        let got = page["items"].as_array().unwrap().clone();
        let next = page["next_cursor"].as_str().unwrap().to_owned();
        if got.is_empty() {
            assert_eq!(Some(&next), cursor.as_ref().or(Some(&next)), "an empty page keeps the position");
            return (items, next);
        }
        items.extend(got);
        cursor = Some(next);
    }
}

/// Reads the feed from `cursor` until it shows at least `expected` changes. On PostgreSQL a
/// change shows once every transaction that began writing before it has ended, on the whole
/// server: other tests' transactions may hold it back a moment (never skip it).
async fn read_feed_until(
    app: &TestApp,
    key: &str,
    cursor: Option<String>,
    limit: u32,
    expected: usize,
) -> (Vec<Value>, String) {
    for _ in 0..200 {
        let read = read_feed(app, key, cursor.clone(), limit).await;
        if read.0.len() >= expected {
            return read;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    read_feed(app, key, cursor, limit).await
}

#[tokio::test]
async fn the_feed_lists_creations_and_status_changes_of_the_keys_units_in_order() {
    let (app, officer) = desk().await;
    let key = app.api_key(&["dossiers.read"], Some(WARD)).await;
    let other = app.api_key(&["dossiers.read"], Some(OTHER_WARD)).await;
    let first = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    let second = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    let etag = app.get(&format!("/api/v1/dossiers/{first}")).bearer(&officer).send().await;
    let version = etag.header("etag").unwrap().to_owned();
    transition(&app, &officer, &first, &version, "in_progress").await.assert_status(200);

    let (items, cursor) = read_feed_until(&app, &key, None, 2, 3).await;
    let seen: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|item| {
            (item["type"].as_str().unwrap(), item["code"].as_str().unwrap(), item["status"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("dossier.created", first.as_str(), "accepted"),
            ("dossier.created", second.as_str(), "accepted"),
            ("dossier.status_changed", first.as_str(), "in_progress"),
        ]
    );
    assert_eq!(items[2]["previous_status"], "accepted");
    assert_eq!(items[2]["status_code"], 4);
    assert_eq!(items[2]["unit_code"], WARD);
    assert!(!serde_json::to_string(&items).unwrap().contains("Nguyễn"), "no personal data");
    // Nothing new: the same position again; a new change shows after it, and only it.
    let (none, same) = read_feed(&app, &key, Some(cursor.clone()), 10).await;
    assert!(none.is_empty());
    assert_eq!(same, cursor);
    take_in(&app, &officer).await;
    let (after, _) = read_feed_until(&app, &key, Some(cursor), 10, 1).await;
    assert_eq!(after.len(), 1);
    // Another unit's key sees none of it.
    assert!(read_feed(&app, &other, None, 10).await.0.is_empty());

    let bad =
        app.get(&format!("{CHANGES}?cursor=2024-01-01T00:00:00Z")).header("x-api-key", &key).send().await;
    assert_eq!(bad.assert_problem(422, "validation_failed")["errors"][0]["field"], "cursor");
    let unscoped = app.api_key(&["dossiers.write"], Some(WARD)).await;
    app.get(CHANGES).header("x-api-key", &unscoped).send().await.assert_problem(403, "forbidden");
}

/// An event written by a transaction that commits after a later one must not be skipped by a
/// reader that read in between. On PostgreSQL the first transaction stays open while the API
/// commits another change; on SQLite writers take turns, so the open writer is the API's own.
#[tokio::test]
async fn the_feed_skips_nothing_that_commits_late() {
    // A keyed request writes its rate-limit bucket: on SQLite it would wait for `late`'s lock.
    let (app, officer) = desk_with(|config| config.rate_limits.api_key_per_minute = 0).await;
    let key = app.api_key(&["dossiers.read"], None).await;
    let ward = app.unit_id(WARD).await;
    let postgres = app.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    // The key's first use is written now (then at most once a minute), not under `late`.
    read_feed(&app, &key, None, 10).await;

    let late = app.db.begin().await.unwrap();
    api::events::record(
        &late,
        app.now(),
        api::events::EventType::DossierCreated,
        Some(ward),
        json!({
            "code": "LATE", "status": "accepted", "status_code": 2, "unit_code": WARD,
        }),
    )
    .await
    .unwrap();
    if postgres {
        // A later change commits first, and a reader reads the feed meanwhile.
        take_in(&app, &officer).await;
    }
    let (before, cursor) = read_feed(&app, &key, None, 10).await;
    late.commit().await.unwrap();
    if !postgres {
        take_in(&app, &officer).await;
    }
    let (after, _) = read_feed_until(&app, &key, Some(cursor), 10, 2 - before.len()).await;

    let codes: Vec<&str> = before.iter().chain(&after).map(|item| item["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 2, "each change once: {codes:?}");
    assert!(codes.contains(&"LATE"), "the late commit is not skipped: {codes:?}");
    assert!(before.is_empty() || !postgres, "nothing is read past a transaction still running");
}

/// Many intakes commit concurrently while a reader follows the feed: every creation is read
/// exactly once.
#[tokio::test]
async fn the_feed_follows_concurrent_intakes_without_gaps_or_repeats() {
    let (app, officer) = desk().await;
    let key = app.api_key(&["dossiers.read"], Some(WARD)).await;
    const INTAKES: usize = 24;
    let writers = async {
        let all = (0..INTAKES).map(|_| take_in(&app, &officer));
        futures_util::future::join_all(all).await
    };
    let reader = async {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..40 {
            let (items, next) = read_feed(&app, &key, cursor.clone(), 5).await;
            seen.extend(items.into_iter().map(|item| item["code"].as_str().unwrap().to_owned()));
            cursor = Some(next);
            tokio::task::yield_now().await;
        }
        (seen, cursor)
    };
    let (receipts, (mut seen, cursor)) = tokio::join!(writers, reader);
    let (rest, _) = read_feed_until(&app, &key, cursor, 7, INTAKES.saturating_sub(seen.len())).await;
    seen.extend(rest.into_iter().map(|item| item["code"].as_str().unwrap().to_owned()));
    let mut made: Vec<String> = receipts.iter().map(|r| r["code"].as_str().unwrap().to_owned()).collect();
    made.sort();
    let mut read = seen.clone();
    read.sort();
    assert_eq!(read, made, "every creation exactly once");
    let stored = entity::event::Entity::find()
        .filter(entity::event::Column::EventType.eq(entity::values::EventType::DossierCreated))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, INTAKES as u64);
}
