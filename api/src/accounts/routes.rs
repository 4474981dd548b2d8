use poem::Request;
use poem_openapi::{ApiResponse, OpenApi, payload::Json};

use super::{
    dto::*,
    login_guard::{Failure, LoginGuard},
    store, validate,
};
use entity::values::{AuditAction, OtpPurpose, SessionEnd, SignInMethod};
use serde_json::json;

use crate::{
    auth::{BearerAuth, Caller, Role, password::needs_rehash, tokens},
    db::write_transaction,
    error::{ApiError, ApiResult},
    problems,
    security::{self, Origin},
    sessions::{self, Which},
    spec::ApiTags,
    state::AppState,
};

pub struct AccountsApi;

#[derive(ApiResponse)]
pub enum Registered {
    /// The account was created; log in to get tokens.
    #[oai(status = 201)]
    Created(Json<UserProfile>),
}

#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

pub async fn profile_of(state: &AppState, user: entity::user::Model) -> ApiResult<UserProfile> {
    let unit_code = crate::units::store::unit_code(&state.db, user.unit_id).await?;
    Ok(UserProfile::from_user(user, unit_code))
}

/// Issues an access token, and a refresh token in the session `session`.
pub async fn issue_tokens(
    db: &impl sea_orm::ConnectionTrait,
    state: &AppState,
    user: &entity::user::Model,
    session: uuid::Uuid,
) -> ApiResult<TokenPair> {
    let now = state.clock.now();
    let auth = &state.config.auth;
    let refresh_token = tokens::new_refresh_token();
    let expires_at = now + chrono::Duration::from_std(auth.refresh_ttl).map_err(ApiError::internal)?;
    store::insert_refresh_token(db, user.id, session, tokens::token_hash(&refresh_token), now, expires_at)
        .await?;
    let unit = crate::units::store::unit_code(db, user.unit_id).await?;
    let claims = tokens::claims_for(user.id, user.role, unit, session, now, auth.access_ttl);
    let access_token = state.keys.tokens.sign(&claims).map_err(ApiError::internal)?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: auth.access_ttl.as_secs(),
    })
}

/// Opens a session for a user who just proved who they are, records the login, and answers
/// its first tokens.
pub async fn sign_in(
    state: &AppState,
    origin: &Origin,
    user: &entity::user::Model,
    method: SignInMethod,
) -> ApiResult<TokenPair> {
    let now = state.clock.now();
    write_transaction(&state.writer, async |tx| {
        let session = sessions::store::open(tx, user.id, method, origin, now).await?;
        security::record(
            tx,
            origin,
            now,
            AuditAction::AuthLogin,
            Some(user.id),
            user.id.to_string(),
            json!({
                "method": method,
                "session": session,
            }),
        )
        .await?;
        issue_tokens(tx, state, user, session).await
    })
    .await
}

#[OpenApi(tag = "ApiTags::Auth")]
impl AccountsApi {
    /// Register a citizen account
    ///
    /// Citizens sign up with their mobile number, which gets a 6-digit code by SMS to confirm
    /// it (`POST /auth/phone/verify`); until then the account cannot claim dossiers, book or
    /// rate. Staff accounts are created by administrators and supervisors (`POST /admin/users`).
    #[oai(path = "/auth/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        state: poem::web::Data<&AppState>,
        body: Json<RegisterRequest>,
    ) -> ApiResult<Registered> {
        let mut errors = Vec::new();
        let Some((phone, name)) =
            validate::new_account(body.phone.as_str(), &body.full_name, &body.password, &mut errors)
        else {
            return Err(ApiError::validation(errors));
        };
        if store::user_by_phone(&state.db, phone.as_str()).await?.is_some() {
            return Err(ApiError::of(&problems::PHONE_TAKEN));
        }
        let password_hash = state.keys.passwords.hash(&body.password).await?;
        let new = store::NewUser {
            phone: phone.as_str(),
            full_name: name.as_str(),
            password_hash,
            role: Role::Citizen,
            unit_id: None,
            phone_verified: false,
        };
        // A concurrent registration of the same phone loses on users_phone_key: phone_taken.
        let user = store::insert_user(&state.db, new, state.clock.now()).await?;
        // The account works at once; claiming, booking and rating wait for the code. A code
        // refused as too soon (left by an erased account of this phone) still works.
        let _ = crate::otp::issue_and_send(&state, &user.phone, OtpPurpose::VerifyPhone).await?;
        Ok(Registered::Created(Json(profile_of(&state, user).await?)))
    }

    /// Log in
    ///
    /// Returns a short-lived access token and a refresh token. Failed logins never lock an
    /// account: after 5 failures in 15 minutes for a phone from one address (or 20 from all
    /// addresses) its logins need, besides the password, the one-time code that a login with
    /// the right password then sends by SMS (`otp`; until it is given the answer is 401
    /// `step_up_required`, whether the password was right or not). After 20 failures from one
    /// client address, logins from it wait for the `Retry-After` of a 429 `quota_exceeded`
    /// (seconds: the count drains steadily). A temporary password (set by a supervisor or
    /// administrator) answers 403 `password_change_required` unless the body carries
    /// `new_password`, which then replaces it.
    #[oai(path = "/auth/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: poem::web::Data<&AppState>,
        req: &Request,
        body: Json<LoginRequest>,
    ) -> ApiResult<Json<TokenPair>> {
        // A new password is checked whenever it is sent, whether or not it is needed: the
        // same request gets the same refusal for any account.
        if let Some(new_password) = &body.new_password {
            let mut errors = Vec::new();
            validate::new_password("new_password", new_password, &mut errors);
            if !errors.is_empty() {
                return Err(ApiError::validation(errors));
            }
        }
        let now = state.clock.now();
        let origin = Origin::of(&state, req);
        let phone = crate::domain::account::PhoneNumber::parse(&body.phone);
        let phone_key =
            phone.as_ref().map_or_else(|| body.phone.trim().to_owned(), |p| p.as_str().to_owned());
        let guard = LoginGuard::new(&state, req, &phone_key);
        let step_up = guard.admit(&state, req).await?;

        let user = match &phone {
            Some(phone) => store::user_by_phone(&state.db, phone.as_str()).await?,
            None => None,
        };
        let hash = user.as_ref().map(|u| u.password_hash.as_str());
        let mut verified = state.keys.passwords.verify(&body.password, hash).await?;
        // A hash made before passwords were normalised holds the form that was typed then.
        let mut hashed_as_typed = false;
        if let (false, Some(typed), Some(_)) = (verified, body.password.as_typed(), hash) {
            verified = state.keys.passwords.verify(typed, hash).await?;
            hashed_as_typed = verified;
        }
        let user = match user {
            Some(user) if verified && user.active => user,
            user => {
                let account = (user.as_ref().map(|u| u.id), phone_key);
                return Err(guard.failed(&state, req, &origin, account, Failure::Credentials, step_up).await);
            }
        };
        if step_up {
            guard.step_up(&state, req, &origin, &user, body.otp.as_deref()).await?;
        }
        let replaced = super::temporary::settle_at_login(
            &state,
            &origin,
            &user,
            &body.password,
            body.new_password.as_ref(),
        )
        .await?;
        if !replaced && (hashed_as_typed || needs_rehash(&user.password_hash)) {
            let rehashed = state.keys.passwords.hash(&body.password).await?;
            store::set_password_hash(&state.db, user.id, rehashed, now).await?;
        }
        Ok(Json(sign_in(&state, &origin, &user, SignInMethod::Password).await?))
    }

    /// Refresh the tokens
    ///
    /// Spends the refresh token and returns a new pair. Presenting a spent token again means it
    /// was stolen or replayed: the whole session is revoked and the answer is 401.
    #[oai(path = "/auth/refresh", method = "post", operation_id = "refresh_tokens")]
    async fn refresh(
        &self,
        state: poem::web::Data<&AppState>,
        req: &Request,
        body: Json<RefreshRequest>,
    ) -> ApiResult<Json<TokenPair>> {
        let now = state.clock.now();
        let origin = Origin::of(&state, req);
        let token = store::refresh_token_by_hash(&state.db, &tokens::token_hash(&body.refresh_token))
            .await?
            .ok_or_else(|| ApiError::of(&problems::INVALID_REFRESH_TOKEN))?;
        if token.revoked_at.is_some() || token.expires_at <= now {
            return Err(ApiError::of(&problems::INVALID_REFRESH_TOKEN));
        }
        let session = token.family_id;
        let outcome = write_transaction(&state.writer, async |tx| {
            if token.spent_at.is_some() || !store::spend_refresh_token(tx, token.id, now).await? {
                let which = Which::One { user_id: token.user_id, session };
                let ended = sessions::end(tx, &state, &origin, None, which, SessionEnd::RefreshReuse).await?;
                return Ok(Err(ended));
            }
            let user = store::user_by_id(tx, token.user_id)
                .await?
                .filter(|u| u.active)
                .ok_or_else(|| ApiError::of(&problems::INVALID_REFRESH_TOKEN))?;
            sessions::store::touch(tx, session, &origin, now).await?;
            Ok::<_, ApiError>(Ok(issue_tokens(tx, &state, &user, session).await?))
        })
        .await?;
        match outcome {
            Ok(pair) => Ok(Json(pair)),
            // The reuse is recorded and the session ended, though the answer is a refusal.
            Err(ended) => {
                state.revoked_sessions.note(&ended);
                Err(ApiError::of(&problems::INVALID_REFRESH_TOKEN))
            }
        }
    }

    /// Log out
    ///
    /// Ends the session of the given refresh token (one of the caller's own; another's or an
    /// unknown token changes nothing): its refresh token stops working at once, its access
    /// tokens within 30 seconds on every server. Other devices stay signed in
    /// (`DELETE /me/sessions/{id}` signs one out).
    #[oai(path = "/auth/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: poem::web::Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        body: Json<RefreshRequest>,
    ) -> ApiResult<NoContent> {
        let token = store::refresh_token_by_hash(&state.db, &tokens::token_hash(&body.refresh_token)).await?;
        let Some(session) = token.filter(|t| t.user_id == auth.0.id).map(|t| t.family_id) else {
            return Ok(NoContent::Done);
        };
        let origin = Origin::of(&state, req);
        let which = Which::One { user_id: auth.0.id, session };
        let ended = write_transaction(&state.writer, async |tx| {
            sessions::end(tx, &state, &origin, Some(auth.0.id), which, SessionEnd::Logout).await
        })
        .await?;
        state.revoked_sessions.note(&ended);
        Ok(NoContent::Done)
    }
}

pub struct MeApi;

#[OpenApi(tag = "ApiTags::Me")]
impl MeApi {
    /// Read my profile
    ///
    /// The caller's own account: phone, name, role and, for staff, their unit.
    #[oai(path = "/me", method = "get", operation_id = "get_me")]
    async fn get_me(
        &self,
        state: poem::web::Data<&AppState>,
        auth: BearerAuth,
    ) -> ApiResult<Json<UserProfile>> {
        Ok(Json(profile_of(&state, current_user(&state, &auth.0).await?).await?))
    }

    /// Update my profile
    ///
    /// Changes the caller's full name, and whether they receive letters from units
    /// (`letters_opt_out`); a field left out stays as it is. The phone number is the login and
    /// is not changed here.
    #[oai(path = "/me", method = "patch", operation_id = "update_me")]
    async fn update_me(
        &self,
        state: poem::web::Data<&AppState>,
        auth: BearerAuth,
        body: Json<UpdateProfileRequest>,
    ) -> ApiResult<Json<UserProfile>> {
        let user = current_user(&state, &auth.0).await?;
        let mut errors = Vec::new();
        let name = body.full_name.as_deref().map(|n| validate::full_name("full_name", n, &mut errors));
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let user = match name.flatten() {
            Some(name) => store::rename_user(&state.db, user, name.as_str(), state.clock.now()).await?,
            None => user,
        };
        let user = match body.letters_opt_out {
            Some(opt_out) if opt_out != user.letters_opt_out => {
                store::set_letters_opt_out(&state.db, user, opt_out, state.clock.now()).await?
            }
            _ => user,
        };
        Ok(Json(profile_of(&state, user).await?))
    }

    /// Delete my account
    ///
    /// Needs the current password. Erases the account's personal data: the name and phone are
    /// replaced (the phone can register again), the password and single sign-on link removed,
    /// the inbox deleted, every session ended. The dossiers linked to it are unlinked and stay
    /// the units' official records, as do ratings, complaints, appointments and letters, which
    /// point to the anonymised account from then on. Staff accounts are deactivated by their
    /// administrators instead (403 `staff_account`). Recorded in the audit log
    /// (`account.delete`).
    #[oai(path = "/me", method = "delete", operation_id = "delete_me")]
    async fn delete_me(
        &self,
        state: poem::web::Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        body: Json<crate::personal::EraseRequest>,
    ) -> ApiResult<NoContent> {
        crate::personal::erase::erase_own(&state, &Origin::of(&state, req), &auth.0, &body.password).await?;
        Ok(NoContent::Done)
    }

    /// Change my password
    ///
    /// Needs the current password; every other session of the account is revoked. A temporary
    /// password is replaced like any other.
    #[oai(path = "/me/password", method = "post", operation_id = "change_password")]
    async fn change_password(
        &self,
        state: poem::web::Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        body: Json<ChangePasswordRequest>,
    ) -> ApiResult<NoContent> {
        let user = current_user(&state, &auth.0).await?;
        let mut errors = Vec::new();
        validate::new_password("new_password", &body.new_password, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        if !state.keys.passwords.verify(&body.current_password, Some(&user.password_hash)).await? {
            return Err(ApiError::invalid_field(
                "current_password",
                "Mật khẩu hiện tại không đúng.",
                "The current password is wrong.",
            ));
        }
        let now = state.clock.now();
        let hash = state.keys.passwords.hash(&body.new_password).await?;
        let origin = Origin::of(&state, req);
        let ended = write_transaction(&state.writer, async |tx| {
            store::set_password_hash(tx, user.id, hash, now).await?;
            security::record(
                tx,
                &origin,
                now,
                AuditAction::PasswordChange,
                Some(user.id),
                user.id.to_string(),
                json!({}),
            )
            .await?;
            let others = Which::AllOfExcept(user.id, auth.0.session);
            sessions::end(tx, &state, &origin, Some(user.id), others, SessionEnd::PasswordChanged).await
        })
        .await?;
        state.revoked_sessions.note(&ended);
        Ok(NoContent::Done)
    }
}

async fn current_user(state: &AppState, caller: &Caller) -> ApiResult<entity::user::Model> {
    store::user_by_id(&state.db, caller.id).await?.ok_or_else(ApiError::unauthenticated)
}
