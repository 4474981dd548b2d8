//! The phone behind an account: confirming it with an SMS code, and resetting a forgotten
//! password with a code sent to it.

mod dto;

use entity::values::{AuditAction, OtpPurpose, Role, SessionEnd};
use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, OpenApi, payload::Json};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde_json::json;
use uuid::Uuid;

pub use self::dto::*;
use crate::{
    accounts::{store, validate},
    auth::BearerAuth,
    db::write_transaction,
    error::{ApiError, ApiResult},
    otp::{self, OtpRefusal},
    security::{self, Origin},
    sessions::{self, Which},
    spec::ApiTags,
    state::AppState,
};

pub struct PhoneApi;

#[derive(ApiResponse)]
pub enum Verified {
    /// The phone is confirmed (also when it already was).
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
pub enum Resent {
    /// A new code is on its way by SMS.
    #[oai(status = 202)]
    Sent,
    /// The phone is already confirmed: nothing was sent.
    #[oai(status = 204)]
    AlreadyVerified,
}

#[derive(ApiResponse)]
pub enum ResetRequested {
    /// If the phone belongs to a citizen account with a confirmed phone, a code is on its way
    /// by SMS. The answer is the same for any phone, so it tells nobody who has an account.
    #[oai(status = 202)]
    Accepted,
}

#[derive(ApiResponse)]
pub enum ResetDone {
    /// The password is changed and every session of the account is signed out.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(tag = "ApiTags::Auth")]
impl PhoneApi {
    /// Confirm my phone
    ///
    /// Checks the 6-digit code sent by SMS at registration (or by `POST /auth/phone/resend`).
    /// A code works for 5 minutes, once; the 5th wrong try kills it (`otp_expired` after
    /// that: ask for a new one). Until the phone is confirmed, claiming dossiers, booking and
    /// rating answer 403 `phone_not_verified`.
    #[oai(path = "/auth/phone/verify", method = "post", operation_id = "verify_phone")]
    async fn verify(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        body: Json<VerifyPhoneRequest>,
    ) -> ApiResult<Verified> {
        let user = store::user_by_id(&state.db, auth.0.id).await?.ok_or_else(ApiError::unauthenticated)?;
        if user.phone_verified_at.is_some() {
            return Ok(Verified::Done);
        }
        let now = state.clock.now();
        let origin = Origin::of(&state, req);
        let verdict = write_transaction(&state.writer, async |tx| {
            let verdict =
                otp::check(tx, &state, &user.phone, OtpPurpose::VerifyPhone, &body.code, now).await?;
            if verdict.is_ok() {
                mark_verified(tx, user.id, now).await?;
                let event = AuditAction::PhoneVerify;
                security::record(tx, &origin, now, event, Some(user.id), user.id.to_string(), json!({}))
                    .await?;
            }
            Ok::<_, DbErr>(verdict)
        })
        .await?;
        verdict?;
        Ok(Verified::Done)
    }

    /// Send me a new phone code
    ///
    /// Replaces the code of `POST /auth/phone/verify` with a new one, sent by SMS. Not within
    /// 60 seconds of the last code (429 `otp_too_soon` with `Retry-After`), and at most 5
    /// codes an hour to one phone and 20 from one client address (429 `quota_exceeded`).
    #[oai(path = "/auth/phone/resend", method = "post", operation_id = "resend_phone_code")]
    async fn resend(&self, state: Data<&AppState>, req: &Request, auth: BearerAuth) -> ApiResult<Resent> {
        let user = store::user_by_id(&state.db, auth.0.id).await?.ok_or_else(ApiError::unauthenticated)?;
        if user.phone_verified_at.is_some() {
            return Ok(Resent::AlreadyVerified);
        }
        otp::request(&state, req, &user.phone, OtpPurpose::VerifyPhone).await?;
        Ok(Resent::Sent)
    }

    /// Ask for a password reset code
    ///
    /// Sends a 6-digit code by SMS to a citizen account's confirmed phone, for
    /// `POST /auth/password-reset/confirm`. Always 202, whether the phone has an account or
    /// not; staff passwords are reset by their supervisor. Limited like
    /// `POST /auth/phone/resend` (429 `quota_exceeded`).
    #[oai(path = "/auth/password-reset", method = "post", operation_id = "request_password_reset")]
    async fn request_reset(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<PasswordResetRequest>,
    ) -> ApiResult<ResetRequested> {
        let phone = body.phone.as_str();
        otp::limit(&state, req, phone).await?;
        let account = store::user_by_phone(&state.db, phone).await?.filter(can_reset);
        let now = state.clock.now();
        let origin = Origin::of(&state, req);
        let issued = write_transaction(&state.writer, async |tx| {
            let id = account.as_ref().map(|user| user.id);
            let target = id.map_or_else(|| phone.to_owned(), |id| id.to_string());
            let detail = json!({ "known_account": id.is_some() });
            security::record(tx, &origin, now, AuditAction::PasswordResetRequest, id, target, detail).await?;
            match account {
                // A code sent within the last minute still works: asking again changes nothing,
                // and answers as for anyone else.
                Some(_) => Ok(otp::issue(tx, &state, phone, OtpPurpose::PasswordReset, now).await?.ok()),
                None => Ok::<_, DbErr>(None),
            }
        })
        .await?;
        if let Some(issued) = issued {
            otp::send(&state, issued);
        }
        Ok(ResetRequested::Accepted)
    }

    /// Reset my password with the SMS code
    ///
    /// Sets a new password with the code from `POST /auth/password-reset`, and signs out every
    /// session of the account. A wrong code is 422 `otp_invalid` (with the tries left); an
    /// expired, used or dead code, or a phone without one, is 422 `otp_expired`.
    #[oai(path = "/auth/password-reset/confirm", method = "post", operation_id = "confirm_password_reset")]
    async fn confirm_reset(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<PasswordResetConfirmRequest>,
    ) -> ApiResult<ResetDone> {
        let mut errors = Vec::new();
        validate::new_password("new_password", &body.new_password, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let phone = body.phone.as_str();
        let Some(user) = store::user_by_phone(&state.db, phone).await?.filter(can_reset) else {
            return Err(OtpRefusal::Expired.into());
        };
        let hash = state.keys.passwords.hash(&body.new_password).await?;
        let now = state.clock.now();
        let origin = Origin::of(&state, req);
        let (verdict, ended) = write_transaction(&state.writer, async |tx| {
            let verdict = otp::check(tx, &state, phone, OtpPurpose::PasswordReset, &body.code, now).await?;
            if verdict.is_err() {
                return Ok((verdict, Vec::new()));
            }
            store::set_password_hash(tx, user.id, hash, now).await?;
            let event = AuditAction::PasswordReset;
            security::record(tx, &origin, now, event, Some(user.id), user.id.to_string(), json!({})).await?;
            let ended = sessions::end(
                tx,
                &state,
                &origin,
                Some(user.id),
                Which::AllOf(user.id),
                SessionEnd::PasswordReset,
            )
            .await?;
            Ok::<_, ApiError>((verdict, ended))
        })
        .await?;
        state.revoked_sessions.note(&ended);
        verdict?;
        Ok(ResetDone::Done)
    }
}

/// Who resets a password by SMS: an active citizen whose phone was confirmed (a code to an
/// unconfirmed phone could reach whoever registered someone else's number).
fn can_reset(user: &entity::user::Model) -> bool {
    user.role == Role::Citizen && user.active && user.deleted_at.is_none() && user.phone_verified_at.is_some()
}

async fn mark_verified(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    let user = entity::user::ActiveModel {
        id: Set(user_id),
        phone_verified_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    };
    entity::user::Entity::update(user).exec(db).await?;
    Ok(())
}
