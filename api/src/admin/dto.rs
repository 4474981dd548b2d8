use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object, types::MaybeUndefined};

use crate::{
    domain::{
        account::{FullName, PhoneNumber},
        unit::UnitCode,
    },
    input::{Line, NewPassword},
};
use uuid::Uuid;

use crate::auth::Role;

pub use entity::values::UnitKind;

/// A unit of the tree, as administrators manage it.
#[derive(Debug, Object)]
#[oai(example)]
pub struct AdminUnit {
    /// The unit's code: opaque, 1–40 characters of `[A-Za-z0-9._-]`, never changed.
    pub code: String,
    /// The unit's name.
    pub name: String,
    /// What kind of unit this is.
    pub kind: UnitKind,
    /// The code of the unit above it; `null` at the top of the tree.
    #[oai(nullable)]
    pub parent_code: Option<String>,
    /// Street address, when known.
    #[oai(nullable)]
    pub address: Option<String>,
    /// The place its documents are dated at ("Thuận An, ngày 07 tháng 12 năm 2026"); when
    /// `null`, the unit's name stands there.
    #[oai(nullable)]
    pub locality: Option<String>,
    /// False once deactivated; a deactivated unit is kept so that history still points at it.
    pub active: bool,
}

/// A new unit.
#[derive(Debug, Object)]
#[oai(example)]
pub struct NewUnit {
    /// 1–40 characters of ASCII letters, digits, `.`, `_` and `-`; unique, never changed, kept
    /// in upper case.
    pub code: UnitCode,
    /// 1–200 characters.
    pub name: Line<1, 200>,
    /// What kind of unit this is.
    pub kind: UnitKind,
    /// The code of an existing unit to place it under; absent or `null` for a top unit.
    #[oai(nullable)]
    pub parent_code: Option<Line<1, 40>>,
    /// Street address, 1–300 characters.
    #[oai(nullable)]
    pub address: Option<Line<1, 300>>,
    /// The place its documents are dated at ("Hoàn Kiếm"), 1–100 characters; absent or
    /// `null`: the unit's name.
    #[oai(nullable)]
    pub locality: Option<Line<1, 100>>,
}

impl poem_openapi::types::Example for NewUnit {
    fn example() -> Self {
        NewUnit {
            code: UnitCode::parse("HN-HK-HANGBAC").expect("a valid code"),
            name: "Phường Hàng Bạc".into(),
            kind: UnitKind::Ward,
            parent_code: Some("HN-HK".into()),
            address: Some("12 Hàng Bạc, Hoàn Kiếm, Hà Nội".into()),
            locality: Some("Hoàn Kiếm".into()),
        }
    }
}

/// Changes to a unit; absent fields stay as they are.
#[derive(Debug, Object)]
#[oai(example)]
pub struct UnitChanges {
    /// A new name, 1–200 characters.
    #[oai(skip_serializing_if_is_none)]
    pub name: Option<Line<1, 200>>,
    /// A new kind.
    #[oai(skip_serializing_if_is_none)]
    pub kind: Option<UnitKind>,
    /// A new address, 1–300 characters; `null` clears it.
    #[oai(nullable)]
    pub address: MaybeUndefined<Line<1, 300>>,
    /// A new place for its documents' date line, 1–100 characters; `null` clears it (the
    /// unit's name stands there).
    #[oai(nullable)]
    pub locality: MaybeUndefined<Line<1, 100>>,
    /// Moves the unit under another one; `null` makes it a top unit. A unit cannot be moved
    /// under itself or one of its own sub-units (`unit_cycle`).
    #[oai(nullable)]
    pub parent_code: MaybeUndefined<Line<1, 40>>,
    /// `false` deactivates the unit, `true` reactivates it.
    #[oai(skip_serializing_if_is_none)]
    pub active: Option<bool>,
}

impl poem_openapi::types::Example for UnitChanges {
    fn example() -> Self {
        UnitChanges {
            name: Some("Phường Hoàn Kiếm".into()),
            kind: None,
            address: MaybeUndefined::Undefined,
            locality: MaybeUndefined::Value("Hoàn Kiếm".into()),
            parent_code: MaybeUndefined::Value("HN".into()),
            active: None,
        }
    }
}

/// The role of a staff account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum StaffRole {
    /// Works the desk of one unit.
    Officer,
    /// Oversees a unit and its sub-units.
    Supervisor,
    /// Manages every unit and account.
    Admin,
}

impl From<StaffRole> for Role {
    fn from(role: StaffRole) -> Role {
        match role {
            StaffRole::Officer => Role::Officer,
            StaffRole::Supervisor => Role::Supervisor,
            StaffRole::Admin => Role::Admin,
        }
    }
}

/// A new staff account.
#[derive(Debug, Object)]
#[oai(example)]
pub struct NewStaffUser {
    /// A Vietnamese mobile number in any accepted form; stored as `+84…`.
    pub phone: PhoneNumber,
    /// Full name, 1–100 characters: letters, spaces and `'`, `-`, `.`.
    pub full_name: FullName,
    /// The account's role. Supervisors may create officers only.
    pub role: StaffRole,
    /// The unit of an officer or supervisor (required for them); administrators have none.
    #[oai(nullable)]
    pub unit_code: Option<Line<1, 40>>,
    /// The initial password: 10–128 characters, not a commonly used one.
    pub password: NewPassword,
}

impl poem_openapi::types::Example for NewStaffUser {
    fn example() -> Self {
        NewStaffUser {
            phone: PhoneNumber::parse("0987 654 321").expect("a valid number"),
            full_name: FullName::parse("Phạm Thị Lan").expect("a valid name"),
            role: StaffRole::Officer,
            unit_code: Some("HN-HK-HANGBAC".into()),
            password: NewPassword::from_stored("sông Hồng đỏ nặng phù sa".into()),
        }
    }
}

/// Changes to a staff account; absent fields stay as they are.
#[derive(Debug, Object)]
#[oai(example)]
pub struct StaffUserChanges {
    /// A new full name, 1–100 characters.
    #[oai(skip_serializing_if_is_none)]
    pub full_name: Option<FullName>,
    /// A new role (administrators only).
    #[oai(skip_serializing_if_is_none)]
    pub role: Option<StaffRole>,
    /// Moves the account to another unit; `null` removes the unit (for an administrator).
    #[oai(nullable)]
    pub unit_code: MaybeUndefined<Line<1, 40>>,
    /// `false` deactivates the account and ends all its sessions; `true` reactivates it.
    #[oai(skip_serializing_if_is_none)]
    pub active: Option<bool>,
    /// Links the account to this subject (`sub`) of the single sign-on provider, so its owner
    /// can sign in there (`GET /auth/oidc/login`); `null` or `""` unlinks it (administrators
    /// only). A subject linked to another account is `oidc_subject_taken`.
    #[oai(nullable, validator(max_length = 255))]
    pub oidc_subject: MaybeUndefined<String>,
}

impl poem_openapi::types::Example for StaffUserChanges {
    fn example() -> Self {
        StaffUserChanges {
            full_name: None,
            role: None,
            unit_code: MaybeUndefined::Undefined,
            active: Some(false),
            oidc_subject: MaybeUndefined::Undefined,
        }
    }
}

/// One change recorded in the audit log.
#[derive(Debug, Object)]
#[oai(example)]
pub struct AuditEntry {
    /// The entry's id.
    pub id: Uuid,
    /// The account that made the change; `null` for the `motcua` command line.
    #[oai(nullable)]
    pub actor_id: Option<Uuid>,
    /// What was done, e.g. `unit.create`, `user.update`, or a security event such as
    /// `auth.login_failed` or `session.revoke`.
    pub action: String,
    /// The kind of record changed: `unit`, `user`, `session`, `dossier`, ...
    pub target_type: String,
    /// The changed record: a unit's code or an account's id.
    pub target_id: String,
    /// The unit the change concerns, when there is one.
    #[oai(nullable)]
    pub unit_code: Option<String>,
    /// The record before the change (`null` for a creation).
    #[oai(nullable)]
    pub before_state: Option<serde_json::Value>,
    /// The record after the change.
    #[oai(nullable)]
    pub after_state: Option<serde_json::Value>,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// The id of the request that made the change (`X-Request-Id`).
    #[oai(nullable)]
    pub request_id: Option<String>,
    /// The client's address, for security events (logins, failures, resets, revocations).
    #[oai(nullable)]
    pub address: Option<String>,
    /// The client's `User-Agent`, for security events.
    #[oai(nullable)]
    pub user_agent: Option<String>,
}

impl poem_openapi::types::Example for AdminUnit {
    fn example() -> Self {
        AdminUnit {
            code: "HN-HK-HANGBAC".into(),
            name: "Phường Hàng Bạc".into(),
            kind: UnitKind::Ward,
            parent_code: Some("HN-HK".into()),
            address: Some("12 Hàng Bạc, Hoàn Kiếm, Hà Nội".into()),
            locality: Some("Hoàn Kiếm".into()),
            active: true,
        }
    }
}

impl poem_openapi::types::Example for AuditEntry {
    fn example() -> Self {
        AuditEntry {
            id: uuid::Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e0a1),
            actor_id: Some(uuid::Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e001)),
            action: "unit.update".into(),
            target_type: "unit".into(),
            target_id: "HN-HK-HANGBAC".into(),
            unit_code: Some("HN-HK-HANGBAC".into()),
            before_state: Some(serde_json::json!({ "name": "Phường Hàng Bạc" })),
            after_state: Some(serde_json::json!({ "name": "Phường Hoàn Kiếm" })),
            at: DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
            request_id: Some("0192f0c4-7d1e-7c39-9a3b-4bd3a1f2e001".into()),
            address: None,
            user_agent: None,
        }
    }
}
