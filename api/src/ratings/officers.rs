//! The public side of ratings: an officer's profile and a unit's ranking.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use entity::values::Role;
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    dto::{self, OfficerProfile, OfficerRanking, OfficerSort, OfficerUnit, PublicComment, RankedOfficer},
    rules, store,
};
use crate::{
    accounts::store::{staff_by_id, users_by_id},
    domain::rating::{LevelCounts, rank},
    error::{ApiError, ApiResult, FieldError},
    spec::ApiTags,
    state::AppState,
    units::store::{unit_by_code, unit_by_id},
};

/// How many approved comments a profile shows.
const RECENT_COMMENTS: u64 = 10;
/// The longest period a ranking covers.
const MAX_PERIOD_DAYS: i64 = 731;

fn shown_counts(counts: &LevelCounts) -> dto::LevelCounts {
    dto::LevelCounts {
        very_satisfied: counts.very_satisfied,
        satisfied: counts.satisfied,
        not_satisfied: counts.not_satisfied,
    }
}

fn by_officer(rows: Vec<store::LevelCount>) -> HashMap<Uuid, LevelCounts> {
    let mut counts: HashMap<Uuid, LevelCounts> = HashMap::new();
    for row in rows {
        counts.entry(row.officer_id).or_default().add(row.level, row.n.max(0) as u64);
    }
    counts
}

/// The period's first and last local days: by default the year up to today at the unit.
fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> ApiResult<(NaiveDate, NaiveDate)> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - Duration::days(364));
    if from > to || (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(ApiError::validation(vec![FieldError::new(
            "from",
            "Khoảng thời gian không hợp lệ: from không sau to, và dài tối đa 731 ngày.",
            "The period is invalid: from is not after to, and it spans at most 731 days.",
        )]));
    }
    Ok((from, to))
}

pub struct OfficersApi;

#[OpenApi(tag = "ApiTags::Ratings")]
impl OfficersApi {
    /// An officer's public profile
    ///
    /// Public, for officers and supervisors (others are 404): the name and unit, their ratings per level over all time, the
    /// satisfied share with its Wilson lower bound, and the latest approved comments (never
    /// who wrote them).
    #[oai(path = "/officers/:id", method = "get", operation_id = "get_officer_profile")]
    async fn profile(&self, state: Data<&AppState>, id: Path<Uuid>) -> ApiResult<Json<OfficerProfile>> {
        let officer = staff_by_id(&state.db, id.0)
            .await?
            .filter(|u| matches!(u.role, Role::Officer | Role::Supervisor))
            .ok_or_else(ApiError::not_found)?;
        let counts = by_officer(store::level_counts(&state.db, Some(officer.id), None).await?)
            .remove(&officer.id)
            .unwrap_or_default();
        let unit = match officer.unit_id {
            Some(id) => unit_by_id(&state.db, id).await?.map(|u| OfficerUnit { code: u.code, name: u.name }),
            None => None,
        };
        let comments = store::approved_comments(&state.db, officer.id, RECENT_COMMENTS).await?;
        Ok(Json(OfficerProfile {
            id: officer.id,
            full_name: officer.full_name,
            unit,
            n: counts.total(),
            counts: shown_counts(&counts),
            satisfied_share: counts.satisfied_share(),
            wilson_lower: counts.wilson_lower(),
            recent_comments: comments
                .into_iter()
                .filter_map(|r| {
                    Some(PublicComment { rated_at: r.rated_at, level: r.level, comment: r.comment? })
                })
                .collect(),
        }))
    }

    /// A unit's officers ranked by satisfaction
    ///
    /// Public: the officers rated at the unit in the period (and its current staff), ranked by
    /// the lower bound of the 95% Wilson interval on the satisfied share, ties to the larger
    /// count. Only officers with at least the unit's minimum of ratings (10 by default) are
    /// ranked; the rest follow as "not enough ratings yet". The period is in the unit's local
    /// dates, by default the year up to today.
    #[oai(path = "/units/:code/officers", method = "get", operation_id = "rank_unit_officers")]
    async fn ranking(
        &self,
        state: Data<&AppState>,
        /// The unit's code.
        code: Path<String>,
        /// The order: `satisfaction` (the only one, and the default).
        sort: Query<Option<OfficerSort>>,
        /// The first day counted (local date at the unit).
        from: Query<Option<NaiveDate>>,
        /// The last day counted.
        to: Query<Option<NaiveDate>>,
    ) -> ApiResult<Json<OfficerRanking>> {
        let _ = sort.0.unwrap_or(OfficerSort::Satisfaction);
        let unit =
            unit_by_code(&state.db, &code.to_ascii_uppercase()).await?.ok_or_else(ApiError::not_found)?;
        let zone: Tz = unit.time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
        let today = state.clock.now().with_timezone(&zone).date_naive();
        let (from, to) = period(from.0, to.0, today)?;
        let start_of = |day: NaiveDate| {
            zone.from_local_datetime(&day.and_time(NaiveTime::MIN)).earliest().map(|t| t.to_utc())
        };
        let (Some(since), Some(until)) = (start_of(from), start_of(to + Duration::days(1))) else {
            return Err(ApiError::not_found());
        };
        let rules = rules(&state.db, unit.id).await?;
        let mut counts =
            by_officer(store::level_counts(&state.db, None, Some((unit.id, since, until))).await?);
        for member in store::unit_staff(&state.db, unit.id).await? {
            counts.entry(member.id).or_default();
        }
        let names: HashMap<Uuid, String> = users_by_id(&state.db, counts.keys().copied().collect())
            .await?
            .into_iter()
            .map(|u| (u.id, u.full_name))
            .collect();
        let officers = counts
            .into_iter()
            .map(|(id, counts)| ((id, names.get(&id).cloned().unwrap_or_default()), counts))
            .collect();
        let ranked = rank(officers, rules.ranking_min_ratings.into(), |(_, name)| name.as_str());
        let items = ranked
            .into_iter()
            .enumerate()
            .map(|(place, row)| RankedOfficer {
                rank: row.ranked.then(|| u32::try_from(place + 1).unwrap_or(u32::MAX)),
                officer_id: row.officer.0,
                full_name: row.officer.1,
                n: row.counts.total(),
                counts: shown_counts(&row.counts),
                satisfied_share: row.counts.satisfied_share(),
                wilson_lower: row.counts.wilson_lower(),
                enough_ratings: row.ranked,
            })
            .collect();
        Ok(Json(OfficerRanking {
            unit_code: unit.code,
            from,
            to,
            min_ratings: rules.ranking_min_ratings,
            items,
        }))
    }
}
