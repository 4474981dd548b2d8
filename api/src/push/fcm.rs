//! Sending one push through FCM HTTP v1, with an access token got from the service account.
//!
//! The access token comes from exchanging an assertion signed with the account's key (RS256,
//! Google's "JWT bearer" grant) at its `token_uri`, and is kept until a minute before it
//! expires; one refused by FCM (401) is dropped and the next attempt gets another.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Mutex;

use crate::{
    config::{FcmCredentials, PushConfig},
    webhooks::send::{TIMEOUT, failure, retry_after},
};

/// The permission the access token asks for.
const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

/// How long before its expiry an access token is replaced.
const RENEW_BEFORE: TimeDelta = TimeDelta::seconds(60);

/// How long the signed assertion is good for (Google accepts at most an hour).
const ASSERTION_LIFE: TimeDelta = TimeDelta::hours(1);

/// The FCM client of a process.
pub struct Fcm {
    /// Answers within the webhooks' timeout, and reads their failures as they do.
    client: reqwest::Client,
    credentials: FcmCredentials,
    send_url: String,
    token: Mutex<Option<AccessToken>>,
}

struct AccessToken {
    value: String,
    renew_at: DateTime<Utc>,
}

/// One push to send.
pub struct Message<'a> {
    pub token: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// A JSON object of strings.
    pub data: serde_json::Value,
}

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Delivered,
    /// FCM no longer knows the token (the app was uninstalled), or it is malformed.
    Unregistered,
    /// Anything else: to be tried again.
    Failed {
        error: String,
        retry_after: Option<Duration>,
    },
}

#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: i64,
}

/// The part of FCM's error body that tells an unregistered token.
#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    error: ErrorStatus,
}

#[derive(Deserialize, Default)]
struct ErrorStatus {
    #[serde(default)]
    status: String,
    #[serde(default)]
    details: Vec<ErrorDetail>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "errorCode", default)]
    error_code: String,
}

impl Fcm {
    /// The client, when push is configured.
    pub fn new(config: &PushConfig) -> Option<Fcm> {
        let credentials = config.credentials.clone()?;
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("MotCua-Push/", env!("CARGO_PKG_VERSION")))
            .build()
            // Only a TLS backend that fails to load stops a client from building.
            .unwrap_or_else(|err| panic!("the push client could not be built: {err}"));
        let send_url = format!("{}/v1/projects/{}/messages:send", config.base_url, credentials.project_id);
        Some(Fcm { client, credentials, send_url, token: Mutex::new(None) })
    }

    /// Sends one push.
    pub async fn send(&self, message: Message<'_>, now: DateTime<Utc>) -> Answer {
        let token = match self.access_token(now).await {
            Ok(token) => token,
            Err(error) => return Answer::Failed { error, retry_after: None },
        };
        let body = json!({"message": {
            "token": message.token,
            "notification": {"title": message.title, "body": message.body},
            "data": message.data,
        }});
        let sent = self
            .client
            .post(&self.send_url)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(err) => return Answer::Failed { error: failure(&err), retry_after: None },
        };
        let status = response.status();
        if status.is_success() {
            return Answer::Delivered;
        }
        if status == StatusCode::UNAUTHORIZED {
            *self.token.lock().await = None;
        }
        let retry_after = retry_after(response.headers(), now);
        let answer = response.bytes().await.unwrap_or_default();
        let error: ErrorBody = serde_json::from_slice(&answer).unwrap_or_default();
        read(status, error.error, retry_after)
    }

    /// The access token, got again when the one held is about to expire.
    async fn access_token(&self, now: DateTime<Utc>) -> Result<String, String> {
        let mut held = self.token.lock().await;
        if let Some(token) = held.as_ref().filter(|token| now < token.renew_at) {
            return Ok(token.value.clone());
        }
        let credentials = &self.credentials;
        let assertion = Assertion {
            iss: &credentials.client_email,
            scope: SCOPE,
            aud: &credentials.token_uri,
            iat: now.timestamp(),
            exp: (now + ASSERTION_LIFE).timestamp(),
        };
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        let signed = jsonwebtoken::encode(&header, &assertion, &credentials.signing_key.0)
            .map_err(|err| format!("signing the token request failed: {err}"))?;
        let form = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", &signed)];
        let answer = self
            .client
            .post(&credentials.token_uri)
            .form(&form)
            .send()
            .await
            .map_err(|err| format!("access token: {}", failure(&err)))?;
        if !answer.status().is_success() {
            return Err(format!("access token: the token endpoint answered {}", answer.status().as_u16()));
        }
        let token: TokenAnswer = answer
            .bytes()
            .await
            .ok()
            .and_then(|body| serde_json::from_slice(&body).ok())
            .ok_or_else(|| "access token: an answer without a token".to_owned())?;
        let renew_at = now + TimeDelta::seconds(token.expires_in) - RENEW_BEFORE;
        *held = Some(AccessToken { value: token.access_token.clone(), renew_at });
        Ok(token.access_token)
    }
}

/// What FCM's refusal means for the push.
fn read(status: StatusCode, error: ErrorStatus, retry_after: Option<Duration>) -> Answer {
    let unregistered = error.details.iter().any(|detail| detail.error_code == "UNREGISTERED")
        || (status == StatusCode::NOT_FOUND && error.status == "NOT_FOUND")
        || (status == StatusCode::BAD_REQUEST && error.status == "INVALID_ARGUMENT");
    if unregistered {
        return Answer::Unregistered;
    }
    let asks_to_wait = status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE;
    Answer::Failed {
        error: format!("FCM answered {}", status.as_u16()),
        retry_after: retry_after.filter(|_| asks_to_wait),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(json: serde_json::Value) -> ErrorStatus {
        serde_json::from_value::<ErrorBody>(json).unwrap().error
    }

    #[test]
    fn refusals_read_as_fcm_documents_them() {
        let unregistered = error(json!({"error": {"code": 404, "status": "NOT_FOUND", "details": [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}
        ]}}));
        assert_eq!(read(StatusCode::NOT_FOUND, unregistered, None), Answer::Unregistered);
        let malformed = error(json!({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}));
        assert_eq!(read(StatusCode::BAD_REQUEST, malformed, None), Answer::Unregistered);
        let wait = Some(Duration::from_secs(90));
        let busy = read(StatusCode::TOO_MANY_REQUESTS, ErrorStatus::default(), wait);
        assert_eq!(busy, Answer::Failed { error: "FCM answered 429".into(), retry_after: wait });
        let broken = read(StatusCode::INTERNAL_SERVER_ERROR, ErrorStatus::default(), wait);
        assert_eq!(broken, Answer::Failed { error: "FCM answered 500".into(), retry_after: None });
    }
}
