//! Sending one attempt: the HTTP client every delivery goes through, and how its answer reads.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use reqwest::{StatusCode, Url, header::HeaderMap, redirect::Policy};

use super::{
    address::{self, GuardedResolver, Refused},
    signature::Signatures,
};

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// The client deliveries are sent with: it follows no redirect (a 3xx is a failure: a
/// redirect could point anywhere, inside too), goes through no proxy, resolves names only
/// through the guard, and gives up after [`TIMEOUT`].
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

/// One request to send.
pub struct Request<'a> {
    pub url: &'a str,
    /// The event's id: `webhook-id`.
    pub id: &'a str,
    /// Unix seconds: `webhook-timestamp`, and `t` of `X-MotCua-Signature`.
    pub timestamp: i64,
    pub signatures: Signatures,
    /// The exact bytes signed.
    pub body: Vec<u8>,
}

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Any 2xx.
    Delivered(u16),
    /// 410: the receiver wants no more.
    Gone,
    /// Anything else: no answer, a refusal, a redirect, another status.
    Failed { status: Option<u16>, error: Option<String>, retry_after: Option<Duration> },
}

impl Sender {
    pub fn new(allow_private: bool) -> Sender {
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .no_proxy()
            .timeout(TIMEOUT)
            .https_only(!allow_private)
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .user_agent(concat!("MotCua-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            // Only a TLS backend that fails to load stops a client from building.
            .unwrap_or_else(|err| panic!("the webhook client could not be built: {err}"));
        Sender { client, allow_private }
    }

    pub async fn send(&self, request: Request<'_>, now: DateTime<Utc>) -> Answer {
        let refused =
            |why: Refused| Answer::Failed { status: None, error: Some(why.to_string()), retry_after: None };
        let Ok(url) = Url::parse(request.url) else { return refused(Refused::NotAllowed) };
        if let Some(why) = address::literal_refused(&url, self.allow_private) {
            return refused(why);
        }
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", request.id)
            .header("webhook-timestamp", request.timestamp.to_string())
            .header("webhook-signature", request.signatures.standard)
            .header("x-motcua-signature", request.signatures.motcua)
            .body(request.body)
            .send()
            .await;
        match sent {
            Ok(response) => read(response.status(), response.headers(), now),
            Err(err) => Answer::Failed { status: None, error: Some(failure(&err)), retry_after: None },
        }
    }
}

/// What an answer's status means for the delivery.
fn read(status: StatusCode, headers: &HeaderMap, now: DateTime<Utc>) -> Answer {
    if status.is_success() {
        return Answer::Delivered(status.as_u16());
    }
    if status == StatusCode::GONE {
        return Answer::Gone;
    }
    let error = status.is_redirection().then(|| "redirect not followed".to_owned());
    let asks_to_wait = status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE;
    let retry_after = asks_to_wait.then(|| retry_after(headers, now)).flatten();
    Answer::Failed { status: Some(status.as_u16()), error, retry_after }
}

/// `Retry-After` in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.to_utc();
    (at - now).to_std().ok()
}

/// Why a request got no answer, in words that say nothing of the inside.
pub(crate) fn failure(err: &reqwest::Error) -> String {
    if let Some(refused) = address::refusal_in(err) {
        return refused.to_string();
    }
    if err.is_timeout() {
        return format!("no answer within {} s", TIMEOUT.as_secs());
    }
    if err.is_connect() {
        return "could not connect".into();
    }
    "the request failed".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn statuses_read_as_the_guide_says() {
        let none = HeaderMap::new();
        let now = at("2026-12-01T02:00:00Z");
        assert_eq!(read(StatusCode::NO_CONTENT, &none, now), Answer::Delivered(204));
        assert_eq!(read(StatusCode::GONE, &none, now), Answer::Gone);
        assert_eq!(
            read(StatusCode::FOUND, &none, now),
            Answer::Failed {
                status: Some(302),
                error: Some("redirect not followed".into()),
                retry_after: None
            }
        );
        let mut wait = HeaderMap::new();
        wait.insert("retry-after", "120".parse().unwrap());
        let Answer::Failed { retry_after, .. } = read(StatusCode::TOO_MANY_REQUESTS, &wait, now) else {
            panic!()
        };
        assert_eq!(retry_after, Some(Duration::from_secs(120)));
        let Answer::Failed { retry_after, .. } = read(StatusCode::INTERNAL_SERVER_ERROR, &wait, now) else {
            panic!()
        };
        assert_eq!(retry_after, None);
        wait.insert("retry-after", "Tue, 01 Dec 2026 02:10:00 GMT".parse().unwrap());
        let Answer::Failed { retry_after, .. } = read(StatusCode::SERVICE_UNAVAILABLE, &wait, now) else {
            panic!()
        };
        assert_eq!(retry_after, Some(Duration::from_secs(600)));
    }
}
