use poem::Request;
use poem_openapi::{ApiResponse, OpenApi, payload::Json};

use super::{dto::*, store, validate};
use crate::{
    auth::{BearerAuth, Caller, Role, password::needs_rehash, tokens},
    error::{ApiError, ApiResult},
    problems,
    rate_limit::{Bucket, Policy, Refill},
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

/// Issues an access token and a refresh token in the session `family`.
async fn issue_tokens(
    state: &AppState,
    user: &entity::user::Model,
    family: uuid::Uuid,
) -> ApiResult<TokenPair> {
    let now = state.clock.now();
    let auth = &state.config.auth;
    let refresh_token = tokens::new_refresh_token();
    let expires_at = now + chrono::Duration::from_std(auth.refresh_ttl).map_err(ApiError::internal)?;
    store::insert_refresh_token(
        &state.db,
        user.id,
        family,
        tokens::token_hash(&refresh_token),
        now,
        expires_at,
    )
    .await?;
    let unit = crate::units::store::unit_code(&state.db, user.unit_id).await?;
    let claims = tokens::claims_for(user.id, user.role, unit, family, now, auth.access_ttl);
    let access_token = state.keys.tokens.sign(&claims).map_err(ApiError::internal)?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: auth.access_ttl.as_secs(),
    })
}

#[OpenApi(tag = "ApiTags::Auth")]
impl AccountsApi {
    /// Register a citizen account
    ///
    /// Citizens sign up with their mobile number. Staff accounts are created by administrators
    /// and supervisors (`POST /admin/users`).
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
        };
        // A concurrent registration of the same phone loses on users_phone_key: phone_taken.
        let user = store::insert_user(&state.db, new, state.clock.now()).await?;
        Ok(Registered::Created(Json(profile_of(&state, user).await?)))
    }

    /// Log in
    ///
    /// Returns a short-lived access token and a refresh token. After 5 failures in 15 minutes
    /// for one phone, or 20 from one client address, login answers 429 `quota_exceeded` until
    /// the window passes.
    #[oai(path = "/auth/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: poem::web::Data<&AppState>,
        req: &Request,
        body: Json<LoginRequest>,
    ) -> ApiResult<Json<TokenPair>> {
        let auth = &state.config.auth;
        let now = state.clock.now();
        let phone = crate::domain::account::PhoneNumber::parse(&body.phone);
        let phone_key =
            phone.as_ref().map_or_else(|| body.phone.trim().to_owned(), |p| p.as_str().to_owned());
        // Failures are counted, and the count empties only when its window has passed.
        let failures =
            |name, limit| Policy { name, limit, window: auth.login_window, refill: Refill::AtWindowEnd };
        let limits = [
            Bucket::new(
                failures("login-phone", auth.login_max_per_phone),
                format!("login:phone:{phone_key}"),
            ),
            Bucket::per_client(failures("login", auth.login_max_per_client), "login", &state, req),
        ];
        for limit in &limits {
            limit.check(&state, req).await?;
        }

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
            _ => {
                for limit in &limits {
                    limit.count(&state, req).await?;
                }
                return Err(ApiError::of(&problems::INVALID_CREDENTIALS));
            }
        };
        if hashed_as_typed || needs_rehash(&user.password_hash) {
            let rehashed = state.keys.passwords.hash(&body.password).await?;
            store::set_password_hash(&state.db, user.id, rehashed, now).await?;
        }
        Ok(Json(issue_tokens(&state, &user, uuid::Uuid::now_v7()).await?))
    }

    /// Refresh the tokens
    ///
    /// Spends the refresh token and returns a new pair. Presenting a spent token again means it
    /// was stolen or replayed: the whole session is revoked and the answer is 401.
    #[oai(path = "/auth/refresh", method = "post", operation_id = "refresh_tokens")]
    async fn refresh(
        &self,
        state: poem::web::Data<&AppState>,
        body: Json<RefreshRequest>,
    ) -> ApiResult<Json<TokenPair>> {
        let now = state.clock.now();
        let token = store::refresh_token_by_hash(&state.db, &tokens::token_hash(&body.refresh_token))
            .await?
            .ok_or_else(|| ApiError::of(&problems::INVALID_REFRESH_TOKEN))?;
        if token.revoked_at.is_some() || token.expires_at <= now {
            return Err(ApiError::of(&problems::INVALID_REFRESH_TOKEN));
        }
        if token.spent_at.is_some() || !store::spend_refresh_token(&state.db, token.id, now).await? {
            store::revoke_family(&state.db, token.family_id, now).await?;
            return Err(ApiError::of(&problems::INVALID_REFRESH_TOKEN));
        }
        let user = store::user_by_id(&state.db, token.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| ApiError::of(&problems::INVALID_REFRESH_TOKEN))?;
        Ok(Json(issue_tokens(&state, &user, token.family_id).await?))
    }

    /// Log out
    ///
    /// Revokes the session of the given refresh token (the caller's own).
    #[oai(path = "/auth/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: poem::web::Data<&AppState>,
        auth: BearerAuth,
        body: Json<RefreshRequest>,
    ) -> ApiResult<NoContent> {
        let token = store::refresh_token_by_hash(&state.db, &tokens::token_hash(&body.refresh_token)).await?;
        if let Some(token) = token.filter(|t| t.user_id == auth.0.id) {
            store::revoke_family(&state.db, token.family_id, state.clock.now()).await?;
        }
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

    /// Change my password
    ///
    /// Needs the current password; every other session of the account is revoked.
    #[oai(path = "/me/password", method = "post", operation_id = "change_password")]
    async fn change_password(
        &self,
        state: poem::web::Data<&AppState>,
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
        store::set_password_hash(&state.db, user.id, hash, now).await?;
        store::revoke_sessions_except(&state.db, user.id, auth.0.session, now).await?;
        Ok(NoContent::Done)
    }
}

async fn current_user(state: &AppState, caller: &Caller) -> ApiResult<entity::user::Model> {
    store::user_by_id(&state.db, caller.id).await?.ok_or_else(ApiError::unauthenticated)
}
