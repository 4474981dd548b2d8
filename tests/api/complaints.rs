//! Complaints about officers: the handling path and its deadlines, who may read and move a
//! complaint (never the officer it is about), routing to the unit above for a supervisor, the
//! citizen's withdrawal, reopening and feedback, and attachments checked by content with
//! nothing left behind when one is refused.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::{
    appointments::CITIZEN_PHONE,
    common::{Reply, TestApp},
    dossiers::{OTHER_WARD, WARD, take_in_for},
    queue::queue_desk,
};

const TOWN: &str = "000.00.20.H12";

async fn id_of(app: &TestApp, token: &str) -> String {
    app.get("/api/v1/me").bearer(token).send().await.assert_status(200)["id"].as_str().unwrap().to_owned()
}

async fn complain(app: &TestApp, citizen: &str, body: Value) -> Reply {
    app.post("/api/v1/complaints").bearer(citizen).json(&body).send().await
}

async fn move_on(app: &TestApp, supervisor: &str, id: &str, body: Value) -> Reply {
    app.post(&format!("/api/v1/complaints/{id}/transitions")).bearer(supervisor).json(&body).send().await
}

async fn stored(app: &TestApp) -> u64 {
    entity::complaint::Entity::find().count(&app.db).await.unwrap()
}

fn local_day(at: &Value) -> String {
    let at: chrono::DateTime<chrono::Utc> = at.as_str().unwrap().parse().unwrap();
    at.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive().to_string()
}

#[tokio::test]
async fn a_harassment_complaint_reaches_the_supervisor_and_ends_with_an_outcome_the_citizen_reads() {
    let (app, officer, citizen, supervisor) = queue_desk().await;
    let officer_id = id_of(&app, &officer).await;
    let stranger = app.token_for("0912000098", "citizen", None).await;
    let elsewhere = app.token_for("0900000021", "supervisor", Some(OTHER_WARD)).await;
    let receipt = take_in_for(&app, &officer, CITIZEN_PHONE).await;
    let claim = json!({"code": receipt["code"], "secret": receipt["lookup_secret"]});
    app.post("/api/v1/me/dossiers/claim").bearer(&citizen).json(&claim).send().await.assert_status(200);

    let body = json!({
        "officer_id": officer_id, "category": "harassment", "dossier_code": receipt["code"],
        "description": "Cán bộ gợi ý nộp thêm 500.000 đồng để làm nhanh."
    });
    complain(&app, &officer, body.clone()).await.assert_problem(403, "forbidden");
    let unknown = json!({"officer_id": id_of(&app, &citizen).await, "category": "other", "description": "Một phản ánh khác."});
    complain(&app, &citizen, unknown).await.assert_problem(422, "unknown_officer");
    complain(&app, &stranger, body.clone()).await.assert_problem(422, "validation_failed");
    let filed = complain(&app, &citizen, body).await.assert_status(201).clone();
    assert_eq!((filed["status"].as_str(), filed["state"].as_str()), (Some("received"), Some("open")));
    assert_eq!((filed["unit_code"].as_str(), filed["handling_unit_code"].as_str()), (Some(WARD), Some(WARD)));
    assert!(filed.get("complainant").is_none(), "the citizen's own view");
    let id = filed["id"].as_str().unwrap().to_owned();

    let inbox =
        app.get("/api/v1/me/notifications").bearer(&supervisor).send().await.assert_status(200).clone();
    let notice = &inbox["items"][0];
    assert_eq!(
        (notice["kind"].as_str(), notice["complaint_id"].as_str()),
        (Some("complaint_received"), Some(id.as_str()))
    );
    let path = format!("/api/v1/complaints/{id}");
    app.get(&path).bearer(&officer).send().await.assert_problem(403, "forbidden");
    app.get(&path).bearer(&elsewhere).send().await.assert_problem(404, "not_found");
    let read = app.get(&path).bearer(&supervisor).send().await.assert_status(200).clone();
    assert_eq!(read["complainant"]["phone"], "+84912000001");

    move_on(&app, &supervisor, &id, json!({"to_status": "resolved", "outcome": "warned", "conclusion": "x"}))
        .await
        .assert_problem(409, "complaint_not_in_state");
    move_on(&app, &supervisor, &id, json!({"to_status": "not_accepted"}))
        .await
        .assert_problem(422, "validation_failed");
    let accepted =
        move_on(&app, &supervisor, &id, json!({"to_status": "accepted"})).await.assert_status(200).clone();
    // 15 working days from Tuesday 1 December 2026: Tuesday 22 December.
    assert_eq!(local_day(&accepted["due_at"]), "2026-12-22");
    move_on(&app, &supervisor, &id, json!({"to_status": "dismissed", "reason": "Không có căn cứ."}))
        .await
        .assert_problem(409, "complaint_not_in_state");
    move_on(&app, &supervisor, &id, json!({"to_status": "investigating"})).await.assert_status(200);
    let extension = format!("/api/v1/complaints/{id}/extension");
    let longer = json!({"working_days": 5, "reason": "Cần xác minh thêm với nhân chứng."});
    let extended =
        app.post(&extension).bearer(&supervisor).json(&longer).send().await.assert_status(200).clone();
    assert_eq!(local_day(&extended["due_at"]), "2026-12-29");
    app.post(&extension)
        .bearer(&supervisor)
        .json(&longer)
        .send()
        .await
        .assert_problem(409, "already_extended");
    move_on(&app, &supervisor, &id, json!({"to_status": "resolved", "outcome": "warned"}))
        .await
        .assert_problem(422, "validation_failed");
    let conclusion = "Phản ánh đúng: cán bộ bị khiển trách và đã xin lỗi công dân.";
    let resolved = move_on(
        &app,
        &supervisor,
        &id,
        json!({"to_status": "resolved", "outcome": "warned", "conclusion": conclusion}),
    )
    .await
    .assert_status(200)
    .clone();
    assert_eq!(
        (resolved["state"].as_str(), resolved["substantiated"].as_bool()),
        (Some("closed"), Some(true))
    );

    let mine = app.get("/api/v1/me/complaints").bearer(&citizen).send().await.assert_status(200).clone();
    let mine = &mine["items"][0];
    assert_eq!((mine["outcome"].as_str(), mine["conclusion"].as_str()), (Some("warned"), Some(conclusion)));
    let steps: Vec<&str> =
        mine["timeline"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(steps, ["received", "transition", "transition", "extension", "transition"]);
    assert!(mine.get("complainant").is_none());
    let notices =
        app.get("/api/v1/me/notifications").bearer(&citizen).send().await.assert_status(200).clone();
    let about: Vec<_> =
        notices["items"].as_array().unwrap().iter().filter(|n| n["complaint_id"] == id.as_str()).collect();
    assert_eq!(about.len(), 5, "a notice for every step");

    let mine_path = |action: &str| format!("/api/v1/me/complaints/{id}/{action}");
    app.post(&mine_path("withdraw"))
        .bearer(&citizen)
        .json(&json!({}))
        .send()
        .await
        .assert_problem(409, "complaint_not_in_state");
    app.post(&mine_path("feedback"))
        .bearer(&stranger)
        .json(&json!({"level": "satisfied"}))
        .send()
        .await
        .assert_problem(404, "not_found");
    let feedback =
        app.post(&mine_path("feedback")).bearer(&citizen).json(&json!({"level": "satisfied"})).send().await;
    assert_eq!(feedback.assert_status(200)["feedback_level"], "satisfied");
    app.post(&mine_path("feedback"))
        .bearer(&citizen)
        .json(&json!({"level": "satisfied"}))
        .send()
        .await
        .assert_problem(409, "complaint_not_in_state");
    let reopened = app
        .post(&mine_path("reopen"))
        .bearer(&citizen)
        .json(&json!({"reason": "Chưa thỏa đáng."}))
        .send()
        .await;
    let reopened = reopened.assert_status(200).clone();
    assert_eq!(
        (reopened["status"].as_str(), reopened["reopened"].as_i64()),
        (Some("investigating"), Some(1))
    );
    assert!(reopened.get("outcome").is_none());
    let unfounded = move_on(
        &app,
        &supervisor,
        &id,
        json!({"to_status": "resolved", "outcome": "unfounded", "conclusion": "Không có căn cứ."}),
    )
    .await;
    assert_eq!(unfounded.assert_status(200)["substantiated"], false, "closed is never counted as fixed");
    app.set_time("2027-01-05T09:00:00+07:00");
    let citizen = app.token_of(CITIZEN_PHONE).await;
    app.post(&mine_path("reopen"))
        .bearer(&citizen)
        .json(&json!({}))
        .send()
        .await
        .assert_problem(409, "reopen_window_closed");
}

#[tokio::test]
async fn a_complaint_about_a_supervisor_goes_above_and_stays_with_the_unit_when_they_move() {
    let (app, _, citizen, supervisor) = queue_desk().await;
    let peer = app.token_for("0900000022", "supervisor", Some(WARD)).await;
    let town = app.token_for("0900000023", "supervisor", Some(TOWN)).await;
    let supervisor_id = id_of(&app, &supervisor).await;
    let body = json!({"officer_id": supervisor_id, "category": "discourtesy", "description": "Lãnh đạo bộ phận quát nạt người dân."});
    let filed = complain(&app, &citizen, body).await.assert_status(201).clone();
    assert_eq!((filed["unit_code"].as_str(), filed["handling_unit_code"].as_str()), (Some(WARD), Some(TOWN)));
    let id = filed["id"].as_str().unwrap();
    let path = format!("/api/v1/complaints/{id}");
    app.get(&path).bearer(&supervisor).send().await.assert_problem(404, "not_found");
    app.get(&path).bearer(&peer).send().await.assert_problem(404, "not_found");
    let theirs = app.get("/api/v1/complaints").bearer(&supervisor).send().await;
    assert_eq!(theirs.assert_status(200)["total"], 0, "never about oneself");
    let attachment = format!("/api/v1/complaints/{id}/attachments/1");
    app.get(&attachment).bearer(&supervisor).send().await.assert_problem(404, "not_found");

    // The supervisor moves to the other ward: the complaint stays with the ward and the town.
    let mut moved: entity::user::ActiveModel =
        entity::user::Entity::find_by_id(supervisor_id.parse::<uuid::Uuid>().unwrap())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into();
    moved.unit_id = Set(Some(app.unit_id(OTHER_WARD).await));
    moved.update(&app.db).await.unwrap();
    let listed = app
        .get("/api/v1/complaints?state=open&category=discourtesy")
        .bearer(&town)
        .send()
        .await
        .assert_status(200)
        .clone();
    assert_eq!((listed["total"].as_u64(), listed["items"][0]["unit_code"].as_str()), (Some(1), Some(WARD)));
    move_on(
        &app,
        &town,
        id,
        json!({"to_status": "not_accepted", "reason": "Không đủ thông tin để xác minh."}),
    )
    .await
    .assert_status(200);
    let closed = app.get("/api/v1/complaints?state=closed").bearer(&town).send().await;
    assert_eq!(closed.assert_status(200)["items"][0]["status"], "not_accepted");
}

#[tokio::test]
async fn an_accepted_complaint_past_its_due_date_is_listed_as_overdue_and_the_citizen_may_withdraw_it() {
    let (app, officer, citizen, supervisor) = queue_desk().await;
    let body = json!({"officer_id": id_of(&app, &officer).await, "category": "obstruction", "description": "Hồ sơ bị giữ quá hạn không lý do."});
    let id = complain(&app, &citizen, body).await.assert_status(201)["id"].as_str().unwrap().to_owned();
    move_on(&app, &supervisor, &id, json!({"to_status": "accepted"})).await.assert_status(200);
    let none = app.get("/api/v1/complaints?overdue=true").bearer(&supervisor).send().await;
    assert_eq!(none.assert_status(200)["total"], 0);
    app.set_time("2026-12-23T09:00:00+07:00");
    let supervisor = app.token_of(crate::appointments::SUPERVISOR_PHONE).await;
    let late = app
        .get("/api/v1/complaints?overdue=true")
        .bearer(&supervisor)
        .send()
        .await
        .assert_status(200)
        .clone();
    assert_eq!((late["total"].as_u64(), late["items"][0]["overdue"].as_bool()), (Some(1), Some(true)));
    let citizen = app.token_of(CITIZEN_PHONE).await;
    let withdrawn = app
        .post(&format!("/api/v1/me/complaints/{id}/withdraw"))
        .bearer(&citizen)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(withdrawn.assert_status(200)["status"], "withdrawn");
    move_on(&app, &supervisor, &id, json!({"to_status": "investigating"}))
        .await
        .assert_problem(409, "complaint_not_in_state");
}

/// A multipart body: text fields, then files (name, content type, bytes).
pub(crate) fn form(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "motcua-test-boundary-7c39";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (file_name, content_type, bytes) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A JPEG whose EXIF segment says where it was taken.
fn photo_with_location() -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, b'J', b'F', b'I', b'F'];
    let exif = b"Exif\0\0GPSLatitude 10.7769 GPSLongitude 106.7009";
    jpeg.extend([0xFF, 0xE1]);
    jpeg.extend(u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    jpeg.extend(exif);
    jpeg.extend([0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]);
    jpeg
}

fn files_kept(app: &TestApp) -> usize {
    std::fs::read_dir(app.state.config.files.data_dir.join("attachments")).map_or(0, |dir| dir.count())
}

#[tokio::test]
async fn attachments_are_checked_by_content_stripped_of_location_and_a_refused_upload_leaves_nothing() {
    let (app, officer, citizen, supervisor) = queue_desk().await;
    let stranger = app.token_for("0912000097", "citizen", None).await;
    let officer_id = id_of(&app, &officer).await;
    let fields = [
        ("officer_id", officer_id.as_str()),
        ("category", "harassment"),
        ("description", "Cán bộ đòi tiền, ảnh chụp tin nhắn kèm theo."),
    ];
    let photo = photo_with_location();
    let send = |(content_type, body): (String, Vec<u8>)| {
        app.post("/api/v1/complaints").bearer(&citizen).raw(&content_type, body).send()
    };

    let executable = b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode".to_vec();
    send(form(&fields, &[("anh.jpg", "image/jpeg", &executable)]))
        .await
        .assert_problem(415, "unsupported_attachment");
    let large = vec![b'%'; 11 * 1024 * 1024];
    let mut large_pdf = b"%PDF-1.7\n".to_vec();
    large_pdf.extend(&large);
    send(form(&fields, &[("big.pdf", "application/pdf", &large_pdf)]))
        .await
        .assert_problem(413, "attachment_too_large");
    let four: Vec<(&str, &str, &[u8])> = (0..4).map(|_| ("a.jpg", "image/jpeg", photo.as_slice())).collect();
    send(form(&fields, &four)).await.assert_problem(422, "too_many_attachments");
    // Over 31 MiB is refused from Content-Length, before it is read.
    let huge = vec![0u8; 32 * 1024 * 1024];
    send(form(&fields, &[("huge.pdf", "application/pdf", &huge)]))
        .await
        .assert_problem(413, "payload_too_large");
    // A good file with a bad one: neither is kept.
    send(form(&fields, &[("ok.jpg", "image/jpeg", &photo), ("bad.jpg", "image/jpeg", &executable)]))
        .await
        .assert_problem(415, "unsupported_attachment");
    assert_eq!((stored(&app).await, files_kept(&app)), (0, 0));
    assert_eq!(entity::complaint_attachment::Entity::find().count(&app.db).await.unwrap(), 0);

    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n".to_vec();
    let filed = send(form(
        &fields,
        &[("C:\\Users\\an\\tin-nhan.jpg", "image/jpeg", &photo), ("bien-lai.pdf", "application/pdf", &pdf)],
    ))
    .await
    .assert_status(201)
    .clone();
    let attachments = filed["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2);
    assert_eq!(
        (attachments[0]["content_type"].as_str(), attachments[0]["file_name"].as_str()),
        (Some("image/jpeg"), Some("tin-nhan.jpg"))
    );
    assert!(attachments[0]["size_bytes"].as_i64().unwrap() < i64::try_from(photo.len()).unwrap());
    assert_eq!(files_kept(&app), 2);
    let id = filed["id"].as_str().unwrap();
    let first = format!("/api/v1/complaints/{id}/attachments/1");
    let kept = app.get(&first).bearer(&supervisor).send().await;
    assert_eq!(kept.status, 200);
    assert_eq!(kept.header("content-type"), Some("image/jpeg"));
    let on_disk: Vec<Vec<u8>> = std::fs::read_dir(app.state.config.files.data_dir.join("attachments"))
        .unwrap()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    assert!(on_disk.iter().all(|file| !file.windows(3).any(|w| w == b"GPS")), "location data is removed");
    assert!(on_disk.iter().any(|file| file.windows(4).any(|w| w == b"JFIF")), "the image is kept");
    assert_eq!(app.get(&first).bearer(&citizen).send().await.status, 200);
    app.get(&first).bearer(&stranger).send().await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/complaints/{id}/attachments/3"))
        .bearer(&supervisor)
        .send()
        .await
        .assert_problem(404, "not_found");
}
