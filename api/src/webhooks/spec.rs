//! The events in the spec. OpenAPI 3.0 has no `webhooks` key (3.1 has), so each event is a
//! schema (`<Name>Event`: the envelope `{id, type, created_at, data}` with its own `data`),
//! and `x-webhooks` lists them the way 3.1's `webhooks` would: one `post` per event type, whose
//! body is what the receiver gets.

use poem_openapi::{registry::Registry, types::Type};
use serde_json::{Map, Value, json};

use super::payloads::{
    AppointmentData, ComplaintStatusChangedData, DossierEventData, LetterIssuedData, PingData,
    RatingCreatedData, TicketCalledData,
};

/// Each event type: its name, the envelope schema's name, the data schema's name, and when it
/// is sent.
const EVENTS: &[(&str, &str, &str, &str)] = &[
    (
        "dossier.created",
        "DossierCreatedEvent",
        "DossierEventData",
        "A dossier was taken in at a desk or submitted online.",
    ),
    (
        "dossier.status_changed",
        "DossierStatusChangedEvent",
        "DossierEventData",
        "A dossier moved to another status.",
    ),
    (
        "appointment.booked",
        "AppointmentBookedEvent",
        "AppointmentEventData",
        "A citizen booked an appointment.",
    ),
    (
        "appointment.cancelled",
        "AppointmentCancelledEvent",
        "AppointmentEventData",
        "An appointment was cancelled, by the citizen, the unit or the system.",
    ),
    (
        "appointment.rescheduled",
        "AppointmentRescheduledEvent",
        "AppointmentEventData",
        "A citizen moved an appointment to another slot.",
    ),
    (
        "ticket.called",
        "TicketCalledEvent",
        "TicketCalledData",
        "A counter called a ticket of the desk's queue.",
    ),
    (
        "rating.created",
        "RatingCreatedEvent",
        "RatingCreatedData",
        "A citizen rated the officer who served them.",
    ),
    (
        "complaint.status_changed",
        "ComplaintStatusChangedEvent",
        "ComplaintStatusChangedData",
        "A complaint about an officer moved to another status.",
    ),
    (
        "letter.issued",
        "LetterIssuedEvent",
        "LetterIssuedData",
        "A unit issued a letter, by hand or on a dossier's completion.",
    ),
    ("ping", "PingEvent", "PingData", "Sent by `POST /webhooks/{id}/test`, to that endpoint only."),
];

const DELIVERY: &str = "\
Delivered at least once and in no guaranteed order: deduplicate by `id` (the `webhook-id` \
header, the same on every retry). Signed twice over the raw body bytes: Standard Webhooks 1.0 \
(`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of \
\"id.timestamp.body\">`) and `X-MotCua-Signature: t=<timestamp>,v1=<hex HMAC-SHA256 of \
\"timestamp.body\">`, both keyed with the base64-decoded part of the secret after `whsec_`. \
Answer 2xx within 15 s; anything else is retried (30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, \
12 h, 24 h, ±20%), a 410 disables the endpoint.";

/// Adds the event schemas and `x-webhooks` to a document poem-openapi wrote.
pub fn describe(document: &mut Value) {
    let mut registry = Registry::new();
    DossierEventData::register(&mut registry);
    AppointmentData::register(&mut registry);
    TicketCalledData::register(&mut registry);
    RatingCreatedData::register(&mut registry);
    ComplaintStatusChangedData::register(&mut registry);
    LetterIssuedData::register(&mut registry);
    PingData::register(&mut registry);
    let Some(schemas) = document.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, schema) in registry.schemas {
        let schema = serde_json::to_value(schema).unwrap_or(Value::Null);
        schemas.entry(name).or_insert(schema);
    }
    let mut hooks = Map::new();
    for &(event_type, envelope, data, when) in EVENTS {
        schemas.insert(envelope.into(), envelope_schema(envelope, event_type, data, when));
        hooks.insert(
            event_type.into(),
            json!({ "post": {
                "summary": when,
                "description": DELIVERY,
                "operationId": format!("on_{}", event_type.replace('.', "_")),
                "tags": ["Integrations"],
                "requestBody": { "required": true, "content": { "application/json": {
                    "schema": { "$ref": format!("#/components/schemas/{envelope}") } } } },
                "responses": { "2XX": { "description": "Received: any 2xx ends the retries." } },
                // The receiver checks the signatures (see the description), not a scheme of ours.
                "security": [],
            }}),
        );
    }
    // A delivery shows the event it carries: one of the envelopes, told apart by `type`.
    if let Some(event) =
        schemas.get_mut("Delivery").and_then(|delivery| delivery.pointer_mut("/properties/event"))
    {
        let description = event.get("description").cloned().unwrap_or(Value::Null);
        let envelope_ref = |envelope: &str| format!("#/components/schemas/{envelope}");
        *event = json!({
            "description": description,
            "oneOf": EVENTS.iter().map(|(_, envelope, _, _)| json!({ "$ref": envelope_ref(envelope) })).collect::<Vec<_>>(),
            "discriminator": {
                "propertyName": "type",
                "mapping": EVENTS.iter().map(|(event_type, envelope, _, _)| ((*event_type).to_owned(), json!(envelope_ref(envelope)))).collect::<Map<_, _>>(),
            },
        });
    }
    // Kept in name order, as poem-openapi writes them, so the committed spec diffs cleanly.
    let mut sorted: Vec<(String, Value)> = std::mem::take(schemas).into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    schemas.extend(sorted);
    if let Some(document) = document.as_object_mut() {
        document.insert("x-webhooks".into(), Value::Object(hooks));
    }
}

/// The envelope every event comes in, with this event's type and data.
/// Its title is the schema's name, as every schema's is: generated clients name their models
/// after it.
fn envelope_schema(name: &str, event_type: &str, data: &str, when: &str) -> Value {
    json!({
        "type": "object",
        "title": name,
        "description": when,
        "required": ["id", "type", "created_at", "data"],
        "properties": {
            "id": { "type": "string", "format": "uuid", "description": "The event's id: the `webhook-id` header, the same on every attempt." },
            "type": { "type": "string", "enum": [event_type] },
            "created_at": { "type": "string", "format": "date-time", "description": "When the change happened." },
            "data": { "$ref": format!("#/components/schemas/{data}") },
        },
    })
}
