//! The id of the request being served: set by the request-context middleware, read by
//! whatever logs or answers while it runs (problem bodies, the audit log).

use std::sync::Arc;

use poem::Request;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of one request: taken from `X-Request-Id` when the caller (or a proxy) sent a sane
/// one, so logs can be joined across systems; generated otherwise.
#[derive(Clone, Debug)]
pub struct RequestId(Arc<str>);

tokio::task_local! {
    pub(super) static CURRENT_REQUEST_ID: RequestId;
}

impl RequestId {
    pub(super) fn from_request(req: &Request) -> RequestId {
        let given = req.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        });
        RequestId(match given {
            Some(id) => id.into(),
            None => uuid::Uuid::now_v7().to_string().into(),
        })
    }

    /// The id of the request being served, if any.
    pub fn current() -> Option<RequestId> {
        CURRENT_REQUEST_ID.try_with(Clone::clone).ok()
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
