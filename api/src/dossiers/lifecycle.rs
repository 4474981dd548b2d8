//! What a status change does to a dossier: the paused clock, completion and timeliness.
//! Plain functions over the entity, so tests and handlers share one set of rules.

use chrono::{DateTime, Utc};
use entity::{dossier, dossier_event, values::DossierEventKind};
use serde::{Deserialize, Serialize};

use crate::domain::{
    calendar::{ProcessingTime, Timeliness, WorkingCalendar, timeliness},
    dossier::{Status, StatusRules},
};

pub fn processing_time(dossier: &dossier::Model) -> ProcessingTime {
    ProcessingTime::from_half_days(dossier.processing_half_days.max(0) as u32)
}

/// What a dossier's timeliness depends on.
#[derive(Debug, Clone, Copy)]
pub struct ClockState {
    pub status: Status,
    pub stored_timeliness: Option<Timeliness>,
    pub due_at: DateTime<Utc>,
    pub paused_at: Option<DateTime<Utc>>,
}

impl From<&dossier::Model> for ClockState {
    fn from(d: &dossier::Model) -> Self {
        ClockState {
            status: d.status,
            stored_timeliness: d.timeliness,
            due_at: d.due_at,
            paused_at: d.paused_at,
        }
    }
}

/// The dossier's timeliness now: as stored when it was processed; while open, whether the
/// due instant has passed (a stopped clock cannot make it overdue); none once refused,
/// withdrawn or stopped. No calendar is needed, which keeps the public lookup cheap.
pub fn current_timeliness(clock: ClockState, now: DateTime<Utc>) -> Option<Timeliness> {
    if let Some(stored) = clock.stored_timeliness {
        return Some(stored);
    }
    if matches!(clock.status, Status::Refused | Status::Withdrawn | Status::Stopped) {
        return None;
    }
    let now = clock.paused_at.unwrap_or(now);
    Some(if now <= clock.due_at { Timeliness::InTime } else { Timeliness::Overdue })
}

/// Applies a legal move to `to`: stops the clock on a supplement or payment request, moves
/// the due date by the working days paused when it restarts, stamps completion, the end of
/// processing (processed, refused, withdrawn, stopped) and return.
pub fn apply_transition(
    dossier: &mut dossier::Model,
    to: Status,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) {
    let from = dossier.status;
    if to.is_paused() && !from.is_paused() {
        dossier.paused_at = Some(now);
    }
    if from.is_paused()
        && !to.is_paused()
        && let Some(paused_at) = dossier.paused_at.take()
    {
        let paused_days = calendar.working_days_between(paused_at, now);
        dossier.due_at = calendar.extend_due(dossier.due_at, paused_days);
    }
    if to.is_closed() && to != Status::Returned {
        dossier.closed_at = Some(now);
    }
    match to {
        Status::Processed => {
            dossier.completed_at = Some(now);
            let closed = timeliness(calendar, dossier.due_at, Some(now), now, processing_time(dossier));
            dossier.timeliness = Some(closed);
        }
        Status::Returned => dossier.returned_at = Some(now),
        _ => {}
    }
    dossier.status = to;
}

/// One step of the citizen's view of the timeline, as kept in `dossiers.public_timeline`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicStep {
    pub at: DateTime<Utc>,
    /// The status after the step.
    pub status: Status,
    /// The public note; internal notes never reach this copy.
    pub note: Option<String>,
    /// The new due date an apology announced.
    pub new_due_at: Option<DateTime<Utc>>,
}

/// Whether the citizen sees an event: all but reassignments between officers.
fn is_public(event: &dossier_event::Model) -> bool {
    event.kind != DossierEventKind::Assignment
}

/// The public steps kept on a dossier row, oldest first.
pub fn public_steps(dossier_public_timeline: &str) -> Result<Vec<PublicStep>, serde_json::Error> {
    serde_json::from_str(dossier_public_timeline)
}

/// Appends the public copy of `event` (when it is public) to a dossier's `public_timeline`,
/// which is then written with the event in one transaction.
pub fn record_public_step(
    public_timeline: &mut String,
    event: &dossier_event::Model,
) -> Result<(), serde_json::Error> {
    if !is_public(event) {
        return Ok(());
    }
    let mut steps = public_steps(public_timeline)?;
    steps.push(PublicStep {
        at: event.at,
        status: event.to_status,
        note: event.public_note.clone(),
        new_due_at: event.new_due_at,
    });
    *public_timeline = serde_json::to_string(&steps)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: DossierEventKind, to_status: Status, public_note: Option<&str>) -> dossier_event::Model {
        dossier_event::Model {
            id: uuid::Uuid::now_v7(),
            dossier_id: uuid::Uuid::nil(),
            at: chrono::DateTime::from_timestamp(1_764_554_400, 0).unwrap_or_default(),
            kind,
            from_status: None,
            to_status,
            actor_id: None,
            note: Some("internal".into()),
            public_note: public_note.map(Into::into),
            new_due_at: None,
            document_number: None,
        }
    }

    #[test]
    fn the_public_timeline_keeps_public_steps_in_order_without_internal_notes() {
        let mut timeline = "[]".to_owned();
        for step in [
            event(DossierEventKind::Intake, Status::Accepted, None),
            event(DossierEventKind::Assignment, Status::Accepted, None),
            event(DossierEventKind::Transition, Status::InProgress, Some("Đang xử lý")),
        ] {
            record_public_step(&mut timeline, &step).unwrap();
        }

        let steps = public_steps(&timeline).unwrap();
        let seen: Vec<(Status, Option<&str>)> = steps.iter().map(|s| (s.status, s.note.as_deref())).collect();
        assert_eq!(seen, [(Status::Accepted, None), (Status::InProgress, Some("Đang xử lý"))]);
        assert!(!timeline.contains("internal"));
    }
}
