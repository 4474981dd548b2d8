//! What poem-openapi writes, made into a document that client generators and linters accept.
//!
//! poem-openapi's output is correct for poem's own purposes but trips real tools: it wraps a
//! described reference as `allOf: [$ref, {description}]` (openapi-python-client then drops the
//! schema), writes Rust formats (`naive-date`, `uint64`), never writes `nullable` for an
//! optional field, documents the same error statuses on every operation and marks an array
//! query parameter required although poem reads a missing one as empty. Each rule below fixes
//! one of those over the whole document, so no DTO or handler has to remember it.

use serde_json::{Map, Value, json};

use super::errors;

/// Applies every rule to a document poem-openapi wrote.
pub fn refine(document: &mut Value) {
    walk(document, &mut |object| {
        plain_described_refs(object);
        standard_formats(object);
        whole_bounds(object);
        refused_passwords(object);
    });
    if let Some(schemas) = document.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        let types: Map<String, Value> = schemas
            .iter()
            .filter_map(|(name, schema)| {
                Some((format!("#/components/schemas/{name}"), schema.get("type")?.clone()))
            })
            .collect();
        for schema in schemas.values_mut() {
            nullable_optional_properties(schema, &types);
        }
    }
    let examples = schema_examples(document);
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for operations in paths.values_mut() {
        let Some(operations) = operations.as_object_mut() else { continue };
        for operation in operations.values_mut() {
            let Some(operation) = operation.as_object_mut() else { continue };
            parameters(operation);
            closed_forms(operation);
            public_security(operation);
            key_scope(operation);
            errors::document_errors(operation);
            media_type_examples(operation, &examples);
        }
    }
}

/// The spec lists the common passwords a new password (a schema titled `NewPassword`) may not
/// be, in any letter case, so a client (and a fuzzer) knows them before it sends one.
fn refused_passwords(object: &mut Map<String, Value>) {
    if object.get("title").and_then(Value::as_str) == Some("NewPassword") && !object.contains_key("not") {
        let mut common: Vec<&str> = crate::domain::account::common_passwords().collect();
        common.sort_unstable();
        object.insert("not".into(), json!({ "enum": common }));
        object.entry("description").or_insert_with(|| {
            "10–128 characters, none of the commonly used passwords under `not` in any letter case.".into()
        });
    }
}

/// Calls `visit` on every JSON object of the document, depth first.
fn walk(value: &mut Value, visit: &mut impl FnMut(&mut Map<String, Value>)) {
    match value {
        Value::Object(object) => {
            visit(object);
            for child in object.values_mut() {
                walk(child, visit);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| walk(item, visit)),
        _ => {}
    }
}

/// `allOf: [{$ref}, {description}]` becomes `allOf: [{$ref}]` with the description beside it:
/// the form every generator reads as "this named type, described".
fn plain_described_refs(object: &mut Map<String, Value>) {
    let Some(Value::Array(parts)) = object.get_mut("allOf") else { return };
    let references = parts.iter().filter(|part| part.get("$ref").is_some()).count();
    if references != 1 {
        return;
    }
    let mut description = None;
    parts.retain(|part| {
        let annotation_only = part.as_object().is_some_and(|p| p.keys().all(|k| k == "description"));
        if annotation_only {
            description = part.get("description").cloned();
        }
        !annotation_only
    });
    if let Some(description) = description {
        object.entry("description").or_insert(description);
    }
}

/// Rust's numeric and date formats as the standard ones, with the range the Rust type holds.
fn standard_formats(object: &mut Map<String, Value>) {
    let Some(format) = object.get("format").and_then(Value::as_str) else { return };
    let (standard, range): (&str, Option<(i64, i64)>) = match format {
        "naive-date" => ("date", None),
        "uint8" => ("int32", Some((0, u8::MAX.into()))),
        "uint16" => ("int32", Some((0, u16::MAX.into()))),
        "uint32" => ("int64", Some((0, u32::MAX.into()))),
        "uint64" => ("int64", Some((0, i64::MAX))),
        "int8" => ("int32", Some((i8::MIN.into(), i8::MAX.into()))),
        "int16" => ("int32", Some((i16::MIN.into(), i16::MAX.into()))),
        "float64" => ("double", None),
        "float32" => ("float", None),
        _ => return,
    };
    object.insert("format".into(), standard.into());
    if let Some((low, high)) = range {
        let minimum = object.get("minimum").and_then(Value::as_f64).map_or(low as f64, |m| m.max(low as f64));
        let maximum =
            object.get("maximum").and_then(Value::as_f64).map_or(high as f64, |m| m.min(high as f64));
        object.insert("minimum".into(), number(minimum));
        if high != i64::MAX {
            object.insert("maximum".into(), number(maximum));
        }
    }
}

/// Bounds that are whole numbers written as such: poem-openapi keeps every bound as a float.
fn whole_bounds(object: &mut Map<String, Value>) {
    for key in ["minimum", "maximum", "multipleOf"] {
        if let Some(bound) = object.get(key).and_then(Value::as_f64) {
            object.insert(key.into(), number(bound));
        }
    }
}

/// A bound as an integer when it is one, so the spec reads `minimum: 0`, not `0.0`.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 { json!(value as i64) } else { json!(value) }
}

/// An optional property of an object is sent as `null` when it has no value, and `null` is
/// read as "no value" (or as the default, for a field that has one): the spec says so. OpenAPI 3.0 reads
/// `nullable` only beside a `type`, so a nullable reference carries the type of its target
/// (`types`, by `$ref`).
fn nullable_optional_properties(schema: &mut Value, types: &Map<String, Value>) {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else { return };
    for (name, property) in properties.iter_mut() {
        let Some(object) = property.as_object_mut() else { continue };
        // A schema without a type (any JSON value) takes `null` already, and OpenAPI 3.0
        // reads `nullable` only beside a type.
        if !["type", "$ref", "allOf"].iter().any(|key| object.contains_key(*key)) {
            object.remove("nullable");
            continue;
        }
        // A field with a default is optional too, and poem reads `null` there as the default.
        if required.contains(name) {
            continue;
        }
        if let Some(reference) = object.remove("$ref") {
            object.insert("allOf".into(), json!([{ "$ref": reference }]));
        }
        let target = object
            .get("allOf")
            .and_then(|all| all.pointer("/0/$ref"))
            .and_then(Value::as_str)
            .and_then(|r| types.get(r));
        if let Some(ty) = target.cloned() {
            object.entry("type").or_insert(ty);
        }
        object.insert("nullable".into(), Value::Bool(true));
    }
}

/// Parameter facts poem-openapi leaves out: a missing array query parameter is read as
/// empty (so it is optional), and `If-Match` is required wherever it is taken (a write
/// without it is answered 428).
fn parameters(operation: &mut Map<String, Value>) {
    let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) else { return };
    for parameter in parameters {
        let is_array = parameter.pointer("/schema/type").and_then(Value::as_str) == Some("array");
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default();
        if name.eq_ignore_ascii_case("If-Match") {
            parameter["required"] = Value::Bool(true);
        } else if is_array && parameter.get("in").and_then(Value::as_str) == Some("query") {
            parameter["required"] = Value::Bool(false);
        }
    }
}

/// A form (`multipart/form-data`) takes its own fields only, as the server reads it
/// (`deny_unknown_fields`), and a list of files may be left out (no part is an empty list, as
/// poem reads it): the spec says so.
fn closed_forms(operation: &mut Map<String, Value>) {
    let Some(form) = operation
        .get_mut("requestBody")
        .and_then(|body| body.pointer_mut("/content/multipart~1form-data/schema"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    form.insert("additionalProperties".into(), Value::Bool(false));
    let lists: Vec<String> = form
        .get("properties")
        .and_then(Value::as_object)
        .map(|fields| {
            fields
                .iter()
                .filter(|(_, f)| f.get("type") == Some(&Value::from("array")))
                .map(|(n, _)| n.clone())
                .collect()
        })
        .unwrap_or_default();
    if let Some(required) = form.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|name| !lists.iter().any(|list| name == list.as_str()));
    }
}

/// An operation that takes an API key names the scope it needs, as its description says
/// ("Key scope `stats.read`"), in `x-api-key-scope`, for tools that issue or check keys.
fn key_scope(operation: &mut Map<String, Value>) {
    let described = operation.get("description").and_then(Value::as_str).and_then(|text| {
        let (_, after) = text.split_once("Key scope `")?;
        Some(after.split_once('`')?.0.to_owned())
    });
    if let (true, Some(scope)) = (errors::takes_key(operation), described) {
        operation.insert("x-api-key-scope".to_owned(), json!(scope));
    }
}

/// An operation that takes no credentials says so (`security: []`), so a generated client
/// sends none and a linter knows it was meant.
fn public_security(operation: &mut Map<String, Value>) {
    operation.entry("security").or_insert_with(|| json!([]));
}

/// The example each component schema carries, by its `$ref`.
fn schema_examples(document: &Value) -> Map<String, Value> {
    let mut examples = Map::new();
    if let Some(schemas) = document.pointer("/components/schemas").and_then(Value::as_object) {
        for (name, schema) in schemas {
            if let Some(example) = schema.get("example") {
                examples.insert(format!("#/components/schemas/{name}"), example.clone());
            }
        }
    }
    examples
}

/// The example of a schema: its own, or for a list or a page one built from its items'.
fn example_of(schema: &Value, examples: &Map<String, Value>) -> Option<Value> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if let Some(example) = examples.get(reference) {
            return Some(example.clone());
        }
        // `Page_X`: a page holding X's example.
        let item = reference.strip_prefix("#/components/schemas/Page_")?;
        let item = examples.get(&format!("#/components/schemas/{item}"))?;
        return Some(json!({ "items": [item], "page": 1, "per_page": 20, "total": 1 }));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => example_of(schema.get("items")?, examples).map(|item| json!([item])),
        _ => None,
    }
}

/// A request or response whose schema has an example shows it at the media type too, where
/// documentation tools and fuzzers look for it first.
fn media_type_examples(operation: &mut Map<String, Value>, examples: &Map<String, Value>) {
    for (key, value) in operation.iter_mut() {
        let contents: Vec<&mut Value> = match key.as_str() {
            "requestBody" => value.get_mut("content").into_iter().collect(),
            "responses" => value
                .as_object_mut()
                .into_iter()
                .flat_map(|responses| responses.values_mut())
                .filter_map(|response| response.get_mut("content"))
                .collect(),
            _ => continue,
        };
        let media_types = contents.into_iter().filter_map(Value::as_object_mut).flat_map(|c| c.iter_mut());
        for (content_type, media_type) in media_types {
            if media_type.get("example").is_some() {
                continue;
            }
            if content_type.starts_with("text/html") {
                media_type["example"] =
                    "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\">…</html>".into();
                continue;
            }
            if let Some(example) = media_type.get("schema").and_then(|schema| example_of(schema, examples)) {
                media_type["example"] = example;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_described_reference_keeps_its_description_beside_a_single_ref() {
        let mut schema = json!({
            "description": "d",
            "allOf": [{ "$ref": "#/components/schemas/Kind" }, { "description": "d" }]
        });
        walk(&mut schema, &mut plain_described_refs);
        assert_eq!(schema, json!({ "description": "d", "allOf": [{ "$ref": "#/components/schemas/Kind" }] }));
    }

    #[test]
    fn rust_formats_become_standard_ones_with_their_range() {
        let mut schema = json!({ "type": "integer", "format": "uint8" });
        walk(&mut schema, &mut standard_formats);
        assert_eq!(schema, json!({ "type": "integer", "format": "int32", "minimum": 0, "maximum": 255 }));
        let mut schema = json!({ "type": "integer", "format": "uint64", "minimum": 1, "maximum": 100 });
        walk(&mut schema, &mut standard_formats);
        assert_eq!(schema, json!({ "type": "integer", "format": "int64", "minimum": 1, "maximum": 100 }));
        let mut schema = json!({ "type": "string", "format": "naive-date" });
        walk(&mut schema, &mut standard_formats);
        assert_eq!(schema["format"], "date");
    }

    #[test]
    fn optional_properties_are_nullable_and_required_ones_are_not() {
        let mut schema = json!({
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": { "type": "string" },
                "b": { "type": "string" },
                "c": { "$ref": "#/components/schemas/C" },
                "d": { "type": "array", "default": [] }
            }
        });
        let types = json!({ "#/components/schemas/C": "string" });
        nullable_optional_properties(&mut schema, types.as_object().unwrap());
        assert_eq!(schema["properties"]["a"].get("nullable"), None);
        assert_eq!(schema["properties"]["b"]["nullable"], true);
        assert_eq!(
            schema["properties"]["c"],
            json!({ "allOf": [{ "$ref": "#/components/schemas/C" }], "type": "string", "nullable": true })
        );
        assert_eq!(schema["properties"]["d"]["nullable"], true);
    }
}
