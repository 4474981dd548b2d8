//! Records that have a printable page: one `200` answer in two media types, the record as JSON
//! (the default) or, with `?format=html`, the page.

use poem_openapi::{
    ApiResponse, Enum,
    payload::{Html, Json, Payload},
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::{ToJSON, Type},
};

/// How a record with a printable page is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PrintFormat {
    /// The record as JSON.
    Json,
    /// The printable page (HTML).
    Html,
}

/// The record or its page. Written by hand because a derived `ApiResponse` with two variants
/// of one status documents the status twice.
pub enum Printable<T> {
    Json(Box<T>),
    Html(String),
}

impl<T> Printable<T> {
    /// The page when `format` asks for it, else the record.
    pub fn of(format: Option<PrintFormat>, record: T, page: impl FnOnce() -> String) -> Printable<T> {
        match format {
            Some(PrintFormat::Html) => Printable::Html(page()),
            _ => Printable::Json(Box::new(record)),
        }
    }
}

impl<T: Type + ToJSON + Send> ApiResponse for Printable<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The record as JSON; with `?format=html`, its printable page.",
                status: Some(200),
                status_range: None,
                content: vec![
                    MetaMediaType { content_type: Json::<T>::CONTENT_TYPE, schema: Json::<T>::schema_ref() },
                    MetaMediaType {
                        content_type: Html::<String>::CONTENT_TYPE,
                        schema: Html::<String>::schema_ref(),
                    },
                ],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type + ToJSON + Send> poem::IntoResponse for Printable<T> {
    fn into_response(self) -> poem::Response {
        match self {
            Printable::Json(record) => Json(*record).into_response(),
            Printable::Html(page) => Html(page).into_response(),
        }
    }
}
