//! Importing procedures from a file: a JSON array of procedure objects (like the demo data)
//! or a CSV with one row per procedure. Every row passes the API's own validation; the whole
//! file is upserted by code in one transaction, or nothing is.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use sea_orm::{DatabaseConnection, DbErr};
use serde::Deserialize;

use super::{
    dto::{ProcedureInput, RequiredDocument, from_name},
    store::{self, UPSERT_BATCH},
    validate::{self, ValidProcedure},
};
use crate::db::write_transaction;

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Json,
    Csv,
}

impl ImportFormat {
    /// The format a file name's extension announces.
    pub fn from_path(path: &std::path::Path) -> Option<ImportFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(ImportFormat::Json),
            "csv" => Some(ImportFormat::Csv),
            _ => None,
        }
    }
}

/// One row of a file, read into a procedure or not.
#[derive(Debug)]
pub struct ParsedRow {
    /// Where it is: the JSON array position from 1, or the CSV line (the header is line 1).
    pub row: usize,
    pub input: Result<ProcedureInput, String>,
}

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub reason: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}: {}", self.row, self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
    #[error("{} invalid rows; nothing was imported", .0.len())]
    Invalid(Vec<RowProblem>),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Procedures inserted or replaced.
    pub imported: usize,
    /// Invalid rows left out (only with `skip_invalid`).
    pub skipped: Vec<RowProblem>,
}

/// The columns of a CSV file, as text.
#[derive(Debug, Deserialize)]
struct CsvRow {
    code: String,
    name: String,
    #[serde(default)]
    name_en: String,
    field: String,
    level: String,
    #[serde(default)]
    unit_codes: String,
    processing_days: String,
    fee_vnd: String,
    #[serde(default)]
    fee_note: String,
    documents: String,
    #[serde(default)]
    steps: String,
    result: String,
    #[serde(default)]
    legal_basis: String,
    online_submission: String,
    letter_on_completion: String,
    #[serde(default)]
    description: String,
}

/// A text column, checked as the API checks the same field (type, length, characters).
fn text<T: poem_openapi::types::ParseFromJSON>(name: &str, value: &str) -> Result<T, String> {
    T::parse_from_json(Some(serde_json::Value::String(value.to_owned())))
        .map_err(|_| format!("{name}: too long, empty, or with control characters: {value:?}"))
}

fn split_list<T: poem_openapi::types::ParseFromJSON>(
    name: &str,
    value: &str,
    separator: char,
) -> Result<Vec<T>, String> {
    value
        .split(separator)
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| text(name, item))
        .collect()
}

fn non_blank<T: poem_openapi::types::ParseFromJSON>(name: &str, value: &str) -> Result<Option<T>, String> {
    if value.trim().is_empty() { Ok(None) } else { text(name, value).map(Some) }
}

fn column<T: poem_openapi::types::ParseFromJSON>(name: &str, value: &str) -> Result<T, String> {
    from_name(value.trim()).ok_or_else(|| format!("{name}: unknown value {value:?}"))
}

impl TryFrom<CsvRow> for ProcedureInput {
    type Error = String;

    fn try_from(row: CsvRow) -> Result<ProcedureInput, String> {
        let documents: Vec<RequiredDocument> = serde_json::from_str(&row.documents)
            .map_err(|e| format!("documents: not a JSON array of documents: {e}"))?;
        Ok(ProcedureInput {
            level: column("level", &row.level)?,
            online_submission: column("online_submission", &row.online_submission)?,
            letter_on_completion: column("letter_on_completion", &row.letter_on_completion)?,
            processing_days: row
                .processing_days
                .trim()
                .parse()
                .map_err(|_| format!("processing_days: not a number: {:?}", row.processing_days))?,
            fee_vnd: row
                .fee_vnd
                .trim()
                .parse()
                .map_err(|_| format!("fee_vnd: not a whole number: {:?}", row.fee_vnd))?,
            unit_codes: split_list("unit_codes", &row.unit_codes, ';')?,
            steps: split_list("steps", &row.steps, '|')?,
            legal_basis: split_list("legal_basis", &row.legal_basis, ';')?,
            documents,
            code: text("code", &row.code)?,
            name: text("name", &row.name)?,
            name_en: non_blank("name_en", &row.name_en)?,
            field: text("field", &row.field)?,
            fee_note: non_blank("fee_note", &row.fee_note)?,
            result: text("result", &row.result)?,
            description: non_blank("description", &row.description)?,
            active: true,
        })
    }
}

/// Reads procedure objects, numbered from 1.
pub fn json_rows(items: Vec<serde_json::Value>) -> Vec<ParsedRow> {
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| ParsedRow {
            row: index + 1,
            input: serde_json::from_value(item).map_err(|e| e.to_string()),
        })
        .collect()
}

/// Reads every row of a file; a row that cannot be read is kept with its reason.
pub fn parse(format: ImportFormat, text: &str) -> Result<Vec<ParsedRow>, ImportError> {
    // Spreadsheets often save UTF-8 with a byte-order mark, which would spoil the first header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        ImportFormat::Json => {
            let items: Vec<serde_json::Value> = serde_json::from_str(text)
                .map_err(|e| ImportError::Unreadable(format!("not a JSON array: {e}")))?;
            Ok(json_rows(items))
        }
        ImportFormat::Csv => {
            let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::Headers).from_reader(text.as_bytes());
            let headers = reader.headers().map_err(|e| ImportError::Unreadable(e.to_string()))?.clone();
            Ok(reader
                .records()
                .enumerate()
                .map(|(index, record)| {
                    let row = record
                        .as_ref()
                        .ok()
                        .and_then(|r| r.position())
                        .map_or(index + 2, |p| p.line() as usize);
                    let input = record
                        .map_err(|e| e.to_string())
                        .and_then(|record| {
                            record.deserialize::<CsvRow>(Some(&headers)).map_err(|e| e.to_string())
                        })
                        .and_then(ProcedureInput::try_from);
                    ParsedRow { row, input }
                })
                .collect())
        }
    }
}

/// Validates every row as the API does; a code seen twice in one file is a problem too.
async fn validate_rows(
    db: &DatabaseConnection,
    rows: Vec<ParsedRow>,
) -> Result<(Vec<ValidProcedure>, Vec<RowProblem>), DbErr> {
    let inputs = rows.iter().filter_map(|r| r.input.as_ref().ok());
    let references = store::references(
        db,
        inputs.clone().flat_map(|i| i.unit_codes.iter().map(|code| code.as_str())),
        inputs.flat_map(|i| i.legal_basis.iter().map(|number| number.as_str())),
    )
    .await?;
    let mut valid = Vec::with_capacity(rows.len());
    let mut problems = Vec::new();
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    for ParsedRow { row, input } in rows {
        let checked = input.and_then(|input| {
            validate::procedure(&input, &references).map_err(|errors| {
                errors.iter().map(|e| format!("{}: {}", e.field, e.message.en)).collect::<Vec<_>>().join("; ")
            })
        });
        match checked {
            Ok(procedure) => match first_row_of.get(&procedure.code) {
                Some(first) => problems
                    .push(RowProblem { row, reason: format!("code {} repeats row {first}", procedure.code) }),
                None => {
                    first_row_of.insert(procedure.code.clone(), row);
                    valid.push(procedure);
                }
            },
            Err(reason) => problems.push(RowProblem { row, reason }),
        }
    }
    Ok((valid, problems))
}

/// Imports the rows: with any invalid row nothing is imported (unless `skip_invalid`, which
/// leaves those rows out); the rest are upserted by code in one transaction. `progress` is
/// told how many procedures each written batch held.
pub async fn import_procedures(
    db: &DatabaseConnection,
    rows: Vec<ParsedRow>,
    skip_invalid: bool,
    now: DateTime<Utc>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReport, ImportError> {
    let (valid, problems) = validate_rows(db, rows).await?;
    if !problems.is_empty() && !skip_invalid {
        return Err(ImportError::Invalid(problems));
    }
    write_transaction(&db.into(), async |tx| upsert_with_progress(tx, &valid, now, progress).await).await?;
    Ok(ImportReport { imported: valid.len(), skipped: problems })
}

async fn upsert_with_progress(
    txn: &impl sea_orm::ConnectionTrait,
    procedures: &[ValidProcedure],
    now: DateTime<Utc>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), DbErr> {
    for batch in procedures.chunks(UPSERT_BATCH) {
        store::upsert_procedures(txn, batch, now).await?;
        progress(batch.len() as u64);
    }
    Ok(())
}
