//! What a status change does to a dossier: the paused clock, completion and timeliness.
//! Plain functions over the entity, so tests and handlers share one set of rules.

use chrono::{DateTime, Utc};
use entity::dossier;

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
