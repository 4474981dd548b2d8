//! What the ratings API takes and answers.

use chrono::{DateTime, NaiveDate, Utc};
use entity::values::{
    CommentStatus, RatingChannel, RatingLevel, RejectionReason, Timeliness, TripsToComplete,
};
use poem_openapi::{Enum, Object, types::Example};
use uuid::Uuid;

use crate::input::Lines;

/// Where a signed-in citizen rates from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SignedInChannel {
    /// The mobile app.
    App,
    /// The web portal.
    Web,
}

/// A citizen's rating of the officer who served them. Name exactly one interaction: a dossier
/// of theirs, an appointment or ticket of theirs, or the one-time `rating_token` printed on a
/// receipt or ticket (which needs no sign-in).
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct NewRating {
    /// A dossier the citizen claimed, once it is processed or returned.
    #[oai(skip_serializing_if_is_none, validator(min_length = 1, max_length = 64))]
    pub dossier_code: Option<String>,
    /// An appointment of the citizen's that was served at the desk.
    #[oai(skip_serializing_if_is_none)]
    pub appointment_id: Option<Uuid>,
    /// A desk ticket of the citizen's (from an appointment) that was served.
    #[oai(skip_serializing_if_is_none)]
    pub ticket_id: Option<Uuid>,
    /// The one-time token of a printed receipt or ticket (its QR code).
    #[oai(skip_serializing_if_is_none, validator(pattern = r"^[dt]\.[0-9a-f]{32}\.[0-9a-f]{32}$"))]
    pub rating_token: Option<String>,
    /// The officer's attitude.
    pub level: RatingLevel,
    /// Whether the guidance was clear, on the same three levels.
    #[oai(skip_serializing_if_is_none)]
    pub guidance_clear: Option<RatingLevel>,
    /// How many trips to the desk the matter took.
    #[oai(skip_serializing_if_is_none)]
    pub trips_to_complete: Option<TripsToComplete>,
    /// Whether documents outside the published list were asked for.
    #[oai(skip_serializing_if_is_none)]
    pub asked_for_documents_not_listed: Option<bool>,
    /// Whether a payment outside the published fees was asked for.
    #[oai(skip_serializing_if_is_none)]
    pub asked_for_unofficial_payment: Option<bool>,
    /// A comment, published once a supervisor approves it; phone and ID numbers are masked.
    #[oai(skip_serializing_if_is_none)]
    pub comment: Option<Lines<1, 1000>>,
    /// Where a signed-in citizen rates from (default `app`); a token without sign-in is always
    /// `kiosk_token`.
    #[oai(skip_serializing_if_is_none)]
    pub channel: Option<SignedInChannel>,
}

impl Example for NewRating {
    fn example() -> Self {
        NewRating {
            dossier_code: Some("000.20.33.H12-261126-0001".into()),
            appointment_id: None,
            ticket_id: None,
            rating_token: None,
            level: RatingLevel::VerySatisfied,
            guidance_clear: Some(RatingLevel::Satisfied),
            trips_to_complete: Some(TripsToComplete::One),
            asked_for_documents_not_listed: Some(false),
            asked_for_unofficial_payment: Some(false),
            comment: Some(Lines::from("Chị cán bộ hướng dẫn rất tận tình.")),
            channel: None,
        }
    }
}

/// An officer, as a rating names them.
#[derive(Debug, Clone, Object)]
pub struct OfficerRef {
    /// The officer's account id (their public profile is `GET /officers/{id}`).
    pub id: Uuid,
    /// Full name.
    pub full_name: String,
}

/// A rating, as the citizen who gave it and the supervisors of the unit see it.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Rating {
    /// The rating's id.
    pub id: Uuid,
    /// The officer rated: who returned the dossier or served the ticket.
    pub officer: OfficerRef,
    /// The unit where the interaction happened.
    pub unit_code: String,
    /// The dossier rated.
    #[oai(skip_serializing_if_is_none)]
    pub dossier_code: Option<String>,
    /// The desk ticket rated (an appointment is rated through its ticket).
    #[oai(skip_serializing_if_is_none)]
    pub ticket_id: Option<Uuid>,
    /// Where it was given.
    pub channel: RatingChannel,
    /// The officer's attitude.
    pub level: RatingLevel,
    /// Whether the guidance was clear.
    #[oai(skip_serializing_if_is_none)]
    pub guidance_clear: Option<RatingLevel>,
    /// How many trips it took.
    #[oai(skip_serializing_if_is_none)]
    pub trips_to_complete: Option<TripsToComplete>,
    /// Documents outside the published list were asked for.
    #[oai(skip_serializing_if_is_none)]
    pub asked_for_documents_not_listed: Option<bool>,
    /// A payment outside the published fees was asked for.
    #[oai(skip_serializing_if_is_none)]
    pub asked_for_unofficial_payment: Option<bool>,
    /// Unofficial payment or extra documents were reported: the supervisors were told at once,
    /// and the app should offer the citizen a complaint (`POST /complaints`) about the officer.
    pub complaint_suggested: bool,
    /// The dossier's timeliness when it was rated.
    #[oai(skip_serializing_if_is_none)]
    pub dossier_timeliness: Option<Timeliness>,
    /// The comment, with phone and ID numbers masked.
    #[oai(skip_serializing_if_is_none)]
    pub comment: Option<String>,
    /// Where the comment's moderation stands.
    #[oai(skip_serializing_if_is_none)]
    pub comment_status: Option<CommentStatus>,
    /// When a pending comment is overdue for moderation.
    #[oai(skip_serializing_if_is_none)]
    pub moderation_due_at: Option<DateTime<Utc>>,
    /// Why the comment was not published.
    #[oai(skip_serializing_if_is_none)]
    pub rejection_reason: Option<RejectionReason>,
    /// When it was moderated.
    #[oai(skip_serializing_if_is_none)]
    pub moderated_at: Option<DateTime<Utc>>,
    /// When it was given.
    pub rated_at: DateTime<Utc>,
}

impl Example for Rating {
    fn example() -> Self {
        let at = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default();
        Rating {
            id: Uuid::from_u128(0x0193_1a2b_3c4d_7e5f_8a9b_0c1d_2e3f_4a5b),
            officer: OfficerRef {
                id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e0b1),
                full_name: "Trần Thị Bích".into(),
            },
            unit_code: "000.20.33.H12".into(),
            dossier_code: Some("000.20.33.H12-261126-0001".into()),
            ticket_id: None,
            channel: RatingChannel::App,
            level: RatingLevel::VerySatisfied,
            guidance_clear: Some(RatingLevel::Satisfied),
            trips_to_complete: Some(TripsToComplete::One),
            asked_for_documents_not_listed: Some(false),
            asked_for_unofficial_payment: Some(false),
            complaint_suggested: false,
            dossier_timeliness: Some(Timeliness::OnTime),
            comment: Some("Chị cán bộ hướng dẫn rất tận tình.".into()),
            comment_status: Some(CommentStatus::Pending),
            moderation_due_at: Some(at + chrono::Duration::days(7)),
            rejection_reason: None,
            moderated_at: None,
            rated_at: at,
        }
    }
}

/// What a supervisor decides about a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ModerationDecision {
    /// Publish it on the officer's profile.
    Approve,
    /// Keep it unpublished (it stays stored), for the reason given.
    Reject,
}

/// A supervisor's moderation of a pending comment.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Moderation {
    /// Approve or reject.
    pub decision: ModerationDecision,
    /// Why it is rejected: needed with `reject`, refused with `approve`.
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<RejectionReason>,
}

impl Example for Moderation {
    fn example() -> Self {
        Moderation { decision: ModerationDecision::Reject, reason: Some(RejectionReason::Offensive) }
    }
}

/// How many ratings gave each level.
#[derive(Debug, Clone, Object)]
pub struct LevelCounts {
    /// Rất hài lòng.
    pub very_satisfied: u64,
    /// Hài lòng.
    pub satisfied: u64,
    /// Không hài lòng.
    pub not_satisfied: u64,
}

/// An approved comment on an officer's profile: no name of the citizen, ever.
#[derive(Debug, Clone, Object)]
pub struct PublicComment {
    /// When the rating was given.
    pub rated_at: DateTime<Utc>,
    /// The level it gave.
    pub level: RatingLevel,
    /// The comment, masked.
    pub comment: String,
}

/// The unit an officer works in.
#[derive(Debug, Clone, Object)]
pub struct OfficerUnit {
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub name: String,
}

/// An officer's public profile: how the citizens they served rated them.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct OfficerProfile {
    /// The officer's account id.
    pub id: Uuid,
    /// Full name.
    pub full_name: String,
    /// Where they work now.
    #[oai(skip_serializing_if_is_none)]
    pub unit: Option<OfficerUnit>,
    /// How many ratings they have.
    pub n: u64,
    /// The ratings per level, over all time.
    pub counts: LevelCounts,
    /// (very satisfied + satisfied) ÷ n; absent without ratings.
    #[oai(skip_serializing_if_is_none)]
    pub satisfied_share: Option<f64>,
    /// The lower bound of the 95% Wilson interval on the satisfied share.
    #[oai(skip_serializing_if_is_none)]
    pub wilson_lower: Option<f64>,
    /// The latest approved comments, newest first (at most 10).
    pub recent_comments: Vec<PublicComment>,
}

impl Example for OfficerProfile {
    fn example() -> Self {
        OfficerProfile {
            id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e0b1),
            full_name: "Trần Thị Bích".into(),
            unit: Some(OfficerUnit {
                code: "000.20.33.H12".into(), name: "UBND phường Bến Thành".into()
            }),
            n: 20,
            counts: LevelCounts { very_satisfied: 12, satisfied: 7, not_satisfied: 1 },
            satisfied_share: Some(0.95),
            wilson_lower: Some(0.7639),
            recent_comments: vec![PublicComment {
                rated_at: DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
                level: RatingLevel::VerySatisfied,
                comment: "Chị cán bộ hướng dẫn rất tận tình.".into(),
            }],
        }
    }
}

/// How the officers of a unit are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum OfficerSort {
    /// By the Wilson lower bound on the satisfied share.
    Satisfaction,
}

/// One officer in a unit's ranking.
#[derive(Debug, Clone, Object)]
pub struct RankedOfficer {
    /// Their place, from 1; absent when they have too few ratings to be ranked.
    #[oai(skip_serializing_if_is_none)]
    pub rank: Option<u32>,
    /// The officer's account id.
    pub officer_id: Uuid,
    /// Full name.
    pub full_name: String,
    /// Ratings in the period.
    pub n: u64,
    /// The ratings per level in the period.
    pub counts: LevelCounts,
    /// (very satisfied + satisfied) ÷ n; absent without ratings.
    #[oai(skip_serializing_if_is_none)]
    pub satisfied_share: Option<f64>,
    /// The lower bound of the 95% Wilson interval on the satisfied share.
    #[oai(skip_serializing_if_is_none)]
    pub wilson_lower: Option<f64>,
    /// False: "not enough ratings yet" (fewer than `min_ratings`), listed after the ranked.
    pub enough_ratings: bool,
}

/// The officers of a unit ranked by the citizens' satisfaction in a period.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct OfficerRanking {
    /// The unit.
    pub unit_code: String,
    /// The first day counted (the unit's local date).
    pub from: NaiveDate,
    /// The last day counted.
    pub to: NaiveDate,
    /// Ratings an officer needs in the period to be ranked (the unit's setting).
    pub min_ratings: u32,
    /// Ranked officers first, then those with too few ratings.
    pub items: Vec<RankedOfficer>,
}

impl Example for OfficerRanking {
    fn example() -> Self {
        let profile = OfficerProfile::example();
        OfficerRanking {
            unit_code: "000.20.33.H12".into(),
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default(),
            min_ratings: 10,
            items: vec![RankedOfficer {
                rank: Some(1),
                officer_id: profile.id,
                full_name: profile.full_name,
                n: profile.n,
                counts: profile.counts,
                satisfied_share: profile.satisfied_share,
                wilson_lower: profile.wilson_lower,
                enough_ratings: true,
            }],
        }
    }
}

/// A unit's rules for ratings and complaints.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct FeedbackSettings {
    /// Days after the interaction in which it may be rated (and its token works).
    #[oai(validator(minimum(value = "1"), maximum(value = "365")))]
    pub rating_window_days: i32,
    /// Ratings an officer needs in a period to be ranked.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub ranking_min_ratings: i32,
    /// Working days after which a pending comment is overdue for moderation.
    #[oai(validator(minimum(value = "1"), maximum(value = "60")))]
    pub moderation_working_days: i32,
    /// Working days a complaint has from its acceptance to its due date.
    #[oai(validator(minimum(value = "1"), maximum(value = "90")))]
    pub complaint_due_working_days: i32,
    /// Days after its resolution in which the citizen may reopen a complaint.
    #[oai(validator(minimum(value = "1"), maximum(value = "365")))]
    pub complaint_reopen_days: i32,
}

impl Example for FeedbackSettings {
    fn example() -> Self {
        FeedbackSettings {
            rating_window_days: 30,
            ranking_min_ratings: 10,
            moderation_working_days: 5,
            complaint_due_working_days: 15,
            complaint_reopen_days: 30,
        }
    }
}
