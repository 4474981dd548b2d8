//! Which field of a request broke its schema, and how, in words a client developer can act on.
//!
//! poem-openapi refuses a body or parameter that does not fit its type with an English parser
//! message and no field name. When that happens the request is checked again here against the
//! operation's schema in the refined spec, the same document clients are generated from, so
//! the problem names each field and what it takes, in the caller's language, and carries
//! nothing of the parser.

use serde_json::Value;

use crate::{
    error::{ApiError, FieldError},
    i18n::Text,
    spec::Contract,
};

/// The problem for a request poem-openapi could not parse, or `None` when the error is of
/// another kind. `route` is the route template that matched, `body` the bytes that were sent.
pub fn explain(
    error: &poem::Error,
    contract: &Contract,
    method: &str,
    route: &str,
    body: &[u8],
) -> Option<ApiError> {
    use poem_openapi::error::{ParseParamError, ParsePathError, ParseRequestPayloadError};

    let operation = contract.operation(method, route);
    let components = contract.components();
    if error.is::<ParseRequestPayloadError>() {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            return Some(ApiError::malformed_body());
        };
        let schema = operation
            .and_then(|op| op.pointer("/requestBody/content"))
            .and_then(Value::as_object)
            .and_then(|content| content.values().next())
            .and_then(|media| media.get("schema"));
        let found = schema.map(|schema| violations(&value, schema, components)).unwrap_or_default();
        if found.is_empty() {
            return Some(ApiError::malformed_body());
        }
        let structural = found.iter().any(|v| v.structural);
        let errors = found.into_iter().map(|v| v.error).collect();
        return Some(if structural {
            ApiError::malformed_fields(errors)
        } else {
            ApiError::validation(errors)
        });
    }
    let (name, out_of_range) = if let Some(e) = error.downcast_ref::<ParseParamError>() {
        (e.name, e.reason.contains("verification failed"))
    } else if let Some(e) = error.downcast_ref::<ParsePathError>() {
        (e.name, false)
    } else {
        return None;
    };
    let parameters = operation.and_then(|op| op.get("parameters")).and_then(Value::as_array);
    // poem names a path parameter by its position (`param0`) when it cannot parse it.
    let position = name.strip_prefix("param").and_then(|n| n.parse::<usize>().ok());
    let parameter = parameters.and_then(|parameters| {
        parameters.iter().find(|p| p.get("name").and_then(Value::as_str) == Some(name)).or_else(|| {
            let in_path = parameters.iter().filter(|p| p.get("in").and_then(Value::as_str) == Some("path"));
            position.and_then(|n| in_path.into_iter().nth(n))
        })
    });
    let name = parameter.and_then(|p| p.get("name")).and_then(Value::as_str).unwrap_or(name);
    let schema = parameter.and_then(|p| p.get("schema")).cloned().unwrap_or_default();
    let field = expected(name, &schema, components);
    Some(if out_of_range {
        ApiError::validation(vec![field])
    } else {
        ApiError::malformed_fields(vec![field])
    })
}

/// A field that breaks its schema.
#[derive(Debug)]
pub struct Violation {
    pub error: FieldError,
    /// The value is of the wrong type, not one of the allowed values, or missing: the request
    /// does not have the operation's shape (400), as opposed to a value out of its bounds (422).
    pub structural: bool,
}

/// Every field of `value` that breaks `schema`; `components` resolves `$ref`s.
pub fn violations(value: &Value, schema: &Value, components: &Value) -> Vec<Violation> {
    let mut found = Vec::new();
    check(value, schema, components, "", &mut found);
    found
}

fn resolve<'a>(schema: &'a Value, components: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| components.get(name))
            .map_or(schema, |target| resolve(target, components)),
        None => schema,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

fn check(value: &Value, schema: &Value, components: &Value, path: &str, found: &mut Vec<Violation>) {
    let schema = resolve(schema, components);
    if value.is_null() && schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        return;
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            check(value, part, components, path, found);
        }
    }
    if !of_type(value, schema) {
        found.push(Violation { error: expected(path, schema, components), structural: true });
        return;
    }
    if !within_bounds(value, schema) {
        found.push(Violation { error: expected(path, schema, components), structural: false });
        return;
    }
    match value {
        Value::Object(object) => {
            let required = schema.get("required").and_then(Value::as_array).into_iter().flatten();
            for name in required.filter_map(Value::as_str) {
                if object.get(name).is_none_or(Value::is_null) {
                    let message = Text::new("Trường này là bắt buộc.", "This field is required.");
                    found.push(Violation {
                        error: FieldError { field: join(path, name), message },
                        structural: true,
                    });
                }
            }
            let properties = schema.get("properties").and_then(Value::as_object);
            for (name, property) in properties.into_iter().flatten() {
                match object.get(name) {
                    // A required field sent as null was reported as missing above.
                    Some(Value::Null) if is_required(schema, name) => {}
                    Some(item) => check(item, property, components, &join(path, name), found),
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(item, item_schema, components, &format!("{path}[{i}]"), found);
                }
            }
        }
        _ => {}
    }
}

fn is_required(schema: &Value, name: &str) -> bool {
    schema.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|n| n == name))
}

/// Whether the value itself (not its members) is of the schema's type and, for an enum, one
/// of its values.
fn of_type(value: &Value, schema: &Value) -> bool {
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        return choices.contains(value);
    }
    match (schema.get("type").and_then(Value::as_str), value) {
        (None, _) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Some("string"), Value::String(_))
        | (Some("number"), Value::Number(_))
        | (Some("boolean"), Value::Bool(_))
        | (Some("object"), Value::Object(_))
        | (Some("array"), Value::Array(_)) => true,
        _ => false,
    }
}

/// Whether a value of the right type keeps within the schema's bounds, pattern and format.
fn within_bounds(value: &Value, schema: &Value) -> bool {
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    let count = |key: &str| schema.get(key).and_then(Value::as_u64).map(|n| n as usize);
    match value {
        Value::String(s) => {
            let length = s.chars().count();
            count("minLength").is_none_or(|min| length >= min)
                && count("maxLength").is_none_or(|max| length <= max)
                && schema
                    .get("pattern")
                    .and_then(Value::as_str)
                    .and_then(compiled)
                    .is_none_or(|p| s.is_empty() || p.is_match(s))
                && format_fits(schema.get("format").and_then(Value::as_str), s)
        }
        Value::Number(n) => n.as_f64().is_some_and(|n| {
            bound("minimum").is_none_or(|m| n >= m)
                && bound("maximum").is_none_or(|m| n <= m)
                && bound("multipleOf").is_none_or(|m| (n / m).fract() == 0.0)
        }),
        Value::Array(items) => {
            count("minItems").is_none_or(|min| items.len() >= min)
                && count("maxItems").is_none_or(|max| items.len() <= max)
        }
        _ => true,
    }
}

/// The spec's patterns, compiled once each: the spec has a handful, and a request that breaks
/// its schema must not cost a regex compilation (some are large Unicode classes).
fn compiled(pattern: &str) -> Option<std::sync::Arc<regex::Regex>> {
    use std::{
        collections::HashMap,
        sync::{Arc, LazyLock, Mutex},
    };
    static COMPILED: LazyLock<Mutex<HashMap<String, Option<Arc<regex::Regex>>>>> =
        LazyLock::new(Default::default);
    let mut compiled = COMPILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    compiled
        .entry(pattern.to_owned())
        .or_insert_with(|| regex::Regex::new(pattern).ok().map(Arc::new))
        .clone()
}

fn format_fits(format: Option<&str>, s: &str) -> bool {
    match format {
        Some("uuid") => uuid::Uuid::parse_str(s).is_ok(),
        Some("date") => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        _ => true,
    }
}

/// "Must be …" for a field that does not fit.
pub fn expected(field: &str, schema: &Value, components: &Value) -> FieldError {
    let (vi, en) = describe(resolve(schema, components));
    FieldError {
        field: field.to_owned(),
        message: Text::new(format!("Phải là {vi}."), format!("Must be {en}.")),
    }
}

/// What a schema takes, in Vietnamese and English.
pub fn describe(schema: &Value) -> (String, String) {
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        let list = choices
            .iter()
            .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
            .collect::<Vec<_>>();
        return (format!("một trong: {}", list.join(", ")), format!("one of: {}", list.join(", ")));
    }
    let number = |key: &str| schema.get(key).map(Value::to_string);
    let range = |vi: &str, en: &str| match (number("minimum"), number("maximum")) {
        (Some(min), Some(max)) => (format!("{vi} từ {min} đến {max}"), format!("{en} from {min} to {max}")),
        (Some(min), None) => (format!("{vi} không nhỏ hơn {min}"), format!("{en} of at least {min}")),
        (None, Some(max)) => (format!("{vi} không lớn hơn {max}"), format!("{en} of at most {max}")),
        (None, None) => (vi.to_owned(), en.to_owned()),
    };
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => range("một số nguyên", "a whole number"),
        Some("number") => match number("multipleOf") {
            Some(step) => {
                let (vi, en) = range("một số", "a number");
                (format!("{vi}, bội số của {step}"), format!("{en}, a multiple of {step}"))
            }
            None => range("một số", "a number"),
        },
        Some("boolean") => ("true hoặc false".into(), "true or false".into()),
        Some("array") => match schema.get("maxItems") {
            Some(max) => {
                (format!("một danh sách tối đa {max} phần tử"), format!("a list of at most {max} items"))
            }
            None => ("một danh sách".into(), "a list".into()),
        },
        Some("object") => ("một đối tượng JSON".into(), "a JSON object".into()),
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("uuid") => ("một UUID".into(), "a UUID".into()),
            Some("date") => ("một ngày dạng YYYY-MM-DD".into(), "a date as YYYY-MM-DD".into()),
            Some("date-time") => (
                "một thời điểm RFC 3339 có múi giờ (2026-12-01T08:00:00+07:00)".into(),
                "an RFC 3339 instant with its offset (2026-12-01T08:00:00+07:00)".into(),
            ),
            _ => {
                let (min, max) = (number("minLength"), number("maxLength"));
                let visible = schema.get("pattern").is_some();
                let (vi_rule, en_rule) = if visible {
                    (", không để trống, không có ký tự điều khiển", ", not blank, without control characters")
                } else {
                    ("", "")
                };
                match (min, max) {
                    (Some(min), Some(max)) => (
                        format!("một chuỗi ký tự dài {min}–{max} ký tự{vi_rule}"),
                        format!("a string of {min}–{max} characters{en_rule}"),
                    ),
                    _ => (format!("một chuỗi ký tự{vi_rule}"), format!("a string{en_rule}")),
                }
            }
        },
        _ => ("một giá trị hợp lệ".into(), "a valid value".into()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn components() -> Value {
        json!({ "Kind": { "type": "string", "enum": ["citizen", "business"] } })
    }

    #[test]
    fn a_number_for_a_string_names_the_field_and_the_type() {
        let schema = json!({ "type": "object", "required": ["name"], "properties": {
            "name": { "type": "string", "minLength": 1, "maxLength": 100 } } });
        let found = violations(&json!({ "name": false }), &schema, &components());
        assert_eq!(found.len(), 1);
        assert!(found[0].structural);
        assert_eq!(found[0].error.field, "name");
        assert_eq!(found[0].error.message.en, "Must be a string of 1–100 characters.");
    }

    #[test]
    fn nested_enums_missing_fields_and_list_items_are_found() {
        let schema = json!({ "type": "object", "required": ["applicant", "documents"], "properties": {
            "applicant": { "type": "object", "required": ["kind", "phone"], "properties": {
                "kind": { "allOf": [{ "$ref": "#/components/schemas/Kind" }] },
                "phone": { "type": "string" } } },
            "documents": { "type": "array", "items": { "type": "integer", "minimum": 1, "maximum": 20 } } } });
        let body = json!({ "applicant": { "kind": "robot" }, "documents": [3, 40] });
        let found = violations(&body, &schema, &components());
        let fields: Vec<_> = found.iter().map(|f| f.error.field.as_str()).collect();
        assert_eq!(fields, ["applicant.phone", "applicant.kind", "documents[1]"]);
        assert_eq!(found[1].error.message.en, "Must be one of: citizen, business.");
        assert_eq!(found[2].error.message.vi, "Phải là một số nguyên từ 1 đến 20.");
        assert_eq!(found.iter().map(|f| f.structural).collect::<Vec<_>>(), [true, true, false]);
    }

    #[test]
    fn null_is_taken_where_the_schema_says_nullable() {
        let schema = json!({ "type": "object", "properties": {
            "email": { "type": "string", "nullable": true } } });
        assert!(violations(&json!({ "email": null }), &schema, &components()).is_empty());
        assert_eq!(violations(&json!({ "email": 1 }), &schema, &components()).len(), 1);
    }
}
