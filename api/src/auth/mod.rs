//! Who is calling: bearer tokens, roles and the units a staff member may act in.

pub mod password;
pub mod tokens;

use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{error::ApiError, state::AppState, units::store::unit_and_descendants};

pub use entity::values::Role;

/// Whether a role works at a desk (officer, supervisor, admin) rather than being a citizen.
pub fn is_staff(role: Role) -> bool {
    role != Role::Citizen
}

/// The authenticated account of a request, read fresh from the database (so a deactivated
/// account or a changed role takes effect at once, not when the token expires).
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: Uuid,
    pub role: Role,
    pub unit_id: Option<Uuid>,
    /// The login session the access token belongs to.
    pub session: Uuid,
    /// Whether the account's phone was confirmed by a one-time code.
    pub phone_verified: bool,
}

impl Caller {
    /// Staff of at least this rank (officer < supervisor < admin), else 403.
    pub fn require_staff(&self, at_least: Role) -> Result<(), ApiError> {
        if is_staff(self.role) && self.role >= at_least { Ok(()) } else { Err(ApiError::forbidden()) }
    }

    /// A citizen account, else 403.
    pub fn require_citizen(&self) -> Result<(), ApiError> {
        if self.role == Role::Citizen { Ok(()) } else { Err(ApiError::forbidden()) }
    }

    /// A confirmed phone, else 403 `phone_not_verified`: claiming, booking and rating act on
    /// what is tied to a phone, so only its owner may do them.
    pub fn require_verified_phone(&self) -> Result<(), ApiError> {
        if self.phone_verified { Ok(()) } else { Err(ApiError::of(&crate::problems::PHONE_NOT_VERIFIED)) }
    }
}

/// `Authorization: Bearer <access token>` from `POST /auth/login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "authenticate")]
pub struct BearerAuth(pub Caller);

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let state = req.data::<AppState>().ok_or_else(|| ApiError::internal("AppState missing"))?;
    let now = state.clock.now();
    let claims = state.keys.tokens.verify(&bearer.token, now).ok_or_else(ApiError::unauthenticated)?;
    // Every access token names its session; a revoked session's tokens are refused.
    let session = claims.sid.ok_or_else(ApiError::unauthenticated)?;
    if state.revoked_sessions.contains(&state.db, session, now).await.map_err(ApiError::from)? {
        return Err(ApiError::unauthenticated().into());
    }
    let user = entity::user::Entity::find_by_id(claims.sub)
        .one(&state.db)
        .await
        .map_err(ApiError::from)?
        .filter(|user| user.active)
        .ok_or_else(ApiError::unauthenticated)?;
    Ok(Caller {
        id: user.id,
        role: user.role,
        unit_id: user.unit_id,
        session,
        phone_verified: user.phone_verified_at.is_some(),
    })
}

/// The units a staff member may act in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitScope {
    /// Administrators: every unit.
    All,
    /// Officers: their unit; supervisors: their unit and everything below it.
    Units(Vec<Uuid>),
}

impl UnitScope {
    pub fn contains(&self, unit_id: Uuid) -> bool {
        match self {
            UnitScope::All => true,
            UnitScope::Units(ids) => ids.contains(&unit_id),
        }
    }

    /// Ok when the unit is in scope; 404 otherwise, so ids of other units cannot be probed.
    pub fn check(&self, unit_id: Uuid) -> Result<(), ApiError> {
        if self.contains(unit_id) { Ok(()) } else { Err(ApiError::not_found()) }
    }
}

/// Where a staff caller may act; citizens have no scope (403).
pub async fn scope_of(db: &impl ConnectionTrait, caller: &Caller) -> Result<UnitScope, ApiError> {
    match (caller.role, caller.unit_id) {
        (Role::Admin, _) => Ok(UnitScope::All),
        (Role::Supervisor, Some(unit)) => Ok(UnitScope::Units(unit_and_descendants(db, unit).await?)),
        (Role::Officer, Some(unit)) => Ok(UnitScope::Units(vec![unit])),
        _ => Err(ApiError::forbidden()),
    }
}
