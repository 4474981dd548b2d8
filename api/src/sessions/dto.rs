use chrono::{DateTime, Utc};
use entity::values::SignInMethod;
use poem_openapi::Object;
use uuid::Uuid;

/// One of the caller's sessions: a device or browser that is signed in.
#[derive(Debug, Object)]
#[oai(example)]
pub struct SessionView {
    /// The session id, for `DELETE /me/sessions/{id}`.
    pub id: Uuid,
    /// How it was opened.
    pub method: SignInMethod,
    /// True for the session of this request.
    pub current: bool,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// Its last login or token refresh.
    pub last_used_at: DateTime<Utc>,
    /// The address it was last used from.
    #[oai(nullable)]
    pub address: Option<String>,
    /// The `User-Agent` it last sent (the app or browser).
    #[oai(nullable)]
    pub user_agent: Option<String>,
}

impl SessionView {
    pub fn new(session: entity::session::Model, current: Uuid) -> SessionView {
        SessionView {
            current: current == session.id,
            id: session.id,
            method: session.method,
            created_at: session.created_at,
            last_used_at: session.last_used_at,
            address: session.address,
            user_agent: session.user_agent,
        }
    }
}

/// The caller's open sessions, most recently used first.
#[derive(Debug, Object)]
#[oai(example)]
pub struct SessionList {
    /// At most 100 sessions.
    pub items: Vec<SessionView>,
}

impl poem_openapi::types::Example for SessionView {
    fn example() -> Self {
        SessionView {
            id: Uuid::from_u128(0x0193_9a3e_5c10_7d2a_8e41_6f0b_2c5d_9a17),
            method: SignInMethod::Password,
            current: true,
            created_at: "2026-12-01T02:00:00Z".parse().expect("an instant"),
            last_used_at: "2026-12-01T02:14:00Z".parse().expect("an instant"),
            address: Some("203.113.152.7".into()),
            user_agent: Some("MotCua/2.3 (Android 14)".into()),
        }
    }
}

impl poem_openapi::types::Example for SessionList {
    fn example() -> Self {
        SessionList { items: vec![SessionView::example()] }
    }
}
