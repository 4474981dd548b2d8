//! The figures of a unit over a period, put together from the store's aggregates: the review
//! report whole, and the counts the public figures are published from. Both read the same
//! store functions, so a number means the same thing wherever it is shown.

use std::collections::{BTreeMap, HashMap};

use chrono_tz::Tz;
use entity::{procedure, unit, values::LetterKind};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    dto::*,
    store::{self, DossierKey, Scope},
};
use crate::{
    accounts::store::users_by_id,
    domain::{
        rating::LevelCounts,
        report::{DossierCounts, Month, Period},
    },
    error::ApiResult,
};

/// A unit's time zone (Vietnam's where the stored one is unknown).
pub fn zone_of(unit: &unit::Model) -> Tz {
    unit.time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh)
}

/// The units and instants a period of a unit covers.
pub fn scope_of(units: Vec<Uuid>, period: &Period, zone: Tz) -> Scope {
    let (start, end) = period.bounds(zone);
    Scope { units, start, end }
}

/// One group of the dossier table.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: String,
    pub name: String,
    pub counts: DossierCounts,
}

/// The dossier table grouped as asked, by name: counted per procedure or receiving officer in
/// SQL, procedures then merged by field.
pub async fn dossier_groups(
    db: &impl ConnectionTrait,
    scope: &Scope,
    group_by: GroupBy,
) -> ApiResult<Vec<Group>> {
    let key = if group_by == GroupBy::Officer { DossierKey::Officer } else { DossierKey::Procedure };
    let rows = store::dossier_counts(db, scope, key).await?;
    let ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
    let names: HashMap<Uuid, (String, String)> = match group_by {
        GroupBy::Officer => {
            users_by_id(db, ids).await?.into_iter().map(|u| (u.id, (u.id.to_string(), u.full_name))).collect()
        }
        GroupBy::Procedure | GroupBy::Field => procedure::Entity::find()
            .filter(procedure::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| {
                let named =
                    if group_by == GroupBy::Field { (p.field.clone(), p.field) } else { (p.code, p.name) };
                (p.id, named)
            })
            .collect(),
    };
    let mut merged: BTreeMap<(String, String), DossierCounts> = BTreeMap::new();
    for (id, counts) in rows {
        let (key, name) = names.get(&id).cloned().unwrap_or_else(|| (id.to_string(), String::new()));
        merged.entry((name, key)).or_default().add(&counts);
    }
    Ok(merged.into_iter().map(|((name, key), counts)| Group { key, name, counts }).collect())
}

/// Letters by kind.
pub async fn letter_figures(db: &impl ConnectionTrait, scope: &Scope) -> ApiResult<LetterFigures> {
    let mut letters = LetterFigures::default();
    for (kind, n) in store::letters(db, scope).await? {
        match kind {
            LetterKind::Congratulation => letters.congratulation += n,
            LetterKind::Condolence => letters.condolence += n,
            LetterKind::ThankYou => letters.thank_you += n,
        }
    }
    Ok(letters)
}

fn add_levels(total: &mut LevelCounts, more: &LevelCounts) {
    total.very_satisfied += more.very_satisfied;
    total.satisfied += more.satisfied;
    total.not_satisfied += more.not_satisfied;
}

fn level_figures(levels: &LevelCounts) -> LevelFigures {
    LevelFigures {
        very_satisfied: levels.very_satisfied as i64,
        satisfied: levels.satisfied as i64,
        not_satisfied: levels.not_satisfied as i64,
        total: levels.total() as i64,
        satisfied_share: levels.satisfied_share(),
    }
}

/// What the report asks for.
pub struct ReportRequest<'a> {
    pub unit: &'a unit::Model,
    pub units: Vec<Uuid>,
    pub period: Period,
    pub include_sub_units: bool,
    pub group_by: GroupBy,
}

/// The whole review report.
pub async fn summary(db: &impl ConnectionTrait, request: ReportRequest<'_>) -> ApiResult<ReportSummary> {
    let scope = scope_of(request.units, &request.period, zone_of(request.unit));
    let groups = dossier_groups(db, &scope, request.group_by).await?;
    let total = DossierCounts::total(groups.iter().map(|g| &g.counts));
    let visits = store::visits(db, &scope).await?;
    let by_officer = store::ratings_by_officer(db, &scope).await?;
    let names: HashMap<Uuid, String> = users_by_id(db, by_officer.iter().map(|(id, _)| *id).collect())
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name))
        .collect();
    let mut levels = LevelCounts::default();
    let mut officers: Vec<OfficerRatings> = by_officer
        .iter()
        .map(|(id, counts)| {
            add_levels(&mut levels, counts);
            OfficerRatings {
                officer_id: *id,
                officer_name: names.get(id).cloned().unwrap_or_default(),
                levels: level_figures(counts),
            }
        })
        .collect();
    officers.sort_by(|a, b| (&a.officer_name, a.officer_id).cmp(&(&b.officer_name, b.officer_id)));
    let mut complaints: Vec<ComplaintRow> = store::complaints(db, &scope)
        .await?
        .into_iter()
        .map(|(category, counts)| ComplaintRow { category, counts })
        .collect();
    complaints.sort_by_key(|row| row.category);
    let seconds = |s: Option<f64>| s.map(|s| s.round() as i64);
    Ok(ReportSummary {
        unit_code: request.unit.code.clone(),
        unit_name: request.unit.name.clone(),
        from: request.period.from,
        to: request.period.to,
        include_sub_units: request.include_sub_units,
        group_by: request.group_by,
        dossiers: groups.iter().map(|g| DossierRow::of(g.key.clone(), g.name.clone(), &g.counts)).collect(),
        dossiers_total: DossierRow::of("total".into(), "Tổng cộng".into(), &total),
        appointments: AppointmentFigures {
            booked: visits.booked,
            served: visits.served,
            no_show: visits.no_show,
            cancelled: visits.cancelled,
            median_wait_seconds: seconds(visits.median_wait),
            median_service_seconds: seconds(visits.median_service),
        },
        ratings: RatingFigures { levels: level_figures(&levels), officers },
        complaints,
        letters: letter_figures(db, &scope).await?,
    })
}

/// The raw counts a unit's public figures are published from (see [`super::public`]).
pub struct UnitCounts {
    pub fields: Vec<Group>,
    pub total: DossierCounts,
    pub levels: LevelCounts,
    pub letters: LetterFigures,
    /// Per month of the period: its label, dossiers processed and ratings given.
    pub months: Vec<(String, DossierCounts, LevelCounts)>,
}

/// A unit's own counts over a period, for publishing.
pub async fn unit_counts(
    db: &impl ConnectionTrait,
    unit: &unit::Model,
    period: &Period,
) -> ApiResult<UnitCounts> {
    let zone = zone_of(unit);
    let scope = scope_of(vec![unit.id], period, zone);
    let fields = dossier_groups(db, &scope, GroupBy::Field).await?;
    let total = DossierCounts::total(fields.iter().map(|g| &g.counts));
    let months: Vec<Month> = period.months(zone);
    let processed = store::processed_by_month(db, &scope, &months).await?;
    let rated = store::ratings_by_month(db, &scope, &months).await?;
    let mut levels = LevelCounts::default();
    for month in rated.values() {
        add_levels(&mut levels, month);
    }
    let months = months
        .into_iter()
        .enumerate()
        .map(|(i, month)| {
            let i = i as i64;
            (
                month.label,
                processed.get(&i).copied().unwrap_or_default(),
                rated.get(&i).copied().unwrap_or_default(),
            )
        })
        .collect();
    Ok(UnitCounts { fields, total, levels, letters: letter_figures(db, &scope).await?, months })
}
