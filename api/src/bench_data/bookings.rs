//! Citizens for the booking run: accounts with signed access tokens (they never log in), and
//! the bench unit's bookable slots over the coming weeks, written out for the load generator.

use std::io::Write;

use chrono::{DateTime, Days, Utc};
use entity::{unit, user, values::Role};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::{BENCH_UNIT, fixtures};
use crate::{appointments::Desk, auth::tokens::claims_for, domain::slots, keys::Keys};

/// Seats per slot at the bench unit: the most a unit may have, so that the run measures
/// booking, not a full calendar.
const BENCH_SEATS: i32 = 200;
const BATCH: u64 = 1_000;

/// Adds `citizens` citizens; writes one access token a line to `tokens` (valid for
/// `token_ttl`) and the bench unit's bookable slot starts to `slot_starts`. Returns how many
/// slots there are.
pub async fn seed_bookers(
    db: &DatabaseConnection,
    keys: &Keys,
    (citizens, token_ttl): (u64, std::time::Duration),
    (tokens, slot_starts): (&mut impl Write, &mut impl Write),
    now: DateTime<Utc>,
) -> Result<usize, Box<dyn std::error::Error>> {
    let (unit_id, _, _) = fixtures(db, now).await?;
    unit::Entity::update_many()
        .col_expr(unit::Column::AppointmentSeats, Expr::value(BENCH_SEATS))
        .filter(unit::Column::Id.eq(unit_id))
        .exec(db)
        .await?;
    let mut next = 0;
    while next < citizens {
        let end = (next + BATCH).min(citizens);
        let batch: Vec<(Uuid, user::ActiveModel)> = (next..end)
            .map(|i| {
                let id = Uuid::now_v7();
                let account = user::ActiveModel {
                    id: Set(id),
                    phone: Set(format!("+8497{i:07}")),
                    full_name: Set("Công dân đo tải".into()),
                    // Not a PHC string: these accounts never log in.
                    password_hash: Set("!".into()),
                    role: Set(Role::Citizen),
                    unit_id: Set(None),
                    active: Set(true),
                    letters_opt_out: Set(false),
                    phone_verified_at: Set(Some(now)),
                    must_change_password: Set(false),
                    oidc_subject: Set(None),
                    deleted_at: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                };
                (id, account)
            })
            .collect();
        for (id, _) in &batch {
            let claims = claims_for(*id, Role::Citizen, None, Uuid::new_v4(), now, token_ttl);
            writeln!(tokens, "{}", keys.tokens.sign(&claims)?)?;
        }
        user::Entity::insert_many(batch.into_iter().map(|(_, account)| account)).exec(db).await?;
        next = end;
    }
    let unit = unit::Entity::find()
        .filter(unit::Column::Code.eq(BENCH_UNIT))
        .one(db)
        .await?
        .ok_or("no bench unit")?;
    let desk = Desk::of(db, unit).await?;
    let today = desk.calendar.local_date(now);
    let mut count = 0;
    for ahead in 1..u64::from(desk.rules.horizon_days) {
        let Some(day) = today.checked_add_days(Days::new(ahead)) else { break };
        for slot in slots::slots_on(&desk.calendar, day, desk.rules.slot_minutes) {
            writeln!(slot_starts, "{}", slot.start.to_rfc3339())?;
            count += 1;
        }
    }
    Ok(count)
}
