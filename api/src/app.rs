//! The whole server: `/api/v1`, the platform routes, and the middleware every request crosses.

use std::sync::Arc;

use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, get, middleware::CatchPanic};

use crate::{
    error::ApiError,
    http::{
        cors::Cors,
        no_store::NoStore,
        platform,
        request_context::{AllowedMethods, BodyLimits, RequestContext},
    },
    rate_limit::RateLimitHeaders,
    spec::{self, API_PREFIX, SpecFormat, api_service},
    state::AppState,
};

/// The methods of every route, for `Allow` on a 405.
fn allowed_methods(document: &serde_json::Value) -> AllowedMethods {
    let mut allowed = AllowedMethods::default();
    for path in [
        "/health/live",
        "/health/ready",
        "/metrics",
        "/openapi.yaml",
        "/openapi.json",
        "/docs",
        "/display/{code}",
        "/tra-cuu",
        "/minh-bach/{code}",
    ] {
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
        .at("/metrics", get(platform::metrics))
        .at("/display/:code", get(crate::queue::display::page::screen))
        .at("/tra-cuu", get(crate::dossiers::lookup_page::page))
        .at("/minh-bach/:code", get(crate::reports::page::transparency));
    with_middleware(routes, state, spec::Contract::new(document))
}

/// The middleware every request crosses, around any routes: state, panics caught as a
/// problem 500, the request context (id, language, limits, problem+json, metrics), `no-store`
/// on answers with personal data, the rate-limit headers, and CORS when origins are configured.
pub fn with_middleware(
    routes: Route,
    state: AppState,
    contract: spec::Contract,
) -> impl Endpoint<Output = Response> {
    let context = RequestContext {
        metrics: state.metrics.clone(),
        body_limit: BodyLimits {
            body: state.config.server.body_limit,
            upload: state.config.files.upload_limit.max(state.config.server.body_limit),
        },
        allowed: Arc::new(allowed_methods(contract.document())),
        contract: Arc::new(contract),
    };
    let origins = state.config.cors.origins.clone();
    routes
        .data(state.clone())
        .with(CatchPanic::new().with_handler(|_panic: Box<dyn std::any::Any + Send>| {
            ApiError::internal("handler panicked").into_response()
        }))
        .with(context)
        .with(NoStore)
        .with(RateLimitHeaders { state })
        .with_if(!origins.is_empty(), Cors::new(&origins))
}
