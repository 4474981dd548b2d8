//! What a status change does to a dossier: the paused clock, completion and timeliness.
//! Plain functions over the entity, so tests and handlers share one set of rules.

use chrono::{DateTime, Utc};
use entity::{dossier, dossier_event};
use serde::{Deserialize, Serialize};

use crate::domain::{
    calendar::{ProcessingTime, Timeliness, WorkingCalendar, timeliness},
    dossier::Status,
};

pub fn status_of(dossier: &dossier::Model) -> Status {
    Status::parse(&dossier.status).unwrap_or(Status::Accepted)
}

pub fn processing_time(dossier: &dossier::Model) -> ProcessingTime {
    ProcessingTime::from_half_days(dossier.processing_half_days.max(0) as u32)
}

pub fn timeliness_name(t: Timeliness) -> &'static str {
    match t {
        Timeliness::Early => "early",
        Timeliness::OnTime => "on_time",
        Timeliness::Late => "late",
        Timeliness::InTime => "in_time",
        Timeliness::Overdue => "overdue",
    }
}

/// What a dossier's timeliness depends on.
#[derive(Debug, Clone, Copy)]
pub struct ClockState<'a> {
    pub status: &'a str,
    pub stored_timeliness: Option<&'a str>,
    pub due_at: DateTime<Utc>,
    pub paused_at: Option<DateTime<Utc>>,
}

impl<'a> From<&'a dossier::Model> for ClockState<'a> {
    fn from(d: &'a dossier::Model) -> Self {
        ClockState {
            status: &d.status,
            stored_timeliness: d.timeliness.as_deref(),
            due_at: d.due_at,
            paused_at: d.paused_at,
        }
    }
}

/// The dossier's timeliness now: as stored when it was processed; while open, whether the
/// due instant has passed (a stopped clock cannot make it overdue); none once refused,
/// withdrawn or stopped. No calendar is needed, which keeps the public lookup cheap.
pub fn current_timeliness(clock: ClockState<'_>, now: DateTime<Utc>) -> Option<Timeliness> {
    if let Some(stored) = clock.stored_timeliness {
        return parse_timeliness(stored);
    }
    if matches!(Status::parse(clock.status), Some(Status::Refused | Status::Withdrawn | Status::Stopped)) {
        return None;
    }
    let now = clock.paused_at.unwrap_or(now);
    Some(if now <= clock.due_at { Timeliness::InTime } else { Timeliness::Overdue })
}

fn parse_timeliness(stored: &str) -> Option<Timeliness> {
    [Timeliness::Early, Timeliness::OnTime, Timeliness::Late]
        .into_iter()
        .find(|t| timeliness_name(*t) == stored)
}

/// Applies a legal move to `to`: stops the clock on a supplement or payment request, moves
/// the due date by the working days paused when it restarts, stamps completion and return.
pub fn apply_transition(
    dossier: &mut dossier::Model,
    to: Status,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) {
    let from = status_of(dossier);
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
    match to {
        Status::Processed => {
            dossier.completed_at = Some(now);
            let closed = timeliness(calendar, dossier.due_at, Some(now), now, processing_time(dossier));
            dossier.timeliness = Some(timeliness_name(closed).to_owned());
        }
        Status::Returned => dossier.returned_at = Some(now),
        _ => {}
    }
    dossier.status = to.name().to_owned();
}

/// One step of the citizen's view of the timeline, as kept in `dossiers.public_timeline`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicStep {
    pub at: DateTime<Utc>,
    /// The status name after the step.
    pub status: String,
    /// The public note; internal notes never reach this copy.
    pub note: Option<String>,
    /// The new due date an apology announced.
    pub new_due_at: Option<DateTime<Utc>>,
}

/// Whether the citizen sees an event: all but reassignments between officers.
fn is_public(event: &dossier_event::Model) -> bool {
    event.kind != "assignment"
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
        status: event.to_status.clone(),
        note: event.public_note.clone(),
        new_due_at: event.new_due_at,
    });
    *public_timeline = serde_json::to_string(&steps)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, to_status: &str, public_note: Option<&str>) -> dossier_event::Model {
        dossier_event::Model {
            id: uuid::Uuid::now_v7(),
            dossier_id: uuid::Uuid::nil(),
            at: crate::clock::now(),
            kind: kind.into(),
            from_status: None,
            to_status: to_status.into(),
            actor_id: None,
            note: Some("internal".into()),
            public_note: public_note.map(Into::into),
            new_due_at: None,
        }
    }

    #[test]
    fn the_public_timeline_keeps_public_steps_in_order_without_internal_notes() {
        let mut timeline = "[]".to_owned();
        for step in [
            event("intake", "accepted", None),
            event("assignment", "accepted", None),
            event("transition", "in_progress", Some("Đang xử lý")),
        ] {
            record_public_step(&mut timeline, &step).unwrap();
        }

        let steps = public_steps(&timeline).unwrap();
        let seen: Vec<(&str, Option<&str>)> =
            steps.iter().map(|s| (s.status.as_str(), s.note.as_deref())).collect();
        assert_eq!(seen, [("accepted", None), ("in_progress", Some("Đang xử lý"))]);
        assert!(!timeline.contains("internal"));
    }
}
