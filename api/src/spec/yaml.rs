//! The spec as YAML that every YAML reader takes for the same document as the JSON.
//!
//! serde_yaml writes YAML 1.2, where `off`, `on`, `yes` and `no` are plain strings; YAML 1.1
//! readers (PyYAML, so most Python tools) read them unquoted as booleans, and the calendar's
//! `off` day status would become `false`. Such scalars are quoted.

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

/// Quotes the value of a `- value` or `key: value` line when it is a YAML 1.1 keyword.
fn quote_keyword_value(line: &str) -> std::borrow::Cow<'_, str> {
    let value_start = if let Some(rest) = line.trim_start().strip_prefix("- ") {
        line.len() - rest.len()
    } else if let Some(colon) = line.find(": ") {
        colon + 2
    } else {
        return line.into();
    };
    let value = &line[value_start..];
    if YAML_1_1_KEYWORDS.contains(&value) {
        format!("{}'{value}'", &line[..value_start]).into()
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
        let document = json!({ "enum": ["working", "off"], "example": "no", "description": "on or off" });
        let yaml = to_string(&document);
        assert!(yaml.contains("- 'off'"), "{yaml}");
        assert!(yaml.contains("example: 'no'"), "{yaml}");
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
