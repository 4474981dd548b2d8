//! The rules of officer ratings: who counts as satisfied, the Wilson ranking, the masking of
//! personal data in comments, and the one-time rating tokens printed at the desk.

use entity::values::RatingLevel;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// z for a 95% interval.
const Z: f64 = 1.96;

/// The national figure counts both "very satisfied" and "satisfied" as satisfied.
pub fn is_satisfied(level: RatingLevel) -> bool {
    matches!(level, RatingLevel::VerySatisfied | RatingLevel::Satisfied)
}

/// Counts of each level for one officer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LevelCounts {
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub not_satisfied: u64,
}

impl LevelCounts {
    pub fn add(&mut self, level: RatingLevel, n: u64) {
        match level {
            RatingLevel::VerySatisfied => self.very_satisfied += n,
            RatingLevel::Satisfied => self.satisfied += n,
            RatingLevel::NotSatisfied => self.not_satisfied += n,
        }
    }

    pub fn total(&self) -> u64 {
        self.very_satisfied + self.satisfied + self.not_satisfied
    }

    /// The satisfied share, none without ratings.
    pub fn satisfied_share(&self) -> Option<f64> {
        let n = self.total();
        (n > 0).then(|| (self.very_satisfied + self.satisfied) as f64 / n as f64)
    }

    /// The lower bound of the Wilson score interval on the satisfied share: a share from few
    /// ratings ranks below the same share from many, so two lucky ratings do not top the list.
    pub fn wilson_lower(&self) -> Option<f64> {
        let n = self.total() as f64;
        let p = self.satisfied_share()?;
        let z2 = Z * Z;
        let centre = p + z2 / (2.0 * n);
        let margin = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        Some(((centre - margin) / (1.0 + z2 / n)).max(0.0))
    }
}

/// One officer in a ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<T> {
    pub officer: T,
    pub counts: LevelCounts,
    /// Whether the officer had enough ratings to be ranked.
    pub ranked: bool,
}

/// Orders officers for the public ranking: those with at least `min_ratings` by the Wilson
/// lower bound, ties to the larger count; then the rest ("not enough ratings yet") by count.
/// `name` breaks what is left, so the order is stable.
pub fn rank<T>(
    officers: Vec<(T, LevelCounts)>,
    min_ratings: u64,
    name: impl Fn(&T) -> &str,
) -> Vec<Ranked<T>> {
    let mut rows: Vec<Ranked<T>> = officers
        .into_iter()
        .map(|(officer, counts)| Ranked { ranked: counts.total() >= min_ratings, officer, counts })
        .collect();
    rows.sort_by(|a, b| {
        let score = |r: &Ranked<T>| if r.ranked { r.counts.wilson_lower().unwrap_or(0.0) } else { -1.0 };
        b.ranked
            .cmp(&a.ranked)
            .then(score(b).total_cmp(&score(a)))
            .then(b.counts.total().cmp(&a.counts.total()))
            .then_with(|| name(&a.officer).cmp(name(&b.officer)))
    });
    rows
}

/// What replaces a phone or ID number in a published comment.
const MASKED: &str = "***";

/// Masks phone numbers and 12-digit ID numbers (căn cước) in a comment, before anyone reads it.
/// A number may be written with spaces, dots or dashes between its digits ("090 123 4567",
/// "+84.90.123.4567"). Runs of 12 digits are ID numbers; runs of 9 to 11 digits that start
/// with 0 or 84 are phone numbers. Other numbers (a fee, a date, a dossier code) stay.
pub fn mask_personal_numbers(comment: &str) -> String {
    let chars: Vec<char> = comment.chars().collect();
    let mut out = String::with_capacity(comment.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        let after_word = i > 0 && chars[i - 1].is_alphanumeric();
        if !starts_number || after_word {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let (end, digits) = number_run(&chars, i);
        let glued = chars.get(end).is_some_and(|c| c.is_alphanumeric());
        if !glued && is_personal_number(&digits) {
            out.push_str(MASKED);
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    out
}

/// The end of the number starting at `start` (a single separator may sit between digits) and
/// its digits.
fn number_run(chars: &[char], start: usize) -> (usize, String) {
    let mut digits = String::new();
    let mut end = start;
    let mut i = if chars[start] == '+' { start + 1 } else { start };
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            digits.push(chars[i]);
            i += 1;
            end = i;
        } else if matches!(chars[i], ' ' | '.' | '-') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            i += 1;
        } else {
            break;
        }
    }
    (end, digits)
}

fn is_personal_number(digits: &str) -> bool {
    let phone_like =
        (9..=11).contains(&digits.len()) && (digits.starts_with('0') || digits.starts_with("84"));
    digits.len() == 12 || phone_like
}

/// What a rating token rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSubject {
    Dossier(Uuid),
    Ticket(Uuid),
}

/// Issues and checks the one-time rating tokens printed (as QR codes) on receipts and tickets.
///
/// A token is the interaction's id with an HMAC under the server's pepper, so nothing needs
/// storing and no token can be made up. It is single-use because an interaction is rated once
/// (the database's unique indexes), and it lapses with the rating window.
#[derive(Clone)]
pub struct RatingTokens {
    keyed_mac: Hmac<Sha256>,
}

/// Shows no key material.
impl std::fmt::Debug for RatingTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RatingTokens").finish_non_exhaustive()
    }
}

/// The bytes of the MAC a token carries (128 bits, as hex).
const TOKEN_MAC_BYTES: usize = 16;

/// The shape of a token, for the schema: the kind, the id and the MAC.
pub const TOKEN_PATTERN: &str = "^[dt]\\.[0-9a-f]{32}\\.[0-9a-f]{32}$";

impl RatingTokens {
    pub fn new(pepper: &[u8]) -> Self {
        let mut keyed_mac = Hmac::<Sha256>::new_from_slice(pepper).expect("HMAC accepts keys of any length");
        // Apart from the lookup secrets' MACs under the same pepper.
        keyed_mac.update(b"motcua rating token v1\0");
        RatingTokens { keyed_mac }
    }

    fn mac(&self, kind: char, id: Uuid) -> [u8; TOKEN_MAC_BYTES] {
        let mut mac = self.keyed_mac.clone();
        mac.update(&[kind as u8]);
        mac.update(id.as_bytes());
        let full: [u8; 32] = mac.finalize().into_bytes().into();
        let mut short = [0u8; TOKEN_MAC_BYTES];
        short.copy_from_slice(&full[..TOKEN_MAC_BYTES]);
        short
    }

    pub fn issue(&self, subject: TokenSubject) -> String {
        let (kind, id) = match subject {
            TokenSubject::Dossier(id) => ('d', id),
            TokenSubject::Ticket(id) => ('t', id),
        };
        format!("{kind}.{}.{}", id.simple(), hex::encode(self.mac(kind, id)))
    }

    /// The interaction a genuine token names; none for anything else.
    pub fn verify(&self, token: &str) -> Option<TokenSubject> {
        let mut parts = token.split('.');
        let (kind, id, mac) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || id.len() != 32 {
            return None;
        }
        let kind = match kind {
            "d" => 'd',
            "t" => 't',
            _ => return None,
        };
        let id = Uuid::try_parse(id).ok()?;
        let mut given = [0u8; TOKEN_MAC_BYTES];
        hex::decode_to_slice(mac, &mut given).ok()?;
        if !bool::from(self.mac(kind, id).ct_eq(&given)) {
            return None;
        }
        Some(if kind == 'd' { TokenSubject::Dossier(id) } else { TokenSubject::Ticket(id) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(satisfied: u64, not_satisfied: u64) -> LevelCounts {
        LevelCounts { very_satisfied: 0, satisfied, not_satisfied }
    }

    #[test]
    fn wilson_lower_bound_matches_the_formula() {
        // 8 of 10 satisfied: 0.4902 (the textbook value).
        let lower = counts(8, 2).wilson_lower().unwrap();
        assert!((lower - 0.4902).abs() < 1e-4, "{lower}");
        assert!(counts(10, 0).wilson_lower().unwrap() < 1.0);
        assert_eq!(counts(0, 5).wilson_lower(), Some(0.0));
        assert_eq!(LevelCounts::default().wilson_lower(), None);
    }

    #[test]
    fn many_ratings_outrank_the_same_share_from_few() {
        assert!(counts(90, 10).wilson_lower() > counts(9, 1).wilson_lower());
        // 10 of 10 ranks below 95 of 100.
        assert!(counts(95, 5).wilson_lower() > counts(10, 0).wilson_lower());
    }

    #[test]
    fn ranking_puts_officers_below_the_minimum_after_and_ties_to_the_larger_count() {
        let officers = vec![
            ("few", counts(3, 0)),
            ("good", counts(19, 1)),
            ("bao", counts(10, 0)),
            ("an", counts(10, 0)),
            ("none", LevelCounts::default()),
        ];
        let ranked = rank(officers, 10, |name| name);
        let names: Vec<_> = ranked.iter().map(|r| (r.officer, r.ranked)).collect();
        assert_eq!(names, [("good", true), ("an", true), ("bao", true), ("few", false), ("none", false)]);
    }

    #[test]
    fn a_tie_in_the_bound_goes_to_the_larger_count() {
        // Both have no satisfied ratings (bound 0); the larger count comes first.
        let ranked = rank(vec![("small", counts(0, 10)), ("large", counts(0, 20))], 10, |n| n);
        assert_eq!(ranked[0].officer, "large");
    }

    #[test]
    fn phone_and_id_numbers_are_masked_other_numbers_stay() {
        let masked = mask_personal_numbers(
            "Gọi tôi 0901234567 hoặc +84 90 123 4567, CCCD 001099012345. Lệ phí 50000 đồng, hẹn 15.12.2026",
        );
        assert_eq!(masked, "Gọi tôi *** hoặc ***, CCCD ***. Lệ phí 50000 đồng, hẹn 15.12.2026");
        assert_eq!(mask_personal_numbers("số 090.123.4567!"), "số ***!");
        assert_eq!(mask_personal_numbers("mã 000.20.33.H12-261126-0001"), "mã 000.20.33.H12-261126-0001");
        assert_eq!(mask_personal_numbers("cảm ơn anh"), "cảm ơn anh");
    }

    #[test]
    fn a_token_names_its_interaction_and_nothing_else_verifies() {
        let tokens = RatingTokens::new(b"pepper");
        let id = Uuid::from_u128(42);
        let token = tokens.issue(TokenSubject::Ticket(id));
        assert!(regex::Regex::new(TOKEN_PATTERN).unwrap().is_match(&token));
        assert_eq!(tokens.verify(&token), Some(TokenSubject::Ticket(id)));
        assert_eq!(tokens.verify(&token.replacen('t', "d", 1)), None);
        assert_eq!(RatingTokens::new(b"other").verify(&token), None);
        let mut forged = token.clone();
        forged.pop();
        forged.push(if token.ends_with('0') { '1' } else { '0' });
        assert_eq!(tokens.verify(&forged), None);
        assert_eq!(tokens.verify("t.zz.zz"), None);
    }
}
