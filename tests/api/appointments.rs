//! Appointments: slots across hours, holidays, lead time, the horizon and time zones; booking
//! with its limits and idempotency keys; the last-seat race across two server processes;
//! moving and cancelling within their windows.

use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    common::{Reply, TestApp},
    dossiers::{BIRTH, OFFICER_PHONE, WARD, desk_with},
};

pub(crate) const CITIZEN_PHONE: &str = "0912000001";
pub(crate) const SUPERVISOR_PHONE: &str = "0900000005";

/// The ward of `dossiers::desk`, a citizen and a supervisor of the ward: tokens of the
/// officer, the citizen and the supervisor.
pub(crate) async fn booking_desk_with(
    configure: impl FnOnce(&mut api::config::Config),
) -> (TestApp, String, String, String) {
    let (app, officer) = desk_with(configure).await;
    let citizen = app.token_for(CITIZEN_PHONE, "citizen", None).await;
    let supervisor = app.token_for(SUPERVISOR_PHONE, "supervisor", Some(WARD)).await;
    (app, officer, citizen, supervisor)
}

pub(crate) async fn booking_desk() -> (TestApp, String, String, String) {
    booking_desk_with(|_| {}).await
}

pub(crate) async fn book(app: &TestApp, token: &str, start: &str, key: &str) -> Reply {
    app.post("/api/v1/appointments")
        .bearer(token)
        .header("idempotency-key", key)
        .json(&json!({"unit_code": WARD, "procedure_code": BIRTH, "start": start}))
        .send()
        .await
}

pub(crate) async fn slots(app: &TestApp, query: &str) -> Reply {
    app.get(&format!("/api/v1/units/{WARD}/slots?{query}")).send().await
}

/// The ward's desk settings: the defaults with these changes.
/// The slot counts the database keeps agree with the seats held, slot by slot.
pub(crate) async fn assert_counts_match_seats(app: &TestApp) {
    let mut held = std::collections::BTreeMap::new();
    for seat in entity::appointment_seat::Entity::find().all(&app.db).await.unwrap() {
        *held.entry((seat.unit_id, seat.starts_at)).or_insert(0) += 1;
    }
    let counted: std::collections::BTreeMap<_, _> = entity::appointment_slot_count::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|slot| slot.taken > 0)
        .map(|slot| ((slot.unit_id, slot.starts_at), slot.taken))
        .collect();
    assert_eq!(counted, held);
}

pub(crate) async fn set_desk(app: &TestApp, supervisor: &str, changes: Value, dry_run: bool) -> Reply {
    let mut settings = json!({
        "time_zone": "Asia/Ho_Chi_Minh",
        "opening_hours": {
            "monday": [{"start": "07:30", "end": "11:30"}, {"start": "13:30", "end": "17:00"}],
            "tuesday": [{"start": "07:30", "end": "11:30"}, {"start": "13:30", "end": "17:00"}],
            "wednesday": [{"start": "07:30", "end": "11:30"}, {"start": "13:30", "end": "17:00"}],
            "thursday": [{"start": "07:30", "end": "11:30"}, {"start": "13:30", "end": "17:00"}],
            "friday": [{"start": "07:30", "end": "11:30"}, {"start": "13:30", "end": "17:00"}]
        },
        "intake_cutoff": "15:00",
        "counters": 3,
        "slot_minutes": 15
    });
    for (field, value) in changes.as_object().unwrap() {
        settings[field] = value.clone();
    }
    app.put(&format!("/api/v1/units/{WARD}/settings?dry_run={dry_run}"))
        .bearer(supervisor)
        .json(&settings)
        .send()
        .await
}

fn slot_at<'a>(list: &'a Value, start: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|slot| slot["start"] == start)
        .unwrap_or_else(|| panic!("no slot {start}"))
}

#[tokio::test]
async fn slots_follow_the_hours_the_lead_time_holidays_and_the_horizon() {
    let (app, _officer, _citizen, supervisor) = booking_desk().await;
    // Tuesday 1 December, 09:00 in Hanoi.
    let today = slots(&app, "date=2026-12-01").await;
    let today = today.assert_status(200);
    assert_eq!(today.as_array().unwrap().len(), 30);
    let first = &today[0];
    assert_eq!(first["start"], "2026-12-01T07:30:00+07:00");
    assert_eq!(first["end"], "2026-12-01T07:45:00+07:00");
    assert_eq!((first["capacity"].clone(), first["available"].clone()), (json!(3), json!(3)));
    assert_eq!(
        (first["bookable"].clone(), first["unavailable_reason"].clone()),
        (json!(false), json!("past"))
    );
    assert_eq!(slot_at(today, "2026-12-01T09:00:00+07:00")["unavailable_reason"], "past");
    assert_eq!(slot_at(today, "2026-12-01T09:45:00+07:00")["unavailable_reason"], "lead_time");
    let open = slot_at(today, "2026-12-01T10:00:00+07:00");
    assert_eq!(open["bookable"], true);
    assert!(open.get("unavailable_reason").is_none());

    let holiday = json!({"date": "2026-12-03", "kind": "off", "name": "Nghỉ bù", "unit_code": WARD});
    app.post("/api/v1/holidays").bearer(&supervisor).json(&holiday).send().await.assert_status(201);
    let closed = slots(&app, "date=2026-12-03").await;
    assert!(
        closed.assert_status(200).as_array().unwrap().iter().all(|s| s["unavailable_reason"] == "holiday")
    );
    assert_eq!(slots(&app, "date=2026-12-05").await.assert_status(200), &json!([]));

    // The horizon is 30 days from today at the unit: 31 December, not 1 January.
    let week = slots(&app, "from=2026-12-28&to=2027-01-03").await;
    let week = week.assert_status(200).as_array().unwrap().clone();
    assert_eq!(week.last().unwrap()["start"], "2026-12-31T16:45:00+07:00");
    // Days gone by have nothing to book.
    assert_eq!(slots(&app, "from=2026-11-01&to=2026-11-30").await.assert_status(200), &json!([]));
    slots(&app, "from=2026-12-01&to=2027-01-01").await.assert_problem(422, "validation_failed");
    slots(&app, "date=2026-12-01&from=2026-12-01").await.assert_problem(422, "validation_failed");
    slots(&app, "date=2026-12-01&procedure=9.999999").await.assert_problem(422, "procedure_not_offered");
    app.get("/api/v1/units/NOPE/slots").send().await.assert_problem(404, "not_found");

    // No seats for appointments: every counter serves walk-ins.
    set_desk(&app, &supervisor, json!({"appointment_seats": 0}), false).await.assert_status(200);
    let none = slots(&app, "date=2026-12-02").await;
    assert!(none.assert_status(200).as_array().unwrap().iter().all(|s| s["unavailable_reason"] == "closed"));
}

#[tokio::test]
async fn slots_and_bookings_speak_the_units_time_zone() {
    let (app, _officer, citizen, supervisor) = booking_desk().await;
    let early = json!({"wednesday": [{"start": "06:30", "end": "11:30"}]});
    let mut hours =
        set_desk(&app, &supervisor, json!({}), true).await.assert_status(200)["opening_hours"].clone();
    hours["wednesday"] = early["wednesday"].clone();
    set_desk(&app, &supervisor, json!({"opening_hours": hours}), false).await.assert_status(200);

    // 23:30 UTC on Tuesday is 06:30 on Wednesday in Hanoi: Wednesday's first slot. Wednesday
    // is a half day now: its last slot ends at 11:30.
    let wednesday = slots(&app, "date=2026-12-02").await;
    let wednesday = wednesday.assert_status(200).as_array().unwrap().clone();
    assert_eq!(wednesday[0]["start"], "2026-12-02T06:30:00+07:00");
    assert_eq!((wednesday.len(), wednesday[19]["end"].clone()), (20, json!("2026-12-02T11:30:00+07:00")));
    let booked = book(&app, &citizen, "2026-12-01T23:30:00Z", "tz").await;
    let booked = booked.assert_status(201);
    assert_eq!(booked["start"], "2026-12-02T06:30:00+07:00");
    assert_eq!(booked["end"], "2026-12-02T06:45:00+07:00");
    assert_eq!(booked["changeable_until"], "2026-12-02T04:30:00+07:00");
    let stored = entity::appointment::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(stored.starts_at.to_rfc3339(), "2026-12-01T23:30:00+00:00");

    book(&app, &citizen, "2026-12-02T06:40:00+07:00", "off-grid").await.assert_problem(422, "not_a_slot");
    book(&app, &citizen, "2026-12-01T09:45:00+07:00", "soon").await.assert_problem(422, "slot_not_bookable");
    book(&app, &citizen, "2027-01-04T08:00:00+07:00", "far").await.assert_problem(422, "slot_not_bookable");
}

#[tokio::test]
async fn a_booking_is_confirmed_at_once_and_listed_as_the_citizens() {
    let (app, officer, citizen, _supervisor) = booking_desk().await;
    let booked = book(&app, &citizen, "2026-12-02T08:00:00+07:00", "first").await;
    assert_eq!(booked.header("etag"), Some("\"1\""));
    assert_eq!(booked.header("idempotency-replayed"), None);
    let booked = booked.assert_status(201).clone();
    assert_eq!(booked["status"], "booked");
    assert_eq!(booked["unit_code"], WARD);
    assert_eq!(booked["procedure_code"], BIRTH);
    let id = booked["id"].as_str().unwrap();

    let inbox = app.get("/api/v1/me/notifications").bearer(&citizen).send().await;
    let notice = &inbox.assert_status(200)["items"][0];
    assert_eq!(notice["kind"], "appointment_booked");
    assert_eq!(notice["appointment_id"], id);
    assert!(notice["body"].as_str().unwrap().contains("08:00 ngày 02/12/2026"), "{notice}");

    let slot = slots(&app, "date=2026-12-02").await;
    assert_eq!(slot_at(slot.assert_status(200), "2026-12-02T08:00:00+07:00")["available"], 2);
    let mine = app.get("/api/v1/me/appointments?when=upcoming").bearer(&citizen).send().await;
    assert_eq!(mine.assert_status(200)["items"][0]["id"], id);
    let past = app.get("/api/v1/me/appointments?when=past").bearer(&citizen).send().await;
    assert_eq!(past.assert_status(200)["total"], 0);
    let day =
        app.get(&format!("/api/v1/units/{WARD}/appointments?date=2026-12-02")).bearer(&officer).send().await;
    assert_eq!(day.assert_status(200)["items"][0]["id"], id);
    for far in ["0001-01-01", "9999-12-31"] {
        let path = format!("/api/v1/units/{WARD}/appointments?date={far}");
        assert_eq!(app.get(&path).bearer(&officer).send().await.assert_status(200)["total"], 0);
    }
    let read = app.get(&format!("/api/v1/appointments/{id}")).bearer(&officer).send().await;
    assert_eq!(read.assert_status(200), &booked);

    let stranger = app.token_for("0912000002", "citizen", None).await;
    app.get(&format!("/api/v1/appointments/{id}"))
        .bearer(&stranger)
        .send()
        .await
        .assert_problem(404, "not_found");
    book(&app, &officer, "2026-12-02T08:00:00+07:00", "staff").await.assert_problem(403, "staff_cannot_book");
    for (unit, procedure, status, code) in
        [("NOPE", BIRTH, 404, "not_found"), (WARD, "9.999999", 422, "procedure_not_offered")]
    {
        app.post("/api/v1/appointments")
            .bearer(&citizen)
            .header("idempotency-key", format!("{unit} {procedure}"))
            .json(&json!({"unit_code": unit, "procedure_code": procedure, "start": "2026-12-02T08:15:00+07:00"}))
            .send()
            .await
            .assert_problem(status, code);
    }
    let keyless =
        app.post("/api/v1/appointments").bearer(&citizen).json(&json!({"unit_code": WARD})).send().await;
    keyless.assert_problem(400, "malformed_request");
    let long_key = "k".repeat(256);
    book(&app, &citizen, "2026-12-02T08:15:00+07:00", &long_key)
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_retry_replays_the_first_answer_and_a_reused_key_is_refused() {
    let (app, _officer, citizen, _supervisor) = booking_desk().await;
    let first = book(&app, &citizen, "2026-12-02T08:00:00+07:00", "key-1").await;
    let first = first.assert_status(201).clone();
    let again = book(&app, &citizen, "2026-12-02T01:00:00Z", "key-1").await;
    assert_eq!(again.header("idempotency-replayed"), Some("true"));
    assert_eq!(again.assert_status(201), &first);
    assert_eq!(entity::appointment::Entity::find().count(&app.db).await.unwrap(), 1);

    let other_body = book(&app, &citizen, "2026-12-02T08:15:00+07:00", "key-1").await;
    other_body.assert_problem(422, "idempotency_key_reused");
    // Keys are the caller's own: another citizen's "key-1" is another key.
    let neighbour = app.token_for("0912000002", "citizen", None).await;
    book(&app, &neighbour, "2026-12-02T08:00:00+07:00", "key-1").await.assert_status(201);

    // A refusal is kept and replayed too.
    let past = book(&app, &citizen, "2026-12-01T08:00:00+07:00", "key-2").await;
    past.assert_problem(422, "slot_not_bookable");
    let replayed = book(&app, &citizen, "2026-12-01T08:00:00+07:00", "key-2").await;
    assert_eq!(replayed.header("idempotency-replayed"), Some("true"));
    replayed.assert_problem(422, "slot_not_bookable");

    // A key is kept a day: after that it is a new key.
    app.set_time("2026-12-02T09:00:01+07:00");
    let citizen = app.token_of(CITIZEN_PHONE).await;
    let later = book(&app, &citizen, "2026-12-03T08:00:00+07:00", "key-1").await;
    assert_eq!(later.header("idempotency-replayed"), None);
    assert_ne!(later.assert_status(201)["id"], first["id"]);
    let kept = entity::idempotency_key::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(kept.iter().filter(|k| k.key == "key-1").count(), 2, "one per caller");
}

#[tokio::test]
async fn a_retry_while_the_first_request_runs_never_books_twice() {
    let (app, _officer, citizen, _supervisor) = booking_desk().await;
    let start = "2026-12-02T08:00:00+07:00";
    let (one, two) = tokio::join!(book(&app, &citizen, start, "twice"), book(&app, &citizen, start, "twice"));
    assert_eq!(entity::appointment::Entity::find().count(&app.db).await.unwrap(), 1);
    let fresh = |reply: &Reply| reply.status == 201 && reply.header("idempotency-replayed").is_none();
    let (first, retry) = if fresh(&one) { (one, two) } else { (two, one) };
    let id = first.assert_status(201)["id"].clone();
    // The retry either found the first still running (on PostgreSQL, where requests really
    // overlap) or waited for it and got its answer.
    if retry.status == 409 {
        retry.assert_problem(409, "idempotency_in_progress");
    } else {
        assert_eq!(retry.header("idempotency-replayed"), Some("true"));
        assert_eq!(retry.assert_status(201)["id"], id);
    }
}

#[tokio::test]
async fn a_key_held_by_a_request_in_flight_on_another_process_is_409() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};
    let (app, _officer, citizen, _supervisor) = booking_desk().await;
    let user = entity::user::Entity::find()
        .filter(entity::user::Column::Phone.eq("+84912000001"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let request = api::appointments::booking::BookingRequest {
        unit_code: WARD.into(),
        procedure_code: BIRTH.into(),
        start: "2026-12-02T01:00:00Z".parse().unwrap(),
    };
    let key = api::idempotency::IdempotencyKey::new(user.id, "busy", "book_appointment", &request);
    // Another process's booking under this key, still in its transaction.
    let other = app.second_process().await;
    let in_flight = other.db.begin().await.unwrap();
    if app.db.get_database_backend() == DatabaseBackend::Postgres {
        let lock = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.lock_id().into()],
        );
        in_flight.execute_raw(lock).await.unwrap();
        let busy = book(&app, &citizen, "2026-12-02T08:00:00+07:00", "busy").await;
        busy.assert_problem(409, "idempotency_in_progress");
        assert_eq!(entity::appointment::Entity::find().count(&app.db).await.unwrap(), 0);
        in_flight.rollback().await.unwrap();
    } else {
        // SQLite runs one write at a time: a request waits for the one in flight, then runs.
        in_flight.execute_unprepared("CREATE TABLE held (x INTEGER)").await.unwrap();
        let release = async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            in_flight.rollback().await.unwrap();
        };
        let (waited, ()) = tokio::join!(book(&app, &citizen, "2026-12-02T08:15:00+07:00", "waited"), release);
        waited.assert_status(201);
    }
    // Once the other request is gone, the key is free.
    book(&app, &citizen, "2026-12-02T08:00:00+07:00", "busy").await.assert_status(201);
}

#[tokio::test]
async fn a_hundred_citizens_on_two_processes_get_exactly_the_three_last_seats() {
    let (app, _officer, _citizen, supervisor) = booking_desk().await;
    set_desk(&app, &supervisor, json!({"appointment_seats": 3}), false).await.assert_status(200);
    let other = app.second_process().await;
    let crowd = app.citizens(100).await;
    let start = "2026-12-02T08:00:00+07:00";
    let attempts = crowd.iter().enumerate().map(|(i, token)| {
        let process = if i % 2 == 0 { &app } else { &other };
        book(process, token, start, "race")
    });
    let replies = join_all(attempts).await;
    let booked = replies.iter().filter(|r| r.status == 201).count();
    let full = replies.iter().filter(|r| r.status == 409 && r.body["code"] == "slot_full").count();
    assert_eq!((booked, full), (3, 97), "{:?}", replies.iter().find(|r| r.status != 201 && r.status != 409));

    let seats = entity::appointment_seat::Entity::find().count(&app.db).await.unwrap();
    let appointments = entity::appointment::Entity::find().count(&app.db).await.unwrap();
    assert_eq!((seats, appointments), (3, 3));
    assert_counts_match_seats(&app).await;
    let slot = slots(&app, "date=2026-12-02").await;
    assert_eq!(slot_at(slot.assert_status(200), start)["unavailable_reason"], "full");
}

#[tokio::test]
async fn a_citizen_holds_a_few_bookings_one_per_slot_and_is_blocked_after_no_shows() {
    let (app, officer, citizen, _supervisor) = booking_desk().await;
    book(&app, &citizen, "2026-12-02T08:00:00+07:00", "a").await.assert_status(201);
    book(&app, &citizen, "2026-12-02T08:00:00+07:00", "b")
        .await
        .assert_problem(409, "already_booked_at_this_time");
    book(&app, &citizen, "2026-12-02T08:15:00+07:00", "c").await.assert_status(201);
    book(&app, &citizen, "2026-12-03T08:00:00+07:00", "d").await.assert_status(201);
    book(&app, &citizen, "2026-12-04T08:00:00+07:00", "e").await.assert_problem(409, "booking_limit_reached");

    let mine = app.get("/api/v1/me/appointments").bearer(&citizen).send().await;
    let ids: Vec<String> = mine.assert_status(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().into())
        .collect();
    let (wednesday_0815, wednesday_0800) = (&ids[1], &ids[2]);
    let no_show = |id: &String, token: &str| {
        app.post(&format!("/api/v1/appointments/{id}/no-show"))
            .bearer(token)
            .header("if-match", "\"1\"")
            .send()
    };
    no_show(wednesday_0800, &officer).await.assert_problem(409, "appointment_not_due");

    // Wednesday 10:00: both missed.
    app.set_time("2026-12-02T10:00:00+07:00");
    let officer = app.token_of(OFFICER_PHONE).await;
    let citizen = app.token_of(CITIZEN_PHONE).await;
    assert_eq!(no_show(wednesday_0800, &officer).await.assert_status(200)["status"], "no_show");
    no_show(wednesday_0815, &officer).await.assert_status(200);
    let blocked = book(&app, &citizen, "2026-12-04T08:00:00+07:00", "f").await;
    assert!(
        blocked.assert_problem(403, "booking_blocked")["detail"].as_str().unwrap().contains("16/12/2026")
    );

    // Fourteen days after the second no-show, booking is open again.
    app.set_time("2026-12-16T08:16:00+07:00");
    let citizen = app.token_of(CITIZEN_PHONE).await;
    book(&app, &citizen, "2026-12-17T08:00:00+07:00", "g").await.assert_status(201);
}

#[tokio::test]
async fn limits_of_zero_turn_their_rules_off() {
    let (app, _officer, citizen, _supervisor) = booking_desk_with(|config| {
        config.appointments.max_upcoming = 0;
    })
    .await;
    for (i, day) in ["02", "03", "04", "07"].iter().enumerate() {
        book(&app, &citizen, &format!("2026-12-{day}T08:00:00+07:00"), &i.to_string())
            .await
            .assert_status(201);
    }
}

#[tokio::test]
async fn a_booking_moves_in_place_and_cancels_within_the_units_windows() {
    let (app, _officer, citizen, _supervisor) = booking_desk().await;
    let booked = book(&app, &citizen, "2026-12-02T10:00:00+07:00", "m").await;
    let id = booked.assert_status(201)["id"].as_str().unwrap().to_owned();
    let change = |action: &str, if_match: Option<&str>, body: Value| {
        let mut call = app.post(&format!("/api/v1/appointments/{id}/{action}")).bearer(&citizen).json(&body);
        if let Some(tag) = if_match {
            call = call.header("if-match", tag);
        }
        call.send()
    };
    let to = |start: &str| json!({"start": start});
    change("reschedule", None, to("2026-12-02T10:15:00+07:00"))
        .await
        .assert_problem(428, "if_match_required");
    change("reschedule", Some("\"7\""), to("2026-12-02T10:15:00+07:00"))
        .await
        .assert_problem(412, "version_mismatch");
    let moved = change("reschedule", Some("\"1\""), to("2026-12-02T10:15:00+07:00")).await;
    assert_eq!(moved.header("etag"), Some("\"2\""));
    let moved = moved.assert_status(200);
    assert_eq!(
        (moved["id"].as_str(), moved["start"].clone()),
        (Some(id.as_str()), json!("2026-12-02T10:15:00+07:00"))
    );
    assert_eq!(
        (moved["previous_start"].clone(), moved["reschedule_count"].clone()),
        (json!("2026-12-02T10:00:00+07:00"), json!(1))
    );
    let day = slots(&app, "date=2026-12-02").await;
    let day = day.assert_status(200);
    assert_eq!(slot_at(day, "2026-12-02T10:00:00+07:00")["available"], 3);
    assert_eq!(slot_at(day, "2026-12-02T10:15:00+07:00")["available"], 2);
    // Its own seat counts as free while it moves.
    let moving = slots(&app, &format!("date=2026-12-02&exclude_appointment={id}")).await;
    assert_eq!(slot_at(moving.assert_status(200), "2026-12-02T10:15:00+07:00")["available"], 3);
    change("reschedule", Some("\"2\""), to("2026-12-02T10:15:00+07:00"))
        .await
        .assert_problem(422, "validation_failed");
    change("reschedule", Some("\"2\""), to("2026-12-02T10:30:00+07:00")).await.assert_status(200);
    let third = change("reschedule", Some("\"3\""), to("2026-12-02T10:45:00+07:00")).await;
    third.assert_problem(409, "appointment_not_reschedulable");
    let inbox = app.get("/api/v1/me/notifications").bearer(&citizen).send().await;
    assert_eq!(inbox.assert_status(200)["items"][0]["kind"], "appointment_rescheduled");

    let cancelled = change("cancel", Some("\"3\""), json!({"reason": "Tôi bận"})).await;
    let cancelled = cancelled.assert_status(200).clone();
    assert_eq!(
        (cancelled["status"].clone(), cancelled["cancelled_by"].clone()),
        (json!("cancelled"), json!("citizen"))
    );
    assert_eq!(cancelled["cancel_reason"], "Tôi bận");
    // Without If-Match a change is refused whatever the booking's state.
    change("cancel", None, json!({})).await.assert_problem(428, "if_match_required");
    change("reschedule", None, to("2026-12-02T10:45:00+07:00"))
        .await
        .assert_problem(428, "if_match_required");
    // Again: the same answer, whatever version the retry names.
    assert_eq!(change("cancel", Some("\"3\""), json!({})).await.assert_status(200), &cancelled);
    change("reschedule", Some("\"4\""), to("2026-12-02T10:45:00+07:00"))
        .await
        .assert_problem(409, "appointment_not_reschedulable");
    let seats = entity::appointment_seat::Entity::find().count(&app.db).await.unwrap();
    assert_eq!(seats, 0, "the cancelled booking's seat is free");
    assert_counts_match_seats(&app).await;
    let rebook = app.token_for("0912000002", "citizen", None).await;
    book(&app, &rebook, "2026-12-02T10:30:00+07:00", "freed").await.assert_status(201);

    // Two hours before its slot, a booking can no longer change.
    let late = book(&app, &citizen, "2026-12-02T11:00:00+07:00", "late").await;
    let late = late.assert_status(201)["id"].as_str().unwrap().to_owned();
    app.set_time("2026-12-02T09:01:00+07:00");
    let citizen = app.token_of(CITIZEN_PHONE).await;
    let path = format!("/api/v1/appointments/{late}");
    for (action, body) in [("cancel", json!({})), ("reschedule", to("2026-12-03T08:00:00+07:00"))] {
        let refused = app
            .post(&format!("{path}/{action}"))
            .bearer(&citizen)
            .header("if-match", "\"1\"")
            .json(&body)
            .send()
            .await;
        refused.assert_problem(409, "change_cutoff_passed");
    }
}

#[tokio::test]
async fn a_reschedule_into_a_slot_filling_at_that_moment_never_loses_the_old_seat() {
    let (app, _officer, citizen, supervisor) = booking_desk().await;
    set_desk(&app, &supervisor, json!({"appointment_seats": 1}), false).await.assert_status(200);
    let other = app.second_process().await;
    let held = book(&app, &citizen, "2026-12-02T10:00:00+07:00", "held").await;
    let id = held.assert_status(201)["id"].as_str().unwrap().to_owned();
    let rival = app.citizens(1).await.remove(0);
    let target = "2026-12-02T10:15:00+07:00";
    let path = format!("/api/v1/appointments/{id}/reschedule");
    let (moved, taken) = tokio::join!(
        app.post(&path).bearer(&citizen).header("if-match", "\"1\"").json(&json!({"start": target})).send(),
        book(&other, &rival, target, "rival"),
    );
    assert_eq!(
        [moved.status.as_u16(), taken.status.as_u16()].iter().filter(|s| **s < 300).count(),
        1,
        "exactly one gets the seat: {} / {}",
        moved.text,
        taken.text
    );
    let mine = app.get(&format!("/api/v1/appointments/{id}")).bearer(&citizen).send().await;
    let start = mine.assert_status(200)["start"].as_str().unwrap().to_owned();
    let expected = if moved.status == 200 { target } else { "2026-12-02T10:00:00+07:00" };
    assert_eq!(start, expected);
    if moved.status != 200 {
        moved.assert_problem(409, "slot_full");
    }
    // The rival holds a seat only when the move lost; the mover holds exactly one either way.
    let seats = entity::appointment_seat::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(seats.len(), if moved.status == 200 { 1 } else { 2 });
    let own: Vec<_> = seats.iter().filter(|s| s.appointment_id.to_string() == id).collect();
    assert_eq!(own.len(), 1);
    assert_counts_match_seats(&app).await;
    assert_eq!(
        own[0].starts_at.to_rfc3339(),
        chrono::DateTime::parse_from_rfc3339(expected).unwrap().to_utc().to_rfc3339()
    );
}
