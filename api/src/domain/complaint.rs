//! The rules of complaints about officers: the handling path, who may take which step, and
//! what each step needs.

use chrono::{DateTime, Duration, Utc};
use entity::values::{ComplaintOutcome, ComplaintStatus as Status};

/// Whether a complaint is still being handled (`open`) or done with (`closed`): the coarse
/// state integrators count. "Closed" is never "fixed": see [`substantiated`].
pub fn is_open(status: Status) -> bool {
    matches!(status, Status::Received | Status::Accepted | Status::Investigating)
}

/// The steps a supervisor may take: `received → accepted | not_accepted`, then
/// `accepted → investigating → resolved | dismissed`. Nothing is concluded uninvestigated.
pub fn supervisor_may(from: Status, to: Status) -> bool {
    matches!(
        (from, to),
        (Status::Received, Status::Accepted | Status::NotAccepted)
            | (Status::Accepted, Status::Investigating)
            | (Status::Investigating, Status::Resolved | Status::Dismissed)
    )
}

/// What a supervisor's step must carry, beyond the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub outcome_and_conclusion: bool,
    pub reason: bool,
}

pub fn needs(to: Status) -> Needs {
    Needs {
        outcome_and_conclusion: to == Status::Resolved,
        reason: matches!(to, Status::NotAccepted | Status::Dismissed),
    }
}

/// Whether the outcome found the complaint substantiated: every measure against the officer
/// does; `unfounded` does not.
pub fn substantiated(outcome: ComplaintOutcome) -> bool {
    outcome != ComplaintOutcome::Unfounded
}

/// The citizen may withdraw a complaint while it is handled.
pub fn may_withdraw(status: Status) -> bool {
    is_open(status)
}

/// The citizen may reopen a resolved or dismissed complaint within `window` of its closing.
pub fn may_reopen(
    status: Status,
    closed_at: Option<DateTime<Utc>>,
    window: Duration,
    now: DateTime<Utc>,
) -> bool {
    matches!(status, Status::Resolved | Status::Dismissed)
        && closed_at.is_some_and(|closed| now <= closed + window)
}

/// The citizen gives feedback once on a handling that ended (not on one they withdrew).
pub fn may_give_feedback(status: Status, given_already: bool) -> bool {
    !is_open(status) && status != Status::Withdrawn && !given_already
}

#[cfg(test)]
mod tests {
    use entity::values::ComplaintOutcome as Outcome;
    use sea_orm::Iterable;

    use super::*;

    #[test]
    fn supervisors_follow_the_path_and_never_leave_a_closed_complaint() {
        assert!(supervisor_may(Status::Received, Status::Accepted));
        assert!(supervisor_may(Status::Received, Status::NotAccepted));
        assert!(supervisor_may(Status::Accepted, Status::Investigating));
        assert!(supervisor_may(Status::Investigating, Status::Resolved));
        assert!(!supervisor_may(Status::Received, Status::Resolved), "accepted first");
        assert!(!supervisor_may(Status::Accepted, Status::Dismissed), "investigated first");
        assert!(!supervisor_may(Status::Investigating, Status::Accepted));
        for from in Status::iter().filter(|s| !is_open(*s)) {
            assert!(Status::iter().all(|to| !supervisor_may(from, to)), "{from:?}");
        }
        assert!(
            Status::iter()
                .all(|s| !supervisor_may(s, Status::Withdrawn) && !supervisor_may(s, Status::Received))
        );
    }

    #[test]
    fn a_resolution_needs_an_outcome_and_a_refusal_a_reason() {
        assert_eq!(needs(Status::Resolved), Needs { outcome_and_conclusion: true, reason: false });
        assert_eq!(needs(Status::NotAccepted), Needs { outcome_and_conclusion: false, reason: true });
        assert_eq!(needs(Status::Dismissed), Needs { outcome_and_conclusion: false, reason: true });
        assert_eq!(needs(Status::Accepted), Needs { outcome_and_conclusion: false, reason: false });
    }

    #[test]
    fn only_unfounded_is_not_substantiated() {
        let substantiated: Vec<_> = Outcome::iter().filter(|o| substantiated(*o)).collect();
        assert_eq!(
            substantiated,
            [Outcome::Reminded, Outcome::Warned, Outcome::Rotated, Outcome::Disciplined]
        );
    }

    #[test]
    fn the_citizen_reopens_within_the_window_and_gives_feedback_once() {
        let closed = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap();
        let window = Duration::days(30);
        assert!(may_reopen(Status::Resolved, Some(closed), window, closed + window));
        assert!(!may_reopen(Status::Resolved, Some(closed), window, closed + window + Duration::seconds(1)));
        assert!(!may_reopen(Status::NotAccepted, Some(closed), window, closed));
        assert!(!may_reopen(Status::Investigating, None, window, closed));
        assert!(may_withdraw(Status::Investigating) && !may_withdraw(Status::Resolved));
        assert!(may_give_feedback(Status::Resolved, false));
        assert!(!may_give_feedback(Status::Resolved, true));
        assert!(!may_give_feedback(Status::Withdrawn, false));
        assert!(!may_give_feedback(Status::Accepted, false));
    }
}
