//! A year of a busy desk for the report's benchmark: each bench dossier's life, worked out
//! from its number, so that a million of them are spread over 2025 (one every 31.5 seconds)
//! with the mix a review report meets: mostly processed (early, on time, some late), some
//! returned, withdrawn, refused, stopped, open or waiting for a supplement, received online,
//! at the desk or by post, by three officers. And the supervisor who reads the report, and an
//! integrator's key.

use chrono::{DateTime, Duration, Utc};
use entity::{
    unit, user,
    values::{ApiScope, Channel, DossierStatus, Role, Timeliness},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{auth::tokens::claims_for, keys::Keys};

/// Where the bench year starts.
const YEAR_START: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z
/// A million dossiers in 365 days.
const SPACING_MS: i64 = 31_536;
/// How many working days a bench dossier has: its due date is three days after intake.
const PROCESSING_DAYS: i64 = 3;

/// What happened to bench dossier number `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub channel: Channel,
    pub status: DossierStatus,
    pub completed_at: Option<DateTime<Utc>>,
    pub timeliness: Option<Timeliness>,
    pub paused_at: Option<DateTime<Utc>>,
    /// When it was refused, withdrawn or stopped.
    pub ended_at: Option<DateTime<Utc>>,
    /// Which of the bench officers received it.
    pub officer: usize,
}

/// Bench dossier number `i`'s life.
pub fn history(i: u64) -> History {
    let received_at = DateTime::from_timestamp(YEAR_START, 0).unwrap_or_default()
        + Duration::milliseconds(i as i64 * SPACING_MS);
    let day = Duration::days(1);
    let (status, days_to_result) = match i % 20 {
        0..=12 => (DossierStatus::Processed, [1, 2, 2, 3, 1, 2, 3, 2, 1, 4, 2, 3, 1][(i % 20) as usize]),
        13 => (DossierStatus::Returned, 2),
        14 => (DossierStatus::Withdrawn, 0),
        15 => (DossierStatus::InProgress, 0),
        16 => (DossierStatus::SupplementRequested, 0),
        17 => (DossierStatus::Refused, 0),
        18 => (DossierStatus::Stopped, 0),
        _ => (DossierStatus::Processed, 6),
    };
    let completed_at = (days_to_result > 0).then(|| received_at + day * days_to_result as i32);
    let timeliness = (days_to_result > 0).then_some(match days_to_result {
        d if d < PROCESSING_DAYS => Timeliness::Early,
        PROCESSING_DAYS => Timeliness::OnTime,
        _ => Timeliness::Late,
    });
    let ended = matches!(status, DossierStatus::Withdrawn | DossierStatus::Refused | DossierStatus::Stopped);
    History {
        received_at,
        due_at: received_at + day * PROCESSING_DAYS as i32,
        channel: match (status, i % 10) {
            (DossierStatus::Refused, _) | (_, 0) => Channel::Online,
            (_, 5) => Channel::Post,
            _ => Channel::Desk,
        },
        status,
        completed_at,
        timeliness,
        paused_at: (status == DossierStatus::SupplementRequested).then_some(received_at + day),
        ended_at: ended.then_some(received_at + day),
        officer: (i % 3) as usize,
    }
}

/// The bench unit's three officers (the first is the fixtures' own), made on first use.
pub async fn officers(
    db: &DatabaseConnection,
    unit_id: Uuid,
    first: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    let mut ids = vec![first];
    for (phone, name) in [("+84900099997", "Cán bộ đo tải 2"), ("+84900099996", "Cán bộ đo tải 3")]
    {
        ids.push(account(db, unit_id, phone, name, Role::Officer, now).await?);
    }
    Ok(ids)
}

/// An account of the bench unit by phone, made on first use (it can never log in).
async fn account(
    db: &DatabaseConnection,
    unit_id: Uuid,
    phone: &str,
    name: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    if let Some(found) = user::Entity::find().filter(user::Column::Phone.eq(phone)).one(db).await? {
        return Ok(found.id);
    }
    let id = Uuid::now_v7();
    user::Entity::insert(user::ActiveModel {
        id: Set(id),
        phone: Set(phone.into()),
        full_name: Set(name.into()),
        password_hash: Set("!".into()),
        role: Set(role),
        unit_id: Set(Some(unit_id)),
        active: Set(true),
        letters_opt_out: Set(false),
        phone_verified_at: Set(Some(now)),
        must_change_password: Set(false),
        oidc_subject: Set(None),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(id)
}

/// An access token of the bench unit's supervisor, who reads its report (once the bench
/// dossiers are seeded).
pub async fn supervisor_token(
    db: &DatabaseConnection,
    keys: &Keys,
    ttl: std::time::Duration,
    now: DateTime<Utc>,
) -> Result<String, Box<dyn std::error::Error>> {
    let unit = unit::Entity::find().filter(unit::Column::Code.eq(super::BENCH_UNIT)).one(db).await?;
    let unit = unit.ok_or("no bench unit: seed dossiers first")?;
    let id = account(db, unit.id, "+84900099995", "Lãnh đạo đo tải", Role::Supervisor, now).await?;
    let claims = claims_for(id, Role::Supervisor, Some(unit.code), Uuid::new_v4(), now, ttl);
    Ok(keys.tokens.sign(&claims)?)
}

/// A key of an integrator reading the bench unit's dossiers, with a rate limit no load
/// reaches: what `bench/run` loads the keyed read with.
pub async fn integrator_key(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<String, Box<dyn std::error::Error>> {
    let unit = unit::Entity::find().filter(unit::Column::Code.eq(super::BENCH_UNIT)).one(db).await?;
    let unit = unit.ok_or("no bench unit: seed dossiers first")?;
    let owner = account(db, unit.id, "+84900099995", "Lãnh đạo đo tải", Role::Supervisor, now).await?;
    let new = crate::integrations::keys::store::NewKey {
        name: "Cổng đo tải",
        scopes: &[ApiScope::DossiersRead],
        unit_id: Some(unit.id),
        rate_limit: Some(100_000),
        expires_at: None,
        created_by: owner,
    };
    let (_, key) = crate::integrations::keys::store::insert(db, new, now).await?;
    Ok(key.reveal())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_million_dossiers_fill_2025_with_the_mix_of_a_busy_desk() {
        assert_eq!(history(0).received_at.to_rfc3339(), "2025-01-01T00:00:00+00:00");
        assert_eq!(history(999_999).received_at.format("%Y-%m-%d").to_string(), "2025-12-31");
        let year: Vec<History> = (0..1000).map(history).collect();
        let count = |f: &dyn Fn(&History) -> bool| year.iter().filter(|h| f(h)).count();
        assert_eq!(count(&|h| h.timeliness == Some(Timeliness::Early)), 500);
        assert_eq!(count(&|h| h.timeliness == Some(Timeliness::OnTime)), 150);
        assert_eq!(count(&|h| h.timeliness == Some(Timeliness::Late)), 100);
        assert_eq!(count(&|h| h.ended_at.is_some()), 150);
        assert_eq!(count(&|h| h.paused_at.is_some()), 50);
        assert!(count(&|h| h.channel == Channel::Online) > 100);
        assert_eq!(count(&|h| h.officer == 2), 333);
    }
}
