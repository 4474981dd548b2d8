//! Pages of a list: `?page=&per_page=` in, `{items, page, per_page, total}` out.
//!
//! Every list declares `page` (from 1) and `per_page` (1–100) with validators, so the spec
//! states the range and a value outside it is one answer everywhere: 422 naming the
//! parameter. What reaches [`PageQuery`] is in range; it only fills in the defaults.

use poem_openapi::{
    Object,
    types::{ParseFromJSON, ToJSON},
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QuerySelect, Select};

pub const DEFAULT_PER_PAGE: u64 = 20;
pub const MAX_PER_PAGE: u64 = 100;

/// `page` (from 1) and `per_page` (1 to 100, default 20) brought into range. The parameters
/// are signed (`int64` in the spec, as every client has them); their validators keep them in
/// range, so this only fills in defaults for what was left out.
pub fn clamp(page: Option<i64>, per_page: Option<i64>) -> (u64, u64) {
    let page = page.unwrap_or(1).max(1) as u64;
    let per_page = (per_page.unwrap_or(DEFAULT_PER_PAGE as i64).clamp(1, MAX_PER_PAGE as i64)) as u64;
    (page, per_page)
}

/// Which page of a list to read, already clamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
    pub page: u64,
    pub per_page: u64,
}

impl PageQuery {
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> PageQuery {
        let (page, per_page) = clamp(page, per_page);
        PageQuery { page, per_page }
    }

    /// How many rows come before this page; capped where databases' signed 64-bit offsets end,
    /// so an absurd page number reads an empty page instead of failing.
    pub fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(self.per_page).min(i64::MAX as u64)
    }
}

/// One page of a query's rows and how many rows the whole query has: the one way a list
/// is read, so every list counts and pages alike.
pub async fn fetch_page<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    page: PageQuery,
) -> Result<(Vec<E::Model>, u64), DbErr>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let total = query.clone().count(db).await?;
    let items = query.offset(page.offset()).limit(page.per_page).all(db).await?;
    Ok((items, total))
}

/// One page of a list.
#[derive(Debug, Clone, Object)]
pub struct Page<T: ParseFromJSON + ToJSON + Send + Sync> {
    /// The items of this page, in the list's stable order.
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u64,
    /// The page size used (1–100).
    pub per_page: u64,
    /// How many items the whole list has, over all pages.
    pub total: u64,
}

impl<T: ParseFromJSON + ToJSON + Send + Sync> Page<T> {
    pub fn new(items: Vec<T>, query: PageQuery, total: u64) -> Page<T> {
        Page { items, page: query.page, per_page: query.per_page, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_default_to_the_first_twenty() {
        assert_eq!(clamp(None, None), (1, 20));
    }

    #[test]
    fn out_of_range_values_are_brought_into_range() {
        assert_eq!(clamp(Some(0), Some(0)), (1, 1));
        assert_eq!(clamp(Some(3), Some(500)), (3, 100));
        assert_eq!(clamp(Some(2), Some(100)), (2, 100));
    }

    #[test]
    fn the_offset_skips_the_earlier_pages() {
        assert_eq!(PageQuery::new(Some(3), Some(10)).offset(), 20);
        assert_eq!(PageQuery::new(Some(i64::MAX), Some(100)).offset(), i64::MAX as u64);
    }
}
