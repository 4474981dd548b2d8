//! CORS for browser clients served from the origins of `MOTCUA_CORS_ORIGINS`, and for no
//! others.
//!
//! poem's own `Cors` middleware refuses any request whose origin is not listed with a plain
//! 403, though browsers send `Origin` on same-origin POSTs too (the docs page's "try it out"),
//! and answers preflights 200. Here an unlisted origin is simply not told anything: the request
//! is served as if no CORS were configured, and the browser keeps the answer from the page.

use std::{collections::HashSet, sync::Arc};

use poem::{
    Endpoint, Middleware, Request, Response, Result,
    http::{HeaderValue, Method, StatusCode, header},
};

/// The methods the API uses.
const METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
/// The request headers the API reads.
const REQUEST_HEADERS: &str =
    "Authorization, Content-Type, Accept-Language, Idempotency-Key, If-Match, If-None-Match, X-API-Key";
/// The response headers a page may read besides the basic ones.
const EXPOSED_HEADERS: &str = "ETag, Location, Retry-After, RateLimit-Policy, RateLimit, RateLimit-Limit, \
     RateLimit-Remaining, RateLimit-Reset, X-Request-Id, Idempotency-Replayed";
/// How long a browser may keep a preflight's answer (seconds).
const MAX_AGE: &str = "600";

/// The middleware, with the allowed origins as browsers send them (lowercase, no path).
pub struct Cors {
    origins: Arc<HashSet<String>>,
}

impl Cors {
    pub fn new(origins: &[String]) -> Cors {
        Cors { origins: Arc::new(origins.iter().cloned().collect()) }
    }
}

impl<E: Endpoint> Middleware<E> for Cors {
    type Output = CorsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        CorsEndpoint { inner, origins: self.origins.clone() }
    }
}

pub struct CorsEndpoint<E> {
    inner: E,
    origins: Arc<HashSet<String>>,
}

impl<E: Endpoint> Endpoint for CorsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let allowed = req
            .headers()
            .get(header::ORIGIN)
            .filter(|origin| origin.to_str().is_ok_and(|o| self.origins.contains(&o.to_ascii_lowercase())))
            .cloned();
        let preflight = req.method() == Method::OPTIONS
            && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        let mut response = match (&allowed, preflight) {
            (Some(_), true) => preflight_answer(),
            _ => self.inner.get_response(req).await,
        };
        let headers = response.headers_mut();
        // Whether the answer carries CORS headers depends on the origin: caches must key on it.
        headers.append(header::VARY, HeaderValue::from_static("origin"));
        if let Some(origin) = allowed {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            if !preflight {
                headers
                    .insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
            }
        }
        Ok(response)
    }
}

/// The answer to a preflight from an allowed origin: what the API accepts. The browser itself
/// checks the request it is about to send against it.
fn preflight_answer() -> Response {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header(header::ACCESS_CONTROL_ALLOW_METHODS, METHODS)
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS, REQUEST_HEADERS)
        .header(header::ACCESS_CONTROL_MAX_AGE, MAX_AGE)
        .header(header::VARY, "access-control-request-method, access-control-request-headers")
        .finish()
}
