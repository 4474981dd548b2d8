//! Sliding-window limits kept in the database, so they hold across every server process:
//! failed logins per phone and per client, public lookups per client and per code.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::throttle_hit;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

use crate::error::ApiError;

/// A limit of `max` hits per `window` in one bucket (e.g. `login:phone:+84912345678`).
#[derive(Debug, Clone)]
pub struct Limit {
    pub bucket: String,
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub fn new(bucket: impl Into<String>, max: u32, window: Duration) -> Limit {
        Limit { bucket: bucket.into(), max, window }
    }

    fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX)
    }

    /// Err(429 with `Retry-After`) while the bucket is full; a `max` of 0 means no limit.
    pub async fn check(&self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<(), ApiError> {
        if self.max == 0 {
            return Ok(());
        }
        let in_window = throttle_hit::Entity::find()
            .filter(throttle_hit::Column::Bucket.eq(&self.bucket))
            .filter(throttle_hit::Column::At.gt(self.window_start(now)));
        if in_window.clone().count(db).await? < u64::from(self.max) {
            return Ok(());
        }
        let oldest = in_window.order_by_asc(throttle_hit::Column::At).one(db).await?;
        let free_at =
            oldest.map_or(now, |hit| hit.at + chrono::Duration::from_std(self.window).unwrap_or_default());
        let wait = (free_at - now).num_seconds().max(1) as u64;
        Err(ApiError::too_many_requests(wait))
    }

    /// Counts one hit, and forgets hits that fell out of the window.
    pub async fn record(&self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<(), ApiError> {
        if self.max == 0 {
            return Ok(());
        }
        throttle_hit::Entity::delete_many()
            .filter(throttle_hit::Column::Bucket.eq(&self.bucket))
            .filter(throttle_hit::Column::At.lte(self.window_start(now)))
            .exec(db)
            .await?;
        throttle_hit::Entity::insert(throttle_hit::ActiveModel {
            bucket: Set(self.bucket.clone()),
            at: Set(now),
            ..Default::default()
        })
        .exec(db)
        .await?;
        Ok(())
    }
}
