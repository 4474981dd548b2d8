//! Sending text messages: to the log (development) or to an SMS gateway over HTTP.

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::ExposeSecret;

use crate::config::{SmsHttpConfig, SmsSenderConfig};

/// Where the server's text messages go (`MOTCUA_SMS_SENDER`).
pub enum SmsSender {
    Log,
    Http { client: reqwest::Client, gateway: SmsHttpConfig },
}

/// Why a message was not delivered to the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsError(pub String);

impl std::fmt::Display for SmsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one attempt tells: done, worth another try, or not.
enum Attempt {
    Sent,
    Retry(String),
    GiveUp(String),
}

impl SmsSender {
    pub fn new(config: &SmsSenderConfig) -> SmsSender {
        match config {
            SmsSenderConfig::Log => SmsSender::Log,
            SmsSenderConfig::Http(gateway) => {
                let client = reqwest::Client::builder()
                    .timeout(gateway.timeout)
                    .user_agent(concat!("MotCua-SMS/", env!("CARGO_PKG_VERSION")))
                    .build()
                    // Only a TLS backend that fails to load stops a client from building.
                    .unwrap_or_else(|err| panic!("the SMS client could not be built: {err}"));
                SmsSender::Http { client, gateway: gateway.clone() }
            }
        }
    }

    /// What the start-up log says about the sender.
    pub fn describe(&self) -> String {
        match self {
            SmsSender::Log => "log (development: codes are written to the log, no SMS is sent)".to_owned(),
            SmsSender::Http { gateway, .. } => format!("http gateway at {}", gateway.url),
        }
    }

    /// Sends `message` to `phone`; over HTTP, network errors and 5xx answers are tried again
    /// up to the configured attempts, with a doubling wait.
    pub async fn send(&self, phone: &str, message: &str) -> Result<(), SmsError> {
        let (client, gateway) = match self {
            SmsSender::Log => {
                tracing::warn!("DEV SMS to {phone} : {message}");
                return Ok(());
            }
            SmsSender::Http { client, gateway } => (client, gateway),
        };
        let body = render(&gateway.body, phone, message);
        let mut wait = gateway.backoff;
        for attempt in 1..=gateway.attempts {
            let why = match try_once(client, gateway, body.clone()).await {
                Attempt::Sent => return Ok(()),
                Attempt::GiveUp(why) => return Err(SmsError(why)),
                Attempt::Retry(why) => why,
            };
            if attempt == gateway.attempts {
                return Err(SmsError(format!("{why}, after {attempt} attempts")));
            }
            tracing::info!(attempt, reason = %why, "SMS gateway failed; trying again");
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2).min(Duration::from_secs(60));
        }
        Err(SmsError("no attempt allowed".to_owned()))
    }
}

async fn try_once(client: &reqwest::Client, gateway: &SmsHttpConfig, body: String) -> Attempt {
    let mut request = client.post(&gateway.url).header("content-type", &gateway.content_type).body(body);
    if let Some((user, password)) = &gateway.basic {
        request = request.basic_auth(user, Some(password.expose_secret()));
    }
    if let Some(token) = &gateway.token {
        request = request.bearer_auth(token.expose_secret());
    }
    match request.send().await {
        Ok(answer) if answer.status().is_success() => Attempt::Sent,
        Ok(answer)
            if answer.status().is_server_error() || answer.status() == StatusCode::TOO_MANY_REQUESTS =>
        {
            Attempt::Retry(format!("the gateway answered {}", answer.status()))
        }
        Ok(answer) => Attempt::GiveUp(format!("the gateway refused the message: {}", answer.status())),
        Err(err) => Attempt::Retry(format!("the gateway could not be reached: {err}")),
    }
}

/// The body template with `{{phone}}` and `{{message}}` replaced by the values, JSON-escaped
/// (without quotes: the template puts them where it wants).
pub fn render(template: &str, phone: &str, message: &str) -> String {
    let escaped = |value: &str| {
        let quoted = serde_json::Value::from(value).to_string();
        quoted[1..quoted.len() - 1].to_owned()
    };
    template.replace("{{phone}}", &escaped(phone)).replace("{{message}}", &escaped(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_template_gets_the_values_json_escaped() {
        let body = render(&SmsHttpConfig::new("http://gateway").body, "+84912345678", "Mã \"123456\"\nhết");
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["to"], "+84912345678");
        assert_eq!(parsed["text"], "Mã \"123456\"\nhết");
    }
}
