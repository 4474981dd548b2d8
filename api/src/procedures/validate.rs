//! The rules a procedure must keep, the same for the API, the import and the demo data.

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

use super::dto::{LetterOnCompletion, OnlineSubmission, ProcedureInput, ProcedureLevel};
use crate::{domain::calendar::ProcessingTime, error::FieldError, i18n::Text, input::Line};

const MAX_DOCUMENTS: usize = 50;
const DOCUMENT_COUNT: std::ops::RangeInclusive<i64> = 1..=20;
const MAX_STEPS: usize = 50;
const CODE_CHARS: std::ops::RangeInclusive<usize> = 3..=40;

fn too_long_or_empty(field: &str, max: usize) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: Text::new(format!("Cần 1–{max} ký tự."), format!("Needs 1–{max} characters.")),
    }
}

/// A trimmed text of 1..=`max` characters.
pub fn required_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        errors.push(too_long_or_empty(field, max));
    }
    value.to_owned()
}

/// An optional trimmed text of at most `max` characters; blank counts as absent.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(too_long_or_empty(field, max));
    }
    Some(value.to_owned())
}

/// An absolute `http` or `https` URL.
pub fn url(field: &str, value: &str, errors: &mut Vec<FieldError>) {
    let has_host = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace));
    if !has_host {
        errors.push(FieldError::new(field, "Cần một địa chỉ http(s) đầy đủ.", "Needs a full http(s) URL."));
    }
}

/// Whether `code` matches `^[0-9A-Za-z.\-]{3,40}$`.
pub fn is_procedure_code(code: &str) -> bool {
    CODE_CHARS.contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// The units and legal documents a procedure may refer to, by code and by number.
#[derive(Debug, Default)]
pub struct References {
    pub units: HashMap<String, Uuid>,
    pub legal_documents: HashMap<String, Uuid>,
}

/// A procedure that keeps every rule, ready to store.
#[derive(Debug, Clone)]
pub struct ValidProcedure {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub field: String,
    pub level: ProcedureLevel,
    pub unit_ids: Vec<Uuid>,
    pub processing_time: ProcessingTime,
    pub fee_vnd: i64,
    pub fee_note: Option<String>,
    /// The documents as stored: a JSON array.
    pub documents: String,
    /// The steps as stored: a JSON array.
    pub steps: String,
    pub result: String,
    pub legal_document_ids: Vec<Uuid>,
    pub online_submission: OnlineSubmission,
    pub letter_on_completion: LetterOnCompletion,
    pub description: Option<String>,
    pub active: bool,
}

/// Each referenced key's id; unknown keys become one error naming them.
fn resolve<K: std::ops::Deref<Target = str>>(
    field: &str,
    keys: &[K],
    known: &HashMap<String, Uuid>,
    (vi, en): (&str, &str),
    errors: &mut Vec<FieldError>,
) -> Vec<Uuid> {
    let keys: BTreeSet<&str> = keys.iter().map(|k| k.trim()).collect();
    let unknown: Vec<&str> = keys.iter().copied().filter(|k| !known.contains_key(*k)).collect();
    if !unknown.is_empty() {
        let list = unknown.join(", ");
        errors.push(FieldError {
            field: field.to_owned(),
            message: Text::new(format!("{vi}: {list}"), format!("{en}: {list}")),
        });
    }
    keys.iter().filter_map(|k| known.get(*k).copied()).collect()
}

/// Checks every field of `input`; all problems at once, each naming its field.
pub fn procedure(input: &ProcedureInput, references: &References) -> Result<ValidProcedure, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = input.code.trim();
    if !is_procedure_code(code) {
        errors.push(FieldError::new(
            "code",
            "Mã thủ tục gồm 3–40 ký tự chữ, số, dấu chấm hoặc gạch ngang.",
            "The code is 3–40 letters, digits, dots or hyphens.",
        ));
    }
    let name = required_text("name", &input.name, 500, &mut errors);
    let name_en = optional_text("name_en", input.name_en.as_deref(), 500, &mut errors);
    let field = required_text("field", &input.field, 200, &mut errors);
    let unit_ids = resolve(
        "unit_codes",
        &input.unit_codes,
        &references.units,
        ("Không có đơn vị với mã", "No unit has the code"),
        &mut errors,
    );
    let processing_time = ProcessingTime::from_days(input.processing_days);
    if processing_time.is_none() {
        errors.push(FieldError::new(
            "processing_days",
            "Thời hạn giải quyết là 0, 0,5 hoặc số ngày nguyên hay nửa ngày, tối đa 365.",
            "The processing time is 0, 0.5 or whole and half days, at most 365.",
        ));
    }
    if input.fee_vnd < 0 {
        errors.push(FieldError::new("fee_vnd", "Lệ phí không được âm.", "The fee cannot be negative."));
    }
    let fee_note = optional_text("fee_note", input.fee_note.as_deref(), 2000, &mut errors);
    if input.documents.is_empty() || input.documents.len() > MAX_DOCUMENTS {
        errors.push(FieldError::new(
            "documents",
            "Cần từ 1 đến 50 thành phần hồ sơ.",
            "Between 1 and 50 documents are needed.",
        ));
    }
    let mut documents = input.documents.clone();
    for (position, document) in documents.iter_mut().enumerate() {
        document.name = Line::from_stored(required_text(
            &format!("documents[{position}].name"),
            &document.name,
            500,
            &mut errors,
        ));
        if !DOCUMENT_COUNT.contains(&document.count) {
            errors.push(FieldError {
                field: format!("documents[{position}].count"),
                message: Text::new("Số lượng từ 1 đến 20.", "The count is 1–20."),
            });
        }
    }
    if input.steps.len() > MAX_STEPS {
        errors.push(FieldError::new("steps", "Tối đa 50 bước.", "At most 50 steps."));
    }
    let steps: Vec<String> = input
        .steps
        .iter()
        .enumerate()
        .map(|(position, step)| required_text(&format!("steps[{position}]"), step, 2000, &mut errors))
        .collect();
    let result = required_text("result", &input.result, 500, &mut errors);
    let legal_document_ids = resolve(
        "legal_basis",
        &input.legal_basis,
        &references.legal_documents,
        ("Không có văn bản với số hiệu", "No legal document has the number"),
        &mut errors,
    );
    let description = optional_text("description", input.description.as_deref(), 5000, &mut errors);
    let (Some(processing_time), true) = (processing_time, errors.is_empty()) else {
        return Err(errors);
    };
    // Serialising plain strings and numbers cannot fail.
    Ok(ValidProcedure {
        code: code.to_owned(),
        name,
        name_en,
        field,
        level: input.level,
        unit_ids,
        processing_time,
        fee_vnd: input.fee_vnd,
        fee_note,
        documents: serde_json::to_string(&documents).unwrap_or_default(),
        steps: serde_json::to_string(&steps).unwrap_or_default(),
        result,
        legal_document_ids,
        online_submission: input.online_submission,
        letter_on_completion: input.letter_on_completion,
        description,
        active: input.active,
    })
}
