//! The outermost middleware: gives every request an id, a language and a tracing span,
//! enforces the body-size limit, turns every error into problem+json, and records metrics.

use std::{sync::Arc, time::Instant};

use bytes::Bytes;
use poem::{
    Endpoint, IntoResponse, Middleware, PathPattern, Request, Response, Result,
    error::ReadBodyError,
    http::{HeaderValue, Method, StatusCode, header},
};
use tracing::Instrument;

use super::{
    metrics::Metrics,
    request_id::{CURRENT_REQUEST_ID, REQUEST_ID_HEADER, RequestId},
    schema_check,
};
use crate::{error::ApiError, i18n::Lang, problems, spec::Contract};

/// Which methods each route template of the app accepts, for the `Allow` header of a 405.
#[derive(Debug, Default)]
pub struct AllowedMethods {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl AllowedMethods {
    pub fn add(&mut self, template: &str, methods: impl IntoIterator<Item = String>) {
        let segments = template.split('/').map(str::to_owned).collect();
        self.routes.push((segments, methods.into_iter().collect()));
    }

    /// The methods of the route a path takes: where templates overlap (`/dossiers/lookup` and
    /// `/dossiers/{code}`), the one with the most literal segments, as the router picks it.
    fn for_path(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .filter(|(template, _)| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
            })
            .max_by_key(|(template, _)| template.iter().filter(|t| !t.starts_with('{')).count())
            .map(|(_, methods)| methods.join(", "))
    }
}

/// How large a request body may be: any request, and a file upload.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub body: usize,
    pub upload: usize,
}

/// The routes that take files (as `multipart/form-data`): they may send up to the upload limit.
const UPLOAD_ROUTES: &[&str] = &["/api/v1/complaints"];

impl BodyLimits {
    fn of(&self, req: &Request) -> usize {
        let multipart = req.content_type().is_some_and(|t| t.starts_with("multipart/form-data"));
        let upload = *req.method() == Method::POST && multipart && UPLOAD_ROUTES.contains(&req.uri().path());
        if upload { self.upload } else { self.body }
    }
}

pub struct RequestContext {
    pub metrics: Arc<Metrics>,
    pub body_limit: BodyLimits,
    pub allowed: Arc<AllowedMethods>,
    /// The spec, to explain requests that do not fit it.
    pub contract: Arc<Contract>,
}

impl<E: Endpoint> Middleware<E> for RequestContext {
    type Output = RequestContextEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestContextEndpoint {
            inner,
            metrics: self.metrics.clone(),
            body_limit: self.body_limit,
            allowed: self.allowed.clone(),
            contract: self.contract.clone(),
        }
    }
}

pub struct RequestContextEndpoint<E> {
    inner: E,
    metrics: Arc<Metrics>,
    body_limit: BodyLimits,
    allowed: Arc<AllowedMethods>,
    contract: Arc<Contract>,
}

impl<E: Endpoint> RequestContextEndpoint<E> {
    async fn respond(&self, req: Request) -> Response {
        let path = req.uri().path().to_owned();
        let method = req.method().as_str().to_owned();
        let limit = self.body_limit.of(&req);
        let (req, body) = match limit_body(req, limit).await {
            Ok(read) => read,
            Err(error) => return error.into_response(),
        };
        let error = match self.inner.call(req).await {
            Ok(response) => return response.into_response(),
            Err(error) => error,
        };
        let route = error.data::<PathPattern>().cloned();
        let explained = route
            .as_ref()
            .and_then(|route| schema_check::explain(&error, &self.contract, &method, &route.0, &body));
        let mut api_error = explained.unwrap_or_else(|| ApiError::from_poem(error));
        // A nested router tags its own prefix on a miss: an unknown route has no template.
        let route = route.filter(|_| api_error.code() != problems::ROUTE_NOT_FOUND.code);
        if api_error.status() == StatusCode::METHOD_NOT_ALLOWED
            && let Some(allow) = self.allowed.for_path(&path)
            && let Ok(value) = HeaderValue::from_str(&allow)
        {
            api_error = api_error.with_header(header::ALLOW, value);
        }
        let mut response = api_error.into_response();
        if let Some(route) = route {
            response.set_data(route);
        }
        response
    }
}

impl<E: Endpoint> Endpoint for RequestContextEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let started = Instant::now();
        let request_id = RequestId::from_request(&req);
        let lang = Lang::negotiate(req.headers());
        let method = req.method().clone();
        let span = tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %method,
            path = %req.uri().path(),
        );

        let mut response = CURRENT_REQUEST_ID
            .scope(request_id.clone(), lang.scope(self.respond(req)))
            .instrument(span.clone())
            .await;

        if let Ok(value) = HeaderValue::from_str(&request_id.to_string()) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        // Titles, details and labels follow Accept-Language: caches must key on it.
        response.headers_mut().append(header::VARY, HeaderValue::from_static("accept-language"));
        let status = response.status().as_u16();
        let elapsed = started.elapsed();
        let route = response.data::<PathPattern>().map_or("unmatched", |p| &p.0);
        self.metrics.observe(method.as_str(), route, status, elapsed.as_secs_f64());
        span.in_scope(|| {
            tracing::info!(status, elapsed_ms = elapsed.as_secs_f64() * 1000.0, "request finished");
        });
        Ok(response)
    }
}

/// Refuses bodies over the limit: by `Content-Length` when it is given, by reading at most
/// `limit` bytes otherwise. The bytes read are kept, to explain a body that does not fit the
/// operation's schema.
async fn limit_body(mut req: Request, limit: usize) -> Result<(Request, Bytes), ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::payload_too_large());
    }
    if declared.is_none()
        && matches!(*req.method(), Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS)
    {
        return Ok((req, Bytes::new()));
    }
    let is_json = req.content_type().is_some_and(|t| t.starts_with("application/json"));
    match req.take_body().into_bytes_limit(limit).await {
        Ok(bytes) => {
            let bytes = match is_json.then(|| super::json::whole_numbers_as_integers(&bytes)).flatten() {
                Some(rewritten) => {
                    req.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(rewritten.len()));
                    Bytes::from(rewritten)
                }
                None => bytes,
            };
            req.set_body(bytes.clone());
            Ok((req, bytes))
        }
        Err(ReadBodyError::PayloadTooLarge) => Err(ApiError::payload_too_large()),
        Err(_) => Err(ApiError::malformed_request()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_methods_match_templates() {
        let mut allowed = AllowedMethods::default();
        allowed.add("/api/v1/units/{code}", ["GET".to_owned(), "PATCH".to_owned()]);
        assert_eq!(allowed.for_path("/api/v1/units/H12").as_deref(), Some("GET, PATCH"));
        assert_eq!(allowed.for_path("/api/v1/units/"), None);
        assert_eq!(allowed.for_path("/api/v1/units/H12/x"), None);
        allowed.add("/api/v1/units/mine", ["POST".to_owned()]);
        assert_eq!(allowed.for_path("/api/v1/units/mine").as_deref(), Some("POST"));
    }
}
