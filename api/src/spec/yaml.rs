//! The spec as YAML that every YAML reader takes for the same document as the JSON.
//!
//! serde_yaml writes YAML 1.2, where `off`, `on`, `yes` and `no`, `15:00` and `2026-01-10`
//! are plain strings; YAML 1.1 readers (PyYAML, so most Python tools) read them unquoted as
//! booleans, base-60 numbers (`15:00` is 900) and dates, and the calendar's `off` day status
//! would become `false`. Such scalars are quoted.

use serde_json::Value;

/// Plain scalars that a YAML 1.1 reader takes for a boolean or null.
const YAML_1_1_KEYWORDS: &[&str] =
    &["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"];

pub fn to_string(document: &Value) -> String {
    let yaml = serde_yaml::to_string(document).expect("a JSON value serializes as YAML");
    let mut out = String::with_capacity(yaml.len() + 64);
    for line in yaml.lines() {
        out.push_str(&quote_keyword_value(line));
        out.push('\n');
    }
    out
}

/// A plain scalar YAML 1.1 reads as something other than a string: a keyword, a base-60
/// number or a date (a timestamp begins with one).
fn is_yaml_1_1_special(value: &str) -> bool {
    static SEXAGESIMAL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$").expect("compiles")
    });
    static DATE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}").expect("compiles"));
    YAML_1_1_KEYWORDS.contains(&value) || SEXAGESIMAL.is_match(value) || DATE.is_match(value)
}

/// Quotes the value of a `- value` or `key: value` line when YAML 1.1 would not read it as
/// the string it is.
fn quote_keyword_value(line: &str) -> std::borrow::Cow<'_, str> {
    // Past the indentation and any `- ` of list items, then past a `key: ` if there is one
    // (serde_yaml quotes any key or string that holds `: ` itself).
    let mut start = line.len() - line.trim_start().len();
    while line[start..].starts_with("- ") {
        start += 2;
    }
    if let Some(colon) = line[start..].find(": ") {
        start += colon + 2;
    }
    let value = &line[start..];
    if !value.is_empty() && is_yaml_1_1_special(value) {
        format!("{}'{}'", &line[..start], value.replace('\'', "''")).into()
    } else {
        line.into()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn yaml_1_1_keywords_are_quoted_and_the_document_reads_back_the_same() {
        let document = json!({
            "enum": ["working", "off"], "example": "no", "description": "on or off",
            "start": "07:30", "date": "2026-01-10", "at": "2026-01-10T08:00:00+07:00",
            "hours": [{ "start": "13:30", "end": "17:00" }], "days": ["2026-01-10"]
        });
        let yaml = to_string(&document);
        assert!(yaml.contains("- 'off'"), "{yaml}");
        assert!(yaml.contains("example: 'no'"), "{yaml}");
        assert!(yaml.contains("start: '07:30'"), "{yaml}");
        assert!(yaml.contains("date: '2026-01-10'"), "{yaml}");
        assert!(yaml.contains("- end: '17:00'") || yaml.contains("- start: '13:30'"), "{yaml}");
        assert!(yaml.contains("- '2026-01-10'"), "{yaml}");
        assert!(yaml.contains("description: on or off"), "{yaml}");
        let read: Value = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(read, document);
    }

    #[test]
    fn the_committed_spec_reads_back_as_the_json_document() {
        let document = crate::spec::document();
        let read: Value = serde_yaml::from_str(&to_string(&document)).unwrap();
        assert_eq!(read, document);
    }
}
