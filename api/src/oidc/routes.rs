//! `GET /auth/oidc/login` and `GET /auth/oidc/callback`.

use chrono::{DateTime, Duration, Utc};
use entity::values::{AuditAction, SignInMethod};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RequestTokenError, Scope, SignatureVerificationError, TokenResponse,
    core::{CoreAuthenticationFlow, CoreIdToken},
};
use poem::{Request, web::Data};
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use serde_json::json;

use super::{
    Client, client,
    link::{self, Identity},
    provider, store,
};
use crate::{
    accounts::{dto::TokenPair, routes::sign_in},
    auth::tokens::token_hash,
    db::write_transaction,
    domain::account::PhoneNumber,
    error::{ApiError, ApiResult},
    problems::{self, ProblemType},
    security::{self, Origin},
    spec::ApiTags,
    state::AppState,
};

/// How long a login begun may take to come back.
const LOGIN_TTL_MINUTES: i64 = 10;

pub struct OidcApi;

/// A sign-in begun: where to send the user.
#[derive(Debug, Object)]
#[oai(example)]
pub struct SignInStart {
    /// The provider's sign-in page, with this login's `state`, nonce and PKCE challenge: open
    /// it in a browser (tab).
    pub authorization_url: String,
    /// The provider must send the user back (to `MOTCUA_OIDC_REDIRECT_URL`) before this time.
    pub expires_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for SignInStart {
    fn example() -> Self {
        SignInStart {
            authorization_url: "https://sso.example.gov.vn/realms/province/protocol/openid-connect/auth?\
                response_type=code&client_id=motcua&state=Qm9fX2s&code_challenge=E9Melhoa2Owv\
                &code_challenge_method=S256&scope=openid+profile+phone&nonce=bm9uY2U"
                .into(),
            expires_at: "2026-12-01T02:10:00Z".parse().expect("an instant"),
        }
    }
}

#[OpenApi(tag = "ApiTags::Auth")]
impl OidcApi {
    /// Sign in with the single sign-on provider
    ///
    /// Begins a sign-in with the OpenID Connect provider (authorization code flow with PKCE):
    /// answers the provider's sign-in page (`authorization_url`), which the app opens in a
    /// browser tab. The provider sends the user back to `MOTCUA_OIDC_REDIRECT_URL` with `code`
    /// and `state`, which go to `GET /auth/oidc/callback`; it answers the tokens as JSON. The
    /// login must come back within 10 minutes. There is no `redirect_to`: nothing is
    /// redirected after the callback, so nothing can be redirected elsewhere.
    /// `oidc_disabled` (404) when the server has no provider configured.
    #[oai(path = "/auth/oidc/login", method = "get", operation_id = "oidc_login")]
    async fn login(&self, state: Data<&AppState>) -> ApiResult<Json<SignInStart>> {
        let provider = provider(&state.config.oidc)?;
        let metadata = state.oidc.metadata(provider).await?;
        let client = client(&metadata, provider, &state.config.server.public_url)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        // `openid` is always asked for.
        for scope in provider.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, csrf, nonce) = request.set_pkce_challenge(challenge).url();
        let now = state.clock.now();
        let expires_at = now + Duration::minutes(LOGIN_TTL_MINUTES);
        let (state_hash, nonce, verifier) =
            (token_hash(csrf.secret()), nonce.secret().clone(), verifier.secret().clone());
        write_transaction(&state.writer, async |tx| {
            store::begin(tx, state_hash, nonce, verifier, now, expires_at).await
        })
        .await?;
        Ok(Json(SignInStart { authorization_url: url.to_string(), expires_at }))
    }

    /// Finish signing in with the single sign-on provider
    ///
    /// Where the provider sends the browser back. The `state` must be a login begun at
    /// `GET /auth/oidc/login` within 10 minutes and not yet finished (each is good once). The
    /// code is exchanged with the login's PKCE verifier, and the ID token checked: the
    /// provider's signature (its keys are fetched again once when the token names an unknown
    /// key), issuer, audience, expiry and nonce. The account is the one linked to the
    /// provider's subject, else the one of the verified phone the provider asserts (linked
    /// then), else a new citizen account on that phone; with neither, `oidc_no_account`. A
    /// deactivated account gets `invalid_credentials`, as at login. Answers the tokens, as
    /// `POST /auth/login` does.
    #[oai(path = "/auth/oidc/callback", method = "get", operation_id = "oidc_callback")]
    async fn callback(
        &self,
        state: Data<&AppState>,
        req: &Request,
        /// The provider's authorization code; absent when the provider reports an `error`.
        code: Query<Option<String>>,
        /// The login's `state`, as `GET /auth/oidc/login` sent it to the provider.
        #[oai(name = "state")]
        login_state: Query<String>,
        /// The provider's error (for example `access_denied`), instead of a code.
        error: Query<Option<String>>,
    ) -> ApiResult<Json<TokenPair>> {
        let provider = provider(&state.config.oidc)?;
        let now = state.clock.now();
        let origin = Origin::of(&state, req);
        let refuse = Refusal { state: &state, origin: &origin, now };
        let state_hash = token_hash(&login_state);
        let login =
            write_transaction(&state.writer, async |tx| store::spend(tx, &state_hash, now).await).await?;
        let Some(login) = login else {
            return Err(refuse.with("oidc", "state_invalid", &problems::OIDC_STATE_INVALID).await);
        };
        let Some(code) = code.0 else {
            let reason = format!("provider_error:{}", error.0.as_deref().unwrap_or("no_code"));
            return Err(refuse.with("oidc", &reason, &problems::OIDC_TOKEN_INVALID).await);
        };

        let metadata = state.oidc.metadata(provider).await?;
        let public_url = &state.config.server.public_url;
        let client = client(&metadata, provider, public_url)?;
        let answer = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(super::unavailable)?
            .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier))
            .request_async(&state.oidc.http)
            .await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(RequestTokenError::ServerResponse(refused)) => {
                let reason = format!("code_rejected:{}", refused.error());
                return Err(refuse.with("oidc", &reason, &problems::OIDC_TOKEN_INVALID).await);
            }
            Err(err) => return Err(super::unavailable(err)),
        };
        let Some(id_token) = answer.id_token() else {
            return Err(refuse.with("oidc", "no_id_token", &problems::OIDC_TOKEN_INVALID).await);
        };
        let nonce = Nonce::new(login.nonce);
        let verified = match verify(&client, id_token, &nonce, now) {
            // An unknown key: the provider rotated its keys since they were fetched.
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                let metadata = state.oidc.refetch_keys(&metadata).await?;
                verify(&super::client(&metadata, provider, public_url)?, id_token, &nonce, now)
            }
            verified => verified,
        };
        let identity = match verified {
            Ok(identity) => identity,
            Err(err) => {
                tracing::info!(error = %err, "single sign-on: an ID token was refused");
                return Err(refuse.with("oidc", failure_reason(&err), &problems::OIDC_TOKEN_INVALID).await);
            }
        };

        let account =
            write_transaction(&state.writer, async |tx| link::account(tx, &identity, now).await).await?;
        let user = match account {
            Some((user, _)) if user.deleted_at.is_some() => None,
            account => account,
        };
        let Some((user, linked)) = user else {
            return Err(refuse.with(&identity.subject, "no_account", &problems::OIDC_NO_ACCOUNT).await);
        };
        if !user.active {
            return Err(refuse.with(&user.id.to_string(), "inactive", &problems::INVALID_CREDENTIALS).await);
        }
        tracing::info!(user = %user.id, ?linked, "single sign-on");
        Ok(Json(sign_in(&state, &origin, &user, SignInMethod::Oidc).await?))
    }
}

/// Checks the ID token against the provider's keys, this client and the login's nonce, with
/// expiry at the app's clock.
fn verify(
    client: &Client,
    id_token: &CoreIdToken,
    nonce: &Nonce,
    now: DateTime<Utc>,
) -> Result<Identity, ClaimsVerificationError> {
    let verifier = client.id_token_verifier().set_time_fn(move || now);
    let claims = id_token.claims(&verifier, nonce)?;
    let verified_phone = claims
        .phone_number()
        .filter(|_| claims.phone_number_verified() == Some(true))
        .and_then(|phone| PhoneNumber::parse(phone));
    Ok(Identity {
        subject: claims.subject().to_string(),
        verified_phone,
        name: claims.name().and_then(|name| name.get(None)).map(|name| name.to_string()),
    })
}

/// The reason recorded for a refused ID token.
fn failure_reason(err: &ClaimsVerificationError) -> &'static str {
    match err {
        ClaimsVerificationError::SignatureVerification(_) => "bad_signature",
        ClaimsVerificationError::InvalidAudience(_) => "wrong_audience",
        ClaimsVerificationError::InvalidIssuer(_) => "wrong_issuer",
        ClaimsVerificationError::Expired(_) => "expired",
        ClaimsVerificationError::InvalidNonce(_) => "nonce_mismatch",
        _ => "invalid_token",
    }
}

/// Refuses a sign-on, recorded as a failed login.
struct Refusal<'a> {
    state: &'a AppState,
    origin: &'a Origin,
    now: DateTime<Utc>,
}

impl Refusal<'_> {
    /// Records the failure (about `target`: an account, a subject, or `oidc`) and answers
    /// `problem`.
    async fn with(&self, target: &str, reason: &str, problem: &'static ProblemType) -> ApiError {
        let detail = json!({ "method": SignInMethod::Oidc, "reason": reason });
        let recorded = write_transaction(&self.state.writer, async |tx| {
            security::record(tx, self.origin, self.now, AuditAction::AuthLoginFailed, None, target, detail)
                .await
        })
        .await;
        match recorded {
            Ok(()) => ApiError::of(problem),
            Err(err) => err.into(),
        }
    }
}
