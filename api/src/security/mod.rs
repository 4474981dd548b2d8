//! Security events: logins and their failures, step-ups, resets, password changes, session
//! revocations, token reuse. Each is a row of the audit log with the client's address and
//! user agent, so an administrator can see who tried what from where.

use chrono::{DateTime, Utc};
use entity::values::AuditAction;
use poem::{Request, http::header};
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    admin::store::{Audit, write_audit},
    http::{client::client_ip, request_id::RequestId},
    state::AppState,
};

/// The longest user agent kept: enough to tell devices apart, not a place to store a payload.
const USER_AGENT_MAX_CHARS: usize = 256;

/// Where a request came from: the client's address and its `User-Agent`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

impl Origin {
    pub fn of(state: &AppState, req: &Request) -> Origin {
        let user_agent = req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| agent.chars().filter(|c| !c.is_control()).take(USER_AGENT_MAX_CHARS).collect())
            .filter(|agent: &String| !agent.is_empty());
        Origin {
            address: client_ip(req, &state.config.server.trusted_proxies).map(|ip| ip.to_string()),
            user_agent,
        }
    }

    /// The audit identity of a change made by `actor` from here.
    pub fn audit(&self, actor: Option<Uuid>, at: DateTime<Utc>) -> Audit {
        Audit {
            actor_id: actor,
            request_id: RequestId::current().map(|id| id.to_string()),
            at,
            address: self.address.clone(),
            user_agent: self.user_agent.clone(),
        }
    }
}

/// A security event about `target` (an account's id, or the phone a failed login named),
/// by `actor` when known, with what else is worth knowing in `detail`.
pub async fn record(
    db: &impl ConnectionTrait,
    origin: &Origin,
    at: DateTime<Utc>,
    event: AuditAction,
    actor: Option<Uuid>,
    target: impl Into<String>,
    detail: Value,
) -> Result<(), DbErr> {
    write_audit(db, &origin.audit(actor, at), event, (target.into(), None), None, detail).await
}
