//! Folding Vietnamese text for search.
//!
//! Citizens type procedure names with or without diacritics, in upper or lower case, from
//! keyboards that send either precomposed (NFC) or decomposed (NFD) characters:
//! "Đăng ký khai sinh", "dang ky khai sinh" and "ĐĂNG KÝ" must all find the same procedure.
//! Both the stored text and the query are therefore reduced to one plain form with [`fold`]
//! and compared in that form.

use unicode_normalization::UnicodeNormalization;

/// How many words of a query take part in a search: enough for any real procedure name,
/// few enough that a pasted paragraph cannot make matching expensive.
pub const MAX_SEARCH_TERMS: usize = 8;

/// How long one query word may be, in characters; longer words are cut to this length
/// (and still match as a prefix), so a pathological query stays cheap.
pub const MAX_TERM_CHARS: usize = 50;

/// The combining diacritical marks that NFD splits off Vietnamese letters (tones, breve,
/// circumflex, horn), plus every other mark in that block.
const COMBINING_DIACRITICS: std::ops::RangeInclusive<char> = '\u{0300}'..='\u{036F}';

/// Reduces text to the form in which search compares it: lower case, no diacritics,
/// words separated by single spaces, no leading or trailing space.
///
/// `đ`/`Đ` is folded to `d` explicitly because Unicode gives it no decomposition (it is a
/// letter of its own, not `d` plus a mark), yet nobody typing without diacritics writes it
/// otherwise. Every character that is neither a letter nor a digit (whitespace, punctuation,
/// symbols, marks outside the combining-diacritics block) separates words, so "khai sinh,
/// kết hôn" and "khai sinh  ket hon" fold alike.
///
/// Folding is idempotent: folding a folded string changes nothing.
pub fn fold(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    // A separator only becomes a space once a word follows it, and none is recorded before
    // the first word: runs collapse and nothing leads or trails.
    let mut pending_space = false;
    // Lower-case before decomposing: some lower-case mappings add a combining mark
    // ("İ" becomes "i" + U+0307), which must be dropped like any other.
    for c in s.chars().flat_map(char::to_lowercase).nfd() {
        if COMBINING_DIACRITICS.contains(&c) {
            continue;
        }
        let c = if c == 'đ' { 'd' } else { c };
        if c.is_alphanumeric() {
            if pending_space {
                folded.push(' ');
                pending_space = false;
            }
            folded.push(c);
        } else if !folded.is_empty() {
            pending_space = true;
        }
    }
    folded
}

/// Splits a raw query into the folded words that a search must find.
///
/// At most [`MAX_SEARCH_TERMS`] words are kept and each is cut to [`MAX_TERM_CHARS`]
/// characters. An empty result means the query has nothing to search for (it was empty or
/// only punctuation); callers should then list without ranking rather than call
/// [`relevance`].
pub fn search_terms(q: &str) -> Vec<String> {
    fold(q)
        .split(' ')
        .filter(|word| !word.is_empty())
        .take(MAX_SEARCH_TERMS)
        .map(|word| word.chars().take(MAX_TERM_CHARS).collect())
        .collect()
}

/// Points for a name that starts with the whole query: the citizen typed the beginning of
/// the procedure's name, the strongest sign it is the one they want.
const NAME_PREFIX_POINTS: u32 = 8;
/// Points for a name that contains the whole query as a phrase, anywhere.
const NAME_PHRASE_POINTS: u32 = 4;
/// Points for each query word that begins a word of the name ("khai" in "đăng ký khai
/// sinh"), as opposed to matching only inside a word or only in the rest of the haystack.
const WORD_START_POINTS: u32 = 2;
/// The low bits of the score hold the length tie-break, so a single integer sorts results.
const LENGTH_BITS: u32 = 8;
const LENGTH_CAP: u32 = (1 << LENGTH_BITS) - 1;

/// A score for sorting search results, higher first; 0 means the result does not match.
///
/// All arguments must already be folded: `haystack_folded` is everything searchable about
/// a result (name, code, keywords…) passed through [`fold`], `name_folded` its folded name,
/// `terms` the output of [`search_terms`].
///
/// A result matches when every term occurs somewhere in the haystack (as a substring, so a
/// half-typed word already matches). A match earns 1 point, plus
/// - `NAME_PREFIX_POINTS` (8) when the name starts with the whole query (the terms joined by
///   spaces),
/// - `NAME_PHRASE_POINTS` (4) when the name contains the whole query as a phrase,
/// - `WORD_START_POINTS` (2) for each term that begins a word of the name (counting at most
///   [`MAX_SEARCH_TERMS`] terms).
///
/// The points fill the high bits of the score; the low 8 bits hold
/// `255 − name length` (capped), so among results with equal points the shorter, more
/// specific name comes first. An empty `terms` matches nothing and scores 0.
pub fn relevance(haystack_folded: &str, name_folded: &str, terms: &[String]) -> u32 {
    if terms.is_empty() || !terms.iter().all(|term| haystack_folded.contains(term.as_str())) {
        return 0;
    }
    let query = terms.join(" ");
    let mut points = 1;
    if name_folded.starts_with(&query) {
        points += NAME_PREFIX_POINTS;
    }
    if name_folded.contains(&query) {
        points += NAME_PHRASE_POINTS;
    }
    let starts_a_name_word =
        |term: &String| name_folded.split(' ').any(|word| word.starts_with(term.as_str()));
    // Only as many terms as search_terms yields earn points, so no slice a caller passes
    // can push the points into the length bits or past u32.
    let word_starts = terms.iter().take(MAX_SEARCH_TERMS).filter(|term| starts_a_name_word(term)).count();
    points += WORD_START_POINTS * word_starts as u32;
    let name_len = name_folded.chars().count().min(LENGTH_CAP as usize) as u32;
    (points << LENGTH_BITS) | (LENGTH_CAP - name_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every Vietnamese letter that carries a diacritic, lower case then upper case.
    const VIETNAMESE_LOWER: &str = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ";
    const VIETNAMESE_UPPER: &str = "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ";
    const FOLDED_LETTERS: &str = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd";

    #[test]
    fn fold_strips_diacritics_and_case() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("ĐĂNG KÝ"), "dang ky");
        assert_eq!(fold("dăng ky"), "dang ky");
        assert_eq!(fold("Cơ sở dữ liệu ưu tiên"), "co so du lieu uu tien");
        assert_eq!(fold("Giấy chứng nhận quyền sử dụng đất"), "giay chung nhan quyen su dung dat");
    }

    #[test]
    fn fold_maps_every_vietnamese_letter_to_its_base() {
        let lower: String = VIETNAMESE_LOWER.chars().map(|c| fold(&c.to_string())).collect();
        let upper: String = VIETNAMESE_UPPER.chars().map(|c| fold(&c.to_string())).collect();
        assert_eq!(lower, FOLDED_LETTERS);
        assert_eq!(upper, FOLDED_LETTERS);
    }

    #[test]
    fn fold_treats_nfc_and_nfd_alike() {
        let nfc: String = "Đăng ký kết hôn".nfc().collect();
        let nfd: String = "Đăng ký kết hôn".nfd().collect();
        assert_ne!(nfc, nfd);
        assert_eq!(fold(&nfc), "dang ky ket hon");
        assert_eq!(fold(&nfd), "dang ky ket hon");
    }

    #[test]
    fn fold_collapses_whitespace_and_punctuation() {
        assert_eq!(fold("  khai sinh,\t kết hôn -- (bản sao)!  "), "khai sinh ket hon ban sao");
        assert_eq!(fold("H15.50.05.13-261008-0975"), "h15 50 05 13 261008 0975");
        assert_eq!(fold(" \n.,;-"), "");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn search_terms_splits_the_folded_query() {
        assert_eq!(search_terms("  Đăng  KÝ, khai-sinh "), ["dang", "ky", "khai", "sinh"]);
        assert!(search_terms("").is_empty());
        assert!(search_terms(" ?! ").is_empty());
    }

    #[test]
    fn search_terms_caps_count_and_length() {
        let many = search_terms("a b c d e f g h i j k");
        assert_eq!(many, ["a", "b", "c", "d", "e", "f", "g", "h"]);
        let long = search_terms(&"ư".repeat(80));
        assert_eq!(long, ["u".repeat(MAX_TERM_CHARS)]);
    }

    #[test]
    fn relevance_requires_every_term_in_the_haystack() {
        let name = fold("Đăng ký khai sinh");
        assert_eq!(relevance(&name, &name, &search_terms("khai tu")), 0);
        assert!(relevance(&name, &name, &search_terms("khai")) > 0);
        // Substrings match, so a half-typed word already finds the result.
        assert!(relevance(&name, &name, &search_terms("kha")) > 0);
        // A term found only outside the name still counts as a match.
        let haystack = format!("{name} ho tich");
        assert!(relevance(&haystack, &name, &search_terms("ho tich")) > 0);
    }

    #[test]
    fn relevance_of_no_terms_is_zero() {
        assert_eq!(relevance("dang ky", "dang ky", &[]), 0);
    }

    #[test]
    fn relevance_prefers_name_prefix_then_phrase_then_word_starts() {
        let q = search_terms("khai sinh");
        let score = |name: &str| {
            let name = fold(name);
            relevance(&format!("{name} khai sinh"), &name, &q)
        };
        let prefix = score("Khai sinh cho trẻ em");
        let phrase = score("Đăng ký khai sinh lưu động");
        let word_starts = score("Khai tử, sinh con thứ ba");
        let inside_words = score("Lấy lại hồ sơ");
        assert!(prefix > phrase, "{prefix} > {phrase}");
        assert!(phrase > word_starts, "{phrase} > {word_starts}");
        assert!(word_starts > inside_words, "{word_starts} > {inside_words}");
        assert!(inside_words > 0);
    }

    #[test]
    fn relevance_breaks_ties_by_shorter_name() {
        let q = search_terms("khai sinh");
        let short = fold("Đăng ký khai sinh");
        let long = fold("Đăng ký khai sinh có yếu tố nước ngoài");
        assert!(relevance(&short, &short, &q) > relevance(&long, &long, &q));
        // The tie-break never outweighs a point.
        let prefixed = fold(&format!("Khai sinh {}", "x".repeat(300)));
        assert!(relevance(&prefixed, &prefixed, &q) > relevance(&short, &short, &q));
    }

    /// Vietnamese letters (both cases) and printable ASCII, from which test strings are drawn.
    fn vietnamese_and_ascii() -> Vec<char> {
        VIETNAMESE_LOWER
            .chars()
            .chain(VIETNAMESE_UPPER.chars())
            .chain((' '..='~').collect::<Vec<_>>())
            .chain(['\t', '\n'])
            .collect()
    }

    fn vietnamese_text() -> impl Strategy<Value = String> {
        let alphabet = vietnamese_and_ascii();
        (proptest::collection::vec(proptest::sample::select(alphabet), 0..40), any::<bool>()).prop_map(
            |(chars, decompose)| {
                let text: String = chars.into_iter().collect();
                if decompose { text.nfd().collect() } else { text }
            },
        )
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in any::<String>()) {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn fold_of_vietnamese_text_is_idempotent(s in vietnamese_text()) {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn fold_of_vietnamese_text_is_plain_ascii(s in vietnamese_text()) {
            let folded = fold(&s);
            prop_assert!(folded.is_ascii(), "{:?} folded to {:?}", s, folded);
            prop_assert!(!folded.starts_with(' ') && !folded.ends_with(' '));
            prop_assert!(!folded.contains("  "));
        }

        #[test]
        fn fold_and_search_never_panic(s in any::<String>()) {
            let folded = fold(&s);
            let terms = search_terms(&s);
            prop_assert!(terms.len() <= MAX_SEARCH_TERMS);
            relevance(&folded, &folded, &terms);
        }
    }
}
