//! The time rules of dossiers at exact instants: the intake cut-off, half days, apologies on
//! working days only, and due dates that follow holidays added or removed.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::{Value, json};

use crate::{
    common::PASSWORD,
    common::{Reply, TestApp},
    dossiers::{BIRTH, OFFICER_PHONE, OTHER_WARD, WARD, desk, take_in, transition},
};

/// Sets the processing time of the desk's procedure, in half days.
async fn processing_half_days(app: &TestApp, half_days: i32) {
    let procedure = entity::procedure::Entity::find()
        .filter(entity::procedure::Column::Code.eq(BIRTH))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut procedure = procedure.into_active_model();
    procedure.processing_half_days = Set(half_days);
    procedure.update(&app.db).await.unwrap();
}

/// The due date of a dossier taken in at this instant (by an officer who logs in then).
async fn due_of_intake_at(app: &TestApp, instant: &str) -> Value {
    app.set_time(instant);
    let officer = app.login(OFFICER_PHONE, PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    take_in(app, &officer).await["due_at"].clone()
}

#[tokio::test]
async fn the_clock_starts_the_next_working_day_from_the_cut_off() {
    let (app, _) = desk().await;

    // Three working days; the default cut-off is 15:00 in Hanoi.
    let before = due_of_intake_at(&app, "2026-12-01T14:59:59+07:00").await;
    let at = due_of_intake_at(&app, "2026-12-01T15:00:00+07:00").await;
    let friday_evening = due_of_intake_at(&app, "2026-12-04T16:00:00+07:00").await;

    assert_eq!(before, "2026-12-04T10:00:00+00:00", "Tuesday before the cut-off: due Friday 17:00");
    assert_eq!(at, "2026-12-07T10:00:00+00:00", "at the cut-off the clock starts Wednesday: due Monday");
    assert_eq!(friday_evening, "2026-12-10T10:00:00+00:00", "the clock starts Monday: due Thursday");
}

#[tokio::test]
async fn half_days_end_at_the_end_of_a_morning() {
    let (app, _) = desk().await;
    let mut dues = Vec::new();
    for half_days in 0..=3 {
        processing_half_days(&app, half_days).await;
        dues.push(due_of_intake_at(&app, "2026-12-01T09:00:00+07:00").await);
    }
    processing_half_days(&app, 1).await;
    let afternoon = due_of_intake_at(&app, "2026-12-01T14:00:00+07:00").await;

    // Tuesday morning: 0 → Tuesday 17:00, ½ → Wednesday 11:30, 1 → Wednesday 17:00,
    // 1½ → Thursday 11:30; an afternoon intake's half day also ends Wednesday at 11:30.
    assert_eq!(
        dues,
        [
            "2026-12-01T10:00:00+00:00",
            "2026-12-02T04:30:00+00:00",
            "2026-12-02T10:00:00+00:00",
            "2026-12-03T04:30:00+00:00"
        ]
    );
    assert_eq!(afternoon, "2026-12-02T04:30:00+00:00");
}

async fn apologise(app: &TestApp, officer: &str, code: &str, new_due_at: &str) -> Reply {
    app.post(&format!("/api/v1/dossiers/{code}/apologies"))
        .bearer(officer)
        .header("if-match", "*")
        .json(&json!({"new_due_at": new_due_at, "reason": "Cần xác minh thêm."}))
        .send()
        .await
}

#[tokio::test]
async fn an_apology_may_only_promise_a_working_day() {
    let (app, officer) = desk().await;
    let code = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();

    // Sunday 6 December in Hanoi, though still Saturday in UTC.
    let sunday = apologise(&app, &officer, &code, "2026-12-06T05:00:00+07:00").await;
    let monday = apologise(&app, &officer, &code, "2026-12-07T17:00:00+07:00").await;

    let problem = sunday.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "new_due_at");
    assert_eq!(monday.assert_status(200)["due_at"], "2026-12-07T10:00:00+00:00");
}

async fn add_holiday(app: &TestApp, token: &str, body: Value) -> Reply {
    app.post("/api/v1/holidays").bearer(token).json(&body).send().await
}

#[tokio::test]
async fn a_holiday_moves_the_due_dates_of_the_open_dossiers_it_falls_inside_and_back() {
    let (app, officer) = desk().await;
    let admin = app.token_for("0900000009", "admin", None).await;
    let open = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    let closed = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();
    transition(&app, &officer, &closed, "*", "refused").await.assert_problem(409, "illegal_transition");
    transition(&app, &officer, &closed, "*", "withdrawn").await.assert_status(200);

    // Thursday 3 December, inside the window Tuesday → Friday, and a day after it.
    let inside =
        add_holiday(&app, &admin, json!({"date": "2026-12-03", "kind": "off", "name": "Nghỉ đột xuất"}))
            .await;
    let after =
        add_holiday(&app, &admin, json!({"date": "2026-12-09", "kind": "off", "name": "Nghỉ sau hạn"})).await;

    let inside = inside.assert_status(201).clone();
    assert_eq!(
        (inside["date"].clone(), inside["rescheduled_dossiers"].clone()),
        (json!("2026-12-03"), json!(1))
    );
    assert_eq!(after.assert_status(201)["rescheduled_dossiers"], 0);
    let moved = app.get(&format!("/api/v1/dossiers/{open}")).bearer(&officer).send().await;
    let moved = moved.assert_status(200);
    assert_eq!(moved["due_at"], "2026-12-07T10:00:00+00:00", "Friday becomes Monday");
    assert_eq!(moved["version"], 2);
    let last = moved["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].clone(), last["new_due_at"].clone()),
        (json!("due_rescheduled"), moved["due_at"].clone())
    );
    let untouched = app.get(&format!("/api/v1/dossiers/{closed}")).bearer(&officer).send().await;
    assert_eq!(untouched.assert_status(200)["due_at"], "2026-12-04T10:00:00+00:00");

    let id = inside["id"].as_str().unwrap();
    let removed = app.delete(&format!("/api/v1/holidays/{id}")).bearer(&admin).send().await;

    assert_eq!(removed.assert_status(200), &json!({"rescheduled_dossiers": 1, "cancelled_appointments": []}));
    let back = app.get(&format!("/api/v1/dossiers/{open}")).bearer(&officer).send().await;
    assert_eq!(back.assert_status(200)["due_at"], "2026-12-04T10:00:00+00:00");
    let events = entity::dossier_event::Entity::find()
        .filter(entity::dossier_event::Column::Kind.eq(entity::values::DossierEventKind::DueRescheduled))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
}

#[tokio::test]
async fn a_units_holiday_moves_only_that_units_dossiers() {
    let (app, officer) = desk().await;
    let supervisor = app.token_for("0900000002", "supervisor", Some("000.00.20.H12")).await;
    let code = take_in(&app, &officer).await["code"].as_str().unwrap().to_owned();

    let elsewhere = add_holiday(
        &app,
        &supervisor,
        json!({"date": "2026-12-03", "kind": "off", "name": "Nghỉ", "unit_code": OTHER_WARD}),
    )
    .await;
    let here = add_holiday(
        &app,
        &supervisor,
        json!({"date": "2026-12-03", "kind": "off", "name": "Nghỉ", "unit_code": WARD}),
    )
    .await;

    assert_eq!(elsewhere.assert_status(201)["rescheduled_dossiers"], 0);
    assert_eq!(here.assert_status(201)["rescheduled_dossiers"], 1);
    let dossier = app.get(&format!("/api/v1/dossiers/{code}")).bearer(&officer).send().await;
    assert_eq!(dossier.assert_status(200)["due_at"], "2026-12-07T10:00:00+00:00");
}
