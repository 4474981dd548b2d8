//! One-time codes sent by SMS: confirming a phone, resetting a password, a login's step-up.
//!
//! A code is 6 digits from a CSPRNG, kept only as its keyed hash ([`key`]), bound to a phone
//! and a purpose. It works for `MOTCUA_OTP_TTL_SECS` (5 minutes), once, and dies at the 5th
//! wrong try; a new code replaces the previous one of its (phone, purpose), but not within
//! `MOTCUA_OTP_RESEND_SECS` (60 s) of it. Sending is limited per phone and per client address
//! ([`limit`]).
//!
//! Use: [`limit`] before, [`issue`] inside the write transaction, [`send`] after it committed;
//! or [`request`], which does the three. Confirm with [`check`] inside the transaction of what
//! the code allows.

mod key;
pub mod rules;
pub mod sms;
mod store;

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{one_time_code, values::OtpPurpose};
use poem::Request;
use sea_orm::{ConnectionTrait, DbErr};
use secrecy::{ExposeSecret, SecretString};

pub use self::{key::CodeKey, sms::SmsSender};
use crate::{
    db::write_transaction,
    error::{ApiError, ApiResult},
    i18n::Text,
    problems,
    rate_limit::{Bucket, Policy, Refill},
    state::AppState,
};

/// The window of the per-phone and per-address limits on codes sent.
pub const LIMIT_WINDOW: Duration = Duration::from_secs(3600);

/// A code just stored: send it once the transaction that stored it has committed.
pub struct Issued {
    pub phone: String,
    pub purpose: OtpPurpose,
    pub code: SecretString,
    pub expires_at: DateTime<Utc>,
}

/// Why a code was not accepted, or not issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpRefusal {
    /// Not the code; `tries_left` more before it dies.
    Wrong { tries_left: u32 },
    /// No live code: none was sent, or it expired, was used or was tried too often.
    Expired,
    /// A new code was asked for within the wait after the last one.
    TooSoon { retry_after_secs: u64 },
}

impl From<OtpRefusal> for ApiError {
    fn from(refusal: OtpRefusal) -> ApiError {
        match refusal {
            OtpRefusal::Wrong { tries_left } => ApiError::of(&problems::OTP_INVALID).with_detail(Text::new(
                format!("Mã xác thực không đúng. Còn {tries_left} lần thử."),
                format!("The code is wrong. {tries_left} tries left."),
            )),
            OtpRefusal::Expired => ApiError::of(&problems::OTP_EXPIRED),
            OtpRefusal::TooSoon { retry_after_secs } => {
                let secs = retry_after_secs.max(1);
                ApiError::of(&problems::OTP_TOO_SOON)
                    .with_detail(Text::new(
                        format!("Vui lòng đợi {secs} giây trước khi yêu cầu mã mới."),
                        format!("Wait {secs} seconds before asking for a new code."),
                    ))
                    .with_header(poem::http::header::RETRY_AFTER, poem::http::HeaderValue::from(secs))
            }
        }
    }
}

/// Takes a token from the limits on codes sent to `phone` and asked for from the request's
/// address (429 `quota_exceeded` when one is used up).
pub async fn limit(state: &AppState, req: &Request, phone: &str) -> ApiResult<()> {
    let rules = &state.config.sms.otp;
    let policy = |name, limit| Policy { name, limit, window: LIMIT_WINDOW, refill: Refill::Steady };
    Bucket::per_client(policy("otp", rules.max_per_client), "otp", state, req).take(state, req).await?;
    Bucket::new(policy("otp-phone", rules.max_per_phone), format!("otp:phone:{phone}")).take(state, req).await
}

/// Stores a new code for (phone, purpose), replacing the previous one unless that one is
/// younger than the resend wait. The outer error is the database's; the inner, the refusal.
pub async fn issue(
    db: &impl ConnectionTrait,
    state: &AppState,
    phone: &str,
    purpose: OtpPurpose,
    now: DateTime<Utc>,
) -> Result<Result<Issued, OtpRefusal>, DbErr> {
    let rules = &state.config.sms.otp;
    let code = key::new_code();
    let row = one_time_code::Model {
        phone: phone.to_owned(),
        purpose,
        code_hash: state.keys.otp.hash(phone, purpose, &code),
        issued_at: now,
        expires_at: rules::expiry(now, rules),
        failed_tries: 0,
        used_at: None,
    };
    let expires_at = row.expires_at;
    if store::replace(db, row, rules::replaceable_before(now, rules)).await? {
        return Ok(Ok(Issued { phone: phone.to_owned(), purpose, code, expires_at }));
    }
    let previous = store::current(db, phone, purpose).await?;
    let retry_after_secs =
        previous.and_then(|previous| rules::resend_wait(previous.issued_at, now, rules)).unwrap_or(1);
    Ok(Err(OtpRefusal::TooSoon { retry_after_secs }))
}

/// Checks `code` against the live code of (phone, purpose): on success the code is spent.
/// The outer error is the database's (roll back); the inner is the verdict, and the
/// transaction must commit even when it is a refusal, so that the wrong try counts.
pub async fn check(
    db: &impl ConnectionTrait,
    state: &AppState,
    phone: &str,
    purpose: OtpPurpose,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), OtpRefusal>, DbErr> {
    let rules = &state.config.sms.otp;
    let Some(stored) = store::current(db, phone, purpose).await? else { return Ok(Err(OtpRefusal::Expired)) };
    if !rules::is_live(&stored, now, rules) {
        return Ok(Err(OtpRefusal::Expired));
    }
    if state.keys.otp.matches(phone, purpose, code.trim(), &stored.code_hash) {
        store::spend(db, phone, purpose, now).await?;
        return Ok(Ok(()));
    }
    store::count_wrong_try(db, phone, purpose).await?;
    Ok(Err(OtpRefusal::Wrong { tries_left: rules::tries_left(stored.failed_tries.saturating_add(1), rules) }))
}

/// The text of a code's message.
pub fn message(issued: &Issued, ttl: Duration) -> String {
    let what = match issued.purpose {
        OtpPurpose::VerifyPhone => "Mã xác thực số điện thoại Một Cửa của bạn",
        OtpPurpose::PasswordReset => "Mã đặt lại mật khẩu Một Cửa của bạn",
        OtpPurpose::LoginStepUp => "Mã đăng nhập Một Cửa của bạn",
    };
    let minutes = ttl.as_secs().div_ceil(60).max(1);
    format!(
        "{what} là {}, hiệu lực {minutes} phút. Không chia sẻ mã này cho ai.",
        issued.code.expose_secret()
    )
}

/// Sends the code in the background: the request does not wait for the gateway's retries.
/// A failure is logged; the user can ask for a new code.
pub fn send(state: &AppState, issued: Issued) {
    let sender = state.sms.clone();
    let text = message(&issued, state.config.sms.otp.ttl);
    tokio::spawn(async move {
        if let Err(err) = sender.send(&issued.phone, &text).await {
            tracing::error!(purpose = ?issued.purpose, error = %err, "a one-time code could not be sent");
        }
    });
}

/// Issues a code for (phone, purpose) in a transaction of its own and sends it, without
/// the limits on sending.
pub async fn issue_and_send(
    state: &AppState,
    phone: &str,
    purpose: OtpPurpose,
) -> ApiResult<Result<(), OtpRefusal>> {
    let now = state.clock.now();
    let issued =
        write_transaction(&state.writer, async |tx| issue(tx, state, phone, purpose, now).await).await?;
    Ok(issued.map(|issued| send(state, issued)))
}

/// Limits, issues and sends a code for (phone, purpose) in one go.
pub async fn request(state: &AppState, req: &Request, phone: &str, purpose: OtpPurpose) -> ApiResult<()> {
    limit(state, req, phone).await?;
    Ok(issue_and_send(state, phone, purpose).await??)
}
