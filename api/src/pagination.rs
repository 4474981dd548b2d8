//! Pages of list results: `?page=&per_page=` in, `{items, page, per_page, total}` out.

use poem_openapi::{
    Object,
    types::{ParseFromJSON, ToJSON},
};

/// The default number of items per page.
pub const DEFAULT_PER_PAGE: u64 = 20;
/// The largest page a client may ask for.
pub const MAX_PER_PAGE: u64 = 100;

/// One page of a list.
#[derive(Debug, Clone, Object)]
pub struct Page<T: ParseFromJSON + ToJSON> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u64,
    /// The page size used.
    pub per_page: u64,
    /// How many items the whole list has.
    pub total: u64,
}

/// The page (from 1) and page size (1..=100, default 20) to use for the query parameters given.
pub fn clamp(page: Option<u64>, per_page: Option<u64>) -> (u64, u64) {
    (page.unwrap_or(1).max(1), per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_page_and_size() {
        assert_eq!(clamp(None, None), (1, 20));
        assert_eq!(clamp(Some(0), Some(0)), (1, 1));
        assert_eq!(clamp(Some(3), Some(500)), (3, 100));
    }
}
