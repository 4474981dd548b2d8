use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object, types::Example};
use serde::Serialize;
use uuid::Uuid;

pub use entity::values::{ApplicantKind, Channel, DossierEventKind};

pub use crate::domain::{calendar::Timeliness, dossier::Status};
use crate::{
    domain::{
        account::{FullName, PhoneNumber},
        intake::MAX_NOTE_CHARS,
    },
    input::{Line, Lines},
};

pub use super::lookup_dto::*;

/// The order of the worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum WorklistOrder {
    /// Soonest due first (the default).
    Due,
    /// Latest received first.
    Newest,
}

/// The applicant, as written on the receipt.
#[derive(Debug, Clone, Object)]
pub struct Applicant {
    /// Full name of the person, or the business's name: letters, spaces and `'`, `-`, `.`.
    pub full_name: FullName,
    /// Citizen identity number (CCCD, 12 digits), old ID (9 digits), passport, or a business's tax code.
    pub id_number: Line<1, 40>,
    /// A Vietnamese mobile number, any accepted form; stored as `+84…`.
    pub phone: PhoneNumber,
    /// An e-mail address for notices.
    pub email: Option<Line<3, 254>>,
    /// `citizen` or `business`.
    pub kind: ApplicantKind,
}

/// One kind of document handed in.
#[derive(Debug, Clone, Object, serde::Serialize, serde::Deserialize)]
pub struct ReceivedDocument {
    /// The document's name, as in the procedure's list of required documents.
    pub name: Line<1, 500>,
    /// How many were handed in (1–20).
    #[oai(validator(minimum(value = "1"), maximum(value = "20")))]
    pub count: u32,
}

/// A dossier taken in at the desk.
#[derive(Debug, Object)]
#[oai(example)]
pub struct IntakeRequest {
    /// The procedure's code in the catalogue.
    pub procedure_code: Line<1, 64>,
    /// The applicant.
    pub applicant: Applicant,
    /// The documents received, from the procedure's list (at most 50 kinds).
    #[oai(default, validator(max_items = 50))]
    pub documents: Vec<ReceivedDocument>,
    /// How it was submitted; an `online` dossier starts as `newly_submitted`, others as `accepted`.
    pub channel: Channel,
    /// Internal notes of the receiving officer.
    pub notes: Option<Lines<1, MAX_NOTE_CHARS>>,
    /// The receiving unit; the officer's own unit when left out.
    pub unit_code: Option<Line<1, 64>>,
}

impl Example for IntakeRequest {
    fn example() -> Self {
        IntakeRequest {
            procedure_code: "1.001193".into(),
            applicant: Applicant {
                full_name: FullName::parse("Nguyễn Văn An").expect("a valid name"),
                id_number: "074095001234".into(),
                phone: PhoneNumber::parse("0912345678").expect("a valid number"),
                email: None,
                kind: ApplicantKind::Citizen,
            },
            documents: vec![ReceivedDocument {
                name: "Tờ khai đăng ký khai sinh theo mẫu".into(), count: 1
            }],
            channel: Channel::Desk,
            notes: None,
            unit_code: Some("000.20.33.H12".into()),
        }
    }
}

/// A procedure, briefly.
#[derive(Debug, Clone, Object, Serialize)]
pub struct ProcedureRef {
    /// Catalogue code.
    pub code: String,
    /// Name in Vietnamese.
    pub name: String,
}

/// A unit, briefly.
#[derive(Debug, Clone, Object, Serialize)]
pub struct UnitRef {
    /// Unit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Address, where results are returned.
    pub address: Option<String>,
}

/// The receipt of a dossier (Mẫu 01): what the citizen takes home.
#[derive(Debug, Object)]
#[oai(example)]
pub struct Receipt {
    /// The dossier code, `{unit code}-{yymmdd}-{sequence}`.
    pub code: String,
    /// The lookup secret to give with the code. Present only in the intake answer: it is
    /// stored hashed and cannot be shown again.
    pub lookup_secret: Option<String>,
    /// Current status.
    pub status: Status,
    /// National status code (1–10).
    pub status_code: u8,
    /// The status in the request's language.
    pub status_label: String,
    /// The receiving desk.
    pub desk: UnitRef,
    /// The applicant.
    pub applicant: Applicant,
    /// The procedure.
    pub procedure: ProcedureRef,
    /// Documents received.
    pub documents: Vec<ReceivedDocument>,
    /// Statutory processing time in working days (0 = same day, 0.5 = half a day).
    pub processing_days: f64,
    /// Fee in VND.
    pub fee_vnd: i64,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When the result is due.
    pub due_at: DateTime<Utc>,
    /// Where the result is returned.
    pub result_returned_at: String,
    /// Name of the receiving officer.
    pub received_by: String,
    /// The one-time token with which the citizen rates the officer (`POST /ratings`) once the
    /// dossier is processed or returned, without signing in; printed as a QR code.
    pub rating_token: String,
    /// The receipt's number in its unit's series for the year, printed `Số: 12/TNHS`; `null`
    /// for a dossier taken in before receipts were numbered.
    pub receipt_number: Option<i32>,
    /// The public lookup page of the dossier (`{MOTCUA_PUBLIC_URL}/tra-cuu?code=…`, with
    /// `&secret=…` only in the intake answer), which the receipt's QR code holds; the app may
    /// claim it as a deep link.
    pub lookup_url: String,
    /// The printable A5 receipt (HTML, Mẫu 01) with a QR code of the public lookup page's
    /// link with the code and secret. Present only in the intake answer, while the secret is
    /// still known.
    pub receipt_html: Option<String>,
}

/// One entry of a dossier's timeline, as staff see it.
#[derive(Debug, Object)]
pub struct TimelineEntry {
    /// The entry's id (an apology's slip is `GET /dossiers/{code}/apologies/{id}`).
    pub id: Uuid,
    /// The number of the document this entry issued in its unit's series for the year (an
    /// apology slip's), if any.
    pub document_number: Option<i32>,
    /// When.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: DossierEventKind,
    /// The status before, for transitions.
    pub from_status: Option<Status>,
    /// The status after.
    pub to_status: Status,
    /// Who did it.
    pub actor_id: Option<Uuid>,
    /// Internal note.
    pub note: Option<String>,
    /// Note shown to the citizen.
    pub public_note: Option<String>,
    /// A new due date set by an apology.
    pub new_due_at: Option<DateTime<Utc>>,
}

/// A dossier as staff see it.
#[derive(Debug, Object)]
#[oai(example)]
pub struct DossierDetail {
    /// Dossier code.
    pub code: String,
    /// Current status.
    pub status: Status,
    /// National status code.
    pub status_code: u8,
    /// The status in the request's language.
    pub status_label: String,
    /// Receiving unit code.
    pub unit_code: String,
    /// The procedure.
    pub procedure: ProcedureRef,
    /// The applicant.
    pub applicant: Applicant,
    /// Documents received.
    pub documents: Vec<ReceivedDocument>,
    /// Submission channel.
    pub channel: Channel,
    /// Internal notes.
    pub notes: Option<String>,
    /// Fee in VND.
    pub fee_vnd: i64,
    /// Received at.
    pub received_at: DateTime<Utc>,
    /// Due at (moved by paused time and apologies).
    pub due_at: DateTime<Utc>,
    /// Since when the clock is stopped (supplement or payment requested).
    pub paused_at: Option<DateTime<Utc>>,
    /// When the result was ready.
    pub completed_at: Option<DateTime<Utc>>,
    /// When the result was handed back.
    pub returned_at: Option<DateTime<Utc>>,
    /// Timeliness now (open) or at closing.
    pub timeliness: Option<Timeliness>,
    /// The officer the dossier is assigned to.
    pub assigned_to: Option<Uuid>,
    /// The officer who received it; null for a dossier submitted online that no officer has
    /// moved on yet.
    pub received_by: Option<Uuid>,
    /// Whether a citizen account follows this dossier.
    pub claimed: bool,
    /// Why an officer suppressed the letter its completion would bring; null when it will
    /// be sent (if its procedure names one).
    pub letter_suppressed_reason: Option<String>,
    /// The receipt's number in its unit's series for the year (`Số: 12/TNHS`); `null` for a
    /// dossier taken in before receipts were numbered.
    pub receipt_number: Option<i32>,
    /// The version for `If-Match` (also in `ETag`).
    pub version: i32,
    /// Everything that happened, oldest first.
    pub timeline: Vec<TimelineEntry>,
}

/// A dossier in a list.
#[derive(Debug, Object)]
#[oai(example)]
pub struct DossierSummary {
    /// Dossier code.
    pub code: String,
    /// Current status.
    pub status: Status,
    /// National status code.
    pub status_code: u8,
    /// The status in the request's language.
    pub status_label: String,
    /// Receiving unit code.
    pub unit_code: String,
    /// Procedure code.
    pub procedure_code: String,
    /// Applicant's name.
    pub applicant_name: String,
    /// Received at.
    pub received_at: DateTime<Utc>,
    /// Due at.
    pub due_at: DateTime<Utc>,
    /// Timeliness.
    pub timeliness: Option<Timeliness>,
    /// Assigned officer.
    pub assigned_to: Option<Uuid>,
}

/// A move to another status.
#[derive(Debug, Object)]
#[oai(example)]
pub struct TransitionRequest {
    /// The status to move to.
    pub to_status: Status,
    /// Internal note.
    pub note: Option<Lines<1, MAX_NOTE_CHARS>>,
    /// A note the citizen sees in the timeline (e.g. which document to supplement).
    pub public_note: Option<Lines<1, MAX_NOTE_CHARS>>,
}

/// An apology for a late dossier (Mẫu 04), with the new due date.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ApologyRequest {
    /// The new due date, later than the current one.
    pub new_due_at: DateTime<Utc>,
    /// The apology and reason, shown to the citizen.
    pub reason: Lines<1, MAX_NOTE_CHARS>,
}

/// Assigning a dossier to an officer.
#[derive(Debug, Object)]
#[oai(example)]
pub struct AssignmentRequest {
    /// An active officer or supervisor of the dossier's unit.
    pub officer_id: Uuid,
}
