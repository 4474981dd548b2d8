//! Diacritics-insensitive search over a folded text column: SQL narrows the candidates to
//! those containing every query term, Rust ranks them with [`relevance`] and cuts the page.
//!
//! Only what ranking needs (id, name, folded text) is read for every candidate; the full rows
//! are read for the page alone, so a broad query over a large catalogue stays cheap.

use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::domain::text::{fold, relevance};

/// What ranking needs of a candidate: its id, its name as stored, and its folded haystack.
pub type Candidate = (Uuid, String, String);

/// Rows whose folded `column` contains every (already folded) term.
///
/// Folded terms hold only letters and digits, so they need no escaping inside `LIKE`.
pub fn contains_every_term(column: impl ColumnTrait, terms: &[String]) -> Condition {
    terms.iter().fold(Condition::all(), |all, term| all.add(column.like(format!("%{term}%"))))
}

/// The ids on page `page` (from 1) of the candidates ranked best first, and how many matched.
/// Candidates with equal scores keep their order, so the caller's SQL order breaks ties.
pub fn rank_page(candidates: Vec<Candidate>, terms: &[String], page: u64, per_page: u64) -> (Vec<Uuid>, u64) {
    let mut scored: Vec<(u32, Uuid)> = candidates
        .into_iter()
        .map(|(id, name, haystack)| (relevance(&haystack, &fold(&name), terms), id))
        .filter(|(score, _)| *score > 0)
        .collect();
    scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    let total = scored.len() as u64;
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let ids = scored.into_iter().skip(skip).take(per_page as usize).map(|(_, id)| id).collect();
    (ids, total)
}

/// `rows` in the order of `ids`.
pub fn in_order_of<T>(ids: &[Uuid], mut rows: Vec<T>, id_of: impl Fn(&T) -> Uuid) -> Vec<T> {
    rows.sort_by_key(|row| ids.iter().position(|id| *id == id_of(row)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::search_terms;

    fn candidate(n: u128, name: &str) -> Candidate {
        (Uuid::from_u128(n), name.to_owned(), fold(name))
    }

    #[test]
    fn ranks_best_first_keeps_sql_order_on_ties_and_pages() {
        let candidates = vec![
            candidate(1, "Cấp bản sao trích lục khai sinh"),
            candidate(2, "Đăng ký khai sinh"),
            candidate(3, "Đăng ký khai tử"),
            candidate(4, "Đăng ký khai sinh"),
        ];
        let terms = search_terms("dang ky khai sinh");
        let (ids, total) = rank_page(candidates.clone(), &terms, 1, 10);
        assert_eq!(ids, [Uuid::from_u128(2), Uuid::from_u128(4)]);
        assert_eq!(total, 2);
        let (second_page, total) = rank_page(candidates, &search_terms("khai"), 2, 3);
        assert_eq!((second_page, total), (vec![Uuid::from_u128(1)], 4));
    }

    #[test]
    fn puts_rows_in_the_order_of_the_ids() {
        let ids = [Uuid::from_u128(3), Uuid::from_u128(1), Uuid::from_u128(2)];
        let rows = vec![Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3)];
        assert_eq!(in_order_of(&ids, rows, |id| *id), ids);
    }
}
