//! Diacritics-insensitive search over a folded text column: SQL narrows the candidates to
//! those containing every query term, Rust ranks them with [`relevance`] and cuts the page.

use sea_orm::{ColumnTrait, Condition};

use crate::domain::text::relevance;

/// Rows whose folded `column` contains every (already folded) term.
///
/// Folded terms hold only letters and digits, so they need no escaping inside `LIKE`.
pub fn contains_every_term(column: impl ColumnTrait, terms: &[String]) -> Condition {
    terms.iter().fold(Condition::all(), |all, term| all.add(column.like(format!("%{term}%"))))
}

/// The page (from 1) of `candidates` ranked best first, and how many matched in all.
///
/// `folded` gives a candidate's folded haystack and folded name; candidates with equal
/// scores keep their order, so the caller's SQL order breaks ties stably.
pub fn rank_page<T>(
    candidates: Vec<T>,
    terms: &[String],
    folded: impl Fn(&T) -> (&str, String),
    page: u64,
    per_page: u64,
) -> (Vec<T>, u64) {
    let mut scored: Vec<(u32, T)> = candidates
        .into_iter()
        .map(|candidate| {
            let (haystack, name) = folded(&candidate);
            (relevance(haystack, &name, terms), candidate)
        })
        .filter(|(score, _)| *score > 0)
        .collect();
    scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    let total = scored.len() as u64;
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let items = scored.into_iter().skip(skip).take(per_page as usize).map(|(_, item)| item).collect();
    (items, total)
}
