use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object, types::ParseFromJSON};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::input::{Line, Lines};

/// A value of this module from its API name (a CSV cell holds the name, as JSON would).
pub fn from_name<T: ParseFromJSON>(name: &str) -> Option<T> {
    T::parse_from_json(Some(serde_json::Value::String(name.to_owned()))).ok()
}

pub use entity::values::{LetterOnCompletion, OnlineSubmission, ProcedureLevel};

/// Whether a document is handed in as an original or a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DocumentForm {
    /// Bản chính.
    Original,
    /// Bản sao.
    Copy,
}

/// A document the applicant must hand in.
#[derive(Debug, Clone, PartialEq, Object, Serialize, Deserialize)]
pub struct RequiredDocument {
    /// What the document is, 1–500 characters.
    pub name: Line<1, 500>,
    /// Original or copy.
    pub form: DocumentForm,
    /// How many, 1–20.
    #[oai(validator(minimum(value = "1"), maximum(value = "20")))]
    pub count: i64,
}

fn active_by_default() -> bool {
    true
}

/// A procedure as written to the catalogue: the body of `POST /procedures` and
/// `PUT /procedures/{code}`, and one item of a JSON import file.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(example)]
pub struct ProcedureInput {
    /// The national code, 3–40 of `0-9 A-Z a-z . -` (e.g. `1.001193`).
    pub code: Line<1, 40>,
    /// The name, 1–500 characters.
    pub name: Line<1, 500>,
    /// The English name.
    pub name_en: Option<Line<1, 500>>,
    /// The field (lĩnh vực), e.g. "Hộ tịch", 1–200 characters.
    pub field: Line<1, 200>,
    /// The level of government.
    pub level: ProcedureLevel,
    /// Codes of the units that handle it.
    #[oai(default)]
    #[serde(default)]
    pub unit_codes: Vec<Line<1, 40>>,
    /// Statutory processing time in working days: 0 (same day), 0.5, or whole and half days up to 365.
    #[oai(validator(minimum(value = "0"), maximum(value = "365"), multiple_of = "0.5"))]
    pub processing_days: f64,
    /// The fee in đồng, 0 or more.
    #[oai(validator(minimum(value = "0")))]
    pub fee_vnd: i64,
    /// Notes on the fee (exemptions, extra copies, ...).
    pub fee_note: Option<Lines<1, 2000>>,
    /// The documents to hand in, 1–50.
    #[oai(validator(min_items = 1, max_items = 50))]
    pub documents: Vec<RequiredDocument>,
    /// The steps of the procedure, in order (at most 50).
    #[oai(default, validator(max_items = 50))]
    #[serde(default)]
    pub steps: Vec<Lines<1, 2000>>,
    /// What the applicant receives, 1–500 characters.
    pub result: Line<1, 500>,
    /// Numbers of the legal documents it is based on (each must be in the catalogue).
    #[oai(default)]
    #[serde(default)]
    pub legal_basis: Vec<Line<1, 50>>,
    /// How far it can be done online.
    pub online_submission: OnlineSubmission,
    /// The letter sent on completion.
    pub letter_on_completion: LetterOnCompletion,
    /// A description for citizens, at most 5000 characters.
    pub description: Option<Lines<1, 5000>>,
    /// False hides it from the public list (default true).
    #[oai(default = "active_by_default")]
    #[serde(default = "active_by_default")]
    pub active: bool,
}

impl poem_openapi::types::Example for ProcedureInput {
    fn example() -> Self {
        ProcedureInput {
            code: "1.001193".into(),
            name: "Đăng ký khai sinh".into(),
            name_en: Some("Birth registration".into()),
            field: "Hộ tịch".into(),
            level: ProcedureLevel::Commune,
            unit_codes: vec!["000.20.33.H12".into()],
            processing_days: 0.0,
            fee_vnd: 0,
            fee_note: Some("Miễn lệ phí đăng ký khai sinh đúng hạn.".into()),
            documents: vec![RequiredDocument {
                name: "Tờ khai đăng ký khai sinh theo mẫu".into(),
                form: DocumentForm::Original,
                count: 1,
            }],
            steps: vec!["Nộp hồ sơ tại Bộ phận một cửa.".into(), "Nhận Giấy khai sinh.".into()],
            result: "Giấy khai sinh (bản chính)".into(),
            legal_basis: vec!["60/2014/QH13".into()],
            online_submission: OnlineSubmission::Full,
            letter_on_completion: LetterOnCompletion::Congratulation,
            description: None,
            active: true,
        }
    }
}

/// A legal document a procedure is based on.
#[derive(Debug, Clone, Object)]
pub struct LegalBasis {
    /// The document's id (see `GET /legal-documents/{id}`).
    pub id: Uuid,
    /// Its official number.
    pub number: String,
    /// Its title.
    pub title: String,
    /// Where to read it.
    pub url: Option<String>,
}

/// A procedure in full.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Procedure {
    /// The national code.
    pub code: String,
    /// The name.
    pub name: String,
    /// The English name.
    pub name_en: Option<String>,
    /// The field (lĩnh vực).
    pub field: String,
    /// The level of government.
    pub level: ProcedureLevel,
    /// Codes of the units that handle it, sorted.
    pub unit_codes: Vec<String>,
    /// Statutory processing time in working days (0, 0.5, 1, 1.5, ...).
    pub processing_days: f64,
    /// The fee in đồng.
    pub fee_vnd: i64,
    /// Notes on the fee.
    pub fee_note: Option<String>,
    /// The documents to hand in.
    pub documents: Vec<RequiredDocument>,
    /// The steps, in order.
    pub steps: Vec<String>,
    /// What the applicant receives.
    pub result: String,
    /// The legal documents it is based on, sorted by number.
    pub legal_basis: Vec<LegalBasis>,
    /// How far it can be done online.
    pub online_submission: OnlineSubmission,
    /// The letter sent on completion.
    pub letter_on_completion: LetterOnCompletion,
    /// A description for citizens.
    pub description: Option<String>,
    /// False when withdrawn from the public list.
    pub active: bool,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for Procedure {
    fn example() -> Self {
        let input = ProcedureInput::example();
        Procedure {
            code: input.code.into(),
            name: input.name.into(),
            name_en: input.name_en.map(Into::into),
            field: input.field.into(),
            level: input.level,
            unit_codes: input.unit_codes.into_iter().map(Into::into).collect(),
            processing_days: input.processing_days,
            fee_vnd: input.fee_vnd,
            fee_note: input.fee_note.map(Into::into),
            documents: input.documents,
            steps: input.steps.into_iter().map(Into::into).collect(),
            result: input.result.into(),
            legal_basis: vec![LegalBasis {
                id: Uuid::nil(),
                number: "60/2014/QH13".into(),
                title: "Luật Hộ tịch".into(),
                url: None,
            }],
            online_submission: input.online_submission,
            letter_on_completion: input.letter_on_completion,
            description: input.description.map(Into::into),
            active: input.active,
            updated_at: DateTime::default(),
        }
    }
}

/// A procedure in a list.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct ProcedureSummary {
    /// The national code.
    pub code: String,
    /// The name.
    pub name: String,
    /// The English name.
    pub name_en: Option<String>,
    /// The field (lĩnh vực).
    pub field: String,
    /// The level of government.
    pub level: ProcedureLevel,
    /// Statutory processing time in working days.
    pub processing_days: f64,
    /// The fee in đồng.
    pub fee_vnd: i64,
    /// How far it can be done online.
    pub online_submission: OnlineSubmission,
}

impl poem_openapi::types::Example for ProcedureSummary {
    fn example() -> Self {
        let procedure = Procedure::example();
        ProcedureSummary {
            code: procedure.code,
            name: procedure.name,
            name_en: procedure.name_en,
            field: procedure.field,
            level: procedure.level,
            processing_days: procedure.processing_days,
            fee_vnd: procedure.fee_vnd,
            online_submission: procedure.online_submission,
        }
    }
}
