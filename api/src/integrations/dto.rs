//! What integrators send and get back.

use chrono::{DateTime, Utc};
use entity::values::{DossierStatus, EventType};
use poem_openapi::{Object, types::Example};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    domain::intake::MAX_NOTE_CHARS,
    dossiers::dto::{Applicant, IntakeRequest, ReceivedDocument},
    input::{Line, Lines},
};

/// A dossier submitted online through a portal: it starts as `newly_submitted`, until an
/// officer of the unit accepts it.
#[derive(Debug, Object)]
#[oai(example)]
pub struct OnlineDossier {
    /// The procedure's code in the catalogue; the unit must offer it.
    pub procedure_code: Line<1, 64>,
    /// The receiving unit: the key's unit or one below it.
    pub unit_code: Line<1, 64>,
    /// The applicant.
    pub applicant: Applicant,
    /// The documents submitted, from the procedure's list (at most 50 kinds).
    #[oai(default, validator(max_items = 50))]
    pub documents: Vec<ReceivedDocument>,
    /// A note for the receiving officer, from the portal.
    pub notes: Option<Lines<1, MAX_NOTE_CHARS>>,
}

impl OnlineDossier {
    /// The same request as a desk intake on the `online` channel, checked by the same rules.
    pub fn as_intake(&self) -> IntakeRequest {
        IntakeRequest {
            procedure_code: self.procedure_code.clone(),
            applicant: self.applicant.clone(),
            documents: self.documents.clone(),
            channel: entity::values::Channel::Online,
            notes: self.notes.clone(),
            unit_code: Some(self.unit_code.clone()),
        }
    }
}

impl Example for OnlineDossier {
    fn example() -> Self {
        let desk = IntakeRequest::example();
        OnlineDossier {
            procedure_code: desk.procedure_code,
            unit_code: desk.unit_code.unwrap_or_else(|| "000.20.33.H12".into()),
            applicant: desk.applicant,
            documents: desk.documents,
            notes: None,
        }
    }
}

/// One change of a dossier: created, or moved to another status.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(example)]
pub struct DossierChange {
    /// The event's id, the same as a webhook's `webhook-id` for it.
    pub id: Uuid,
    /// `dossier.created` or `dossier.status_changed`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The dossier's code.
    pub code: String,
    /// The status after the change.
    pub status: DossierStatus,
    /// Its national code (1–10).
    pub status_code: u8,
    /// The status before; absent for a creation.
    pub previous_status: Option<DossierStatus>,
    /// The dossier's unit.
    pub unit_code: Option<String>,
}

impl Example for DossierChange {
    fn example() -> Self {
        DossierChange {
            id: Uuid::from_u128(0x0193_a1b2_c3d4_7e5f_8a9b_0c1d_2e3f_4a5b),
            event_type: EventType::DossierStatusChanged,
            at: "2026-12-01T03:15:00Z".parse().expect("an instant"),
            code: "000.20.33.H12-261201-0001".into(),
            status: DossierStatus::Accepted,
            status_code: 2,
            previous_status: Some(DossierStatus::NewlySubmitted),
            unit_code: Some("000.20.33.H12".into()),
        }
    }
}

/// A page of the change feed.
#[derive(Debug, Object)]
pub struct DossierChanges {
    /// Changes after the cursor, oldest first (at most `limit`).
    pub items: Vec<DossierChange>,
    /// Where to read on from: pass it as `cursor` next time. Always present, also when
    /// `items` is empty, so a client polls with the last one it got.
    pub next_cursor: String,
}
