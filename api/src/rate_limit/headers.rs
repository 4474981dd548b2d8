//! The rate-limit headers of a response: the middleware gives each request a slot, every
//! bucket the request is counted against fills it in ([`record`]), and the headers are written
//! from it on the way out, to a refusal as to a success.
//!
//! Per limit, the IETF draft's structured fields (draft-ietf-httpapi-ratelimit-headers-10):
//! `RateLimit-Policy: "lookup";q=30;w=60` and `RateLimit: "lookup";r=29;t=2`; and, for clients
//! of the older drafts, `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds,
//! never a timestamp) of the limit nearest to running out.

use std::sync::{Arc, Mutex, PoisonError};

use poem::{
    Endpoint, Middleware, Request, Response, Result,
    http::{HeaderName, HeaderValue, StatusCode},
};

use super::{Bucket, Quota};
use crate::state::AppState;

/// The limits a request was counted against, in the request's extensions.
#[derive(Clone, Default)]
struct Charges(Arc<Mutex<Vec<Charge>>>);

struct Charge {
    name: &'static str,
    quota: Quota,
    /// The bucket that gets its token back if the answer is 401 or 403.
    refund: Option<Bucket>,
}

/// Notes how the limit `name` stands after this request (the latest word on it counts).
pub(super) fn record(req: &Request, name: &'static str, quota: Quota, refund: Option<Bucket>) {
    let Some(charges) = req.extensions().get::<Charges>() else { return };
    let mut charges = charges.0.lock().unwrap_or_else(PoisonError::into_inner);
    match charges.iter_mut().find(|charge| charge.name == name) {
        Some(charge) => {
            charge.quota = quota;
            charge.refund = refund.or(charge.refund.take());
        }
        None => charges.push(Charge { name, quota, refund }),
    }
}

/// The middleware that writes the rate-limit headers (see the module's text).
pub struct RateLimitHeaders {
    pub state: AppState,
}

impl<E: Endpoint> Middleware<E> for RateLimitHeaders {
    type Output = RateLimitHeadersEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RateLimitHeadersEndpoint { inner, state: self.state.clone() }
    }
}

pub struct RateLimitHeadersEndpoint<E> {
    inner: E,
    state: AppState,
}

impl<E: Endpoint> Endpoint for RateLimitHeadersEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let slot = Charges::default();
        req.extensions_mut().insert(slot.clone());
        let mut response = self.inner.get_response(req).await;
        let mut charges = std::mem::take(&mut *slot.0.lock().unwrap_or_else(PoisonError::into_inner));
        if matches!(response.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            for charge in &mut charges {
                let Some(bucket) = charge.refund.take() else { continue };
                match bucket.give_back(&self.state).await {
                    Ok(quota) => charge.quota = quota.unwrap_or(charge.quota),
                    Err(err) => tracing::warn!(error = %err, "giving a denied request's token back failed"),
                }
            }
        }
        write_headers(&mut response, &charges);
        Ok(response)
    }
}

fn write_headers(response: &mut Response, charges: &[Charge]) {
    let Some(nearest) = charges.iter().min_by_key(|c| (c.quota.remaining, u64::MAX - c.quota.reset_secs))
    else {
        return;
    };
    let list = |field: fn(&Charge) -> String| charges.iter().map(field).collect::<Vec<_>>().join(", ");
    let fields = [
        (
            "ratelimit-policy",
            list(|c| format!("\"{}\";q={};w={}", c.name, c.quota.limit, c.quota.window.as_secs())),
        ),
        ("ratelimit", list(|c| format!("\"{}\";r={};t={}", c.name, c.quota.remaining, c.quota.reset_secs))),
        ("ratelimit-limit", nearest.quota.limit.to_string()),
        ("ratelimit-remaining", nearest.quota.remaining.to_string()),
        ("ratelimit-reset", nearest.quota.reset_secs.to_string()),
    ];
    for (name, value) in fields {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(HeaderName::from_static(name), value);
        }
    }
}
