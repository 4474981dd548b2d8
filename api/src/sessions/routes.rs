use entity::values::SessionEnd;
use poem::Request;
use poem_openapi::{OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{Which, dto::*};
use crate::{
    accounts::routes::NoContent,
    auth::BearerAuth,
    db::write_transaction,
    error::{ApiError, ApiResult},
    problems,
    security::Origin,
    spec::ApiTags,
    state::AppState,
};

/// The most sessions listed: a user has a handful of devices, not hundreds.
const LISTED_SESSIONS: usize = 100;

pub struct SessionsApi;

#[OpenApi(tag = "ApiTags::Me")]
impl SessionsApi {
    /// List my sessions
    ///
    /// The devices and browsers signed in to the caller's account, most recently used first,
    /// with the address and app each last used; `current` marks this request's own.
    #[oai(path = "/me/sessions", method = "get", operation_id = "list_my_sessions")]
    async fn list(
        &self,
        state: poem::web::Data<&AppState>,
        auth: BearerAuth,
    ) -> ApiResult<Json<SessionList>> {
        let refresh_ttl =
            chrono::Duration::from_std(state.config.auth.refresh_ttl).map_err(ApiError::internal)?;
        let mut sessions = super::store::live(&state.db, auth.0.id, state.clock.now(), refresh_ttl).await?;
        sessions.truncate(LISTED_SESSIONS);
        let items = sessions.into_iter().map(|s| SessionView::new(s, auth.0.session)).collect();
        Ok(Json(SessionList { items }))
    }

    /// Sign a session out
    ///
    /// Ends another of the caller's sessions (a lost phone, a shared computer): its refresh
    /// token stops working at once, its access tokens within 30 seconds on every server.
    /// Another account's session, or one already ended, is 404; the session making the request
    /// is 409 `session_is_current` (`POST /auth/logout` ends it).
    #[oai(path = "/me/sessions/:id", method = "delete", operation_id = "end_my_session")]
    async fn end(
        &self,
        state: poem::web::Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<NoContent> {
        if id.0 == auth.0.session {
            return Err(ApiError::of(&problems::SESSION_IS_CURRENT));
        }
        let origin = Origin::of(&state, req);
        let which = Which::One { user_id: auth.0.id, session: id.0 };
        let ended = write_transaction(&state.writer, async |tx| {
            super::end(tx, &state, &origin, Some(auth.0.id), which, SessionEnd::SignedOut).await
        })
        .await?;
        if ended.is_empty() {
            return Err(ApiError::not_found());
        }
        state.revoked_sessions.note(&ended);
        Ok(NoContent::Done)
    }
}
