//! Một Cửa: the HTTP API behind a citizen's app for the one-stop desks of local government.
//!
//! [`build_app`] assembles the whole server over an [`AppState`]; [`api_service`] is the
//! OpenAPI service that both serves `/api/v1` and writes the committed spec.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod bench_data;
pub mod calendar;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod dossiers;
pub mod error;
pub mod http;
pub mod i18n;
pub mod input;
pub mod keys;
pub mod legal_documents;
pub mod notifications;
pub mod pagination;
pub mod problems;
pub mod procedures;
pub mod search;
pub mod secrets;
pub mod seed;
pub mod spec;
pub mod throttle;
pub mod units;

use std::sync::Arc;

use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, get, middleware::CatchPanic};
use sea_orm::DatabaseConnection;

pub use crate::spec::{API_PREFIX, ApiTags, SpecFormat, api_service, spec};
use crate::{
    config::Config,
    error::ApiError,
    http::{
        metrics::Metrics,
        platform,
        request_context::{AllowedMethods, RequestContext},
    },
    keys::Keys,
};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub keys: Arc<Keys>,
    /// Unit and procedure names for the public lookup, kept for `config.lookup.names_ttl`.
    pub lookup_names: Arc<dossiers::names::LookupNames>,
    /// Where the public lookup reads (its own SQLite connections, or the pool).
    pub lookup_reader: Arc<dossiers::reader::LookupReader>,
    /// Where every rule reads the time.
    pub clock: clock::Clock,
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config, clock: clock::Clock) -> AppState {
        let keys = Arc::new(Keys::from_config(&config));
        let lookup_names = Arc::new(dossiers::names::LookupNames::new(config.lookup.names_ttl, &clock));
        let lookup_reader =
            Arc::new(dossiers::reader::LookupReader::new(&config.database, config.lookup.connections));
        AppState {
            db,
            config: Arc::new(config),
            metrics: Metrics::shared(),
            keys,
            lookup_names,
            lookup_reader,
            clock,
        }
    }
}

/// The methods of every route, for `Allow` on a 405.
fn allowed_methods(document: &serde_json::Value) -> AllowedMethods {
    let mut allowed = AllowedMethods::default();
    for path in ["/health/live", "/health/ready", "/metrics", "/openapi.yaml", "/openapi.json", "/docs"] {
        allowed.add(path, ["GET".to_owned(), "HEAD".to_owned()]);
    }
    if let Some(paths) = document["paths"].as_object() {
        for (path, operations) in paths {
            let mut methods: Vec<String> = operations
                .as_object()
                .into_iter()
                .flat_map(|ops| ops.keys())
                .map(|m| m.to_ascii_uppercase())
                .collect();
            // poem answers HEAD wherever it answers GET.
            if methods.iter().any(|m| m == "GET") {
                methods.push("HEAD".to_owned());
            }
            allowed.add(&format!("{API_PREFIX}{path}"), methods);
        }
    }
    allowed
}

/// The whole server: `/api/v1`, the platform routes, and the middleware every request crosses.
pub fn build_app(state: AppState) -> impl Endpoint<Output = Response> {
    let document = spec::document();
    let spec_json = spec::render(&document, SpecFormat::Json);
    let spec_yaml = spec::render(&document, SpecFormat::Yaml);
    let docs = spec::docs_html(&spec_json);
    let routes = Route::new()
        .nest(API_PREFIX, api_service())
        .at("/docs", get(poem::endpoint::make_sync(move |_| poem::web::Html(docs.clone()))))
        .at(
            "/openapi.yaml",
            get(poem::endpoint::make_sync(move |_| {
                spec_yaml.clone().with_content_type("application/yaml; charset=utf-8")
            })),
        )
        .at(
            "/openapi.json",
            get(poem::endpoint::make_sync(move |_| {
                spec_json.clone().with_content_type("application/json; charset=utf-8")
            })),
        )
        .at("/health/live", get(platform::live))
        .at("/health/ready", get(platform::ready))
        .at("/metrics", get(platform::metrics));
    with_middleware(routes, state, spec::Contract::new(document))
}

/// The middleware every request crosses, around any routes: state, panics caught as a
/// problem 500, and the request context (id, language, limits, problem+json, metrics).
pub fn with_middleware(
    routes: Route,
    state: AppState,
    contract: spec::Contract,
) -> impl Endpoint<Output = Response> {
    let context = RequestContext {
        metrics: state.metrics.clone(),
        body_limit: state.config.server.body_limit,
        allowed: Arc::new(allowed_methods(contract.document())),
        contract: Arc::new(contract),
    };
    routes
        .data(state)
        .with(CatchPanic::new().with_handler(|_panic: Box<dyn std::any::Any + Send>| {
            ApiError::internal("handler panicked").into_response()
        }))
        .with(context)
}
