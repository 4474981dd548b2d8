//! The desk's queue: gap-free numbers under concurrent check-ins on two processes, the
//! appointment window, "call next" on two counters at once, the priority strategies, recall,
//! return and transfer, the closing sweep, and the events every queue write records.

use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    appointments::{book, booking_desk_with},
    common::{Reply, TestApp},
    dossiers::{WARD, take_in},
};

/// The booking desk of the appointments tests, its tokens good for the week the tests move
/// the clock through.
pub(crate) async fn queue_desk() -> (TestApp, String, String, String) {
    booking_desk_with(|config| config.auth.access_ttl = std::time::Duration::from_secs(7 * 86_400)).await
}

fn tickets_path() -> String {
    format!("/api/v1/units/{WARD}/tickets")
}

pub(crate) async fn check_in(app: &TestApp, officer: &str, body: Value) -> Reply {
    app.post(&tickets_path()).bearer(officer).json(&body).send().await
}

async fn walk_in(app: &TestApp, officer: &str) -> Value {
    check_in(app, officer, json!({})).await.assert_status(201).clone()
}

async fn set_counter(app: &TestApp, officer: &str, number: i32, body: Value) -> Reply {
    app.put(&format!("/api/v1/units/{WARD}/counters/{number}")).bearer(officer).json(&body).send().await
}

pub(crate) async fn open(app: &TestApp, officer: &str, number: i32) {
    set_counter(app, officer, number, json!({"state": "open"})).await.assert_status(200);
}

pub(crate) async fn next(app: &TestApp, officer: &str, number: i32) -> Reply {
    app.post(&format!("/api/v1/units/{WARD}/counters/{number}/next")).bearer(officer).send().await
}

pub(crate) async fn act(app: &TestApp, officer: &str, ticket: &Value, action: &str, body: Value) -> Reply {
    let id = ticket["id"].as_str().expect("a ticket id");
    app.post(&format!("/api/v1/tickets/{id}/{action}")).bearer(officer).json(&body).send().await
}

/// The display numbers the counter calls, one after the other, serving each.
async fn call_all(app: &TestApp, officer: &str, counter: i32) -> Vec<String> {
    let mut called = Vec::new();
    loop {
        let reply = next(app, officer, counter).await;
        if reply.status == 204 {
            return called;
        }
        let ticket = reply.assert_status(200).clone();
        called.push(ticket["display_number"].as_str().unwrap().to_owned());
        act(app, officer, &ticket, "served", json!({})).await.assert_status(200);
    }
}

async fn events(app: &TestApp) -> u64 {
    entity::queue_event::Entity::find().count(&app.db).await.unwrap()
}

#[tokio::test]
async fn concurrent_check_ins_on_two_processes_get_gap_free_numbers_that_restart_each_day() {
    let (app, officer, _, _) = queue_desk().await;
    let other = app.second_process().await;
    let check_ins = (0..24).map(|i| {
        let app = if i % 2 == 0 { &app } else { &other };
        check_in(app, &officer, json!({}))
    });
    let mut numbers: Vec<i64> =
        join_all(check_ins).await.iter().map(|r| r.assert_status(201)["number"].as_i64().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=24).collect::<Vec<_>>());
    let stored = entity::ticket::Entity::find().count(&app.db).await.unwrap();
    assert_eq!(stored, 24);
    assert_eq!(events(&app).await, 24);

    app.set_time("2026-12-02T07:00:00+07:00");
    let first = walk_in(&app, &officer).await;
    assert_eq!((first["number"].clone(), first["display_number"].clone()), (json!(1), json!("A001")));
    assert_eq!(first["service_day"], "2026-12-02");
    assert_eq!((first["kind"].clone(), first["status"].clone()), (json!("walk_in"), json!("waiting")));
}

#[tokio::test]
async fn an_appointment_checks_in_in_its_window_and_a_late_one_queues_as_a_walk_in() {
    let (app, officer, citizen, _) = queue_desk().await;
    let booked = book(&app, &citizen, "2026-12-01T10:00:00+07:00", "ten").await.assert_status(201).clone();
    let late = book(&app, &citizen, "2026-12-01T10:30:00+07:00", "half").await.assert_status(201).clone();
    let tomorrow = book(&app, &citizen, "2026-12-02T10:00:00+07:00", "tmr").await.assert_status(201).clone();

    let early = check_in(&app, &officer, json!({"appointment_id": booked["id"]})).await;
    let early = early.assert_problem(422, "too_early_to_check_in");
    assert!(early["detail"].as_str().unwrap().contains("09:30"), "{early}");
    app.set_time("2026-12-01T09:30:00+07:00");
    let ticket = check_in(&app, &officer, json!({"appointment_id": booked["id"]})).await;
    let ticket = ticket.assert_status(201);
    assert_eq!(ticket["kind"], "appointment");
    let slot_start: chrono::DateTime<chrono::Utc> = ticket["slot_start"].as_str().unwrap().parse().unwrap();
    assert_eq!(slot_start, "2026-12-01T10:00:00+07:00".parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    let booking =
        app.get(&format!("/api/v1/appointments/{}", booked["id"].as_str().unwrap())).bearer(&citizen);
    assert_eq!(booking.send().await.assert_status(200)["status"], "checked_in");
    check_in(&app, &officer, json!({"appointment_id": booked["id"]}))
        .await
        .assert_problem(409, "already_checked_in");

    app.set_time("2026-12-01T10:45:01+07:00");
    let walked = check_in(&app, &officer, json!({"appointment_id": late["id"]})).await;
    let walked = walked.assert_status(201);
    assert_eq!(
        (walked["kind"].clone(), walked["appointment_id"].clone()),
        (json!("walk_in"), late["id"].clone())
    );
    assert!(walked.get("slot_start").is_none());
    check_in(&app, &officer, json!({"appointment_id": tomorrow["id"]}))
        .await
        .assert_problem(422, "appointment_not_today");
    check_in(&app, &officer, json!({"appointment_id": uuid::Uuid::now_v7()}))
        .await
        .assert_problem(422, "appointment_not_today");
    // Nothing of the refused check-ins was written: two tickets, numbers 1 and 2.
    let day = app.get(&tickets_path()).bearer(&officer).send().await;
    let numbers: Vec<_> =
        day.assert_status(200)["items"].as_array().unwrap().iter().map(|t| t["number"].clone()).collect();
    assert_eq!(numbers, [json!(1), json!(2)]);
}

#[tokio::test]
async fn check_in_is_refused_when_the_desk_is_closed_and_for_bad_input() {
    let (app, officer, _, _) = queue_desk().await;
    check_in(&app, &officer, json!({"service_group": "nope"}))
        .await
        .assert_problem(422, "unknown_service_group");
    check_in(&app, &officer, json!({"priority_class": "priority"}))
        .await
        .assert_problem(422, "validation_failed");
    check_in(&app, &officer, json!({"priority_reason": "Người cao tuổi"}))
        .await
        .assert_problem(422, "validation_failed");
    let priority =
        check_in(&app, &officer, json!({"priority_class": "priority", "priority_reason": "Người cao tuổi"}))
            .await;
    assert_eq!(priority.assert_status(201)["priority_reason"], "Người cao tuổi");

    app.set_time("2026-12-01T17:00:00+07:00");
    let closed = check_in(&app, &officer, json!({})).await;
    closed.assert_problem(409, "desk_closed");
    app.set_time("2026-12-05T09:00:00+07:00");
    let english = app.post(&tickets_path()).bearer(&officer).english().json(&json!({})).send().await;
    assert!(english.assert_problem(409, "desk_closed")["detail"].as_str().unwrap().contains("closed"));
    assert_eq!(entity::ticket::Entity::find().count(&app.db).await.unwrap(), 1);
}

#[tokio::test]
async fn two_counters_calling_at_once_on_two_processes_never_get_the_same_ticket() {
    let (app, officer, _, _) = queue_desk().await;
    let other = app.second_process().await;
    for _ in 0..12 {
        walk_in(&app, &officer).await;
    }
    open(&app, &officer, 1).await;
    open(&app, &officer, 2).await;
    let mut called = Vec::new();
    loop {
        let (one, two) = tokio::join!(next(&app, &officer, 1), next(&other, &officer, 2));
        let mut any = false;
        for (reply, process) in [(one, &app), (two, &other)] {
            if reply.status == 200 {
                any = true;
                called.push(reply.body["number"].as_i64().unwrap());
                act(process, &officer, &reply.body, "served", json!({})).await.assert_status(200);
            } else {
                reply.assert_status(204);
            }
        }
        if !any {
            break;
        }
    }
    called.sort_unstable();
    assert_eq!(called, (1..=12).collect::<Vec<_>>());
}

#[tokio::test]
async fn appointments_in_their_slot_come_first_then_priority_by_the_strategy_then_walk_ins() {
    let (app, officer, citizen, supervisor) = queue_desk().await;
    let booked = book(&app, &citizen, "2026-12-01T10:00:00+07:00", "ten").await.assert_status(201).clone();
    let second =
        book(&app, &citizen, "2026-12-01T10:15:00+07:00", "quarter").await.assert_status(201).clone();
    app.set_time("2026-12-01T09:40:00+07:00");
    let priority = json!({"priority_class": "priority", "priority_reason": "Phụ nữ mang thai"});
    walk_in(&app, &officer).await; // A001
    check_in(&app, &officer, json!({"appointment_id": booked["id"]})).await.assert_status(201); // A002
    walk_in(&app, &officer).await; // A003
    check_in(&app, &officer, priority.clone()).await.assert_status(201); // A004
    walk_in(&app, &officer).await; // A005
    check_in(&app, &officer, priority.clone()).await.assert_status(201); // A006
    open(&app, &officer, 1).await;
    // Before its slot the appointment waits behind everyone; strict: priority first.
    assert_eq!(call_all(&app, &officer, 1).await, ["A004", "A006", "A001", "A003", "A005", "A002"]);

    let mut settings =
        app.get(&format!("/api/v1/units/{WARD}/queue-settings")).bearer(&officer).send().await.body;
    settings["priority_strategy"] = json!("interleaved");
    settings["priority_every"] = json!(2);
    let saved = app.put(&format!("/api/v1/units/{WARD}/queue-settings")).bearer(&supervisor).json(&settings);
    assert_eq!(saved.send().await.assert_status(200)["priority_strategy"], "interleaved");
    app.set_time("2026-12-01T10:15:00+07:00");
    check_in(&app, &officer, priority.clone()).await.assert_status(201); // A007
    walk_in(&app, &officer).await; // A008
    walk_in(&app, &officer).await; // A009
    check_in(&app, &officer, json!({"appointment_id": second["id"]})).await.assert_status(201); // A010
    walk_in(&app, &officer).await; // A011
    check_in(&app, &officer, priority.clone()).await.assert_status(201); // A012
    walk_in(&app, &officer).await; // A013
    // The appointment in its slot first; then one priority ticket after every two normal
    // ones (the calls before counted four normal ones since the last priority one).
    assert_eq!(call_all(&app, &officer, 1).await, ["A010", "A007", "A008", "A009", "A012", "A011", "A013"]);
}

#[tokio::test]
async fn paused_and_closed_counters_call_nobody_and_a_busy_counter_neither_calls_nor_closes() {
    let (app, officer, _, supervisor) = queue_desk().await;
    walk_in(&app, &officer).await;
    walk_in(&app, &officer).await;
    next(&app, &officer, 1).await.assert_problem(409, "counter_not_open");
    set_counter(&app, &officer, 1, json!({"state": "paused"})).await.assert_problem(422, "validation_failed");
    let paused =
        set_counter(&app, &officer, 1, json!({"state": "paused", "pause_reason": "Nghỉ giải lao"})).await;
    assert_eq!(paused.assert_status(200)["pause_reason"], "Nghỉ giải lao");
    next(&app, &officer, 1).await.assert_problem(409, "counter_not_open");
    set_counter(&app, &officer, 4, json!({"state": "open"})).await.assert_problem(404, "not_found");
    next(&app, &officer, 0).await.assert_problem(422, "validation_failed");

    open(&app, &officer, 1).await;
    let called = next(&app, &officer, 1).await.assert_status(200).clone();
    assert_eq!((called["status"].clone(), called["counter"].clone()), (json!("called"), json!(1)));
    next(&app, &officer, 1).await.assert_problem(409, "counter_busy");
    set_counter(&app, &officer, 1, json!({"state": "closed"})).await.assert_problem(409, "counter_busy");
    let counters = app.get(&format!("/api/v1/units/{WARD}/counters")).bearer(&officer).send().await;
    let counters = counters.assert_status(200);
    assert_eq!(counters.as_array().unwrap().len(), 3);
    assert_eq!(
        (counters[0]["state"].clone(), counters[0]["display_number"].clone()),
        (json!("open"), json!("A001"))
    );
    assert_eq!(counters[1]["state"], "closed");

    act(&app, &officer, &called, "served", json!({})).await.assert_status(200);
    let closed = set_counter(&app, &officer, 1, json!({"state": "closed"})).await;
    assert!(closed.assert_status(200).get("officer_id").is_none());
    // A counter limited to another group does not call the general line.
    let mut settings =
        app.get(&format!("/api/v1/units/{WARD}/queue-settings")).bearer(&officer).send().await.body;
    settings["service_groups"]
        .as_array_mut()
        .unwrap()
        .push(json!({"code": "civil_status", "prefix": "B", "name": "Hộ tịch"}));
    let put = app.put(&format!("/api/v1/units/{WARD}/queue-settings")).bearer(&supervisor).json(&settings);
    put.send().await.assert_status(200);
    set_counter(&app, &officer, 2, json!({"state": "open", "service_groups": ["other"]}))
        .await
        .assert_problem(422, "unknown_service_group");
    set_counter(&app, &officer, 2, json!({"state": "open", "service_groups": ["civil_status"]}))
        .await
        .assert_status(200);
    next(&app, &officer, 2).await.assert_status(204);
    let b = check_in(&app, &officer, json!({"service_group": "civil_status"})).await;
    assert_eq!(b.assert_status(201)["display_number"], "B003");
    assert_eq!(next(&app, &officer, 2).await.assert_status(200)["display_number"], "B003");
}

#[tokio::test]
async fn a_ticket_is_recalled_then_missed_returned_first_or_last_and_transferred() {
    let (app, officer, _, _) = queue_desk().await;
    for _ in 0..4 {
        walk_in(&app, &officer).await;
    }
    open(&app, &officer, 1).await;
    open(&app, &officer, 2).await;
    let first = next(&app, &officer, 1).await.assert_status(200).clone();
    for recalls in 1..=3 {
        let recalled = act(&app, &officer, &first, "recall", json!({})).await;
        assert_eq!(recalled.assert_status(200)["recalls"], recalls);
    }
    let missed = act(&app, &officer, &first, "recall", json!({})).await;
    assert_eq!(missed.assert_status(200)["status"], "no_show");
    act(&app, &officer, &first, "recall", json!({})).await.assert_problem(409, "ticket_not_in_state");

    // A002 steps away and goes back first; A003 goes back last.
    let second = next(&app, &officer, 1).await.assert_status(200).clone();
    assert_eq!(second["display_number"], "A002");
    let back = act(&app, &officer, &second, "return-to-queue", json!({"position": "first"})).await;
    assert_eq!(back.assert_status(200)["status"], "waiting");
    let again = next(&app, &officer, 1).await.assert_status(200).clone();
    assert_eq!(again["display_number"], "A002");
    act(&app, &officer, &again, "return-to-queue", json!({"position": "last"})).await.assert_status(200);

    // A003 is sent to counter 2: counter 1 skips it.
    let third = next(&app, &officer, 1).await.assert_status(200).clone();
    assert_eq!(third["display_number"], "A003");
    act(&app, &officer, &third, "transfer", json!({})).await.assert_problem(422, "validation_failed");
    act(&app, &officer, &third, "transfer", json!({"counter": 9}))
        .await
        .assert_problem(422, "validation_failed");
    let moved = act(&app, &officer, &third, "transfer", json!({"counter": 2})).await;
    assert_eq!(moved.assert_status(200)["target_counter"], 2);
    assert_eq!(call_all(&app, &officer, 1).await, ["A004", "A002"]);
    assert_eq!(call_all(&app, &officer, 2).await, ["A003"]);
    act(&app, &officer, &third, "cancel", json!({})).await.assert_problem(409, "ticket_not_in_state");
}

#[tokio::test]
async fn served_records_the_outcome_the_dossier_and_the_wait_and_service_times() {
    let (app, officer, citizen, _) = queue_desk().await;
    let booked = book(&app, &citizen, "2026-12-01T10:00:00+07:00", "ten").await.assert_status(201).clone();
    app.set_time("2026-12-01T09:50:00+07:00");
    let ticket =
        check_in(&app, &officer, json!({"appointment_id": booked["id"]})).await.assert_status(201).clone();
    open(&app, &officer, 1).await;
    app.set_time("2026-12-01T10:02:00+07:00");
    next(&app, &officer, 1).await.assert_status(200);
    app.set_time("2026-12-01T10:03:00+07:00");
    act(&app, &officer, &ticket, "start", json!({})).await.assert_status(200);
    act(&app, &officer, &ticket, "start", json!({})).await.assert_problem(409, "ticket_not_in_state");
    app.set_time("2026-12-01T10:13:30+07:00");
    act(&app, &officer, &ticket, "served", json!({"dossier_code": "000.20.33.H12-261201-9999"}))
        .await
        .assert_problem(422, "unknown_dossier");
    act(&app, &officer, &ticket, "served", json!({"outcome": "dossier_received"}))
        .await
        .assert_problem(422, "validation_failed");
    let dossier = take_in(&app, &officer).await;
    let served = act(&app, &officer, &ticket, "served", json!({"dossier_code": dossier["code"]})).await;
    let served = served.assert_status(200);
    assert_eq!(served["status"], "served");
    assert_eq!(served["outcome"], "dossier_received");
    assert_eq!(served["dossier_code"], dossier["code"]);
    assert_eq!((served["wait_seconds"].clone(), served["service_seconds"].clone()), (json!(720), json!(630)));
    assert!(served.get("counter").is_none());
    let booking =
        app.get(&format!("/api/v1/appointments/{}", booked["id"].as_str().unwrap())).bearer(&citizen);
    assert_eq!(booking.send().await.assert_status(200)["status"], "served");
    let read =
        app.get(&format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap())).bearer(&officer).send().await;
    assert_eq!(read.assert_status(200)["dossier_code"], dossier["code"]);
    let stored =
        entity::ticket::Entity::find_by_id(ticket["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.finished_at, Some("2026-12-01T10:13:30+07:00".parse().unwrap()));
}

#[tokio::test]
async fn tickets_still_waiting_at_closing_time_are_swept_as_no_shows_once() {
    let (app, officer, citizen, _) = queue_desk().await;
    let booked = book(&app, &citizen, "2026-12-01T16:45:00+07:00", "late").await.assert_status(201).clone();
    app.set_time("2026-12-01T16:40:00+07:00");
    let waiting =
        check_in(&app, &officer, json!({"appointment_id": booked["id"]})).await.assert_status(201).clone();
    let called = walk_in(&app, &officer).await;
    open(&app, &officer, 1).await;
    // Before its slot the appointment waits behind the walk-in.
    assert_eq!(next(&app, &officer, 1).await.assert_status(200)["id"], called["id"]);

    assert_eq!(api::queue::sweep::sweep_due(&app.state.writer, app.now()).await.unwrap().missed, 0);
    app.set_time("2026-12-01T17:00:00+07:00");
    let other = app.second_process().await;
    let (one, two) = tokio::join!(
        api::queue::sweep::sweep_due(&app.state.writer, app.now()),
        api::queue::sweep::sweep_due(&other.state.writer, app.now()),
    );
    assert_eq!(one.unwrap().missed + two.unwrap().missed, 1);
    let missed = app
        .get(&format!("/api/v1/tickets/{}", waiting["id"].as_str().unwrap()))
        .bearer(&officer)
        .send()
        .await;
    assert_eq!(missed.assert_status(200)["status"], "no_show");
    // The ticket at the counter is the officer's to finish.
    let at_counter =
        app.get(&format!("/api/v1/tickets/{}", called["id"].as_str().unwrap())).bearer(&officer).send().await;
    assert_eq!(at_counter.assert_status(200)["status"], "called");
    let booking =
        app.get(&format!("/api/v1/appointments/{}", booked["id"].as_str().unwrap())).bearer(&citizen);
    assert_eq!(booking.send().await.assert_status(200)["status"], "no_show");
    let no_shows = entity::ticket::Entity::find()
        .filter(entity::ticket::Column::Status.eq(entity::values::TicketStatus::NoShow))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(no_shows, 1);
}

#[tokio::test]
async fn queue_settings_are_checked_whole_and_only_a_supervisor_sets_them() {
    let (app, officer, _, supervisor) = queue_desk().await;
    let path = format!("/api/v1/units/{WARD}/queue-settings");
    let defaults = app.get(&path).bearer(&officer).send().await.assert_status(200).clone();
    assert_eq!(defaults["checkin_early_minutes"], 30);
    assert_eq!(defaults["service_groups"][0]["prefix"], "A");
    app.put(&path).bearer(&officer).json(&defaults).send().await.assert_problem(403, "forbidden");
    let mut bad = defaults.clone();
    bad["max_recalls"] = json!(0);
    bad["service_groups"] = json!([
        {"code": "general", "prefix": "A", "name": "Một cửa"},
        {"code": "General", "prefix": "A", "name": "Trùng"}
    ]);
    let refused = app.put(&path).bearer(&supervisor).json(&bad).send().await;
    let fields: Vec<_> = refused.assert_problem(422, "validation_failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(fields, [json!("max_recalls"), json!("service_groups[1].code")]);
    bad["max_recalls"] = json!(3);
    bad["service_groups"][1]["code"] = json!("civil_status");
    let twice = app.put(&path).bearer(&supervisor).json(&bad).send().await;
    assert_eq!(twice.assert_problem(422, "validation_failed")["errors"][0]["field"], "service_groups");
    let mut fewer = defaults.clone();
    fewer["max_recalls"] = json!(1);
    app.put(&path).bearer(&supervisor).json(&fewer).send().await.assert_status(200);
    assert_eq!(app.get(&path).bearer(&officer).send().await.body["max_recalls"], 1);
    let before = events(&app).await;
    walk_in(&app, &officer).await;
    open(&app, &officer, 1).await;
    let called = next(&app, &officer, 1).await.assert_status(200).clone();
    act(&app, &officer, &called, "recall", json!({})).await.assert_status(200);
    let missed = act(&app, &officer, &called, "recall", json!({})).await;
    assert_eq!(missed.assert_status(200)["status"], "no_show");
    // Each queue write told the screens: check-in, counter, call, recall, no-show.
    assert_eq!(events(&app).await - before, 5);
}
