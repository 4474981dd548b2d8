//! Filing a complaint (`POST /complaints`): as JSON or as a form with files.

use crate::i18n::Text;
use entity::{
    complaint, complaint_attachment, complaint_event,
    values::{ComplaintCategory, ComplaintEventKind, ComplaintStatus, NotificationKind, Role},
};
use uuid::Uuid;

use super::{
    dto::{Complaint, ComplaintRequest, NewComplaint, NewComplaintForm},
    files::{FileStore, sha256_hex, sniff, without_location},
    store, tell_citizen, view,
};
use crate::{
    auth::BearerAuth,
    db::write_transaction,
    dossiers::store::by_code,
    error::{ApiError, ApiResult, FieldError},
    input::{Line, Lines},
    notifications::store::{NewNotice, Subject, nearest_supervisors, notify},
    problems,
    state::AppState,
    units::store::unit_by_id,
};

/// A file as it will be kept.
struct Kept {
    sha256: String,
    content_type: &'static str,
    bytes: Vec<u8>,
    file_name: Option<String>,
}

fn invalid(field: &str, vi: &'static str, en: &'static str) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, vi, en)])
}

/// The form's fields, checked as the JSON body's are, and its files, checked by their content.
async fn read_form(state: &AppState, form: NewComplaintForm) -> ApiResult<(NewComplaint, Vec<Kept>)> {
    let limits = &state.config.files;
    let uploads = form.attachments;
    if uploads.len() > limits.max_attachments {
        return Err(ApiError::of(&problems::TOO_MANY_ATTACHMENTS));
    }
    let officer_id = Uuid::try_parse(form.officer_id.trim())
        .map_err(|_| invalid("officer_id", "Mã cán bộ không hợp lệ.", "officer_id is not a UUID."))?;
    let appointment_id = match form.appointment_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => Some(Uuid::try_parse(id).map_err(|_| {
            invalid("appointment_id", "Mã lịch hẹn không hợp lệ.", "appointment_id is not a UUID.")
        })?),
        None => None,
    };
    let description = Lines::parse(&form.description).map_err(|_| {
        invalid(
            "description",
            "Nội dung phản ánh dài 10 đến 5.000 ký tự.",
            "The description takes 10 to 5,000 characters.",
        )
    })?;
    let mut kept = Vec::with_capacity(uploads.len());
    for upload in uploads {
        if upload.size() > limits.attachment_max_bytes {
            return Err(ApiError::of(&problems::ATTACHMENT_TOO_LARGE));
        }
        // The name is for display only: its last segment, if it is a clean line.
        let file_name = upload
            .file_name()
            .and_then(|name| name.rsplit(['/', '\\']).next())
            .and_then(|name| Line::<1, 200>::parse(name).ok())
            .map(String::from);
        let bytes = upload.into_vec().await.map_err(ApiError::internal)?;
        let unsupported = || ApiError::of(&problems::UNSUPPORTED_ATTACHMENT);
        let kind = sniff(&bytes).ok_or_else(unsupported)?;
        let bytes = without_location(kind, &bytes).ok_or_else(unsupported)?;
        kept.push(Kept { sha256: sha256_hex(&bytes), content_type: kind.content_type(), bytes, file_name });
    }
    let request = NewComplaint {
        officer_id,
        category: form.category,
        description,
        dossier_code: form.dossier_code.filter(|c| !c.trim().is_empty()),
        appointment_id,
    };
    Ok((request, kept))
}

/// Where the conduct happened: the dossier's or appointment's unit, else the officer's own.
async fn conduct_unit(
    state: &AppState,
    citizen: Uuid,
    request: &NewComplaint,
    officer: &entity::user::Model,
) -> ApiResult<(Uuid, Option<Uuid>)> {
    let mut unit = officer.unit_id;
    let mut dossier_id = None;
    if let Some(code) = &request.dossier_code {
        let dossier = by_code(&state.db, &code.trim().to_ascii_uppercase())
            .await?
            .filter(|d| d.citizen_id == Some(citizen))
            .ok_or_else(|| {
                invalid("dossier_code", "Không phải hồ sơ của bạn.", "Not one of your dossiers.")
            })?;
        unit = Some(dossier.unit_id);
        dossier_id = Some(dossier.id);
    }
    if let Some(id) = request.appointment_id {
        let appointment = crate::appointments::store::by_id(&state.db, id)
            .await?
            .filter(|a| a.citizen_id == citizen)
            .ok_or_else(|| {
                invalid("appointment_id", "Không phải lịch hẹn của bạn.", "Not one of your appointments.")
            })?;
        unit = Some(appointment.unit_id);
    }
    let unit = unit.ok_or_else(|| {
        invalid("officer_id", "Cán bộ này không thuộc đơn vị nào.", "This officer belongs to no unit.")
    })?;
    Ok((unit, dossier_id))
}

/// Files a complaint: its fields and files checked, the files kept, the complaint stored with
/// its first step and notices, or nothing kept at all.
pub async fn file(state: &AppState, auth: &BearerAuth, body: ComplaintRequest) -> ApiResult<Complaint> {
    auth.0.require_citizen()?;
    let citizen = auth.0.id;
    let (request, kept) = match body {
        ComplaintRequest::Json(json) => (json.0, Vec::new()),
        ComplaintRequest::Multipart(form) => read_form(state, form).await?,
    };
    let officer = crate::accounts::store::staff_by_id(&state.db, request.officer_id)
        .await?
        .ok_or_else(|| ApiError::of(&problems::UNKNOWN_OFFICER))?;
    let (unit_id, dossier_id) = conduct_unit(state, citizen, &request, &officer).await?;
    let handling_unit_id = match officer.role >= Role::Supervisor {
        true => unit_by_id(&state.db, unit_id).await?.and_then(|u| u.parent_id).unwrap_or(unit_id),
        false => unit_id,
    };
    let now = state.clock.now();
    let filed = complaint::Model {
        id: Uuid::now_v7(),
        citizen_id: citizen,
        officer_id: officer.id,
        unit_id,
        handling_unit_id,
        dossier_id,
        appointment_id: request.appointment_id,
        category: request.category,
        description: request.description.into_string(),
        status: ComplaintStatus::Received,
        outcome: None,
        conclusion: None,
        reason: None,
        received_at: now,
        accepted_at: None,
        due_at: None,
        extended: false,
        extension_reason: None,
        closed_at: None,
        reopened: 0,
        feedback_level: None,
        feedback_comment: None,
        feedback_at: None,
        version: 1,
        updated_at: now,
    };
    let attachments: Vec<complaint_attachment::Model> = kept
        .iter()
        .enumerate()
        .map(|(i, file)| complaint_attachment::Model {
            id: Uuid::now_v7(),
            complaint_id: filed.id,
            position: i32::try_from(i + 1).unwrap_or(i32::MAX),
            sha256: file.sha256.clone(),
            content_type: file.content_type.to_owned(),
            size_bytes: i64::try_from(file.bytes.len()).unwrap_or(i64::MAX),
            file_name: file.file_name.clone(),
        })
        .collect();
    // Files first, so no row names a missing file; a refused write takes back the new ones.
    let files = FileStore::new(&state.config.files.data_dir);
    let mut written = Vec::new();
    for file in &kept {
        match files.put(&file.sha256, &file.bytes).await {
            Ok(true) => written.push(file.sha256.clone()),
            Ok(false) => {}
            Err(error) => {
                remove_all(&files, &written).await;
                return Err(ApiError::internal(error));
            }
        }
    }
    let stored = filed.clone();
    let saved = write_transaction(&state.writer, async |tx| {
        store::insert(tx, stored.clone(), attachments).await?;
        let received = complaint_event::Model {
            id: Uuid::now_v7(),
            complaint_id: stored.id,
            at: now,
            kind: ComplaintEventKind::Received,
            by_citizen: true,
            actor_id: None,
            from_status: None,
            to_status: ComplaintStatus::Received,
            note: None,
        };
        store::record(tx, received).await?;
        tell_citizen(tx, state.push(), &stored, now).await?;
        if stored.category == ComplaintCategory::Harassment {
            for user_id in nearest_supervisors(tx, stored.handling_unit_id, stored.officer_id).await? {
                let notice = NewNotice {
                    user_id,
                    subject: Subject::Complaint(stored.id),
                    kind: NotificationKind::ComplaintReceived,
                    title: Text::new(
                        format!("Phản ánh sách nhiễu: cán bộ {}", officer.full_name),
                        format!("Harassment complaint: officer {}", officer.full_name),
                    ),
                    body: Text::new(
                        "Người dân phản ánh cán bộ có hành vi sách nhiễu; cần xem xét, thụ lý ngay.",
                        "A citizen reports harassment by an officer; it needs to be looked at and accepted now.",
                    ),
                };
                notify(tx, state.push(), notice, now).await?;
            }
        }
        Ok::<_, ApiError>(())
    })
    .await;
    if let Err(error) = saved {
        remove_all(&files, &written).await;
        return Err(error);
    }
    view(&state.db, filed, false, now).await
}

async fn remove_all(files: &FileStore, written: &[String]) {
    for sha256 in written {
        files.remove(sha256).await;
    }
}
