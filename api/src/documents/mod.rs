//! Printable documents (the receipt, the apology slip, letters) and public HTML pages, rendered
//! from the templates in `api/templates/` by one minijinja environment.
//!
//! Every printable document extends `document.html`: the national header beside the parent
//! authority and the unit, the document's number, the place-and-date line, the title, the body
//! and the signature blocks, with print CSS for its paper size. Values are HTML-escaped by the
//! engine (every template is `.html`); numbers and dates go through the `vn_*` filters so they
//! are written the Vietnamese way.

pub mod letterhead;
pub mod numbers;

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use minijinja::{Environment, Value, value::ViaDeserialize};
use qrcode::{QrCode, render::svg};
use serde::Serialize;

use crate::{domain::vn_format, error::ApiError};

pub use letterhead::Letterhead;

/// The templates, compiled into the binary so that a deployment is one file.
const TEMPLATES: &[(&str, &str)] = &[
    ("document.html", include_str!("../../templates/document.html")),
    ("letter.html", include_str!("../../templates/letter.html")),
    ("receipt.html", include_str!("../../templates/receipt.html")),
    ("apology_slip.html", include_str!("../../templates/apology_slip.html")),
    ("lookup.html", include_str!("../../templates/lookup.html")),
    ("transparency.html", include_str!("../../templates/transparency.html")),
    ("transparency_charts.html", include_str!("../../templates/transparency_charts.html")),
];

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        // The templates are ours and tested; one that does not parse fails every render loudly.
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(template = name, %error, "a shipped template does not parse");
        }
    }
    add_filters(&mut env);
    env
});

/// The filters templates write numbers and dates with (see [`vn_format`]).
pub fn add_filters(env: &mut Environment<'_>) {
    env.add_filter("vn_int", |n: i64| vn_format::thousands(n));
    env.add_filter("vn_decimal", |x: f64| vn_format::decimal(x, 2));
    env.add_filter("vn_percent", |share: f64| vn_format::percent(share));
    env.add_filter("vn_date", |day: ViaDeserialize<NaiveDate>| vn_format::date(day.0));
    env.add_filter("vn_time", |at: ViaDeserialize<LocalTime>| {
        at.0.0.format("%H:%M ngày %d/%m/%Y").to_string()
    });
    env.add_filter("vn_spelled_date", |at: ViaDeserialize<LocalTime>| vn_format::spelled_date(at.0.0.date()));
    env.add_filter("vn_spelled_time", |at: ViaDeserialize<LocalTime>| vn_format::spelled_time(at.0.0));
}

/// A local date and time as a template receives it (the unit's time zone already applied).
#[derive(Debug, Clone, Copy, serde::Deserialize, Serialize)]
pub struct LocalTime(pub chrono::NaiveDateTime);

impl LocalTime {
    pub fn of(at: DateTime<Utc>, zone: chrono_tz::Tz) -> LocalTime {
        LocalTime(at.with_timezone(&zone).naive_local())
    }
}

/// Renders a shipped template with `context`.
pub fn render(template: &str, context: impl Serialize) -> Result<String, ApiError> {
    let template = ENVIRONMENT.get_template(template).map_err(ApiError::internal)?;
    template.render(Value::from_serialize(context)).map_err(ApiError::internal)
}

/// A QR code as inline SVG, at least `size` pixels wide.
pub fn qr_svg(payload: &str, size: u32) -> String {
    QrCode::new(payload)
        .map(|code| code.render::<svg::Color>().min_dimensions(size, size).build())
        .unwrap_or_default()
}
