//! What every request handler can reach: the database, the settings, the keys, the clock.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    appointments, clock, config::Config, dossiers, http::metrics::Metrics, keys::Keys, secrets::Secrets,
};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The pool every read goes through.
    pub db: DatabaseConnection,
    /// Where write transactions run (see [`crate::db::Writer`]): on a SQLite file, one
    /// connection whose writes commit in batches.
    pub writer: crate::db::Writer,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub keys: Arc<Keys>,
    /// Unit and procedure names for the public lookup, kept for `config.lookup.names_ttl`.
    pub lookup_names: Arc<dossiers::names::LookupNames>,
    /// Desks as the slots listing shows them, kept for `config.appointments.listed_desk_ttl`.
    pub listed_desks: Arc<appointments::ListedDesks>,
    /// Where the busiest public reads run: the lookup and the slots listing (SQLite
    /// connections of their own, or the pool).
    pub readers: Arc<crate::db::reader::HeldReaders>,
    /// Where every rule reads the time.
    pub clock: clock::Clock,
    /// The waiting-room screens this process serves, by unit.
    pub displays: Arc<crate::queue::display::hub::DisplayHub>,
    /// The client webhook deliveries are sent with.
    pub webhooks: Arc<crate::webhooks::Sender>,
    /// The client pushes are sent with; `None` when push is off (no credentials configured).
    pub fcm: Option<Arc<crate::push::Fcm>>,
    /// The sessions this process knows to be revoked (see [`crate::sessions::revoked`]).
    pub revoked_sessions: Arc<crate::sessions::revoked::RevokedSessions>,
    /// Where text messages (one-time codes) go.
    pub sms: Arc<crate::otp::SmsSender>,
    /// The single sign-on provider's discovery document and keys, as fetched.
    pub oidc: Arc<crate::oidc::Sso>,
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config, secrets: &Secrets, clock: clock::Clock) -> AppState {
        let keys = Arc::new(Keys::new(secrets));
        let lookup_names = Arc::new(dossiers::names::LookupNames::new(config.lookup.names_ttl, &clock));
        let listed_desks =
            Arc::new(appointments::ListedDesks::new(config.appointments.listed_desk_ttl, clock.clone()));
        let readers =
            Arc::new(crate::db::reader::HeldReaders::new(&config.database, config.lookup.connections));
        let webhooks = Arc::new(crate::webhooks::Sender::new(config.webhooks.allow_private));
        let fcm = crate::push::Fcm::new(&config.push).map(Arc::new);
        let revoked_sessions = Arc::new(crate::sessions::revoked::RevokedSessions::new(
            config.sessions.revocation_cache,
            config.auth.access_ttl,
        ));
        let sms = Arc::new(crate::otp::SmsSender::new(&config.sms.sender));
        let oidc = Arc::new(crate::oidc::Sso::new(&config.oidc));
        AppState {
            writer: crate::db::Writer::serving(&db),
            db,
            config: Arc::new(config),
            metrics: Metrics::shared(),
            keys,
            lookup_names,
            listed_desks,
            readers,
            clock,
            displays: Arc::default(),
            webhooks,
            fcm,
            revoked_sessions,
            sms,
            oidc,
        }
    }

    /// Whether inbox entries are pushed (see [`crate::push::Push`]).
    pub fn push(&self) -> crate::push::Push {
        if self.fcm.is_some() { crate::push::Push::On } else { crate::push::Push::Off }
    }
}
