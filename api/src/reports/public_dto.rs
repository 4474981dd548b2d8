//! What the public figures answer: aggregates only, small cells hidden.

use chrono::NaiveDate;
use poem_openapi::{Object, types::Example};

use crate::domain::report::SMALLEST_SHOWN;

/// A unit's dossier figures as published; counts from 1 to 4 are hidden (null).
#[derive(Debug, Clone, PartialEq, Object)]
pub struct PublicDossiers {
    /// Received in the period.
    pub received: Option<i64>,
    /// Processed in the period.
    pub processed: Option<i64>,
    /// Processed early.
    pub early: Option<i64>,
    /// Processed on time.
    pub on_time: Option<i64>,
    /// Processed late.
    pub late: Option<i64>,
    /// (early + on time) ÷ processed; null when any of them is hidden.
    pub on_time_rate: Option<f64>,
    /// Open at the end of the period.
    pub open: Option<i64>,
    /// Open and overdue at the end of the period.
    pub overdue: Option<i64>,
}

/// One month of a unit's published figures.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct PublicMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Dossiers processed that month.
    pub processed: Option<i64>,
    /// Of which early or on time ÷ processed; null when a count it needs is hidden.
    pub on_time_rate: Option<f64>,
    /// Ratings given that month.
    pub ratings: Option<i64>,
    /// Satisfied share of that month's ratings; null when a count it needs is hidden.
    pub satisfied_share: Option<f64>,
}

/// One field of procedures in a unit's published figures.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct PublicField {
    /// The field (lĩnh vực).
    pub field: String,
    /// Dossiers of the field received in the period.
    pub received: Option<i64>,
    /// Dossiers of the field processed in the period.
    pub processed: Option<i64>,
    /// (early + on time) ÷ processed; null when a count it needs is hidden.
    pub on_time_rate: Option<f64>,
}

/// Letters issued in the period, by kind, as published.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct PublicLetters {
    /// Thư chúc mừng.
    pub congratulation: Option<i64>,
    /// Thư chia buồn.
    pub condolence: Option<i64>,
    /// Thư cảm ơn.
    pub thank_you: Option<i64>,
}

/// A unit's transparency figures: aggregates only, no names. Any count from 1 to 4 is null,
/// and so is a share computed from one, so that nobody in a small unit can be recognised.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(example)]
pub struct UnitFigures {
    /// The unit.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// The first day of the period (the unit's local date).
    pub from: NaiveDate,
    /// The last day of the period, included.
    pub to: NaiveDate,
    /// Counts below this (other than 0) are hidden as null.
    pub hidden_below: i64,
    /// Dossiers.
    pub dossiers: PublicDossiers,
    /// Ratings given in the period.
    pub ratings: Option<i64>,
    /// (very satisfied + satisfied) ÷ all ratings; null when a count it needs is hidden.
    pub satisfied_share: Option<f64>,
    /// Letters by kind.
    pub letters: PublicLetters,
    /// Month by month, oldest first.
    pub months: Vec<PublicMonth>,
    /// Dossiers by field, by name.
    pub fields: Vec<PublicField>,
}

impl Example for UnitFigures {
    fn example() -> Self {
        UnitFigures {
            unit_code: "000.20.33.H12".into(),
            unit_name: "UBND phường Lái Thiêu".into(),
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default(),
            hidden_below: SMALLEST_SHOWN,
            dossiers: PublicDossiers {
                received: Some(152),
                processed: Some(142),
                early: Some(101),
                on_time: Some(38),
                late: None,
                on_time_rate: None,
                open: Some(16),
                overdue: None,
            },
            ratings: Some(120),
            satisfied_share: Some(115.0 / 120.0),
            letters: PublicLetters { congratulation: Some(48), condolence: Some(11), thank_you: Some(6) },
            months: vec![PublicMonth {
                month: "2026-12".into(),
                processed: Some(20),
                on_time_rate: Some(0.95),
                ratings: None,
                satisfied_share: None,
            }],
            fields: vec![PublicField {
                field: "Hộ tịch".into(),
                received: Some(152),
                processed: Some(142),
                on_time_rate: None,
            }],
        }
    }
}
