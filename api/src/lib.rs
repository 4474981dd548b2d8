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
pub mod keys;
pub mod legal_documents;
pub mod notifications;
pub mod pagination;
pub mod procedures;
pub mod search;
pub mod secrets;
pub mod seed;
pub mod throttle;
pub mod units;

use std::sync::Arc;

use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, get, middleware::CatchPanic};
use poem_openapi::{ContactObject, LicenseObject, OpenApiService};
use sea_orm::DatabaseConnection;

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
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config) -> AppState {
        let keys = Arc::new(Keys::from_config(&config));
        let lookup_names = Arc::new(dossiers::names::LookupNames::new(config.lookup.names_ttl));
        let lookup_reader =
            Arc::new(dossiers::reader::LookupReader::new(&config.database, config.lookup.connections));
        AppState {
            db,
            config: Arc::new(config),
            metrics: Metrics::shared(),
            keys,
            lookup_names,
            lookup_reader,
        }
    }
}

/// The groups of operations in the spec.
#[derive(poem_openapi::Tags)]
pub enum ApiTags {
    /// Registration, login and sessions.
    Auth,
    /// The caller's own account, dossiers and inbox.
    Me,
    /// Units and their desks: addresses, opening hours, today's status, desk settings.
    Units,
    /// Working-day calendars: holidays, make-up working days, each unit's days and hours.
    Calendar,
    /// The public catalogue of administrative procedures.
    Procedures,
    /// The legal documents that procedures are based on.
    LegalDocuments,
    /// Administration: the unit tree, staff accounts and the audit log.
    Admin,
    /// Dossiers at the desk: intake, receipt, processing, worklist.
    Dossiers,
    /// Public dossier lookup by code and secret.
    Lookup,
}

pub const API_PREFIX: &str = "/api/v1";

const DESCRIPTION: &str = "\
Một Cửa (\"one door\") is the API behind a citizen's mobile app for the one-stop desks \
(bộ phận một cửa) of local government in Vietnam: the public procedure catalogue, dossier \
tracking by receipt code, appointments and the desk queue, officer ratings, complaints, \
letters and transparency reports. Provincial portals, kiosks and other apps call the same \
API with API keys.

Errors are RFC 9457 `application/problem+json` documents with a stable `code`; `title` and \
`detail` are Vietnamese by default and English with `Accept-Language: en`. Every response \
carries an `X-Request-Id`.";

/// The OpenAPI service of `/api/v1`: one `#[OpenApi]` struct per resource.
pub fn api_service() -> OpenApiService<impl poem_openapi::OpenApi, ()> {
    let apis = (
        accounts::routes::AccountsApi,
        accounts::routes::MeApi,
        units::routes::UnitsApi,
        calendar::routes::CalendarApi,
        procedures::routes::ProceduresApi,
        legal_documents::routes::LegalDocumentsApi,
        admin::routes::AdminApi,
        dossiers::routes::DossiersApi,
        dossiers::routes::LookupApi,
        dossiers::routes::MyDossiersApi,
        notifications::routes::NotificationsApi,
    );
    OpenApiService::new(apis, "Một Cửa API", env!("CARGO_PKG_VERSION"))
        .description(DESCRIPTION)
        .server(API_PREFIX)
        .contact(ContactObject::new().name("Một Cửa maintainers").email("motcua@localhost"))
        .license(LicenseObject::new("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0"))
}

/// The committed spec, as `motcua openapi` prints it.
pub fn spec(format: SpecFormat) -> String {
    match format {
        SpecFormat::Yaml => api_service().spec_yaml(),
        SpecFormat::Json => api_service().spec(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFormat {
    Yaml,
    Json,
}

/// The methods of every route, for `Allow` on a 405.
fn allowed_methods() -> AllowedMethods {
    let mut allowed = AllowedMethods::default();
    for path in ["/health/live", "/health/ready", "/metrics", "/openapi.yaml", "/openapi.json", "/docs"] {
        allowed.add(path, ["GET".to_owned(), "HEAD".to_owned()]);
    }
    let spec: serde_json::Value = serde_json::from_str(&spec(SpecFormat::Json)).unwrap_or_default();
    if let Some(paths) = spec["paths"].as_object() {
        for (path, operations) in paths {
            let methods =
                operations.as_object().into_iter().flat_map(|ops| ops.keys()).map(|m| m.to_ascii_uppercase());
            allowed.add(&format!("{API_PREFIX}{path}"), methods);
        }
    }
    allowed
}

/// The whole server: `/api/v1`, the platform routes, and the middleware every request crosses.
pub fn build_app(state: AppState) -> impl Endpoint<Output = Response> {
    let service = api_service();
    let docs = service.rapidoc();
    let spec_yaml = service.spec_yaml();
    let spec_json = service.spec();
    let routes = Route::new()
        .nest(API_PREFIX, service)
        .nest("/docs", docs)
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
    with_middleware(routes, state)
}

/// The middleware every request crosses, around any routes: state, panics caught as a
/// problem 500, and the request context (id, language, limits, problem+json, metrics).
pub fn with_middleware(routes: Route, state: AppState) -> impl Endpoint<Output = Response> {
    let context = RequestContext {
        metrics: state.metrics.clone(),
        body_limit: state.config.server.body_limit,
        allowed: Arc::new(allowed_methods()),
    };
    routes
        .data(state)
        .with(CatchPanic::new().with_handler(|_panic: Box<dyn std::any::Any + Send>| {
            ApiError::internal("handler panicked").into_response()
        }))
        .with(context)
}
