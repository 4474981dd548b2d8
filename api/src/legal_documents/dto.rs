use chrono::NaiveDate;
use poem_openapi::Object;
use serde::Deserialize;
use uuid::Uuid;

use crate::input::Line;

pub use entity::values::LegalDocumentKind;

/// A legal document of the catalogue.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct LegalDocument {
    /// The document's id.
    pub id: Uuid,
    /// Its official number, e.g. `123/2015/NĐ-CP`.
    pub number: String,
    /// Its title.
    pub title: String,
    /// What kind of document it is.
    pub kind: LegalDocumentKind,
    /// Who issued it.
    pub issuer: String,
    /// When it was issued.
    pub issued_on: NaiveDate,
    /// When it took effect.
    pub effective_on: Option<NaiveDate>,
    /// Where to read it.
    pub url: Option<String>,
}

impl poem_openapi::types::Example for LegalDocument {
    fn example() -> Self {
        LegalDocument {
            id: Uuid::nil(),
            number: "60/2014/QH13".into(),
            title: "Luật Hộ tịch".into(),
            kind: LegalDocumentKind::Law,
            issuer: "Quốc hội".into(),
            issued_on: NaiveDate::from_ymd_opt(2014, 11, 20).unwrap_or_default(),
            effective_on: NaiveDate::from_ymd_opt(2016, 1, 1),
            url: Some("https://vbpl.vn/TW/Pages/vbpq-timkiem.aspx?Keyword=60/2014/QH13".into()),
        }
    }
}

/// A legal document to add to the catalogue (also the format of the demo data).
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(example)]
pub struct NewLegalDocument {
    /// Its official number, 1–50 characters, unique.
    pub number: Line<1, 50>,
    /// Its title, 1–1000 characters.
    pub title: Line<1, 1000>,
    /// What kind of document it is.
    pub kind: LegalDocumentKind,
    /// Who issued it, 1–200 characters.
    pub issuer: Line<1, 200>,
    /// When it was issued.
    pub issued_on: NaiveDate,
    /// When it took effect.
    pub effective_on: Option<NaiveDate>,
    /// Where to read it: an `http(s)` URL.
    pub url: Option<Line<1, 2000>>,
}

impl poem_openapi::types::Example for NewLegalDocument {
    fn example() -> Self {
        NewLegalDocument {
            number: "123/2015/NĐ-CP".into(),
            title: "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch".into(),
            kind: LegalDocumentKind::Decree,
            issuer: "Chính phủ".into(),
            issued_on: NaiveDate::from_ymd_opt(2015, 11, 15).unwrap_or_default(),
            effective_on: NaiveDate::from_ymd_opt(2016, 1, 1),
            url: None,
        }
    }
}
