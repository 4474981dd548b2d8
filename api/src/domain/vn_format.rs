//! How numbers and dates are written on Vietnamese documents: a dot between thousands
//! ("50.000 đồng"), a comma before decimals ("1,5 ngày"), and the place-and-date line of an
//! administrative document ("Thuận An, ngày 07 tháng 12 năm 2026").

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// A whole number with dots between thousands: `50000` -> `50.000`, `-1234567` -> `-1.234.567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        grouped.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    grouped
}

/// A number with at most `places` decimals, a decimal comma and no trailing zeros:
/// `1.5` -> `1,5`, `2.0` -> `2`, `1234.25` -> `1.234,25`, `0.6667` (1 place) -> `0,7`.
pub fn decimal(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return "—".to_owned();
    }
    let fixed = format!("{:.*}", places, x.abs());
    let (whole, fraction) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let fraction = fraction.trim_end_matches('0');
    let whole: i64 = whole.parse().unwrap_or(0);
    let sign = if x < 0.0 && (whole != 0 || !fraction.is_empty()) { "-" } else { "" };
    match fraction {
        "" => format!("{sign}{}", thousands(whole)),
        fraction => format!("{sign}{},{fraction}", thousands(whole)),
    }
}

/// A share as a percentage with one decimal: `0.9234` -> `92,3%`.
pub fn percent(share: f64) -> String {
    format!("{}%", decimal(share * 100.0, 1))
}

/// A date as on a form: `07/12/2026`.
pub fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// The place-and-date line of a document: `Thuận An, ngày 07 tháng 12 năm 2026`.
/// Days and months below ten take a leading zero, as Decree 30/2020 writes them for 1 and 2
/// (and most units write for every one of them).
pub fn place_date_line(place: &str, day: NaiveDate) -> String {
    format!("{place}, {}", spelled_date(day))
}

/// A date spelled as forms write it: `ngày 07 tháng 12 năm 2026`.
pub fn spelled_date(day: NaiveDate) -> String {
    format!("ngày {:02} tháng {:02} năm {}", day.day(), day.month(), day.year())
}

/// A time and date as Mẫu 01 writes them: `08 giờ 15 phút, ngày 26 tháng 11 năm 2026`.
pub fn spelled_time(at: NaiveDateTime) -> String {
    format!("{:02} giờ {:02} phút, {}", at.hour(), at.minute(), spelled_date(at.date()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_by_dots() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1.000");
        assert_eq!(thousands(50_000), "50.000");
        assert_eq!(thousands(1_234_567), "1.234.567");
        assert_eq!(thousands(-1_234_567), "-1.234.567");
        assert_eq!(thousands(i64::MIN), "-9.223.372.036.854.775.808");
    }

    #[test]
    fn decimals_take_a_comma_and_drop_trailing_zeros() {
        assert_eq!(decimal(1.5, 1), "1,5");
        assert_eq!(decimal(2.0, 1), "2");
        assert_eq!(decimal(0.5, 2), "0,5");
        assert_eq!(decimal(1234.25, 2), "1.234,25");
        assert_eq!(decimal(2.0 / 3.0, 1), "0,7");
        assert_eq!(decimal(-0.04, 1), "0");
        assert_eq!(decimal(-1.5, 1), "-1,5");
        assert_eq!(decimal(f64::NAN, 1), "—");
        assert_eq!(percent(0.9234), "92,3%");
        assert_eq!(percent(1.0), "100%");
    }

    #[test]
    fn the_date_line_names_the_place_and_spells_the_date() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert_eq!(place_date_line("Thuận An", day), "Thuận An, ngày 07 tháng 03 năm 2026");
        assert_eq!(date(day), "07/03/2026");
        assert_eq!(spelled_date(day), "ngày 07 tháng 03 năm 2026");
        assert_eq!(
            spelled_time(day.and_hms_opt(8, 5, 59).unwrap()),
            "08 giờ 05 phút, ngày 07 tháng 03 năm 2026"
        );
    }
}
