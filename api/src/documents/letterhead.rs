//! The head of a unit's documents: who issues it (the parent authority above the unit), its
//! number, and the place-and-date line.

use chrono::{DateTime, Utc};
use entity::unit;
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;

use crate::{domain::vn_format, units::store::unit_by_id};

/// What `document.html` prints above a document's title.
#[derive(Debug, Clone, Serialize)]
pub struct Letterhead {
    /// The authority the unit belongs to, in capitals ("UBND THỊ XÃ THUẬN AN"); empty for a
    /// unit at the top of the tree.
    pub authority: String,
    /// The issuing unit, in capitals.
    pub unit: String,
    /// The document's number and symbol ("Số: 12/GTN-BPMC"), or empty when it has none.
    pub number: String,
    /// "Thuận An, ngày 07 tháng 12 năm 2026".
    pub place_date: String,
}

impl Letterhead {
    /// The head of a document that `unit` issues at `at`, numbered `number`.
    pub async fn of(
        db: &impl ConnectionTrait,
        unit: &unit::Model,
        number: String,
        at: DateTime<Utc>,
    ) -> Result<Letterhead, DbErr> {
        let parent = match unit.parent_id {
            Some(parent) => unit_by_id(db, parent).await?,
            None => None,
        };
        let zone: chrono_tz::Tz = unit.time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
        let place = unit.locality.clone().unwrap_or_else(|| unit.name.clone());
        Ok(Letterhead {
            authority: parent.map(|p| p.name.to_uppercase()).unwrap_or_default(),
            unit: unit.name.to_uppercase(),
            number,
            place_date: vn_format::place_date_line(&place, at.with_timezone(&zone).date_naive()),
        })
    }
}
