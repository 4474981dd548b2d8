//! Where a process's screens wait for their unit's next snapshot.
//!
//! A snapshot is put together once per change and unit, and every screen of that unit in the
//! process gets the same text. A change reaches the hub from the write's own process on
//! SQLite, and on PostgreSQL from `LISTEN` on [`store::CHANNEL`], which the write notifies at
//! its commit: then every process's screens follow every process's writes. After the listening
//! connection is lost and found again, every watched unit is refreshed, so a notification lost
//! meanwhile costs a screen nothing.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use sea_orm::{DatabaseBackend, sqlx::postgres::PgListener};
use tokio::sync::{OnceCell, watch};
use uuid::Uuid;

use super::snapshot;
use crate::{
    queue::{QueueDesk, store},
    state::AppState,
    units::store::unit_by_id,
};

/// A snapshot as screens receive it: its event id, and the server-sent event that carries it,
/// written once and shared by every screen's stream.
#[derive(Debug)]
pub struct Frame {
    pub event_id: i64,
    pub event: bytes::Bytes,
}

impl Frame {
    pub fn of(shown: &super::dto::Display) -> Frame {
        let json = poem_openapi::types::ToJSON::to_json_string(shown);
        let data: String = json.lines().map(|line| format!("data: {line}\n")).collect();
        let event = format!("id: {}\nevent: display\n{data}\n", shown.event_id);
        Frame { event_id: shown.event_id, event: event.into() }
    }
}

type Latest = watch::Sender<Option<Arc<Frame>>>;

/// The screens of one process, by unit.
#[derive(Default)]
pub struct DisplayHub {
    units: Mutex<HashMap<Uuid, Latest>>,
    listening: OnceCell<()>,
    /// Held while a first snapshot is put together, so that screens connecting at once wait
    /// for one snapshot rather than each making its own.
    first: tokio::sync::Mutex<()>,
    /// Set when the process shuts down: its streams end and it takes no new ones.
    closed: std::sync::atomic::AtomicBool,
}

impl DisplayHub {
    /// Watches a unit's snapshots: the latest (if one was made) and each one after.
    pub fn subscribe(&self, unit_id: Uuid) -> watch::Receiver<Option<Arc<Frame>>> {
        let mut units = self.units.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let latest = units.entry(unit_id).or_insert_with(|| watch::channel(None).0);
        // Nobody watched it since its last snapshot, which may be out of date by now.
        if latest.receiver_count() == 0 {
            latest.send_replace(None);
        }
        latest.subscribe()
    }

    /// Ends every stream of the process and refuses new ones: at shutdown, so that the screens
    /// reconnect to another process at once instead of holding this one for its grace period.
    pub fn close(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        self.units.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many screens of this process watch the unit.
    pub fn screens(&self, unit_id: Uuid) -> usize {
        let units = self.units.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        units.get(&unit_id).map_or(0, |latest| latest.receiver_count())
    }

    /// The units some screen of this process watches; units nobody watches any more are let go.
    fn watched(&self) -> Vec<Uuid> {
        let mut units = self.units.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        units.retain(|_, latest| latest.receiver_count() > 0);
        units.keys().copied().collect()
    }

    fn latest(&self, unit_id: Uuid) -> Option<Latest> {
        let units = self.units.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        units.get(&unit_id).filter(|latest| latest.receiver_count() > 0).cloned()
    }
}

/// Puts a new snapshot of the unit together for its screens in this process, if any watch it.
/// Only a snapshot of a later event is sent on: an event id names one state of the queue, so a
/// screen never gets the same id twice, and two refreshes finishing out of order change nothing.
/// (A change without an event, such as new queue settings, reaches the screens with the next
/// event.)
pub async fn refresh(state: &AppState, unit_id: Uuid) {
    let Some(latest) = state.displays.latest(unit_id) else { return };
    let frame = async {
        let unit =
            unit_by_id(&state.db, unit_id).await?.ok_or(sea_orm::DbErr::RecordNotFound("unit".into()))?;
        let desk = QueueDesk::of(&state.db, unit).await?;
        let shown = snapshot(&state.db, &desk, state.clock.now()).await?;
        Ok::<_, sea_orm::DbErr>(Frame::of(&shown))
    };
    match frame.await {
        Ok(frame) => {
            latest.send_if_modified(|current| {
                let newer = current.as_ref().is_none_or(|current| current.event_id < frame.event_id);
                if newer {
                    *current = Some(Arc::new(frame));
                }
                newer
            });
        }
        Err(err) => tracing::warn!(error = %err, %unit_id, "putting a display snapshot together failed"),
    }
}

/// Makes sure the unit has a snapshot for a screen that just subscribed: the one it has, or a
/// new one that the screens connecting at the same moment share.
pub async fn ensure_snapshot(state: &AppState, unit_id: Uuid, latest: &watch::Receiver<Option<Arc<Frame>>>) {
    if latest.borrow().is_some() {
        return;
    }
    let _first = state.displays.first.lock().await;
    if latest.borrow().is_none() {
        refresh(state, unit_id).await;
    }
}

/// Tells this process's screens of the unit that its queue changed, after the write committed.
/// On PostgreSQL the write's `NOTIFY` does it, for every process at once.
pub fn changed(state: &AppState, unit_id: Uuid) {
    if state.db.get_database_backend() == DatabaseBackend::Postgres {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move { refresh(&state, unit_id).await });
}

/// On PostgreSQL, starts listening for the queue's notifications, once per process.
pub async fn listen(state: &AppState) {
    if state.db.get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    state
        .displays
        .listening
        .get_or_init(|| async {
            tokio::spawn(follow_notifications(state.clone()));
        })
        .await;
}

async fn follow_notifications(state: AppState) {
    loop {
        match PgListener::connect_with(state.db.get_postgres_connection_pool()).await {
            Ok(mut listener) => match listener.listen(store::CHANNEL).await {
                Ok(()) => {
                    // Whatever changed while nobody listened.
                    for unit_id in state.displays.watched() {
                        refresh(&state, unit_id).await;
                    }
                    // `None`: the connection was lost. A new listener starts over, refreshing first.
                    while let Ok(Some(notification)) = listener.try_recv().await {
                        if let Ok(unit_id) = notification.payload().parse::<Uuid>() {
                            let state = state.clone();
                            tokio::spawn(async move { refresh(&state, unit_id).await });
                        }
                    }
                    tracing::warn!("the queue notifications' connection was lost; listening again");
                }
                Err(err) => tracing::warn!(error = %err, "listening for queue notifications failed"),
            },
            Err(err) => tracing::warn!(error = %err, "connecting to listen for queue notifications failed"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
