//! Login sessions: one per login (the refresh tokens of a login are its family, its access
//! tokens name it as `sid`), listed to their owner as devices, and revoked by logout, a
//! password change or reset, a deactivation, a reused refresh token or the owner's say-so.
//! Every server process refuses a revoked session's access tokens within
//! `MOTCUA_REVOCATION_CACHE_SECS` (see [`revoked`]).

pub mod dto;
pub mod revoked;
pub mod routes;
pub mod store;

use entity::values::{AuditAction, SessionEnd};
use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

use crate::{error::ApiError, security::Origin, state::AppState};

pub use store::Which;

/// Ends the sessions `which` picks for `reason` inside `db`'s transaction, records each as a
/// security event, removes the devices they registered for pushes, and answers their ids: pass them to [`RevokedSessions::note`] once the
/// transaction committed, so this process refuses their tokens at once (the others within the
/// cache's time).
///
/// [`RevokedSessions::note`]: revoked::RevokedSessions::note
pub async fn end(
    db: &impl ConnectionTrait,
    state: &AppState,
    origin: &Origin,
    actor: Option<Uuid>,
    which: Which,
    reason: SessionEnd,
) -> Result<Vec<Uuid>, ApiError> {
    let now = state.clock.now();
    let ended = store::revoke(db, which, reason, now).await?;
    crate::push::devices::forget_sessions(db, &ended).await?;
    let event = if reason == SessionEnd::RefreshReuse {
        AuditAction::AuthRefreshReuse
    } else {
        AuditAction::SessionRevoke
    };
    for session in &ended {
        crate::security::record(
            db,
            origin,
            now,
            event,
            actor,
            session.to_string(),
            json!({ "reason": reason }),
        )
        .await?;
    }
    Ok(ended)
}
