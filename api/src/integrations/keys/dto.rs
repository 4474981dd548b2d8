//! What administrators send and see of API keys: never a secret or its hash, except the whole
//! key once, when it is made or rotated.

use chrono::{DateTime, Utc};
use entity::values::ApiScope;
use poem_openapi::{Enum, Object, types::Example};
use uuid::Uuid;

use crate::input::Line;

/// Whether a key is accepted now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum KeyState {
    /// Accepted.
    Active,
    /// Past its `expires_at`.
    Expired,
    /// Revoked by an administrator.
    Revoked,
}

/// An API key, as administrators see it.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct ApiKeyView {
    /// The key's id: the part after `mc_live_` of the key itself.
    pub id: Uuid,
    /// Who the key is for.
    pub name: String,
    /// What the key may do.
    pub scopes: Vec<ApiScope>,
    /// The unit the key is restricted to, with the units below it; `null`: every unit.
    #[oai(nullable)]
    pub unit_code: Option<String>,
    /// Requests per minute; `null`: the server's default.
    #[oai(nullable)]
    pub rate_limit: Option<u32>,
    /// Whether the key is accepted now.
    pub state: KeyState,
    /// When the key was made.
    pub created_at: DateTime<Utc>,
    /// The administrator who made it.
    pub created_by: Uuid,
    /// When the key was last used, to the minute; `null`: never.
    #[oai(nullable)]
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the key stops working; `null`: never.
    #[oai(nullable)]
    pub expires_at: Option<DateTime<Utc>>,
    /// When its secret was last replaced; `null`: never.
    #[oai(nullable)]
    pub rotated_at: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still works; `null`: it no longer does.
    #[oai(nullable)]
    pub previous_valid_until: Option<DateTime<Utc>>,
    /// When the key was revoked; `null`: not revoked.
    #[oai(nullable)]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Example for ApiKeyView {
    fn example() -> Self {
        ApiKeyView {
            id: Uuid::from_u128(0x0193_a1b2_c3d4_7e5f_8a9b_0c1d_2e3f_4a5c),
            name: "Cổng dịch vụ công tỉnh Bình Dương".into(),
            scopes: vec![ApiScope::DossiersRead, ApiScope::DossiersWrite],
            unit_code: Some("000.00.20.H12".into()),
            rate_limit: Some(600),
            state: KeyState::Active,
            created_at: "2026-12-01T02:00:00Z".parse().expect("an instant"),
            created_by: Uuid::from_u128(0x0193_a1b2_c3d4_7e5f_8a9b_0c1d_2e3f_0001),
            last_used_at: Some("2026-12-07T03:15:00Z".parse().expect("an instant")),
            expires_at: None,
            rotated_at: None,
            previous_valid_until: None,
            revoked_at: None,
        }
    }
}

/// A key just made or rotated, with the key itself, shown this once.
#[derive(Debug, Object)]
#[oai(example)]
pub struct IssuedApiKey {
    /// The whole key, `mc_live_<id>_<secret>`, to send as `X-API-Key`. Only its hash is kept:
    /// it is shown this once and can never be read again.
    pub key: String,
    /// The key's record.
    #[oai(flatten)]
    pub record: ApiKeyView,
}

impl Example for IssuedApiKey {
    fn example() -> Self {
        IssuedApiKey {
            key: "mc_live_0193a1b2c3d47e5f8a9b0c1d2e3f4a5c_q3ZkT8vN2pL5xW9mR4bY7cH1jF6sD0gA2eK8uQ5iO3t"
                .into(),
            record: ApiKeyView::example(),
        }
    }
}

/// A new key.
#[derive(Debug, Object)]
#[oai(example)]
pub struct NewApiKey {
    /// Who the key is for, 1–200 characters.
    pub name: Line<1, 200>,
    /// What the key may do: one or more scopes, each once.
    #[oai(validator(min_items = 1, max_items = 5))]
    pub scopes: Vec<ApiScope>,
    /// Restricts the key to this unit and the units below it; absent: every unit.
    #[oai(nullable)]
    pub unit_code: Option<Line<1, 40>>,
    /// When the key stops working, in the future; absent: never.
    #[oai(nullable)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Requests per minute, 1–100000; absent: the server's default.
    #[oai(nullable, validator(minimum(value = "1"), maximum(value = "100000")))]
    pub rate_limit: Option<u32>,
}

impl Example for NewApiKey {
    fn example() -> Self {
        NewApiKey {
            name: "Cổng dịch vụ công tỉnh Bình Dương".into(),
            scopes: vec![ApiScope::DossiersRead, ApiScope::DossiersWrite],
            unit_code: Some("000.00.20.H12".into()),
            expires_at: None,
            rate_limit: Some(600),
        }
    }
}

/// How to rotate a key.
#[derive(Debug, Default, Object)]
#[oai(example)]
pub struct KeyRotation {
    /// How many hours the old secret keeps working beside the new one (0–8760); absent: the
    /// server's setting (168, a week). 0 ends the old secret at once.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "8760")))]
    pub grace_hours: Option<u32>,
}

impl Example for KeyRotation {
    fn example() -> Self {
        KeyRotation { grace_hours: Some(48) }
    }
}
