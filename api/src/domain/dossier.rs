//! Dossiers (hồ sơ): their statuses and the legal moves between them, the codes printed on
//! receipts, the secrets that let a citizen look a dossier up without an account, and the
//! masking of names shown on public look-up pages.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark, is_nfc};

pub use entity::values::DossierStatus as Status;

/// What the law says of each status: its national code and wording, and whether the
/// processing clock runs. The names themselves are the stored value set's.
pub trait StatusRules: Copy {
    /// The national portal's numeric code, 1 to 10.
    fn code(self) -> u8;
    /// The wording citizens know from the national portal.
    fn label_vi(self) -> &'static str;
    /// An English rendering of [`StatusRules::label_vi`].
    fn label_en(self) -> &'static str;
    /// Whether processing is over: the processing-time clock no longer runs and the dossier
    /// can no longer be late. A processed dossier is closed even though its result has not
    /// been handed over yet.
    fn is_closed(self) -> bool;
    /// Whether the processing-time clock is stopped while the desk waits for the citizen
    /// (missing documents, unpaid fees); it resumes when processing does.
    fn is_paused(self) -> bool;
}

/// The statuses in which a dossier is still being processed (the worklist's "open").
pub fn open_statuses() -> impl Iterator<Item = Status> {
    <Status as sea_orm::Iterable>::iter().filter(|status| !status.is_closed())
}

impl StatusRules for Status {
    fn code(self) -> u8 {
        match self {
            Status::NewlySubmitted => 1,
            Status::Accepted => 2,
            Status::Refused => 3,
            Status::InProgress => 4,
            Status::SupplementRequested => 5,
            Status::PaymentRequired => 6,
            Status::Withdrawn => 7,
            Status::Stopped => 8,
            Status::Processed => 9,
            Status::Returned => 10,
        }
    }

    fn label_vi(self) -> &'static str {
        match self {
            Status::NewlySubmitted => "Mới tiếp nhận",
            Status::Accepted => "Đã tiếp nhận",
            Status::Refused => "Từ chối tiếp nhận",
            Status::InProgress => "Đang xử lý",
            Status::SupplementRequested => "Yêu cầu bổ sung hồ sơ",
            Status::PaymentRequired => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Status::Withdrawn => "Công dân rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::Processed => "Đã có kết quả",
            Status::Returned => "Đã trả kết quả",
        }
    }

    fn label_en(self) -> &'static str {
        match self {
            Status::NewlySubmitted => "Newly submitted",
            Status::Accepted => "Accepted",
            Status::Refused => "Refused",
            Status::InProgress => "In progress",
            Status::SupplementRequested => "Supplement requested",
            Status::PaymentRequired => "Payment of fees required",
            Status::Withdrawn => "Withdrawn by the citizen",
            Status::Stopped => "Processing stopped",
            Status::Processed => "Result ready",
            Status::Returned => "Result returned",
        }
    }

    fn is_closed(self) -> bool {
        matches!(
            self,
            Status::Refused | Status::Withdrawn | Status::Stopped | Status::Processed | Status::Returned
        )
    }

    fn is_paused(self) -> bool {
        matches!(self, Status::SupplementRequested | Status::PaymentRequired)
    }
}

/// Who at the desk may move a dossier into a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffRole {
    Officer,
    Supervisor,
}

/// The statuses a dossier may move to from `from`; empty for terminal statuses.
pub fn allowed_next(from: Status) -> &'static [Status] {
    use Status::*;
    match from {
        NewlySubmitted => &[Accepted, Refused, Withdrawn],
        Accepted => &[InProgress, SupplementRequested, PaymentRequired, Withdrawn, Stopped, Processed],
        InProgress => &[SupplementRequested, PaymentRequired, Processed, Stopped, Withdrawn],
        SupplementRequested | PaymentRequired => &[InProgress, Withdrawn, Stopped],
        Processed => &[Returned],
        Refused | Withdrawn | Stopped | Returned => &[],
    }
}

/// Whether a dossier may move from `from` to `to` in one step.
pub fn can_transition(from: Status, to: Status) -> bool {
    allowed_next(from).contains(&to)
}

/// The least role allowed to move a dossier into `to`. Stopping a dossier ends it without a
/// result, so it needs a supervisor; every other move is an officer's daily work.
pub fn required_role(to: Status) -> StaffRole {
    match to {
        Status::Stopped => StaffRole::Supervisor,
        _ => StaffRole::Officer,
    }
}

/// The longest dossier code [`parse_code`] accepts, in characters: far above any real unit
/// code, low enough to refuse junk before doing any work on it.
pub const MAX_CODE_CHARS: usize = 80;

/// The fewest digits of a code's sequence number; shorter numbers are zero-padded.
const SEQUENCE_MIN_DIGITS: usize = 4;

/// Builds the code printed on a dossier's receipt: `{unit_code}-{yymmdd}-{NNNN}`, e.g.
/// `H15.50.05.13-261008-0975`, where the sequence number has at least four digits.
///
/// The year is written with two digits and [`parse_code`] reads it back as 20yy, so
/// receipt dates must fall in 2000–2099.
pub fn format_code(unit_code: &str, receipt_date: NaiveDate, sequence: u32) -> String {
    format!(
        "{unit_code}-{:02}{:02}{:02}-{sequence:0width$}",
        receipt_date.year().rem_euclid(100),
        receipt_date.month(),
        receipt_date.day(),
        width = SEQUENCE_MIN_DIGITS,
    )
}

/// A dossier code as typed (`000.20.33.h12-261126-0001 `) in the form codes are stored in:
/// trimmed and in upper case (unit codes are kept in upper case, see `domain::unit`).
pub fn canonical_code(typed: &str) -> String {
    typed.trim().to_ascii_uppercase()
}

/// A dossier code taken apart by [`parse_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedCode<'a> {
    pub unit_code: &'a str,
    pub receipt_date: NaiveDate,
    pub sequence: u32,
}

/// Takes apart a code made by [`format_code`], or returns `None` if it could not have been.
///
/// The unit code is the administrative unit's own identifier and is kept opaque: it may
/// contain '-' and '.', so the code is split on its last two '-'. The unit code must not be
/// empty, the date must be a real `yymmdd` date (read as 20yy), and the sequence must be at
/// least 1 and written as [`format_code`] writes it (at least four digits, zero-padded only
/// up to four), so that every accepted code has exactly one spelling.
pub fn parse_code(code: &str) -> Option<ParsedCode<'_>> {
    if code.chars().count() > MAX_CODE_CHARS {
        return None;
    }
    let mut parts = code.rsplitn(3, '-');
    let sequence_digits = parts.next()?;
    let date_digits = parts.next()?;
    let unit_code = parts.next()?;
    if unit_code.is_empty() {
        return None;
    }
    let receipt_date = parse_yymmdd(date_digits)?;
    let sequence = parse_sequence(sequence_digits)?;
    Some(ParsedCode { unit_code, receipt_date, sequence })
}

fn parse_yymmdd(digits: &str) -> Option<NaiveDate> {
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| digits[range].parse::<u32>().ok();
    let year = 2000 + i32::try_from(number(0..2)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(2..4)?, number(4..6)?)
}

fn parse_sequence(digits: &str) -> Option<u32> {
    let canonical_width = digits.len() == SEQUENCE_MIN_DIGITS || !digits.starts_with('0');
    if digits.len() < SEQUENCE_MIN_DIGITS || !canonical_width || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|&sequence| sequence >= 1)
}

/// The characters of a look-up secret: digits and capitals without 0/O, 1/I/L, which are
/// easily confused when read off paper or typed from a phone.
pub const SECRET_ALPHABET: &str = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// The length of a look-up secret: 31⁸ ≈ 8.5·10¹¹ possibilities, ample against on-line
/// guessing that is rate-limited, short enough to type from a receipt.
pub const SECRET_LEN: usize = 8;

/// Draws a new look-up secret for a dossier, uniformly over [`SECRET_ALPHABET`], from the
/// thread's cryptographically secure generator (seeded from the operating system).
pub fn generate_secret() -> String {
    let alphabet = SECRET_ALPHABET.as_bytes();
    let mut rng = rand::rng();
    (0..SECRET_LEN).map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())])).collect()
}

/// Reads a secret as a citizen typed it: lower case is accepted, and spaces and '-' (which
/// receipts may print to group the characters) are ignored. Returns the canonical secret,
/// or `None` if it has a character outside [`SECRET_ALPHABET`] or is not exactly
/// [`SECRET_LEN`] characters long.
///
/// Confusable characters (O, 0, I, 1, L) are rejected rather than guessed at: none of them
/// is in the alphabet, so there is no right character to map them to.
pub fn normalize_secret(input: &str) -> Option<String> {
    let mut secret = String::with_capacity(SECRET_LEN);
    for c in input.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        let c = c.to_ascii_uppercase();
        if !SECRET_ALPHABET.contains(c) || secret.len() == SECRET_LEN {
            return None;
        }
        secret.push(c);
    }
    (secret.len() == SECRET_LEN).then_some(secret)
}

/// Hashes look-up secrets for storage and checks them.
///
/// The hash is an HMAC-SHA256 keyed with a server-side pepper, so a leaked database alone
/// does not let anyone brute-force the small secret space. The dossier code is hashed in
/// with the secret, so two dossiers that drew the same secret store different hashes.
#[derive(Clone)]
pub struct SecretHasher {
    keyed_mac: Hmac<Sha256>,
}

/// Shows no key material, so a hasher inside logged state cannot leak the pepper.
impl std::fmt::Debug for SecretHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretHasher").finish_non_exhaustive()
    }
}

/// What [`SecretHasher::dummy_verify`] checks: a code of typical length and a secret of the
/// real length, so the dummy check hashes as many bytes as a real one.
const DUMMY_CODE: &str = "000.00.00.H00-000101-0001";
const DUMMY_SECRET: &str = "22222222";
const DUMMY_STORED_HEX: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl SecretHasher {
    /// A hasher keyed with `pepper`, the server-side secret from configuration. It must never be
    /// stored beside the hashes, and changing it invalidates every stored hash.
    pub fn new(pepper: &[u8]) -> Self {
        Self { keyed_mac: Hmac::new_from_slice(pepper).expect("HMAC accepts keys of any length") }
    }

    fn mac(&self, code: &str, secret: &str) -> [u8; 32] {
        let mut mac = self.keyed_mac.clone();
        mac.update(code.as_bytes());
        // A dossier code never contains NUL, so the separator keeps ("A-1", "B") and
        // ("A-1B", "") from hashing alike.
        mac.update(&[0]);
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The lower-case hex digest to store for this dossier's secret. Pass the secret as
    /// [`normalize_secret`] returns it, so every spelling the citizen may type matches.
    pub fn hash(&self, code: &str, secret: &str) -> String {
        hex::encode(self.mac(code, secret))
    }

    /// Whether `secret` is the one whose [`SecretHasher::hash`] for `code` was stored as
    /// `stored_hex`. The digests are compared in constant time, so response times reveal
    /// nothing about how much of a guess was right. A malformed `stored_hex` never matches.
    pub fn verify(&self, code: &str, secret: &str, stored_hex: &str) -> bool {
        let computed = self.mac(code, secret);
        let mut stored = [0u8; 32];
        let well_formed = hex::decode_to_slice(stored_hex, &mut stored).is_ok();
        well_formed & bool::from(computed.ct_eq(&stored))
    }

    /// Does the work of one [`SecretHasher::verify`] and throws the answer away. Call it when
    /// the looked-up code does not exist, so that an unknown code and a wrong secret take the
    /// same time and a caller cannot tell which codes exist.
    pub fn dummy_verify(&self) {
        std::hint::black_box(self.verify(std::hint::black_box(DUMMY_CODE), DUMMY_SECRET, DUMMY_STORED_HEX));
    }
}

/// What stands for the hidden letters of a word in a masked name.
const MASK: &str = "***";

/// Masks a person's name for public look-up pages, where it only confirms to the citizen
/// that the dossier is theirs: each word keeps its first letter, with its diacritics, and
/// the rest becomes a fixed `***`, whatever its length, so the mask does not give the length
/// of the name away. One-letter words are shown as they are. Words are joined by single
/// spaces. "Nguyễn Văn An" → "N*** V*** A***", "Đỗ Thị Ánh" → "Đ*** T*** Á***".
pub fn mask_name(full_name: &str) -> String {
    // NFC first, so a first letter typed as base + combining marks is kept whole. Names are
    // stored composed, so the busy public lookup seldom pays for composing.
    let composed: Cow<str> =
        if is_nfc(full_name) { Cow::Borrowed(full_name) } else { Cow::Owned(full_name.nfc().collect()) };
    let mut masked = String::with_capacity(composed.len());
    for word in composed.split_whitespace() {
        if !masked.is_empty() {
            masked.push(' ');
        }
        let (first_letter, rest) = masked_word(word);
        masked.push_str(first_letter);
        masked.push_str(rest);
    }
    masked
}

/// A word's first letter (with its combining marks) and what replaces the rest.
fn masked_word(word: &str) -> (&str, &str) {
    let mut chars = word.char_indices();
    chars.next();
    let first_letter_end = chars.find(|&(_, c)| !is_combining_mark(c)).map_or(word.len(), |(index, _)| index);
    let (first_letter, rest) = word.split_at(first_letter_end);
    if rest.is_empty() { (word, "") } else { (first_letter, MASK) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_looked_up_in_upper_case_without_surrounding_spaces() {
        assert_eq!(canonical_code("  000.00.20.h12-261008-0975 "), "000.00.20.H12-261008-0975");
    }
    use proptest::prelude::*;
    use sea_orm::{ActiveEnum, Iterable};

    fn all() -> Vec<Status> {
        Status::iter().collect()
    }

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn status_codes_run_from_1_to_10_in_order() {
        let codes: Vec<u8> = all().iter().map(|status| status.code()).collect();
        assert_eq!(codes, (1..=10).collect::<Vec<u8>>());
    }

    #[test]
    fn status_names_round_trip() {
        let names: Vec<String> = all().iter().map(|status| status.to_value()).collect();
        assert_eq!(
            names,
            [
                "newly_submitted",
                "accepted",
                "refused",
                "in_progress",
                "supplement_requested",
                "payment_required",
                "withdrawn",
                "stopped",
                "processed",
                "returned",
            ]
        );
        let parse = |name: &str| Status::try_from_value(&name.to_owned()).ok();
        for status in all() {
            assert_eq!(parse(&status.to_value()), Some(status));
        }
        assert_eq!(parse("Accepted"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("done"), None);
    }

    #[test]
    fn status_labels_follow_the_portal() {
        assert_eq!(Status::NewlySubmitted.label_vi(), "Mới tiếp nhận");
        assert_eq!(Status::NewlySubmitted.label_en(), "Newly submitted");
        assert_eq!(Status::SupplementRequested.label_vi(), "Yêu cầu bổ sung hồ sơ");
        assert_eq!(Status::PaymentRequired.label_vi(), "Yêu cầu thực hiện nghĩa vụ tài chính");
        assert_eq!(Status::Returned.label_vi(), "Đã trả kết quả");
        for status in all() {
            assert!(!status.label_vi().is_empty());
            assert!(!status.label_en().is_empty());
        }
        let distinct_vi: std::collections::HashSet<_> =
            all().iter().map(|status| status.label_vi()).collect();
        let distinct_en: std::collections::HashSet<_> =
            all().iter().map(|status| status.label_en()).collect();
        assert_eq!(distinct_vi.len(), 10);
        assert_eq!(distinct_en.len(), 10);
    }

    #[test]
    fn closed_and_paused_statuses() {
        let closed: Vec<Status> = all().into_iter().filter(|s| s.is_closed()).collect();
        let paused: Vec<Status> = all().into_iter().filter(|s| s.is_paused()).collect();
        use Status::*;
        assert_eq!(closed, [Refused, Withdrawn, Stopped, Processed, Returned]);
        assert_eq!(paused, [SupplementRequested, PaymentRequired]);
    }

    #[test]
    fn transition_matrix_matches_the_rules() {
        // Rows: from; columns: to; both in declaration order (codes 1..=10).
        const EXPECTED: [&str; 10] = [
            //                             1234567890
            /* 1  newly_submitted      */
            ".XX...X...",
            /* 2  accepted             */ "...XXXXXX.",
            /* 3  refused              */ "..........",
            /* 4  in_progress          */ "....XXXXX.",
            /* 5  supplement_requested */ "...X..XX..",
            /* 6  payment_required     */ "...X..XX..",
            /* 7  withdrawn            */ "..........",
            /* 8  stopped              */ "..........",
            /* 9  processed            */ ".........X",
            /* 10 returned             */ "..........",
        ];
        for (from, row) in all().into_iter().zip(EXPECTED) {
            for (to, cell) in all().into_iter().zip(row.chars()) {
                assert_eq!(can_transition(from, to), cell == 'X', "{} -> {}", from.to_value(), to.to_value());
            }
        }
    }

    #[test]
    fn allowed_next_lists_each_target_once() {
        for from in all() {
            let next = allowed_next(from);
            let distinct: std::collections::HashSet<_> = next.iter().collect();
            assert_eq!(distinct.len(), next.len(), "{}", from.to_value());
            assert!(!next.contains(&from), "{} loops", from.to_value());
        }
    }

    #[test]
    fn terminal_statuses_are_closed() {
        for status in all() {
            if allowed_next(status).is_empty() {
                assert!(status.is_closed(), "{}", status.to_value());
            }
        }
    }

    #[test]
    fn only_stopping_needs_a_supervisor() {
        for status in all() {
            let expected = if status == Status::Stopped { StaffRole::Supervisor } else { StaffRole::Officer };
            assert_eq!(required_role(status), expected, "{}", status.to_value());
        }
    }

    #[test]
    fn format_code_pads_the_sequence_to_four_digits() {
        assert_eq!(format_code("H15.50.05.13", date(2026, 10, 8), 975), "H15.50.05.13-261008-0975");
        assert_eq!(format_code("000.00.20.H12", date(2026, 11, 26), 1), "000.00.20.H12-261126-0001");
        assert_eq!(format_code("X", date(2001, 2, 3), 12345), "X-010203-12345");
    }

    #[test]
    fn parse_code_reads_real_codes() {
        assert_eq!(
            parse_code("H15.50.05.13-261008-0975"),
            Some(ParsedCode { unit_code: "H15.50.05.13", receipt_date: date(2026, 10, 8), sequence: 975 })
        );
        assert_eq!(
            parse_code("000.00.20.H12-261126-0001"),
            Some(ParsedCode { unit_code: "000.00.20.H12", receipt_date: date(2026, 11, 26), sequence: 1 })
        );
    }

    #[test]
    fn parse_code_keeps_dashes_in_the_unit_code() {
        let parsed = parse_code("UBND-PHUONG-1-240229-12345").unwrap();
        assert_eq!(parsed.unit_code, "UBND-PHUONG-1");
        assert_eq!(parsed.receipt_date, date(2024, 2, 29));
        assert_eq!(parsed.sequence, 12345);
    }

    #[test]
    fn parse_code_rejects_malformed_codes() {
        for code in [
            "",
            "H15",
            "H15-261008",
            "-261008-0975",          // no unit code
            "H15-260229-0975",       // 2026 is not a leap year
            "H15-261308-0975",       // month 13
            "H15-261000-0975",       // day 0
            "H15-26108-0975",        // five-digit date
            "H15-2610081-0975",      // seven-digit date
            "H15-26100a-0975",       // letter in date
            "H15-261008-0000",       // sequence 0
            "H15-261008-975",        // under four digits
            "H15-261008-00975",      // padded beyond four digits
            "H15-261008-+975",       // sign
            "H15-261008-09 5",       // space
            "H15-261008-",           // empty sequence
            "H15-261008-4294967296", // overflows u32
        ] {
            assert_eq!(parse_code(code), None, "{code:?}");
        }
    }

    #[test]
    fn parse_code_caps_the_length() {
        let sequence = "-261008-0975";
        let longest = format!("{}{sequence}", "U".repeat(MAX_CODE_CHARS - sequence.len()));
        assert!(parse_code(&longest).is_some());
        let too_long = format!("U{longest}");
        assert_eq!(parse_code(&too_long), None);
    }

    #[test]
    fn generated_secrets_use_the_alphabet() {
        for _ in 0..100 {
            let secret = generate_secret();
            assert_eq!(secret.len(), SECRET_LEN);
            assert!(secret.chars().all(|c| SECRET_ALPHABET.contains(c)), "{secret}");
        }
        assert_ne!(generate_secret(), generate_secret());
    }

    #[test]
    fn generated_secrets_cover_the_alphabet() {
        let seen: std::collections::HashSet<char> =
            (0..200).flat_map(|_| generate_secret().chars().collect::<Vec<_>>()).collect();
        assert_eq!(seen.len(), SECRET_ALPHABET.len());
    }

    #[test]
    fn secret_alphabet_has_no_confusable_characters() {
        assert_eq!(SECRET_ALPHABET.len(), 31);
        for confusable in ['0', 'O', '1', 'I', 'L'] {
            assert!(!SECRET_ALPHABET.contains(confusable));
        }
    }

    #[test]
    fn normalize_secret_accepts_typed_spellings() {
        let canonical = Some("ABCD2345".to_owned());
        assert_eq!(normalize_secret("ABCD2345"), canonical);
        assert_eq!(normalize_secret("abcd2345"), canonical);
        assert_eq!(normalize_secret(" abcd-2345 "), canonical);
        assert_eq!(normalize_secret("AB CD 23 45"), canonical);
    }

    #[test]
    fn normalize_secret_rejects_wrong_characters_and_lengths() {
        for input in [
            "",
            "ABCD234",   // too short
            "ABCD23456", // too long
            "ABCD2340",  // 0
            "ABCO2345",  // O
            "ABCD2341",  // 1
            "ABCI2345",  // I
            "ABCl2345",  // l, upper-cased to L
            "ABCD_2345", // separator other than space and '-'
            "ÂBCD2345",  // non-ASCII
            "ABCD2345ABCD2345",
        ] {
            assert_eq!(normalize_secret(input), None, "{input:?}");
        }
    }

    #[test]
    fn hash_is_hex_sha256_and_depends_on_every_input() {
        let hasher = SecretHasher::new(b"pepper");
        let hash = hasher.hash("H15-261008-0975", "ABCD2345");
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(hash, hasher.hash("H15-261008-0975", "ABCD2345"));
        assert_ne!(hash, hasher.hash("H15-261008-0976", "ABCD2345"));
        assert_ne!(hash, hasher.hash("H15-261008-0975", "ABCD2346"));
        assert_ne!(hash, SecretHasher::new(b"other pepper").hash("H15-261008-0975", "ABCD2345"));
        // The separator keeps the code/secret boundary from shifting.
        assert_ne!(hasher.hash("AB", "C"), hasher.hash("A", "BC"));
    }

    #[test]
    fn hash_matches_a_reference_hmac() {
        // HMAC-SHA256(key = "key", "code\0SECRET"), computed independently.
        let hasher = SecretHasher::new(b"key");
        let mut reference = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        reference.update(b"code\0SECRET");
        assert_eq!(hasher.hash("code", "SECRET"), hex::encode(reference.finalize().into_bytes()));
    }

    #[test]
    fn verify_accepts_only_the_stored_secret() {
        let hasher = SecretHasher::new(b"pepper");
        let code = "000.00.20.H12-261126-0001";
        let stored = hasher.hash(code, "ABCD2345");
        assert!(hasher.verify(code, "ABCD2345", &stored));
        assert!(hasher.verify(code, "ABCD2345", &stored.to_ascii_uppercase()));
        assert!(!hasher.verify(code, "ABCD2346", &stored));
        assert!(!hasher.verify("000.00.20.H12-261126-0002", "ABCD2345", &stored));
        assert!(!SecretHasher::new(b"other").verify(code, "ABCD2345", &stored));
        assert!(!hasher.verify(code, "ABCD2345", ""));
        assert!(!hasher.verify(code, "ABCD2345", &stored[..62]));
        assert!(!hasher.verify(code, "ABCD2345", &format!("{stored}00")));
        assert!(!hasher.verify(code, "ABCD2345", &stored.replace(|_| true, "z")));
    }

    #[test]
    fn dummy_verify_hashes_a_real_length_secret() {
        assert_eq!(DUMMY_SECRET.len(), SECRET_LEN);
        assert!(parse_code(DUMMY_CODE).is_some());
        assert_eq!(DUMMY_STORED_HEX.len(), 64);
        SecretHasher::new(b"pepper").dummy_verify();
    }

    #[test]
    fn mask_name_keeps_first_letters_and_hides_lengths() {
        assert_eq!(mask_name("Nguyễn Văn An"), "N*** V*** A***");
        assert_eq!(mask_name("Đỗ Thị Ánh"), "Đ*** T*** Á***");
        assert_eq!(mask_name("  Lê   B  "), "L*** B");
        assert_eq!(mask_name("Ông"), "Ô***");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name(" \t "), "");
    }

    #[test]
    fn mask_name_keeps_a_decomposed_first_letter_whole() {
        let decomposed: String = "Ánh Ư".nfd().collect();
        assert_eq!(mask_name(&decomposed), "Á*** Ư");
        // A mark that has no precomposed form with its letter stays attached too.
        assert_eq!(mask_name("Q\u{0323}\u{0302}x"), "Q\u{0323}\u{0302}***");
    }

    fn unit_code() -> impl Strategy<Value = String> {
        "[A-Za-z0-9.-]{1,30}"
    }

    fn receipt_date() -> impl Strategy<Value = NaiveDate> {
        let first = date(2000, 1, 1);
        let span = (date(2099, 12, 31) - first).num_days();
        (0..=span).prop_map(move |days| first + chrono::Duration::days(days))
    }

    proptest! {
        #[test]
        fn codes_round_trip(unit in unit_code(), day in receipt_date(), sequence in 1..=999_999u32) {
            let code = format_code(&unit, day, sequence);
            let parsed = parse_code(&code);
            prop_assert_eq!(
                parsed,
                Some(ParsedCode { unit_code: &unit, receipt_date: day, sequence })
            );
        }

        #[test]
        fn parse_code_never_panics(code in any::<String>()) {
            if let Some(parsed) = parse_code(&code) {
                let formatted = format_code(parsed.unit_code, parsed.receipt_date, parsed.sequence);
                prop_assert_eq!(formatted, code);
            }
        }

        #[test]
        fn generated_secrets_are_normal(_round in 0..64u8) {
            let secret = generate_secret();
            prop_assert_eq!(normalize_secret(&secret), Some(secret));
        }

        #[test]
        fn hashes_differ_across_codes(
            (first, second) in (unit_code(), unit_code()).prop_filter("distinct", |(a, b)| a != b),
            secret in "[2-9A-HJKMNP-Z]{8}",
        ) {
            let hasher = SecretHasher::new(b"pepper");
            prop_assert_ne!(hasher.hash(&first, &secret), hasher.hash(&second, &secret));
        }

        #[test]
        fn mask_name_never_panics(name in any::<String>()) {
            let masked = mask_name(&name);
            prop_assert!(!masked.starts_with(' ') && !masked.ends_with(' '));
        }
    }
}
