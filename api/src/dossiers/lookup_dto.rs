//! What the public dossier lookup takes and answers: the code and secret from the receipt in,
//! the status and public timeline out, never personal data.

use chrono::{DateTime, Utc};
use poem_openapi::{Object, types::Example};
use serde::Serialize;

use super::dto::{ProcedureRef, Status, Timeliness, UnitRef};
use crate::{
    http::json::{rfc3339, rfc3339_or_null},
    input::Line,
};

/// A dossier code and its lookup secret, from the receipt.
#[derive(Debug, Object)]
#[oai(example)]
pub struct LookupRequest {
    /// The dossier code (case and surrounding spaces do not matter).
    pub code: Line<1, 64>,
    /// The lookup secret printed on the receipt (case and dashes do not matter).
    pub secret: Line<1, 64>,
}

impl Example for LookupRequest {
    fn example() -> Self {
        LookupRequest { code: "000.20.33.H12-261126-0001".into(), secret: "7KX4-M2QP".into() }
    }
}

/// One public step of a dossier.
#[derive(Debug, Object, Serialize)]
pub struct PublicTimelineEntry {
    /// When.
    #[serde(serialize_with = "rfc3339")]
    pub at: DateTime<Utc>,
    /// Status after the step.
    pub status: Status,
    /// The status in the request's language.
    pub status_label: String,
    /// The public note of that step, if any.
    pub note: Option<String>,
    /// A new due date announced by an apology.
    #[serde(serialize_with = "rfc3339_or_null")]
    pub new_due_at: Option<DateTime<Utc>>,
}

/// What anyone holding the code and the secret may know: no personal data.
#[derive(Debug, Object, Serialize)]
#[oai(example)]
pub struct LookupResult {
    /// Dossier code.
    pub code: String,
    /// Current status.
    pub status: Status,
    /// National status code.
    pub status_code: u8,
    /// The status in the request's language.
    pub status_label: String,
    /// The procedure.
    pub procedure: ProcedureRef,
    /// The unit handling it.
    pub unit: UnitRef,
    /// The applicant's name, masked (`N*** V*** A***`).
    pub applicant: String,
    /// Received at.
    #[serde(serialize_with = "rfc3339")]
    pub received_at: DateTime<Utc>,
    /// Due at.
    #[serde(serialize_with = "rfc3339")]
    pub due_at: DateTime<Utc>,
    /// When the result was ready.
    #[serde(serialize_with = "rfc3339_or_null")]
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was handed back.
    #[serde(serialize_with = "rfc3339_or_null")]
    pub returned_at: Option<DateTime<Utc>>,
    /// Timeliness.
    pub timeliness: Timeliness,
    /// The public steps, oldest first.
    pub timeline: Vec<PublicTimelineEntry>,
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;

    use super::*;

    fn lookup_result(closed: bool) -> LookupResult {
        let at: DateTime<Utc> = "2026-11-26T08:15:30.123456Z".parse().unwrap();
        LookupResult {
            code: "000.20.33.H12-261126-0001".into(),
            status: if closed { Status::Returned } else { Status::InProgress },
            status_code: if closed { 10 } else { 4 },
            status_label: "Đang xử lý".into(),
            procedure: ProcedureRef { code: "1.001193".into(), name: "Đăng ký khai sinh".into() },
            unit: UnitRef {
                code: "000.20.33.H12".into(),
                name: "UBND phường \"Lái Thiêu\"".into(),
                address: closed.then(|| "Số 1, đường Nguyễn Văn Tiết".into()),
            },
            applicant: "N*** V*** A***".into(),
            received_at: at,
            due_at: at,
            completed_at: closed.then_some(at),
            returned_at: closed.then_some(at),
            timeliness: if closed { Timeliness::OnTime } else { Timeliness::Overdue },
            timeline: vec![PublicTimelineEntry {
                at,
                status: Status::SupplementRequested,
                status_label: "Yêu cầu bổ sung hồ sơ".into(),
                note: closed.then(|| "Bổ sung\nbản sao".into()),
                new_due_at: closed.then_some(at),
            }],
        }
    }

    #[test]
    fn the_lookup_answer_is_the_same_json_from_serde_as_from_its_spec_type() {
        for closed in [false, true] {
            let answer = lookup_result(closed);
            assert_eq!(serde_json::to_value(&answer).unwrap(), answer.to_json().unwrap(), "closed: {closed}");
        }
    }
}
