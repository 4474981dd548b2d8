//! Publishing a unit's counts: aggregates only, any count from 1 to 4 hidden, and any share
//! computed from a hidden count hidden too (see [`crate::domain::report::published_parts`]).

use entity::unit;

use super::{figures::UnitCounts, public_dto::*};
use crate::domain::{
    rating::LevelCounts,
    report::{DossierCounts, Period, SMALLEST_SHOWN, published, published_parts, published_share},
};

/// Processed dossiers as published: early, on time, late (each hidden as its table needs),
/// the total, and the on-time rate when all of them are shown.
fn processed(c: &DossierCounts) -> ([Option<i64>; 3], Option<i64>, Option<f64>) {
    let parts = published_parts(&[c.early, c.on_time, c.late]);
    let total = published(c.processed());
    let mut inputs = parts.clone();
    inputs.push(total);
    let rate = published_share(c.early + c.on_time, c.processed(), &inputs);
    ([parts[0], parts[1], parts[2]], total, rate)
}

/// Ratings as published: how many, and the satisfied share when every level is shown.
fn rated(levels: &LevelCounts) -> (Option<i64>, Option<f64>) {
    let counts = [levels.very_satisfied as i64, levels.satisfied as i64, levels.not_satisfied as i64];
    let mut inputs = published_parts(&counts);
    let total = published(levels.total() as i64);
    inputs.push(total);
    let share = published_share(counts[0] + counts[1], levels.total() as i64, &inputs);
    (total, share)
}

/// The published figures of a unit's counts over a period.
pub fn publish(unit: &unit::Model, period: &Period, counts: &UnitCounts) -> UnitFigures {
    let total = &counts.total;
    let ([early, on_time, late], processed_total, on_time_rate) = processed(total);
    let open = published_parts(&[total.open_in_time, total.open_overdue]);
    let (ratings, satisfied_share) = rated(&counts.levels);
    let letters = &counts.letters;
    UnitFigures {
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        from: period.from,
        to: period.to,
        hidden_below: SMALLEST_SHOWN,
        dossiers: PublicDossiers {
            received: published(total.received()),
            processed: processed_total,
            early,
            on_time,
            late,
            on_time_rate,
            open: published(total.open()),
            overdue: open[1],
        },
        ratings,
        satisfied_share,
        letters: PublicLetters {
            congratulation: published(letters.congratulation),
            condolence: published(letters.condolence),
            thank_you: published(letters.thank_you),
        },
        months: counts
            .months
            .iter()
            .map(|(label, dossiers, levels)| {
                let (_, processed, on_time_rate) = processed(dossiers);
                let (ratings, satisfied_share) = rated(levels);
                PublicMonth { month: label.clone(), processed, on_time_rate, ratings, satisfied_share }
            })
            .collect(),
        fields: counts
            .fields
            .iter()
            .map(|group| {
                let (_, processed, on_time_rate) = processed(&group.counts);
                PublicField {
                    field: group.name.clone(),
                    received: published(group.counts.received()),
                    processed,
                    on_time_rate,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::{dto::LetterFigures, figures::Group};

    fn unit() -> unit::Model {
        unit::Model {
            id: uuid::Uuid::nil(),
            code: "000.20.33.H12".into(),
            name: "UBND phường Lái Thiêu".into(),
            kind: entity::values::UnitKind::Ward,
            parent_id: None,
            address: None,
            locality: None,
            active: true,
            time_zone: "Asia/Ho_Chi_Minh".into(),
            opening_hours: "{}".into(),
            intake_cutoff: "15:00".into(),
            counters: 1,
            slot_minutes: 15,
            appointment_seats: None,
            min_lead_minutes: 0,
            booking_horizon_days: 30,
            cancel_cutoff_minutes: 0,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn period() -> Period {
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        Period { from: day(1, 1), to: day(12, 31) }
    }

    fn counts(total: DossierCounts, levels: LevelCounts) -> UnitCounts {
        UnitCounts {
            fields: vec![Group { key: "Hộ tịch".into(), name: "Hộ tịch".into(), counts: total }],
            total,
            levels,
            letters: LetterFigures { congratulation: 12, condolence: 3, thank_you: 0 },
            months: vec![("2026-12".into(), total, levels)],
        }
    }

    #[test]
    fn large_counts_are_published_with_their_rates() {
        let total = DossierCounts {
            received_desk_or_post: 60,
            early: 30,
            on_time: 20,
            late: 10,
            open_in_time: 8,
            open_overdue: 6,
            ..Default::default()
        };
        let levels = LevelCounts { very_satisfied: 20, satisfied: 15, not_satisfied: 5 };
        let figures = publish(&unit(), &period(), &counts(total, levels));
        assert_eq!(
            figures.dossiers,
            PublicDossiers {
                received: Some(60),
                processed: Some(60),
                early: Some(30),
                on_time: Some(20),
                late: Some(10),
                on_time_rate: Some(50.0 / 60.0),
                open: Some(14),
                overdue: Some(6),
            }
        );
        assert_eq!((figures.ratings, figures.satisfied_share), (Some(40), Some(35.0 / 40.0)));
        assert_eq!(figures.months[0].on_time_rate, Some(50.0 / 60.0));
        assert_eq!(figures.fields[0].on_time_rate, Some(50.0 / 60.0));
        assert_eq!(figures.hidden_below, 5);
    }

    #[test]
    fn small_cells_and_the_rates_made_from_them_are_hidden() {
        let total = DossierCounts {
            received_online: 3,
            early: 40,
            on_time: 20,
            late: 2,
            open_overdue: 1,
            ..Default::default()
        };
        let levels = LevelCounts { very_satisfied: 9, satisfied: 6, not_satisfied: 1 };
        let figures = publish(&unit(), &period(), &counts(total, levels));
        let d = &figures.dossiers;
        assert_eq!(
            (d.received, d.processed, d.early, d.on_time, d.late),
            (None, Some(62), Some(40), None, None)
        );
        assert_eq!((d.on_time_rate, d.open, d.overdue), (None, None, None));
        assert_eq!((figures.ratings, figures.satisfied_share), (Some(16), None));
        assert_eq!(
            (figures.letters.congratulation, figures.letters.condolence, figures.letters.thank_you),
            (Some(12), None, Some(0))
        );
        assert_eq!((figures.months[0].on_time_rate, figures.months[0].satisfied_share), (None, None));
        assert_eq!(figures.fields[0].received, None);
    }
}
