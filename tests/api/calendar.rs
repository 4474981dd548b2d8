//! Units' desks and working calendars: holidays, make-up days, inheritance down the unit
//! tree, desk settings and who may change them.

use serde_json::{Value, json};

use crate::common::{Reply, TestApp};

async fn add_holiday(app: &TestApp, token: &str, body: Value) -> Reply {
    app.post("/api/v1/holidays").bearer(token).json(&body).send().await
}

fn day<'a>(days: &'a Value, date: &str) -> &'a Value {
    days.as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .unwrap_or_else(|| panic!("no {date} in {days}"))
}

const OFFICE_DAY: [(&str, &str); 2] = [("07:30", "11:30"), ("13:30", "17:00")];

fn hours(pairs: &[(&str, &str)]) -> Value {
    json!(pairs.iter().map(|(start, end)| json!({"start": start, "end": end})).collect::<Vec<_>>())
}

#[tokio::test]
async fn the_calendar_closes_a_holiday_and_opens_a_make_up_saturday() {
    let app = TestApp::spawn().await;
    app.create_unit("000.00.20.H12", None).await;
    let admin = app.token_for("0900000001", "admin", None).await;
    add_holiday(&app, &admin, json!({"date": "2026-01-02", "kind": "off", "name": "Nghỉ Tết Dương lịch"}))
        .await
        .assert_status(201);
    let make_up = add_holiday(
        &app,
        &admin,
        json!({"date": "2026-01-10", "kind": "working", "name": "Làm bù ngày 02/01"}),
    )
    .await;
    assert_eq!(make_up.assert_status(201)["unit_code"], Value::Null);

    let reply = app.get("/api/v1/units/000.00.20.H12/calendar?from=2026-01-01&to=2026-01-11").send().await;

    let days = reply.assert_status(200);
    assert_eq!(days.as_array().unwrap().len(), 11);
    let thursday = day(days, "2026-01-01");
    assert_eq!((thursday["working"].clone(), thursday["status"].clone()), (json!(true), json!("working")));
    assert_eq!(thursday["hours"], hours(&OFFICE_DAY));
    assert!(thursday.get("holiday_name").is_none_or(Value::is_null));
    let friday_off = day(days, "2026-01-02");
    assert_eq!(friday_off["working"], false);
    assert_eq!(friday_off["status"], "off");
    assert_eq!(friday_off["hours"], json!([]));
    assert_eq!(friday_off["holiday_name"], "Nghỉ Tết Dương lịch");
    assert_eq!(day(days, "2026-01-03")["status"], "off");
    let saturday_worked = day(days, "2026-01-10");
    assert_eq!(saturday_worked["status"], "working");
    assert_eq!(saturday_worked["hours"], hours(&OFFICE_DAY));
    assert_eq!(saturday_worked["holiday_name"], "Làm bù ngày 02/01");
    assert_eq!(day(days, "2026-01-11")["working"], false);
}

#[tokio::test]
async fn a_units_holiday_covers_its_sub_units_and_the_nearest_decides() {
    let app = TestApp::spawn().await;
    app.create_unit("TOWN", None).await;
    app.create_unit("WARD", Some("TOWN")).await;
    app.create_unit("OTHER", None).await;
    let admin = app.token_for("0900000001", "admin", None).await;
    let supervisor = app.token_for("0900000002", "supervisor", Some("TOWN")).await;
    let ward_supervisor = app.token_for("0900000003", "supervisor", Some("WARD")).await;
    add_holiday(
        &app,
        &supervisor,
        json!({"date": "2026-03-03", "kind": "off", "name": "Lễ hội thị xã", "unit_code": "TOWN"}),
    )
    .await
    .assert_status(201);
    add_holiday(&app, &admin, json!({"date": "2026-03-05", "kind": "off", "name": "Nghỉ toàn quốc"}))
        .await
        .assert_status(201);
    // The ward works on the national day off: its own entry wins over the national one.
    add_holiday(
        &app,
        &ward_supervisor,
        json!({"date": "2026-03-05", "kind": "working", "name": "Trực phường", "unit_code": "WARD"}),
    )
    .await
    .assert_status(201);

    let ward = app.get("/api/v1/units/WARD/calendar?from=2026-03-02&to=2026-03-06").send().await;
    let other = app.get("/api/v1/units/OTHER/calendar?from=2026-03-02&to=2026-03-06").send().await;
    let listed = app.get("/api/v1/holidays?unit=WARD&from=2026-03-01&to=2026-03-31").send().await;
    let national = app.get("/api/v1/holidays?from=2026-03-01&to=2026-03-31").send().await;

    let ward = ward.assert_status(200);
    assert_eq!(day(ward, "2026-03-03")["status"], "off");
    assert_eq!(day(ward, "2026-03-03")["holiday_name"], "Lễ hội thị xã");
    assert_eq!(day(ward, "2026-03-05")["status"], "working");
    assert_eq!(day(ward, "2026-03-05")["holiday_name"], "Trực phường");
    let other = other.assert_status(200);
    assert_eq!(day(other, "2026-03-03")["status"], "working");
    assert_eq!(day(other, "2026-03-05")["status"], "off");
    let listed: Vec<(String, Value)> = listed
        .assert_status(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].as_str().unwrap().to_owned(), h["unit_code"].clone()))
        .collect();
    assert_eq!(
        listed,
        [
            ("Lễ hội thị xã".to_owned(), json!("TOWN")),
            ("Nghỉ toàn quốc".to_owned(), Value::Null),
            ("Trực phường".to_owned(), json!("WARD"))
        ]
    );
    assert_eq!(national.assert_status(200).as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn holidays_are_written_only_by_those_in_charge_and_once_per_date() {
    let app = TestApp::spawn().await;
    app.create_unit("TOWN", None).await;
    app.create_unit("WARD", Some("TOWN")).await;
    app.create_unit("OTHER", None).await;
    let citizen = app.token_for("0900000005", "citizen", None).await;
    let officer = app.token_for("0900000004", "officer", Some("WARD")).await;
    let supervisor = app.token_for("0900000002", "supervisor", Some("TOWN")).await;
    let stranger = app.token_for("0900000006", "supervisor", Some("OTHER")).await;
    let ward_day = json!({"date": "2026-04-01", "kind": "off", "name": "Tổng vệ sinh", "unit_code": "WARD"});
    let national_day = json!({"date": "2026-04-02", "kind": "off", "name": "Nghỉ bù"});

    app.post("/api/v1/holidays").json(&ward_day).send().await.assert_problem(401, "unauthenticated");
    add_holiday(&app, &citizen, ward_day.clone()).await.assert_problem(403, "forbidden");
    add_holiday(&app, &officer, ward_day.clone()).await.assert_problem(403, "forbidden");
    add_holiday(&app, &supervisor, national_day).await.assert_problem(403, "forbidden");
    add_holiday(&app, &stranger, ward_day.clone()).await.assert_problem(404, "not_found");
    let created = add_holiday(&app, &supervisor, ward_day.clone()).await;
    let id = created.assert_status(201)["id"].as_str().unwrap().to_owned();
    add_holiday(&app, &supervisor, ward_day).await.assert_problem(409, "holiday_exists");
    let blank = json!({"date": "2026-04-03", "kind": "off", "name": "  ", "unit_code": "WARD"});
    add_holiday(&app, &supervisor, blank).await.assert_problem(422, "validation_failed");

    let path = format!("/api/v1/holidays/{id}");
    app.delete(&path).bearer(&officer).send().await.assert_problem(403, "forbidden");
    app.delete(&path).bearer(&stranger).send().await.assert_problem(404, "not_found");
    let removed = app.delete(&path).bearer(&supervisor).send().await;
    assert_eq!(removed.assert_status(200), &json!({"rescheduled_dossiers": 0, "cancelled_appointments": []}));
    app.delete(&path).bearer(&supervisor).send().await.assert_problem(404, "not_found");
    let calendar = app.get("/api/v1/units/WARD/calendar?from=2026-04-01&to=2026-04-01").send().await;
    assert_eq!(calendar.assert_status(200)[0]["status"], "working");
}

#[tokio::test]
async fn calendar_ranges_are_bounded() {
    let app = TestApp::spawn().await;
    app.create_unit("TOWN", None).await;

    let backwards = app.get("/api/v1/units/TOWN/calendar?from=2026-02-01&to=2026-01-01").send().await;
    let too_long = app.get("/api/v1/units/TOWN/calendar?from=2026-01-01&to=2027-01-02").send().await;
    let a_year = app.get("/api/v1/units/TOWN/calendar?from=2026-01-01&to=2026-12-31").send().await;
    let this_month = app.get("/api/v1/units/TOWN/calendar").send().await;
    let unknown = app.get("/api/v1/units/NOPE/calendar").send().await;
    let at_the_end_of_time = app.get("/api/v1/units/TOWN/calendar?from=%2B262142-12-30").send().await;
    let from_only = app.get("/api/v1/units/TOWN/calendar?from=2026-01-01").send().await;

    assert_eq!(backwards.assert_status(200).as_array().unwrap().len(), 0);
    let too_long = too_long.assert_status(200).as_array().unwrap().clone();
    assert_eq!((too_long.len(), too_long[365]["date"].clone()), (366, json!("2027-01-01")));
    assert_eq!(a_year.assert_status(200).as_array().unwrap().len(), 365);
    // The app's clock stands in December 2026.
    let days = this_month.assert_status(200).as_array().unwrap().clone();
    assert_eq!((days.len(), days[0]["date"].clone()), (31, json!("2026-12-01")));
    unknown.assert_problem(404, "not_found");
    assert_eq!(at_the_end_of_time.assert_status(200).as_array().unwrap().len(), 2);
    let from_only = from_only.assert_status(200).as_array().unwrap().clone();
    assert_eq!((from_only.len(), from_only[365]["date"].clone()), (366, json!("2027-01-01")));
}

fn settings() -> Value {
    json!({
        "time_zone": "Asia/Ho_Chi_Minh",
        "opening_hours": {
            "monday": [{"start": "07:00", "end": "11:00"}, {"start": "13:00", "end": "16:30"}],
            "tuesday": [{"start": "07:00", "end": "11:00"}],
            "saturday": [{"start": "07:30", "end": "11:30"}]
        },
        "intake_cutoff": "15:30",
        "counters": 5,
        "slot_minutes": 20
    })
}

#[tokio::test]
async fn a_supervisor_sets_the_desk_and_the_public_sees_it() {
    let app = TestApp::spawn().await;
    app.create_unit("TOWN", None).await;
    app.create_unit("WARD", Some("TOWN")).await;
    let supervisor = app.token_for("0900000002", "supervisor", Some("TOWN")).await;

    let reply = app.put("/api/v1/units/WARD/settings").bearer(&supervisor).json(&settings()).send().await;

    let unit = reply.assert_status(200);
    assert_eq!(unit["counters"], 5);
    assert_eq!(unit["slot_minutes"], 20);
    assert_eq!(unit["intake_cutoff"], "15:30");
    assert_eq!(unit["opening_hours"]["monday"], hours(&[("07:00", "11:00"), ("13:00", "16:30")]));
    assert_eq!(unit["opening_hours"]["wednesday"], json!([]));
    let public = app.get("/api/v1/units/WARD").send().await;
    let public = public.assert_status(200);
    assert_eq!(public["opening_hours"], unit["opening_hours"]);
    assert_eq!(public["parent_code"], "TOWN");
    assert_eq!(public["time_zone"], "Asia/Ho_Chi_Minh");
    assert_eq!(public["today"]["date"], "2026-12-01");
    let saturday = app.get("/api/v1/units/WARD/calendar?from=2026-03-07&to=2026-03-07").send().await;
    assert_eq!(saturday.assert_status(200)[0]["hours"], hours(&[("07:30", "11:30")]));
}

#[tokio::test]
async fn desk_settings_are_validated_field_by_field() {
    let app = TestApp::spawn().await;
    app.create_unit("TOWN", None).await;
    let admin = app.token_for("0900000001", "admin", None).await;
    let put = |body: Value| app.put("/api/v1/units/TOWN/settings").bearer(&admin).json(&body).send();

    let mut broken = settings();
    broken["time_zone"] = json!("Mars/Olympus_Mons");
    broken["opening_hours"]["monday"][1]["end"] = json!("25:00");
    broken["intake_cutoff"] = json!("3pm");
    broken["counters"] = json!(0);
    broken["slot_minutes"] = json!(300);
    let reply = put(broken).await;
    let body = reply.assert_problem(422, "validation_failed");
    let fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        ["time_zone", "opening_hours.monday[1].end", "intake_cutoff", "counters", "slot_minutes"]
    );

    let mut overlapping = settings();
    overlapping["opening_hours"]["monday"] = hours(&[("07:00", "12:00"), ("11:00", "16:00")]);
    let reply = put(overlapping).await;
    assert_eq!(reply.assert_problem(422, "validation_failed")["errors"][0]["field"], "opening_hours");

    let mut closed = settings();
    closed["opening_hours"] = json!({});
    put(closed).await.assert_problem(422, "validation_failed");

    let mut many_counters = settings();
    many_counters["counters"] = json!(201);
    put(many_counters).await.assert_problem(422, "validation_failed");
    let unit = app.get("/api/v1/units/TOWN").send().await;
    assert_eq!(unit.assert_status(200)["counters"], 3);
}

#[tokio::test]
async fn only_supervisors_of_the_unit_or_above_and_admins_change_settings() {
    let app = TestApp::spawn().await;
    app.create_unit("TOWN", None).await;
    app.create_unit("WARD", Some("TOWN")).await;
    app.create_unit("OTHER", None).await;
    let officer = app.token_for("0900000004", "officer", Some("WARD")).await;
    let ward_supervisor = app.token_for("0900000003", "supervisor", Some("WARD")).await;
    let stranger = app.token_for("0900000006", "supervisor", Some("OTHER")).await;
    let admin = app.token_for("0900000001", "admin", None).await;
    let put = |path: &'static str, token: &str| app.put(path).bearer(token).json(&settings()).send();

    app.put("/api/v1/units/WARD/settings")
        .json(&settings())
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    put("/api/v1/units/WARD/settings", &officer).await.assert_problem(403, "forbidden");
    put("/api/v1/units/WARD/settings", &stranger).await.assert_problem(404, "not_found");
    put("/api/v1/units/TOWN/settings", &ward_supervisor).await.assert_problem(404, "not_found");
    put("/api/v1/units/WARD/settings", &ward_supervisor).await.assert_status(200);
    put("/api/v1/units/OTHER/settings", &admin).await.assert_status(200);
    put("/api/v1/units/NOPE/settings", &admin).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn units_are_listed_by_code_with_filters_pages_and_etags() {
    let app = TestApp::spawn().await;
    app.create_unit("A-TOWN", None).await;
    for ward in ["A-W1", "A-W2", "A-W3"] {
        app.create_unit(ward, Some("A-TOWN")).await;
    }
    app.create_unit("B-TOWN", None).await;

    let all = app.get("/api/v1/units").send().await;
    let wards = app.get("/api/v1/units?parent_code=A-TOWN&per_page=2&page=2").send().await;
    let towns = app.get("/api/v1/units?kind=town").send().await;
    let orphans = app.get("/api/v1/units?parent_code=NOPE").send().await;
    let inactive = app.get("/api/v1/units?active=false").send().await;

    let all = all.assert_status(200);
    let codes: Vec<&str> =
        all["items"].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["A-TOWN", "A-W1", "A-W2", "A-W3", "B-TOWN"]);
    assert_eq!(
        (all["page"].clone(), all["per_page"].clone(), all["total"].clone()),
        (json!(1), json!(20), json!(5))
    );
    assert_eq!(all["items"][1]["parent_code"], "A-TOWN");
    assert_eq!(all["items"][0]["today"]["working"], true, "Tuesday 1 December is a working day");
    let wards = wards.assert_status(200);
    assert_eq!(wards["total"], 3);
    assert_eq!(wards["items"].as_array().unwrap().len(), 1);
    assert_eq!(wards["items"][0]["code"], "A-W3");
    assert_eq!(towns.assert_status(200)["total"], 2);
    assert_eq!(orphans.assert_status(200)["total"], 0);
    assert_eq!(inactive.assert_status(200)["total"], 0);

    let first = app.get("/api/v1/units/A-W1").send().await;
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"));
    let again = app.get("/api/v1/units/A-W1").header("if-none-match", &etag).send().await;
    assert_eq!(again.status.as_u16(), 304);
    assert!(again.text.is_empty());
    let list_etag = app.get("/api/v1/units").send().await.header("etag").unwrap().to_owned();
    let list_again = app.get("/api/v1/units").header("if-none-match", &list_etag).send().await;
    assert_eq!(list_again.status.as_u16(), 304);
    let stale = app.get("/api/v1/units/A-W1").header("if-none-match", "\"stale\"").send().await;
    stale.assert_status(200);
    app.get("/api/v1/units/NOPE").send().await.assert_problem(404, "not_found");
}
