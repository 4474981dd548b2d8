//! What the complaints API takes and answers.

use chrono::{DateTime, Utc};
use entity::values::{ComplaintCategory, ComplaintEventKind, ComplaintOutcome, ComplaintStatus, RatingLevel};
use poem_openapi::{
    ApiRequest, Enum, Multipart, Object,
    payload::Json,
    types::{Example, multipart::Upload},
};
use uuid::Uuid;

use crate::input::{Line, Lines};

/// A complaint about an officer's conduct.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct NewComplaint {
    /// The officer complained about (their id, as on their public profile or a rating).
    pub officer_id: Uuid,
    /// What it is about.
    pub category: ComplaintCategory,
    /// What happened, in the citizen's words.
    pub description: Lines<10, 5000>,
    /// One of the citizen's dossiers it concerns.
    #[oai(skip_serializing_if_is_none, validator(min_length = 1, max_length = 64))]
    pub dossier_code: Option<String>,
    /// One of the citizen's appointments it concerns.
    #[oai(skip_serializing_if_is_none)]
    pub appointment_id: Option<Uuid>,
}

impl Example for NewComplaint {
    fn example() -> Self {
        NewComplaint {
            officer_id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e0b1),
            category: ComplaintCategory::Harassment,
            description: Lines::from("Cán bộ gợi ý nộp thêm 500.000 đồng để hồ sơ được giải quyết nhanh."),
            dossier_code: None,
            appointment_id: None,
        }
    }
}

/// The same complaint as a form, with up to 3 attachments (JPEG, PNG or PDF, 10 MiB each).
#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub struct NewComplaintForm {
    /// The officer complained about (their id, a UUID). A form's fields are checked by the
    /// server as the JSON body's are, each refusal a 422 that names the field.
    pub officer_id: String,
    /// What it is about.
    pub category: ComplaintCategory,
    /// What happened (10–5,000 characters).
    pub description: String,
    /// One of the citizen's dossiers it concerns.
    pub dossier_code: Option<String>,
    /// One of the citizen's appointments it concerns (its id).
    pub appointment_id: Option<String>,
    /// Photos or scans, at most 3 (422 `too_many_attachments`): JPEG, PNG or PDF, recognised by
    /// their content (415 otherwise), 10 MiB each (413); location data is removed.
    pub attachments: Vec<Upload>,
}

/// A complaint as JSON, or as a form with attachments.
#[derive(Debug, ApiRequest)]
pub enum ComplaintRequest {
    /// Without attachments.
    Json(Json<NewComplaint>),
    /// With attachments.
    Multipart(NewComplaintForm),
}

/// Whether a complaint is still handled or done with, whatever its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ComplaintState {
    /// Received, accepted or investigating.
    Open,
    /// Not accepted, resolved, dismissed or withdrawn: "closed" is not "fixed" (see
    /// `substantiated`).
    Closed,
}

/// One step of a complaint's handling.
#[derive(Debug, Clone, Object)]
pub struct ComplaintStep {
    /// When.
    pub at: DateTime<Utc>,
    /// What kind of step.
    pub kind: ComplaintEventKind,
    /// Whether the citizen took it.
    pub by_citizen: bool,
    /// The status after it.
    pub status: ComplaintStatus,
    /// What was said with it: a reason, the conclusion, the feedback.
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
}

/// A file sent with a complaint.
#[derive(Debug, Clone, Object)]
pub struct Attachment {
    /// Its place among the complaint's files, from 1 (`GET …/attachments/{position}`).
    pub position: i32,
    /// The type its content was recognised as.
    pub content_type: String,
    /// Its size in bytes, as kept (without location data).
    pub size_bytes: i64,
    /// The name the citizen's device gave it.
    #[oai(skip_serializing_if_is_none)]
    pub file_name: Option<String>,
}

/// Who made a complaint: shown to the supervisors who handle it, never to the officer.
#[derive(Debug, Clone, Object)]
pub struct Complainant {
    /// Full name.
    pub full_name: String,
    /// Phone number.
    pub phone: String,
}

/// A complaint about an officer, with its handling so far.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Complaint {
    /// The complaint's id.
    pub id: Uuid,
    /// The officer complained about.
    pub officer: crate::ratings::dto::OfficerRef,
    /// The unit where the conduct happened: the complaint stays there.
    pub unit_code: String,
    /// The unit whose supervisors handle it (the unit above, for one against a supervisor).
    pub handling_unit_code: String,
    /// What it is about.
    pub category: ComplaintCategory,
    /// What happened.
    pub description: String,
    /// The dossier it concerns.
    #[oai(skip_serializing_if_is_none)]
    pub dossier_code: Option<String>,
    /// The appointment it concerns.
    #[oai(skip_serializing_if_is_none)]
    pub appointment_id: Option<Uuid>,
    /// Where it stands.
    pub status: ComplaintStatus,
    /// `open` or `closed`, for counting.
    pub state: ComplaintState,
    /// What the handling came to, once resolved.
    #[oai(skip_serializing_if_is_none)]
    pub outcome: Option<ComplaintOutcome>,
    /// Whether the outcome found the complaint substantiated (any outcome but `unfounded`).
    #[oai(skip_serializing_if_is_none)]
    pub substantiated: Option<bool>,
    /// The written conclusion of a resolution.
    #[oai(skip_serializing_if_is_none)]
    pub conclusion: Option<String>,
    /// Why it was not accepted or dismissed.
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
    /// When it came in.
    pub received_at: DateTime<Utc>,
    /// When it was accepted.
    #[oai(skip_serializing_if_is_none)]
    pub accepted_at: Option<DateTime<Utc>>,
    /// When its handling is due (from acceptance, in working days).
    #[oai(skip_serializing_if_is_none)]
    pub due_at: Option<DateTime<Utc>>,
    /// Whether it is still open past its due date.
    pub overdue: bool,
    /// Why the due date was extended, if it was.
    #[oai(skip_serializing_if_is_none)]
    pub extension_reason: Option<String>,
    /// When it was closed.
    #[oai(skip_serializing_if_is_none)]
    pub closed_at: Option<DateTime<Utc>>,
    /// How often the citizen reopened it.
    pub reopened: i32,
    /// The citizen's feedback on the handling.
    #[oai(skip_serializing_if_is_none)]
    pub feedback_level: Option<RatingLevel>,
    /// The files sent with it.
    pub attachments: Vec<Attachment>,
    /// Every step, oldest first.
    pub timeline: Vec<ComplaintStep>,
    /// Who made it: for the supervisors handling it; absent in the citizen's own view.
    #[oai(skip_serializing_if_is_none)]
    pub complainant: Option<Complainant>,
}

impl Example for Complaint {
    fn example() -> Self {
        let at = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default();
        Complaint {
            id: Uuid::from_u128(0x0193_2b3c_4d5e_7f60_8a9b_0c1d_2e3f_4a5b),
            officer: crate::ratings::dto::OfficerRef {
                id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e0b1),
                full_name: "Trần Văn Cường".into(),
            },
            unit_code: "000.20.33.H12".into(),
            handling_unit_code: "000.20.33.H12".into(),
            category: ComplaintCategory::Harassment,
            description: "Cán bộ gợi ý nộp thêm 500.000 đồng để hồ sơ được giải quyết nhanh.".into(),
            dossier_code: None,
            appointment_id: None,
            status: ComplaintStatus::Accepted,
            state: ComplaintState::Open,
            outcome: None,
            substantiated: None,
            conclusion: None,
            reason: None,
            received_at: at,
            accepted_at: Some(at),
            due_at: Some(at + chrono::Duration::days(21)),
            overdue: false,
            extension_reason: None,
            closed_at: None,
            reopened: 0,
            feedback_level: None,
            attachments: vec![],
            timeline: vec![ComplaintStep {
                at,
                kind: ComplaintEventKind::Received,
                by_citizen: true,
                status: ComplaintStatus::Received,
                note: None,
            }],
            complainant: None,
        }
    }
}

/// A supervisor's step in the handling.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct ComplaintTransition {
    /// The status to move to: `accepted`, `not_accepted`, `investigating`, `resolved` or
    /// `dismissed`.
    pub to_status: ComplaintStatus,
    /// With `resolved`: what it came to.
    #[oai(skip_serializing_if_is_none)]
    pub outcome: Option<ComplaintOutcome>,
    /// With `resolved`: the written conclusion the citizen reads.
    #[oai(skip_serializing_if_is_none)]
    pub conclusion: Option<Lines<1, 5000>>,
    /// With `not_accepted` or `dismissed`: why.
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<Lines<1, 2000>>,
}

impl Example for ComplaintTransition {
    fn example() -> Self {
        ComplaintTransition {
            to_status: ComplaintStatus::Resolved,
            outcome: Some(ComplaintOutcome::Warned),
            conclusion: Some(Lines::from("Phản ánh đúng; cán bộ bị khiển trách và xin lỗi công dân.")),
            reason: None,
        }
    }
}

/// A longer time to handle a complaint, once.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct ComplaintExtension {
    /// How many working days to add to the due date.
    #[oai(validator(minimum(value = "1"), maximum(value = "30")))]
    pub working_days: u32,
    /// Why (a complex case, a witness to hear).
    pub reason: Line<1, 500>,
}

impl Example for ComplaintExtension {
    fn example() -> Self {
        ComplaintExtension {
            working_days: 15, reason: Line::from("Vụ việc phức tạp, cần xác minh thêm.")
        }
    }
}

/// The citizen's withdrawal or reopening, with an optional word why.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct CitizenStep {
    /// Why (optional when withdrawing, expected when reopening).
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<Lines<1, 2000>>,
}

impl Example for CitizenStep {
    fn example() -> Self {
        CitizenStep { reason: Some(Lines::from("Kết luận chưa xem xét lời khai của tôi.")) }
    }
}

/// The citizen's feedback on how the complaint was handled.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct ComplaintFeedback {
    /// How satisfied they are with the handling.
    pub level: RatingLevel,
    /// A word more.
    #[oai(skip_serializing_if_is_none)]
    pub comment: Option<Lines<1, 1000>>,
}

impl Example for ComplaintFeedback {
    fn example() -> Self {
        ComplaintFeedback { level: RatingLevel::Satisfied, comment: None }
    }
}
