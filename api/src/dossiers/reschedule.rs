//! Due dates after a change of calendar: a holiday or make-up working day added or removed
//! moves the due dates of the open dossiers it falls inside, in the transaction of the change,
//! each with a timeline entry and a notice to the citizen who follows it.

use crate::i18n::Text;
use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::{dossier, unit};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{
    dto::DossierEventKind,
    lifecycle, store,
    update::{Change, write_change},
    view::unit_of,
};
use crate::{
    calendar::store::working_calendar,
    db::{CalendarLock, lock_calendars},
    domain::calendar::{WorkingCalendar, reschedule_due},
    error::ApiResult,
    push::Push,
};

/// The open dossiers a calendar change may move, with their units' calendars as they were
/// before it: read inside the change's transaction, before the change is written.
pub struct BeforeChange {
    dossiers: Vec<dossier::Model>,
    units: HashMap<Uuid, (unit::Model, WorkingCalendar)>,
}

/// Reads what [`reschedule`] needs, for the open dossiers of `units` (every unit when `None`)
/// that a change on `date` can move, once every write that reads calendars has finished (and
/// holding off new ones until this transaction ends).
pub async fn before_change(
    tx: &impl ConnectionTrait,
    units: Option<Vec<Uuid>>,
    date: NaiveDate,
) -> ApiResult<BeforeChange> {
    lock_calendars(tx, CalendarLock::Changing).await?;
    // Only a dossier received by the day after and due from the day before can have the date
    // inside its processing time (a day of margin for any time zone).
    let window = (day_start(date + Days::new(2)), day_start(date - Days::new(1)));
    let dossiers = store::open_dossiers(tx, units, window).await?;
    let mut calendars = HashMap::new();
    for dossier in &dossiers {
        if calendars.contains_key(&dossier.unit_id) {
            continue;
        }
        let unit = unit_of(tx, dossier).await?;
        let calendar = working_calendar(tx, &unit).await?;
        calendars.insert(unit.id, (unit, calendar));
    }
    Ok(BeforeChange { dossiers, units: calendars })
}

/// Midnight UTC at the start of a date.
fn day_start(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Moves each due date the change moved (see [`reschedule_due`]), once the change is written
/// in `tx`; `why` is the timeline's note. Returns how many dossiers moved.
pub async fn reschedule(
    tx: &impl ConnectionTrait,
    push: Push,
    before: BeforeChange,
    actor: Uuid,
    why: &str,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    let mut after = HashMap::new();
    for (id, (unit, _)) in &before.units {
        after.insert(*id, working_calendar(tx, unit).await?);
    }
    let mut moved = 0;
    for dossier in before.dossiers {
        let (Some((_, old)), Some(new)) = (before.units.get(&dossier.unit_id), after.get(&dossier.unit_id))
        else {
            continue;
        };
        let time = lifecycle::processing_time(&dossier);
        let Some(new_due) = reschedule_due(old, new, dossier.received_at, dossier.due_at, time) else {
            continue;
        };
        let public = "Hạn giải quyết được điều chỉnh theo lịch làm việc mới của đơn vị.".to_owned();
        let change = Change {
            kind: DossierEventKind::DueRescheduled,
            from_status: None,
            note: Some(why.to_owned()),
            public_note: Some(public.clone()),
            new_due_at: Some(new_due),
            notice: Some((
                Text::new(
                    format!("Hồ sơ {}: hạn giải quyết mới", dossier.code),
                    format!("Dossier {}: a new due date", dossier.code),
                ),
                Text::new(public, "The due date was adjusted to the unit's new working calendar."),
            )),
        };
        let mut changed = dossier;
        changed.due_at = new_due;
        write_change(tx, push, actor, changed, change, now).await?;
        moved += 1;
    }
    Ok(moved)
}
