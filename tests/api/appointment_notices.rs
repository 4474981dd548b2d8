//! What the unit's own changes do to bookings (with their previews), and the reminders: written
//! with the booking, voided with its cancellation, sent once however many senders run.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use api::appointments::reminders::send_due;
use entity::values::{AppointmentStatus, ReminderState};

use crate::{
    appointments::{assert_counts_match_seats, book, booking_desk, set_desk, slots},
    common::TestApp,
    dossiers::WARD,
};

async fn statuses(app: &TestApp) -> Vec<AppointmentStatus> {
    use sea_orm::QueryOrder;
    entity::appointment::Entity::find()
        .order_by_asc(entity::appointment::Column::StartsAt)
        .order_by_asc(entity::appointment::Column::CreatedAt)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.status)
        .collect()
}

async fn kinds_in_inbox(app: &TestApp, token: &str) -> Vec<String> {
    let inbox = app.get("/api/v1/me/notifications?limit=100").bearer(token).send().await;
    inbox.assert_status(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().into())
        .collect()
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_holiday_over_booked_days_is_previewed_then_cancels_them_with_notice_and_audit() {
    let (app, _officer, citizen, supervisor) = booking_desk().await;
    let first = book(&app, &citizen, "2026-12-03T08:00:00+07:00", "a").await.assert_status(201)["id"].clone();
    let second =
        book(&app, &citizen, "2026-12-03T14:00:00+07:00", "b").await.assert_status(201)["id"].clone();
    book(&app, &citizen, "2026-12-04T08:00:00+07:00", "c").await.assert_status(201);
    let holiday = json!({"date": "2026-12-03", "kind": "off", "name": "Nghỉ đột xuất", "unit_code": WARD});

    let preview = app.post("/api/v1/holidays?dry_run=true").bearer(&supervisor).json(&holiday).send().await;
    let preview = preview.assert_status(200);
    assert_eq!(ids(&preview["cancelled_appointments"]), [first.as_str().unwrap(), second.as_str().unwrap()]);
    assert_eq!(preview["cancelled_appointments"][0]["cancelled_by"], "unit");
    // Nothing of it stays.
    assert_eq!(entity::holiday::Entity::find().count(&app.db).await.unwrap(), 0);
    assert_eq!(statuses(&app).await, [AppointmentStatus::Booked; 3]);
    let cancellations = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(entity::values::AuditAction::AppointmentCancel));
    assert_eq!(cancellations.count(&app.db).await.unwrap(), 0);

    let done = app.post("/api/v1/holidays").bearer(&supervisor).json(&holiday).send().await;
    let done = done.assert_status(201);
    assert_eq!(ids(&done["cancelled_appointments"]), ids(&preview["cancelled_appointments"]));
    assert_eq!(
        statuses(&app).await,
        [AppointmentStatus::Cancelled, AppointmentStatus::Cancelled, AppointmentStatus::Booked]
    );
    let cancelled =
        app.get(&format!("/api/v1/appointments/{}", first.as_str().unwrap())).bearer(&citizen).send().await;
    let cancelled = cancelled.assert_status(200);
    assert_eq!(cancelled["cancelled_by"], "unit");
    assert!(cancelled["cancel_reason"].as_str().unwrap().contains("Nghỉ đột xuất"));
    let kinds = kinds_in_inbox(&app, &citizen).await;
    assert_eq!(kinds.iter().filter(|k| *k == "appointment_cancelled").count(), 2);
    let audited = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(entity::values::AuditAction::AppointmentCancel))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 2);
    let voided = entity::appointment_reminder::Entity::find()
        .filter(entity::appointment_reminder::Column::State.eq(ReminderState::Void))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(voided, 2);
}

#[tokio::test]
async fn fewer_seats_cancel_the_latest_bookings_of_a_slot_and_keep_the_seat_key_tight() {
    let (app, _officer, citizen, supervisor) = booking_desk().await;
    let start = "2026-12-02T08:00:00+07:00";
    let neighbours = app.citizens(2).await;
    let earliest = book(&app, &neighbours[0], start, "1").await.assert_status(201)["id"].clone();
    let middle = book(&app, &citizen, start, "2").await.assert_status(201)["id"].clone();
    let latest = book(&app, &neighbours[1], start, "3").await.assert_status(201)["id"].clone();
    // The earliest leaves: seats 1 and 2 stay taken.
    let path = format!("/api/v1/appointments/{}/cancel", earliest.as_str().unwrap());
    app.post(&path)
        .bearer(&neighbours[0])
        .header("if-match", "\"1\"")
        .json(&json!({}))
        .send()
        .await
        .assert_status(200);

    let preview = set_desk(&app, &supervisor, json!({"appointment_seats": 1}), true).await;
    let preview = preview.assert_status(200);
    assert_eq!(ids(&preview["cancelled_appointments"]), [latest.as_str().unwrap()]);
    assert_eq!(preview["appointment_seats"], 1);
    let unchanged = app.get(&format!("/api/v1/units/{WARD}")).send().await;
    assert_eq!(unchanged.assert_status(200)["appointment_seats"], 3);

    let done = set_desk(&app, &supervisor, json!({"appointment_seats": 1}), false).await;
    assert_eq!(ids(&done.assert_status(200)["cancelled_appointments"]), [latest.as_str().unwrap()]);
    let seats = entity::appointment_seat::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(seats.len(), 1);
    assert_eq!((seats[0].appointment_id.to_string().as_str(), seats[0].seat), (middle.as_str().unwrap(), 0));
    assert_counts_match_seats(&app).await;
    let slot = slots(&app, "date=2026-12-02").await;
    let full =
        slot.assert_status(200).as_array().unwrap().iter().find(|s| s["start"] == start).unwrap().clone();
    assert_eq!((full["capacity"].clone(), full["available"].clone()), (json!(1), json!(0)));
}

/// How many reminders each citizen's inbox holds.
async fn reminders_in_inbox(app: &TestApp, token: &str) -> usize {
    kinds_in_inbox(app, token).await.iter().filter(|k| *k == "appointment_reminder").count()
}

#[tokio::test]
async fn a_reminder_goes_once_with_two_senders_and_never_after_a_cancellation() {
    let (app, _officer, citizen, _supervisor) = booking_desk().await;
    book(&app, &citizen, "2026-12-03T08:00:00+07:00", "kept").await.assert_status(201);
    let dropped = book(&app, &citizen, "2026-12-03T09:00:00+07:00", "dropped").await;
    let dropped = dropped.assert_status(201)["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/appointments/{dropped}/cancel");
    app.post(&path)
        .bearer(&citizen)
        .header("if-match", "\"1\"")
        .json(&json!({}))
        .send()
        .await
        .assert_status(200);

    // Nothing is due before the day before, 08:00.
    assert_eq!(send_due(&app.state.writer, app.state.push(), app.now()).await.unwrap().sent, 0);
    app.set_time("2026-12-02T09:30:00+07:00");
    let other = app.second_process().await;
    let (one, two) = tokio::join!(
        send_due(&app.state.writer, app.state.push(), app.now()),
        send_due(&other.state.writer, other.state.push(), app.now())
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.sent + two.sent, 1, "{one:?} {two:?}");
    assert_eq!(send_due(&app.state.writer, app.state.push(), app.now()).await.unwrap().sent, 0);

    let citizen = app.token_of(crate::appointments::CITIZEN_PHONE).await;
    assert_eq!(reminders_in_inbox(&app, &citizen).await, 1);
    let states: Vec<ReminderState> = entity::appointment_reminder::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.state)
        .collect();
    assert!(states.contains(&ReminderState::Sent) && states.contains(&ReminderState::Void), "{states:?}");
}

#[tokio::test]
async fn a_booking_made_after_its_reminder_was_due_gets_none_and_a_moved_one_gets_the_new_time() {
    let (app, _officer, citizen, _supervisor) = booking_desk().await;
    // Booked at 09:00 for tomorrow 08:00: the reminder was due at 08:00 today.
    book(&app, &citizen, "2026-12-02T08:00:00+07:00", "late").await.assert_status(201);
    let moved = book(&app, &citizen, "2026-12-03T10:00:00+07:00", "moved").await;
    let moved = moved.assert_status(201)["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/appointments/{moved}/reschedule");
    let body = json!({"start": "2026-12-04T10:00:00+07:00"});
    app.post(&path).bearer(&citizen).header("if-match", "\"1\"").json(&body).send().await.assert_status(200);

    let round = send_due(&app.state.writer, app.state.push(), app.now()).await.unwrap();
    assert_eq!((round.sent, round.skipped), (0, 1));
    // The day before the moved booking's old time: its old reminder was voided by the move.
    app.set_time("2026-12-02T10:30:00+07:00");
    assert_eq!(send_due(&app.state.writer, app.state.push(), app.now()).await.unwrap().sent, 0);
    app.set_time("2026-12-03T10:30:00+07:00");
    assert_eq!(send_due(&app.state.writer, app.state.push(), app.now()).await.unwrap().sent, 1);
    let citizen = app.token_of(crate::appointments::CITIZEN_PHONE).await;
    assert_eq!(reminders_in_inbox(&app, &citizen).await, 1);
}
