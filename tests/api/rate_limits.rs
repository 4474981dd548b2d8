//! Rate limits: token buckets in the database, shared by every server process, reported in
//! the `RateLimit` headers of each answer they counted, refusing with 429 `quota_exceeded`.

use sea_orm::EntityTrait;
use serde_json::json;

use crate::{
    appointments::slots,
    common::{Reply, TestApp},
    dossiers::{WARD, desk_with},
    integrations::{submission, submit},
};

const TODAY: &str = "date=2026-12-01";

#[track_caller]
fn assert_limit(reply: &Reply, policy: &str, state: &str, (limit, remaining, reset): (&str, &str, &str)) {
    assert_eq!(reply.header("ratelimit-policy"), Some(policy));
    assert_eq!(reply.header("ratelimit"), Some(state));
    assert_eq!(reply.header("ratelimit-limit"), Some(limit));
    assert_eq!(reply.header("ratelimit-remaining"), Some(remaining));
    assert_eq!(reply.header("ratelimit-reset"), Some(reset));
}

#[tokio::test]
async fn an_answer_counted_against_limits_says_how_each_stands() {
    let app = TestApp::spawn().await;

    let lookup = app
        .post("/api/v1/dossiers/lookup")
        .sent_from("203.0.113.7")
        .json(&json!({"code": "H12-261201-0001", "secret": "AAAAAAAA"}))
        .send()
        .await;
    let unlimited = app.get("/api/v1/units").send().await;

    lookup.assert_problem(404, "not_found");
    // 30 a minute: the token taken is back in 2 seconds.
    assert_limit(
        &lookup,
        "\"lookup\";q=30;w=60, \"lookup-code\";q=30;w=60",
        "\"lookup\";r=29;t=2, \"lookup-code\";r=29;t=2",
        ("30", "29", "2"),
    );
    unlimited.assert_status(200);
    assert_eq!(unlimited.header("ratelimit"), None);
}

#[tokio::test]
async fn a_used_up_limit_refuses_until_tokens_come_back() {
    let (app, _) = desk_with(|config| config.rate_limits.slots_per_minute = 2).await;
    slots(&app, TODAY).await.assert_status(200);
    slots(&app, TODAY).await.assert_status(200);

    let refused = slots(&app, TODAY).await;

    refused.assert_problem(429, "quota_exceeded");
    // One token a 30 seconds: the next is back in 30, the bucket is full in 60.
    assert_eq!(refused.header("retry-after"), Some("30"));
    assert_limit(&refused, "\"slots\";q=2;w=60", "\"slots\";r=0;t=60", ("2", "0", "60"));
    app.clock.advance(chrono::Duration::seconds(29));
    slots(&app, TODAY).await.assert_problem(429, "quota_exceeded");
    app.clock.advance(chrono::Duration::seconds(1));
    let refilled = slots(&app, TODAY).await;
    refilled.assert_status(200);
    assert_limit(&refilled, "\"slots\";q=2;w=60", "\"slots\";r=0;t=60", ("2", "0", "60"));
    slots(&app, TODAY).await.assert_problem(429, "quota_exceeded");
    app.set_time("2026-12-01T10:00:00+07:00");
    let full = slots(&app, TODAY).await;
    assert_limit(&full, "\"slots\";q=2;w=60", "\"slots\";r=1;t=30", ("2", "1", "30"));
}

#[tokio::test]
async fn two_processes_share_one_limit() {
    let (app, _) = desk_with(|config| config.rate_limits.slots_per_minute = 6).await;
    let other = app.second_process().await;
    for process in [&app, &other, &app, &other, &other, &app] {
        slots(process, TODAY).await.assert_status(200);
    }

    let refused_here = slots(&app, TODAY).await;
    let refused_there = slots(&other, TODAY).await;

    refused_here.assert_problem(429, "quota_exceeded");
    refused_there.assert_problem(429, "quota_exceeded");
    assert_eq!(refused_there.header("ratelimit-remaining"), Some("0"));
}

#[tokio::test]
async fn many_requests_at_once_on_two_processes_get_exactly_the_limit() {
    let (app, _) = desk_with(|config| config.rate_limits.slots_per_minute = 10).await;
    let other = app.second_process().await;

    let replies =
        futures_util::future::join_all((0..30).map(|n| slots(if n % 2 == 0 { &app } else { &other }, TODAY)))
            .await;

    let served = replies.iter().filter(|reply| reply.status == 200).count();
    let refused = replies.iter().filter(|reply| reply.status == 429).count();
    assert_eq!((served, refused), (10, 20));
}

#[tokio::test]
async fn each_client_address_has_its_own_slots_limit() {
    let (app, _) = desk_with(|config| config.rate_limits.slots_per_minute = 1).await;
    let path = format!("/api/v1/units/{WARD}/slots?{TODAY}");
    let listing = |client: &'static str| app.get(&path).sent_from(client).send();
    listing("203.0.113.7").await.assert_status(200);

    listing("203.0.113.7").await.assert_problem(429, "quota_exceeded");
    listing("198.51.100.9").await.assert_status(200);
}

#[tokio::test]
async fn a_limit_of_zero_is_no_limit_and_sends_no_headers() {
    let (app, _) = desk_with(|config| config.rate_limits.slots_per_minute = 0).await;
    for _ in 0..3 {
        let reply = slots(&app, TODAY).await;
        reply.assert_status(200);
        assert_eq!(reply.header("ratelimit"), None);
    }
}

async fn stored_buckets(app: &TestApp) -> i64 {
    use sea_orm::ConnectionTrait;
    let count = sea_orm::Statement::from_string(
        app.db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM rate_buckets",
    );
    app.db.query_one_raw(count).await.unwrap().unwrap().try_get("", "n").unwrap()
}

#[tokio::test]
async fn buckets_idle_for_longer_than_any_window_are_forgotten() {
    let (app, _) = desk_with(|config| config.rate_limits.slots_per_minute = 1).await;
    slots(&app, TODAY).await.assert_status(200);

    app.clock.advance(chrono::Duration::seconds(3599));
    api::rate_limit::forget_idle(&app.state).await.unwrap();
    // The one-time codes' hour is the longest window: the bucket might still be a limit.
    assert_eq!(stored_buckets(&app).await, 1);
    app.clock.advance(chrono::Duration::seconds(2));
    api::rate_limit::forget_idle(&app.state).await.unwrap();

    assert_eq!(stored_buckets(&app).await, 0);
    slots(&app, TODAY).await.assert_status(200);
}

#[tokio::test]
async fn a_keys_own_limit_counts_its_requests_on_every_process_but_not_its_denied_ones() {
    let (app, _) = desk_with(|_| {}).await;
    let key = app.api_key(&["dossiers.write"], Some(WARD)).await;
    let two_a_minute = entity::api_key::Entity::update_many()
        .col_expr(entity::api_key::Column::RateLimit, sea_orm::sea_query::Expr::value(2));
    two_a_minute.exec(&app.db).await.unwrap();
    let other = app.second_process().await;

    for _ in 0..3 {
        // Without `dossiers.read`: 403, and the token comes back.
        let denied = app.get("/api/v1/integrations/dossiers/changes").header("x-api-key", &key).send().await;
        denied.assert_problem(403, "forbidden");
        assert_limit(&denied, "\"key\";q=2;w=60", "\"key\";r=2;t=0", ("2", "2", "0"));
    }
    submit(&app, &key, "first", &submission(WARD)).await.assert_status(201);
    let second = submit(&other, &key, "second", &submission(WARD)).await;
    let refused = submit(&app, &key, "third", &submission(WARD)).await;

    second.assert_status(201);
    assert_limit(&second, "\"key\";q=2;w=60", "\"key\";r=0;t=60", ("2", "0", "60"));
    refused.assert_problem(429, "quota_exceeded");
    assert_eq!(refused.header("retry-after"), Some("30"));
    // Another key has a bucket of its own, of the server's default size.
    let another = app.api_key(&["dossiers.write"], Some(WARD)).await;
    let served = submit(&other, &another, "fourth", &submission(WARD)).await;
    served.assert_status(201);
    assert_eq!(served.header("ratelimit-policy"), Some("\"key\";q=600;w=60"));
}
