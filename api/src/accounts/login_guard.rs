//! What stands between a password guesser and an account, without handing a stranger the
//! power to lock its owner out.
//!
//! Failed logins are counted per (phone, client address), per phone over every address, and
//! per address:
//! - past `MOTCUA_LOGIN_MAX_FAILURES_PER_PHONE` failures for a phone from one address, or
//!   `MOTCUA_LOGIN_MAX_FAILURES_PER_PHONE_ANYWHERE` from all addresses together, in the
//!   window, a login of that phone needs a one-time code sent by SMS besides the password
//!   (step-up): never a lock, since the owner has the phone;
//! - a client address's failures fill a bucket that empties steadily
//!   (`MOTCUA_LOGIN_MAX_FAILURES_PER_CLIENT` a window): once it is full, logins from there wait
//!   for the `Retry-After` it names, seconds, not the whole window, and a correct login takes
//!   nothing from it: the people behind one ward office's address are slowed by a guesser,
//!   never shut out.
//!
//! While step-up is on, the answer to a wrong password and to a right one without the code is
//! the same 401 `step_up_required` (the code is sent only in the second case), so a guesser
//! learns nothing.

use entity::values::{AuditAction, OtpPurpose, SignInMethod};
use poem::Request;
use serde_json::json;

use crate::{
    db::write_transaction,
    error::{ApiError, ApiResult},
    otp, problems,
    rate_limit::{Bucket, Policy, Refill},
    security::{self, Origin},
    state::AppState,
};

/// Why a login failed, for its security event.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    /// Unknown phone, wrong password or deactivated account (told apart in no answer).
    Credentials,
    /// The right password with a wrong or expired one-time code.
    Code,
}

/// The login limits of one attempt.
pub struct LoginGuard {
    /// Failures of this phone from this address: past the limit, step-up.
    pair: Bucket,
    /// Failures of this phone from anywhere: past the limit, step-up.
    phone: Bucket,
    /// Failures from this address, any phone: past the limit, a wait.
    client: Bucket,
}

impl LoginGuard {
    /// The limits of a login for `phone` (as typed, normalised when it parses) from `req`'s
    /// client address.
    pub fn new(state: &AppState, req: &Request, phone: &str) -> LoginGuard {
        let auth = &state.config.auth;
        let failures = |name, limit, refill| Policy { name, limit, window: auth.login_window, refill };
        let phone_failures = |limit| failures("login-phone", limit, Refill::AtWindowEnd);
        LoginGuard {
            pair: Bucket::per_client(
                phone_failures(auth.login_max_per_phone),
                &format!("login:phone:{phone}"),
                state,
                req,
            ),
            phone: Bucket::new(
                phone_failures(auth.login_max_per_phone_anywhere),
                format!("login:phone:{phone}"),
            ),
            client: Bucket::per_client(
                failures("login", auth.login_max_per_client, Refill::Steady),
                "login",
                state,
                req,
            ),
        }
    }

    /// Lets the attempt in, or answers 429 `quota_exceeded` with `Retry-After` while its
    /// address has failed too often; then says whether the phone needs a step-up.
    pub async fn admit(&self, state: &AppState, req: &Request) -> ApiResult<bool> {
        self.client.check(state, req).await?;
        Ok(self.pair.is_empty(state).await? || self.phone.is_empty(state).await?)
    }

    /// Counts a failed attempt, records it, and answers the refusal to send.
    pub async fn failed(
        &self,
        state: &AppState,
        req: &Request,
        origin: &Origin,
        (account, phone): (Option<uuid::Uuid>, String),
        failure: Failure,
        step_up: bool,
    ) -> ApiError {
        if let Err(err) = self.count_and_record(state, req, origin, (account, phone), failure).await {
            return err;
        }
        ApiError::of(if step_up { &problems::STEP_UP_REQUIRED } else { &problems::INVALID_CREDENTIALS })
    }

    async fn count_and_record(
        &self,
        state: &AppState,
        req: &Request,
        origin: &Origin,
        (account, phone): (Option<uuid::Uuid>, String),
        failure: Failure,
    ) -> ApiResult<()> {
        for bucket in [&self.pair, &self.phone, &self.client] {
            bucket.count(state, req).await?;
        }
        let target = account.map_or(phone, |id| id.to_string());
        let detail = json!({
            "method": SignInMethod::Password,
            "known_account": account.is_some(),
            "reason": match failure { Failure::Credentials => "credentials", Failure::Code => "one_time_code" },
        });
        let now = state.clock.now();
        write_transaction(&state.writer, async |tx| {
            security::record(tx, origin, now, AuditAction::AuthLoginFailed, None, target, detail).await
        })
        .await?;
        Ok(())
    }

    /// The second step of a login whose password was right while step-up is on: with a code,
    /// checks it (`Ok` lets the login through); without one, sends a code to the account's
    /// phone (unless one went out within the resend wait, or the phone's limit on codes is
    /// used up) and answers 401 `step_up_required`.
    pub async fn step_up(
        &self,
        state: &AppState,
        req: &Request,
        origin: &Origin,
        user: &entity::user::Model,
        code: Option<&str>,
    ) -> ApiResult<()> {
        let now = state.clock.now();
        let Some(code) = code else {
            let sent = send_code(state, req, &user.phone).await?;
            write_transaction(&state.writer, async |tx| {
                let detail = json!({ "code_sent": sent });
                security::record(tx, origin, now, AuditAction::AuthStepUp, None, user.id.to_string(), detail)
                    .await
            })
            .await?;
            return Err(ApiError::of(&problems::STEP_UP_REQUIRED));
        };
        let verdict = write_transaction(&state.writer, async |tx| {
            otp::check(tx, state, &user.phone, OtpPurpose::LoginStepUp, code, now).await
        })
        .await?;
        match verdict {
            Ok(()) => Ok(()),
            Err(_) => {
                let account = (Some(user.id), user.phone.clone());
                Err(self.failed(state, req, origin, account, Failure::Code, true).await)
            }
        }
    }
}

/// Sends a step-up code to `phone`; false when none went out (one was sent within the resend
/// wait, or the limits on codes are used up): the answer is the same either way.
async fn send_code(state: &AppState, req: &Request, phone: &str) -> ApiResult<bool> {
    if let Err(refusal) = otp::limit(state, req, phone).await {
        return if refusal.status() == poem::http::StatusCode::TOO_MANY_REQUESTS {
            Ok(false)
        } else {
            Err(refusal)
        };
    }
    let now = state.clock.now();
    let issued = write_transaction(&state.writer, async |tx| {
        otp::issue(tx, state, phone, OtpPurpose::LoginStepUp, now).await
    })
    .await?;
    match issued {
        Ok(issued) => {
            otp::send(state, issued);
            Ok(true)
        }
        Err(_) => Ok(false),
    }
}
