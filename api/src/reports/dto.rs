//! What the report and the public figures answer.

use chrono::NaiveDate;
use entity::values::ComplaintCategory;
use poem_openapi::{Enum, Object, types::Example};
use uuid::Uuid;

use crate::domain::report::DossierCounts;

/// How the report's dossier rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum GroupBy {
    /// By the procedure's field (lĩnh vực), as form II.06a lists them.
    Field,
    /// By procedure.
    Procedure,
    /// By the officer who received the dossier.
    Officer,
}

/// How the report answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ReportFormat {
    /// The whole report as JSON.
    Json,
    /// The dossier table as a spreadsheet file (UTF-8 with a BOM).
    Csv,
}

/// One row of the dossier table (form II.06a/VPCP/KSTT): a group, or the total.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct DossierRow {
    /// The group: the field's name, the procedure's code or the officer's id; `total` on the
    /// total row.
    pub key: String,
    /// What the group is called: the field, the procedure's name or the officer's full name.
    pub name: String,
    /// Received in the period: online plus at the desk or by post.
    pub received: i64,
    /// Received online in the period.
    pub received_online: i64,
    /// Received at the desk or by post in the period.
    pub received_desk_or_post: i64,
    /// Received before the period and still open at its start.
    pub carried_over: i64,
    /// Processed in the period: early plus on time plus late.
    pub processed: i64,
    /// Processed before the due day.
    pub early: i64,
    /// Processed on the due day (in time).
    pub on_time: i64,
    /// Processed after the due date.
    pub late: i64,
    /// (early + on time) ÷ processed; none when nothing was processed.
    pub on_time_rate: Option<f64>,
    /// Still open at the end of the period.
    pub open: i64,
    /// Open at the end of the period, before the due date (or paused before it).
    pub open_in_time: i64,
    /// Open at the end of the period, past the due date.
    pub open_overdue: i64,
    /// Withdrawn by the citizen in the period: neither processed nor open.
    pub withdrawn: i64,
    /// Refused at intake in the period: neither processed nor open.
    pub refused: i64,
    /// Stopped in the period: neither processed nor open.
    pub stopped: i64,
}

impl DossierRow {
    pub fn of(key: String, name: String, c: &DossierCounts) -> DossierRow {
        DossierRow {
            key,
            name,
            received: c.received(),
            received_online: c.received_online,
            received_desk_or_post: c.received_desk_or_post,
            carried_over: c.carried_over,
            processed: c.processed(),
            early: c.early,
            on_time: c.on_time,
            late: c.late,
            on_time_rate: c.on_time_rate(),
            open: c.open(),
            open_in_time: c.open_in_time,
            open_overdue: c.open_overdue,
            withdrawn: c.withdrawn,
            refused: c.refused,
            stopped: c.stopped,
        }
    }
}

/// Appointments whose slot fell in the period, and the desk's queue times.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct AppointmentFigures {
    /// Booked and not cancelled.
    pub booked: i64,
    /// Served at the desk.
    pub served: i64,
    /// The citizen did not come.
    pub no_show: i64,
    /// Cancelled by the citizen, the unit or the system.
    pub cancelled: i64,
    /// Median seconds from check-in to the first call, over the desk tickets checked in during
    /// the period (walk-ins too); none without calls.
    pub median_wait_seconds: Option<i64>,
    /// Median seconds from the first call to done, over the tickets served.
    pub median_service_seconds: Option<i64>,
}

/// Ratings by the three national levels.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct LevelFigures {
    /// Rất hài lòng.
    pub very_satisfied: i64,
    /// Hài lòng.
    pub satisfied: i64,
    /// Không hài lòng.
    pub not_satisfied: i64,
    /// All ratings.
    pub total: i64,
    /// (very satisfied + satisfied) ÷ all; none without ratings.
    pub satisfied_share: Option<f64>,
}

/// One officer's ratings in the period.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct OfficerRatings {
    /// The officer rated.
    pub officer_id: Uuid,
    /// Their full name.
    pub officer_name: String,
    /// Their ratings by level.
    #[oai(flatten)]
    pub levels: LevelFigures,
}

/// Ratings given in the period about the units' officers.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct RatingFigures {
    /// All of them by level.
    pub levels: LevelFigures,
    /// Per officer, by name.
    pub officers: Vec<OfficerRatings>,
}

/// Complaints received in the period, by where they stand (by outcome once resolved).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Object)]
pub struct ComplaintCounts {
    /// All received.
    pub total: i64,
    /// Received, accepted or under investigation.
    pub open: i64,
    /// Not accepted for handling.
    pub not_accepted: i64,
    /// Dismissed.
    pub dismissed: i64,
    /// Withdrawn by the citizen.
    pub withdrawn: i64,
    /// Resolved as not substantiated.
    pub unfounded: i64,
    /// Resolved: the officer was reminded.
    pub reminded: i64,
    /// Resolved: the officer was warned.
    pub warned: i64,
    /// Resolved: the officer was moved to other work.
    pub rotated: i64,
    /// Resolved: disciplinary action.
    pub disciplined: i64,
}

/// Complaints of one category received in the period.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct ComplaintRow {
    /// What they are about.
    pub category: ComplaintCategory,
    /// Where they stand.
    #[oai(flatten)]
    pub counts: ComplaintCounts,
}

/// Letters issued in the period, by kind.
#[derive(Debug, Clone, Default, PartialEq, Object)]
pub struct LetterFigures {
    /// Thư chúc mừng.
    pub congratulation: i64,
    /// Thư chia buồn.
    pub condolence: i64,
    /// Thư cảm ơn.
    pub thank_you: i64,
}

/// A unit's review report for a period.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(example)]
pub struct ReportSummary {
    /// The unit reported on.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// The first day of the period (the unit's local date).
    pub from: NaiveDate,
    /// The last day of the period, included.
    pub to: NaiveDate,
    /// Whether the units below it are counted too.
    pub include_sub_units: bool,
    /// How the dossier rows are grouped.
    pub group_by: GroupBy,
    /// The dossier table, one row per group (by name), in the columns of form II.06a.
    pub dossiers: Vec<DossierRow>,
    /// The sum of the dossier rows.
    pub dossiers_total: DossierRow,
    /// Appointments and queue times.
    pub appointments: AppointmentFigures,
    /// Ratings by level and per officer.
    pub ratings: RatingFigures,
    /// Complaints by category and outcome.
    pub complaints: Vec<ComplaintRow>,
    /// Letters by kind.
    pub letters: LetterFigures,
}

impl Example for ReportSummary {
    fn example() -> Self {
        let field = DossierCounts {
            received_online: 12,
            received_desk_or_post: 140,
            carried_over: 9,
            early: 101,
            on_time: 38,
            late: 3,
            open_in_time: 15,
            open_overdue: 1,
            withdrawn: 2,
            refused: 1,
            stopped: 0,
        };
        ReportSummary {
            unit_code: "000.20.33.H12".into(),
            unit_name: "UBND phường Lái Thiêu".into(),
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default(),
            include_sub_units: false,
            group_by: GroupBy::Field,
            dossiers: vec![DossierRow::of("Hộ tịch".into(), "Hộ tịch".into(), &field)],
            dossiers_total: DossierRow::of("total".into(), "Tổng cộng".into(), &field),
            appointments: AppointmentFigures {
                booked: 240,
                served: 221,
                no_show: 19,
                cancelled: 30,
                median_wait_seconds: Some(420),
                median_service_seconds: Some(540),
            },
            ratings: RatingFigures {
                levels: LevelFigures {
                    very_satisfied: 80,
                    satisfied: 35,
                    not_satisfied: 5,
                    total: 120,
                    satisfied_share: Some(115.0 / 120.0),
                },
                officers: vec![OfficerRatings {
                    officer_id: Uuid::from_u128(0x0193_8a1e_6c2b_7d4e_9f10_3a5b_7c9d_1e2f),
                    officer_name: "Trần Thị Bình".into(),
                    levels: LevelFigures {
                        very_satisfied: 80,
                        satisfied: 35,
                        not_satisfied: 5,
                        total: 120,
                        satisfied_share: Some(115.0 / 120.0),
                    },
                }],
            },
            complaints: vec![ComplaintRow {
                category: ComplaintCategory::Discourtesy,
                counts: ComplaintCounts { total: 2, open: 1, unfounded: 1, ..Default::default() },
            }],
            letters: LetterFigures { congratulation: 48, condolence: 11, thank_you: 6 },
        }
    }
}
