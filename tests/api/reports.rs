//! Review reports and public figures: the report's numbers against a hand-counted fixture (a
//! dossier done on its due day is on time, paused time is not late, carried-over dossiers,
//! withdrawn, refused and stopped ones in their own columns), its CSV, who may read it, and
//! the public figures (no personal data, small cells hidden, cached).

use std::time::Duration;

use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

use crate::{
    common::{TestApp, serve_on_loopback},
    dossiers::{OTHER_WARD, WARD, desk_with, intake_body, transition},
    queue_display::{chromium, screenshot_path},
};

const TOWN: &str = "000.00.20.H12";
const SECOND_OFFICER: &str = "0900000002";
const SUPERVISOR: &str = "0900000003";
/// The period of the fixture: Wednesday 2 to Thursday 10 December 2026.
const PERIOD: &str = "from=2026-12-02&to=2026-12-10";

/// The ward's desk with dossiers taken in and moved at set instants, as counted by hand:
///
/// | dossier | received | then | in the period 2–10 Dec |
/// |---|---|---|---|
/// | A | 1 Dec, desk | processed 4 Dec 16:00, its due day | carried over; on time |
/// | B | 1 Dec, desk | processed 1 Dec | nothing |
/// | C | 1 Dec, desk | withdrawn 1 Dec | nothing |
/// | D | 1 Dec, desk | open, due 4 Dec | carried over; open, overdue |
/// | E | 2 Dec, desk | processed 3 Dec | received; early |
/// | F | 2 Dec, desk | supplement 3–4 Dec, processed 8 Dec (due 7 Dec, moved to 8 Dec) | received; on time |
/// | G | 2 Dec, desk | withdrawn 3 Dec | received; withdrawn |
/// | H | 2 Dec, desk | processed 9 Dec, due 7 Dec | received; late |
/// | I | 2 Dec, desk | stopped 4 Dec | received; stopped |
/// | J | 2 Dec, desk | supplement from 4 Dec, still paused (due 7 Dec) | received; open, in time |
/// | K | 2 Dec, desk | processed 14 Dec, after the period (due 7 Dec) | received; open, overdue |
/// | N | 2 Dec, online | refused 2 Dec | received online; refused |
/// | L | 9 Dec, post, second officer | open, due 14 Dec | received; open, in time |
/// | M | 10 Dec, online, second officer | open | received online; open, in time |
///
/// Returns the app (its clock on 14 December) and the supervisor's token.
async fn counted_desk() -> (TestApp, String) {
    let (app, officer) = desk_with(|config| config.auth.access_ttl = Duration::from_secs(60 * 86_400)).await;
    let supervisor = record(&app, &officer).await;
    (app, supervisor)
}

/// Takes in and moves the dossiers of [`counted_desk`]; the supervisor's token.
async fn record(app: &TestApp, officer: &str) -> String {
    let second_id = app.create_user(SECOND_OFFICER, "officer", Some(WARD)).await;
    let second = app.token_of(SECOND_OFFICER).await;
    entity::user::ActiveModel {
        id: Set(second_id),
        full_name: Set("Phạm Văn Đức".into()),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .unwrap();
    let supervisor = app.token_for(SUPERVISOR, "supervisor", Some(TOWN)).await;
    let day = |d: u32, time: &str| format!("2026-12-{d:02}T{time}:00+07:00");
    let take_in =
        |token: &str, at: String, channel: &'static str| take_in_at(app, token.to_owned(), at, channel);
    let step = |token: &str, code: &str, at: String, to: &'static str| {
        move_at(app, token.to_owned(), code.to_owned(), at, to)
    };

    let mut first = Vec::new();
    for _ in 0..4 {
        first.push(take_in(officer, day(1, "09:00"), "desk").await);
    }
    let [a, b, c, _d] = first.try_into().unwrap();
    step(officer, &b, day(1, "15:00"), "processed").await;
    step(officer, &c, day(1, "16:00"), "withdrawn").await;
    let mut second_day = Vec::new();
    for _ in 0..7 {
        second_day.push(take_in(officer, day(2, "09:00"), "desk").await);
    }
    let [e, f, g, h, i, j, k] = second_day.try_into().unwrap();
    let n = take_in(officer, day(2, "09:30"), "online").await;
    step(officer, &n, day(2, "10:00"), "refused").await;
    step(officer, &f, day(3, "09:00"), "supplement_requested").await;
    step(officer, &e, day(3, "10:00"), "processed").await;
    step(officer, &g, day(3, "11:00"), "withdrawn").await;
    step(officer, &f, day(4, "09:00"), "in_progress").await;
    step(officer, &j, day(4, "09:00"), "supplement_requested").await;
    step(&supervisor, &i, day(4, "09:00"), "stopped").await;
    step(officer, &a, day(4, "16:00"), "processed").await;
    step(officer, &f, day(8, "10:00"), "processed").await;
    take_in(&second, day(9, "09:00"), "post").await;
    step(officer, &h, day(9, "10:00"), "processed").await;
    take_in(&second, day(10, "09:00"), "online").await;
    step(officer, &k, day(14, "10:00"), "processed").await;
    supervisor
}

/// Takes a dossier in at an instant through this channel; its code.
async fn take_in_at(app: &TestApp, token: String, at: String, channel: &str) -> String {
    app.set_time(&at);
    let mut body = intake_body("Nguyễn Văn An");
    body["channel"] = json!(channel);
    let reply = app.post("/api/v1/dossiers").bearer(&token).json(&body).send().await;
    reply.assert_status(201)["code"].as_str().unwrap().to_owned()
}

/// Moves a dossier to a status at an instant.
async fn move_at(app: &TestApp, token: String, code: String, at: String, to: &str) {
    app.set_time(&at);
    transition(app, &token, &code, "*", to).await.assert_status(200);
}

/// The dossier columns of a row, in the order of the table.
fn columns(row: &Value) -> Vec<i64> {
    [
        "received",
        "received_online",
        "received_desk_or_post",
        "carried_over",
        "processed",
        "early",
        "on_time",
        "late",
        "open",
        "open_in_time",
        "open_overdue",
        "withdrawn",
        "refused",
        "stopped",
    ]
    .iter()
    .map(|key| row[key].as_i64().unwrap_or_else(|| panic!("{key} in {row}")))
    .collect()
}

async fn summary(app: &TestApp, token: &str, query: &str) -> Value {
    let reply = app.get(&format!("/api/v1/reports/summary?{query}")).bearer(token).send().await;
    reply.assert_status(200).clone()
}

#[tokio::test]
async fn the_report_counts_each_dossier_where_form_ii06a_puts_it() {
    let (app, supervisor) = counted_desk().await;

    let report = summary(&app, &supervisor, &format!("unit={WARD}&{PERIOD}")).await;

    assert_eq!((report["unit_code"].as_str(), report["group_by"].as_str()), (Some(WARD), Some("field")));
    //                          rec onl d/p car pro ear ont lat opn in  ovd wdr ref stp
    let expected: Vec<i64> = vec![10, 2, 8, 2, 4, 1, 2, 1, 5, 3, 2, 1, 1, 1];
    assert_eq!(columns(&report["dossiers_total"]), expected);
    assert_eq!(report["dossiers_total"]["on_time_rate"], 0.75);
    assert_eq!(report["dossiers_total"]["key"], "total");
    let rows = report["dossiers"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0]["key"].as_str(), rows[0]["name"].as_str()), (Some("Hộ tịch"), Some("Hộ tịch")));
    assert_eq!(columns(&rows[0]), expected);
    // carried over + received = processed + withdrawn + refused + stopped + open
    assert_eq!(2 + 10, 4 + 1 + 1 + 1 + 5);

    // Nothing else happened at the desk.
    assert_eq!(
        report["appointments"],
        json!({"booked": 0, "served": 0, "no_show": 0, "cancelled": 0, "median_wait_seconds": null, "median_service_seconds": null})
    );
    assert_eq!(report["ratings"]["levels"]["total"], 0);
    assert_eq!(report["complaints"], json!([]));
    // Birth registrations: each of the four processed in the period brought its congratulation.
    assert_eq!(report["letters"], json!({"congratulation": 4, "condolence": 0, "thank_you": 0}));

    // By receiving officer, with their names.
    let by_officer = summary(&app, &supervisor, &format!("unit={WARD}&{PERIOD}&group_by=officer")).await;
    let rows = by_officer["dossiers"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Phạm Văn Đức", "Trần Thị Bình"]);
    assert_eq!(columns(&rows[0]), vec![2, 1, 1, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]);
    assert_eq!(columns(&rows[1]), vec![8, 1, 7, 2, 4, 1, 2, 1, 3, 1, 2, 1, 1, 1]);
    assert_eq!(columns(&by_officer["dossiers_total"]), expected);

    // By procedure; the town alone has none of its own, with its wards it has the ward's.
    let by_procedure = summary(&app, &supervisor, &format!("unit={WARD}&{PERIOD}&group_by=procedure")).await;
    assert_eq!(by_procedure["dossiers"][0]["key"], "1.001193");
    assert_eq!(by_procedure["dossiers"][0]["name"], "Đăng ký khai sinh");
    let town = summary(&app, &supervisor, &format!("unit={TOWN}&{PERIOD}")).await;
    assert_eq!(town["dossiers"], json!([]));
    assert_eq!(columns(&town["dossiers_total"]), vec![0; 14]);
    let with_wards =
        summary(&app, &supervisor, &format!("unit={TOWN}&{PERIOD}&include_sub_units=true")).await;
    assert_eq!(columns(&with_wards["dossiers_total"]), expected);
}

#[tokio::test]
async fn the_period_moves_what_is_carried_over_and_what_is_still_open() {
    let (app, supervisor) = counted_desk().await;

    // From 4 to 14 December: A, D, F, H, I (stopped that morning), J and K are carried over;
    // K is now processed, late; L's due date (14 December) has passed at the end.
    let later = summary(&app, &supervisor, &format!("unit={WARD}&from=2026-12-04&to=2026-12-14")).await;
    //                                           rec onl d/p car pro ear ont lat opn in  ovd wdr ref stp
    assert_eq!(columns(&later["dossiers_total"]), vec![2, 1, 1, 7, 4, 0, 2, 2, 4, 2, 2, 0, 0, 1]);
    // Only 1 December: everything taken in that day, two closed, two open and in time.
    let first = summary(&app, &supervisor, &format!("unit={WARD}&from=2026-12-01&to=2026-12-01")).await;
    assert_eq!(columns(&first["dossiers_total"]), vec![4, 0, 4, 0, 1, 1, 0, 0, 2, 2, 0, 1, 0, 0]);
}

#[tokio::test]
async fn the_csv_is_the_dossier_table_with_a_bom_a_header_and_the_total() {
    let (app, supervisor) = counted_desk().await;

    let reply = app
        .get(&format!("/api/v1/reports/summary?unit={WARD}&{PERIOD}&format=csv"))
        .bearer(&supervisor)
        .send()
        .await;

    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        reply.header("content-disposition"),
        Some("attachment; filename=\"bao-cao-000.20.33.H12-2026-12-02-2026-12-10.csv\"")
    );
    let text = reply.text.strip_prefix('\u{feff}').expect("a UTF-8 byte-order mark first");
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines,
        [
            "key,name,received,received_online,received_desk_or_post,carried_over,processed,early,on_time,late,\
             on_time_rate,open,open_in_time,open_overdue,withdrawn,refused,stopped",
            "Hộ tịch,Hộ tịch,10,2,8,2,4,1,2,1,0.7500,5,3,2,1,1,1",
            "total,Tổng cộng,10,2,8,2,4,1,2,1,0.7500,5,3,2,1,1,1",
            "",
        ]
    );
}

#[tokio::test]
async fn only_supervisors_of_the_unit_or_above_and_admins_read_the_report() {
    let (app, officer) = desk_with(|_| {}).await;
    let query = format!("/api/v1/reports/summary?unit={WARD}&{PERIOD}");
    let citizen = app.token_for("0912000001", "citizen", None).await;
    app.get(&query).bearer(&citizen).send().await.assert_problem(403, "forbidden");
    app.get(&query).bearer(&officer).send().await.assert_problem(403, "forbidden");
    let other = app.token_for("0900000005", "supervisor", Some(OTHER_WARD)).await;
    app.get(&query).bearer(&other).send().await.assert_problem(404, "not_found");
    let own = app.token_for("0900000006", "supervisor", Some(WARD)).await;
    app.get(&query).bearer(&own).send().await.assert_status(200);
    let admin = app.token_for("0900000009", "admin", None).await;
    app.get(&query).bearer(&admin).send().await.assert_status(200);
    app.get(&query).send().await.assert_problem(401, "unauthenticated");
    let unknown = format!("/api/v1/reports/summary?unit=000.99.99.H99&{PERIOD}");
    app.get(&unknown).bearer(&admin).send().await.assert_problem(404, "not_found");

    for period in ["from=2026-12-10&to=2026-12-02", "from=2025-01-01&to=2026-01-02"] {
        let reply =
            app.get(&format!("/api/v1/reports/summary?unit={WARD}&{period}")).bearer(&admin).send().await;
        assert_eq!(reply.assert_problem(422, "validation_failed")["errors"][0]["field"], "to");
    }
}

#[tokio::test]
async fn public_figures_hide_small_cells_name_nobody_and_are_cached() {
    let (app, _) = counted_desk().await;
    let path = format!("/api/v1/stats/units/{WARD}?{PERIOD}");

    let reply = app.get(&path).send().await;

    let figures = reply.assert_status(200);
    assert_eq!(reply.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(figures["hidden_below"], 5);
    // Received 10 and open 5 are shown; processed 4 and its parts, overdue 2 are hidden, and
    // the on-time rate made from them too.
    assert_eq!(
        figures["dossiers"],
        json!({"received": 10, "processed": null, "early": null, "on_time": null, "late": null,
               "on_time_rate": null, "open": 5, "overdue": null})
    );
    assert_eq!(
        figures["months"],
        json!([{"month": "2026-12", "processed": null, "on_time_rate": null, "ratings": 0, "satisfied_share": null}])
    );
    assert_eq!(
        figures["fields"],
        json!([{"field": "Hộ tịch", "received": 10, "processed": null, "on_time_rate": null}])
    );
    for personal in
        ["Nguyễn Văn An", "Trần Thị Bình", "Phạm Văn Đức", "0912345678", "+84912345678", "074095001234"]
    {
        assert!(!reply.text.contains(personal), "{personal} in {}", reply.text);
    }
    assert!(!reply.text.contains(&format!("{WARD}-26")), "a dossier code in {}", reply.text);

    let etag = reply.header("etag").expect("an ETag").to_owned();
    let again = app.get(&path).header("if-none-match", etag.clone()).send().await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.header("cache-control"), Some("public, max-age=300"));
    app.get("/api/v1/stats/units/000.99.99.H99").send().await.assert_problem(404, "not_found");
}

/// Ratings of every dossier of the ward on 10 December: eight very satisfied, the rest
/// satisfied, all of the first officer (as the kiosk's token would record them).
async fn rate_every_dossier(app: &TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let ward = app.unit_id(WARD).await;
    let officer = entity::user::Entity::find().filter(entity::user::Column::Phone.eq("+84900000001"));
    let officer_id = officer.one(&app.db).await.unwrap().expect("the desk's officer").id;
    let dossiers = entity::dossier::Entity::find()
        .order_by_asc(entity::dossier::Column::Code)
        .all(&app.db)
        .await
        .unwrap();
    for (i, dossier) in dossiers.iter().enumerate() {
        use entity::values::{RatingChannel, RatingLevel};
        entity::rating::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            unit_id: Set(ward),
            officer_id: Set(officer_id),
            citizen_id: Set(None),
            dossier_id: Set(Some(dossier.id)),
            ticket_id: Set(None),
            channel: Set(RatingChannel::KioskToken),
            level: Set(if i < 8 { RatingLevel::VerySatisfied } else { RatingLevel::Satisfied }),
            guidance_clear: Set(None),
            trips_to_complete: Set(None),
            asked_for_documents_not_listed: Set(None),
            asked_for_unofficial_payment: Set(None),
            flagged: Set(false),
            dossier_timeliness: Set(None),
            comment: Set(None),
            comment_status: Set(None),
            moderation_unit_id: Set(None),
            moderation_due_at: Set(None),
            moderated_by: Set(None),
            moderated_at: Set(None),
            rejection_reason: Set(None),
            rated_at: Set("2026-12-10T10:00:00+07:00".parse().unwrap()),
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transparency_page_shows_the_figures_and_charts_in_headless_chromium() {
    let (app, supervisor) = counted_desk().await;
    rate_every_dossier(&app).await;

    // The report counts the ratings per officer; the public figures only their share.
    let report = summary(&app, &supervisor, &format!("unit={WARD}&{PERIOD}")).await;
    assert_eq!(
        report["ratings"]["levels"],
        json!({"very_satisfied": 8, "satisfied": 6, "not_satisfied": 0, "total": 14, "satisfied_share": 1.0})
    );
    assert_eq!(report["ratings"]["officers"][0]["officer_name"], "Trần Thị Bình");
    assert_eq!(report["ratings"]["officers"][0]["total"], 14);
    let figures = app.get(&format!("/api/v1/stats/units/{WARD}?{PERIOD}")).send().await;
    assert_eq!(
        (figures.body["ratings"].as_i64(), figures.body["satisfied_share"].as_f64()),
        (Some(14), Some(1.0))
    );

    let path = format!("/minh-bach/{WARD}?from=2026-07-01&to=2026-12-10");
    let page = app.get(&path).send().await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(page.header("cache-control"), Some("public, max-age=300"));
    for shown in [
        "<html lang=\"vi\">",
        "Đơn vị 000.20.33.H12",
        "Từ ngày 01/07/2026 đến ngày 10/12/2026",
        "Tỷ lệ giải quyết đúng hạn theo tháng",
        "Mức độ hài lòng theo tháng",
        "Hồ sơ tiếp nhận theo lĩnh vực",
        "Ô dưới 5 được ẩn",
        "<svg",
        "100%",
        "12/2026",
    ] {
        // The engine escapes `/` in HTML text as `&#x2f;`.
        assert!(page.text.replace("&#x2f;", "/").contains(shown), "the page lacks {shown:?}");
    }
    assert!(!page.text.contains("<script"));
    for personal in ["Nguyễn Văn An", "Trần Thị Bình", "Phạm Văn Đức", "0912345678"] {
        assert!(!page.text.contains(personal), "{personal} on the page");
    }
    let etag = page.header("etag").expect("an ETag").to_owned();
    let again = app.get(&path).header("if-none-match", etag).send().await;
    assert_eq!(again.status, 304);
    app.get("/minh-bach/000.99.99.H99").send().await.assert_problem(404, "not_found");

    let (port, server) = serve_on_loopback(app.state.clone()).await;
    let url = format!("http://127.0.0.1:{port}{path}");
    let profile = std::env::temp_dir().join(format!("motcua-chromium-{}", uuid::Uuid::now_v7()));
    let shot = screenshot_path("transparency.png");
    let taken = shot.clone();
    tokio::task::spawn_blocking(move || {
        chromium(&url, &profile, &["--window-size=1280,1500", &format!("--screenshot={}", taken.display())]);
        let _ = std::fs::remove_dir_all(&profile);
    })
    .await
    .unwrap();
    server.abort();
    let png = std::fs::read(&shot).expect("the screenshot");
    assert_eq!(&png[1..4], b"PNG");
    assert!(png.len() > 20_000, "a screenshot of {} bytes is nearly blank", png.len());
}
