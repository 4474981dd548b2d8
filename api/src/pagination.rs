//! Pages of list results: `?page=&per_page=` in, `{items, page, per_page, total}` out.

use poem_openapi::{
    Object,
    types::{ParseFromJSON, ToJSON},
};

/// One page of a list.
#[derive(Debug, Object)]
pub struct Page<T: ParseFromJSON + ToJSON + Send + Sync> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u64,
    /// Items per page (at most 100).
    pub per_page: u64,
    /// How many items match in all.
    pub total: u64,
}

/// The page and page size to use: page ≥ 1, 1 ≤ per_page ≤ 100, default 20.
pub fn clamp(page: Option<u64>, per_page: Option<u64>) -> (u64, u64) {
    (page.unwrap_or(1).max(1), per_page.unwrap_or(20).clamp(1, 100))
}
