//! Pages of list results: `?page=&per_page=` in, `{items, page, per_page, total}` out.

use poem_openapi::{
    Object,
    types::{ParseFromJSON, ToJSON},
};

/// One page of a list.
#[derive(Debug, Clone, Object)]
pub struct Page<T: ParseFromJSON + ToJSON> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u64,
    /// The page size.
    pub per_page: u64,
    /// How many items the whole list has.
    pub total: u64,
}

/// The page (at least 1) and page size (1–100, default 20) for the query parameters given.
pub fn clamp(page: Option<u64>, per_page: Option<u64>) -> (u64, u64) {
    (page.unwrap_or(1).max(1), per_page.unwrap_or(20).clamp(1, 100))
}
