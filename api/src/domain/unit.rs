//! Administrative units (đơn vị): their codes, names and addresses, parsed once at the edge.

/// A unit's code: the administrative unit's own identifier, kept opaque (`H29`, `26.PX-01`),
/// 1–40 characters of ASCII letters, digits, `.`, `_` and `-`. Codes never change once given,
/// so dossier codes and history keep pointing at the right unit. They are kept in upper case
/// (as official codes are written): a dossier code, which begins with its unit's code, is
/// then found however a citizen types it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitCode(String);

pub const UNIT_CODE_MAX_CHARS: usize = 40;

impl UnitCode {
    pub fn parse(input: &str) -> Option<UnitCode> {
        let valid = (1..=UNIT_CODE_MAX_CHARS).contains(&input.len())
            && input.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        valid.then(|| UnitCode(input.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Text of a bounded length with runs of whitespace collapsed, or `None` when it is empty or
/// too long.
fn collapsed_text(input: &str, max_chars: usize) -> Option<String> {
    let collapsed = input.split_whitespace().collect::<Vec<_>>().join(" ");
    (1..=max_chars).contains(&collapsed.chars().count()).then_some(collapsed)
}

/// A unit's name: 1–200 characters, whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitName(String);

impl UnitName {
    pub fn parse(input: &str) -> Option<UnitName> {
        collapsed_text(input, 200).map(UnitName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A unit's street address: 1–300 characters, whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitAddress(String);

impl UnitAddress {
    pub fn parse(input: &str) -> Option<UnitAddress> {
        collapsed_text(input, 300).map(UnitAddress)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_plain_ascii_kept_in_upper_case() {
        for code in ["H29", "26.PX-01", "A_B", &"X".repeat(40)] {
            assert_eq!(UnitCode::parse(code).unwrap().as_str(), code);
        }
        assert_eq!(UnitCode::parse("000.20.33.h12").unwrap().as_str(), "000.20.33.H12");
        for code in ["", " H29", "H 29", "Hà", "H29/1", &"X".repeat(41)] {
            assert_eq!(UnitCode::parse(code), None, "{code}");
        }
    }

    #[test]
    fn names_and_addresses_are_collapsed_and_bounded() {
        assert_eq!(UnitName::parse("  Phường   Hàng Bạc ").unwrap().as_str(), "Phường Hàng Bạc");
        assert_eq!(UnitName::parse("   "), None);
        assert!(UnitName::parse(&"ă".repeat(200)).is_some());
        assert_eq!(UnitName::parse(&"ă".repeat(201)), None);
        assert_eq!(UnitAddress::parse("12  Hàng Bạc").unwrap().as_str(), "12 Hàng Bạc");
        assert_eq!(UnitAddress::parse(&"x".repeat(301)), None);
    }
}
