//! `Cache-Control: no-store` on every answer that may carry personal data, so that no browser,
//! proxy or shared device keeps a copy: answers to requests that carry credentials (a bearer
//! token or an API key), and every answer under `/auth/` and `/me`. A handler that chose its
//! own `Cache-Control` keeps it.

use poem::{
    Endpoint, Middleware, Request, Response, Result,
    http::{HeaderValue, header},
};

use crate::{integrations::access::KEY_HEADER, spec::API_PREFIX};

pub struct NoStore;

impl<E: Endpoint> Middleware<E> for NoStore {
    type Output = NoStoreEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        NoStoreEndpoint { inner }
    }
}

pub struct NoStoreEndpoint<E> {
    inner: E,
}

/// Whether the answer to this request may carry someone's personal data.
fn personal(req: &Request) -> bool {
    if req.headers().contains_key(header::AUTHORIZATION) || req.headers().contains_key(KEY_HEADER) {
        return true;
    }
    let Some(path) = req.uri().path().strip_prefix(API_PREFIX) else { return false };
    path.starts_with("/auth/") || path == "/me" || path.starts_with("/me/")
}

impl<E: Endpoint> Endpoint for NoStoreEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let personal = personal(&req);
        let mut response = self.inner.get_response(req).await;
        if personal && !response.headers().contains_key(header::CACHE_CONTROL) {
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        Ok(response)
    }
}
