//! Pages of a list: `?page=&per_page=` in, `{items, page, per_page, total}` out; or, for a
//! list that grows at its head while it is read (an inbox, a feed), `?cursor=&limit=` in and
//! `{items, next_cursor}` out, which neither skips nor repeats an item when new ones arrive.
//!
//! Every list declares `page` (from 1) and `per_page` (1–100) with validators, so the spec
//! states the range and a value outside it is one answer everywhere: 422 naming the
//! parameter. What reaches [`PageQuery`] is in range; it only fills in the defaults.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use poem_openapi::{
    Object,
    types::{ParseFromJSON, ToJSON},
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QuerySelect, Select};
use uuid::Uuid;

use crate::error::ApiError;

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

pub const DEFAULT_LIMIT: u64 = 20;

/// `limit` (1 to 100, default 20) of a cursor-paged list, in range by its validator.
pub fn limit(limit: Option<i64>) -> u64 {
    limit.map_or(DEFAULT_LIMIT, |n| n.clamp(1, MAX_PER_PAGE as i64) as u64)
}

/// Where the next page of a list read newest first by `(created_at, id)` starts: the last item
/// of the page before. Clients get it as an opaque string and hand it back unchanged; its
/// form may change, so it is not documented beyond that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let position = format!("{}.{}", self.created_at.timestamp_micros(), self.id.simple());
        URL_SAFE_NO_PAD.encode(position)
    }

    /// The cursor a client sent back; a string this server did not make is 422.
    pub fn decode(text: &str) -> Result<Cursor, ApiError> {
        let invalid = invalid_cursor;
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let position = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
        let (micros, id) = position.split_once('.').ok_or_else(invalid)?;
        let created_at =
            micros.parse().ok().and_then(DateTime::<Utc>::from_timestamp_micros).ok_or_else(invalid)?;
        let id = Uuid::try_parse(id).map_err(|_| invalid())?;
        Ok(Cursor { created_at, id })
    }
}

/// 422 for a `cursor` this server did not make.
pub fn invalid_cursor() -> ApiError {
    ApiError::invalid_field(
        "cursor",
        "Con trỏ trang không hợp lệ: hãy dùng nguyên giá trị next_cursor đã nhận.",
        "The cursor is not valid: pass back next_cursor exactly as it was received.",
    )
}

/// The cursor of the page after `items`, read with one row more than `limit` to know whether
/// there is one; drops that extra row.
pub fn next_cursor<T>(items: &mut Vec<T>, limit: u64, position: impl Fn(&T) -> Cursor) -> Option<String> {
    if items.len() as u64 <= limit {
        return None;
    }
    items.truncate(limit as usize);
    items.last().map(|last| position(last).encode())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_comes_back_as_it_went_out() {
        let cursor = Cursor {
            created_at: DateTime::<Utc>::from_timestamp_micros(1_795_000_000_123_456).unwrap(),
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
    }

    #[test]
    fn a_cursor_the_server_did_not_make_is_refused() {
        for text in [
            "",
            "abc",
            "MTIz",
            &URL_SAFE_NO_PAD.encode("x.y"),
            &URL_SAFE_NO_PAD.encode("99999999999999999999.0"),
        ] {
            assert_eq!(
                Cursor::decode(text).unwrap_err().status(),
                poem::http::StatusCode::UNPROCESSABLE_ENTITY
            );
        }
    }

    #[test]
    fn the_next_cursor_points_at_the_last_item_kept() {
        let at = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap();
        let ids: Vec<Uuid> = (0..3).map(Uuid::from_u128).collect();
        let mut page = ids.clone();
        let next = next_cursor(&mut page, 2, |id| Cursor { created_at: at, id: *id });
        assert_eq!(page, ids[..2]);
        assert_eq!(Cursor::decode(&next.unwrap()).unwrap().id, ids[1]);
        let mut last = ids[..2].to_vec();
        assert_eq!(next_cursor(&mut last, 2, |id| Cursor { created_at: at, id: *id }), None);
    }

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
