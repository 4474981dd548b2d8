//! Ratings of officers by the citizens they served: who may rate what, the moderation of
//! comments, and the public profiles and rankings built from them.

pub mod dto;
mod giving;
mod officers;
mod routes;
mod settings;
mod store;

use chrono::{DateTime, Duration, Utc};
use entity::{
    dossier, feedback_setting, rating, ticket,
    values::{DossierStatus, TicketStatus, Timeliness},
};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

pub use officers::OfficersApi;
pub use routes::RatingsApi;
pub use settings::FeedbackSettingsApi;

use crate::{
    accounts::store::users_by_id, dossiers::lifecycle::current_timeliness, error::ApiResult,
    queue::store::dossier_codes, units::store::unit_codes,
};

/// A unit's rules for ratings and complaints: its stored settings or the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackRules {
    pub rating_window: Duration,
    pub ranking_min_ratings: u32,
    pub moderation_working_days: u32,
    /// Working days from a complaint's acceptance to its due date.
    pub complaint_due_working_days: u32,
    /// How long after its resolution a citizen may reopen a complaint.
    pub complaint_reopen: Duration,
}

pub fn rules_of(stored: Option<&feedback_setting::Model>) -> FeedbackRules {
    let Some(s) = stored else {
        return FeedbackRules {
            rating_window: Duration::days(30),
            ranking_min_ratings: 10,
            moderation_working_days: 5,
            complaint_due_working_days: 15,
            complaint_reopen: Duration::days(30),
        };
    };
    FeedbackRules {
        rating_window: Duration::days(s.rating_window_days.into()),
        ranking_min_ratings: s.ranking_min_ratings.max(1) as u32,
        moderation_working_days: s.moderation_working_days.max(1) as u32,
        complaint_due_working_days: s.complaint_due_working_days.max(1) as u32,
        complaint_reopen: Duration::days(s.complaint_reopen_days.into()),
    }
}

pub async fn rules(db: &impl ConnectionTrait, unit_id: Uuid) -> ApiResult<FeedbackRules> {
    Ok(rules_of(store::settings(db, unit_id).await?.as_ref()))
}

/// What is rated: a dossier or a desk visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Dossier(Uuid),
    Ticket(Uuid),
}

/// An interaction a citizen had with an officer, as far as rating it goes.
#[derive(Debug, Clone)]
pub struct Interaction {
    pub subject: Subject,
    pub unit_id: Uuid,
    /// Who handled it: who returned (or processed) the dossier, who served the ticket.
    pub officer_id: Option<Uuid>,
    /// The citizen whose interaction it is, when known.
    pub owner: Option<Uuid>,
    /// When it ended; none while it is not over.
    pub ended_at: Option<DateTime<Utc>>,
    pub dossier_timeliness: Option<Timeliness>,
}

impl Interaction {
    /// A dossier is over once processed or returned.
    pub fn of_dossier(dossier: &dossier::Model, handled_by: Option<Uuid>, now: DateTime<Utc>) -> Interaction {
        let over = matches!(dossier.status, DossierStatus::Processed | DossierStatus::Returned);
        Interaction {
            subject: Subject::Dossier(dossier.id),
            unit_id: dossier.unit_id,
            officer_id: handled_by.or(dossier.received_by),
            owner: dossier.citizen_id,
            ended_at: if over { dossier.returned_at.or(dossier.completed_at) } else { None },
            dossier_timeliness: current_timeliness((dossier).into(), now),
        }
    }

    /// A desk visit is over once served (a no-show or a cancelled ticket was no service).
    pub fn of_ticket(ticket: &ticket::Model, owner: Option<Uuid>) -> Interaction {
        Interaction {
            subject: Subject::Ticket(ticket.id),
            unit_id: ticket.unit_id,
            officer_id: ticket.officer_id,
            owner,
            ended_at: if ticket.status == TicketStatus::Served { ticket.finished_at } else { None },
            dossier_timeliness: None,
        }
    }
}

/// Why an interaction cannot be rated now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRateable {
    NotOver,
    WindowClosed,
}

/// Whether an interaction may be rated at `now`: over, and within the unit's window after
/// its end. Returns the officer to credit.
pub fn rateable(
    interaction: &Interaction,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<Uuid, NotRateable> {
    let ended_at = interaction.ended_at.ok_or(NotRateable::NotOver)?;
    let officer = interaction.officer_id.ok_or(NotRateable::NotOver)?;
    if now > ended_at + window {
        return Err(NotRateable::WindowClosed);
    }
    Ok(officer)
}

/// Whether a rating reports a harassment signal: a payment or documents outside the rules.
pub fn is_flagged(unofficial_payment: Option<bool>, documents_not_listed: Option<bool>) -> bool {
    unofficial_payment == Some(true) || documents_not_listed == Some(true)
}

/// Ratings as the API shows them, with their officers' names and their units' and dossiers'
/// codes (three queries, whatever the number of ratings).
pub async fn views(db: &impl ConnectionTrait, ratings: Vec<rating::Model>) -> ApiResult<Vec<dto::Rating>> {
    let names: std::collections::HashMap<Uuid, String> =
        users_by_id(db, ratings.iter().map(|r| r.officer_id).collect())
            .await?
            .into_iter()
            .map(|u| (u.id, u.full_name))
            .collect();
    let units = unit_codes(db, ratings.iter().map(|r| r.unit_id)).await?;
    let dossiers = dossier_codes(db, ratings.iter().filter_map(|r| r.dossier_id).collect()).await?;
    Ok(ratings
        .into_iter()
        .map(|r| dto::Rating {
            id: r.id,
            officer: dto::OfficerRef {
                id: r.officer_id,
                full_name: names.get(&r.officer_id).cloned().unwrap_or_default(),
            },
            unit_code: units.get(&r.unit_id).cloned().unwrap_or_default(),
            dossier_code: r.dossier_id.and_then(|id| dossiers.get(&id).cloned()),
            ticket_id: r.ticket_id,
            channel: r.channel,
            level: r.level,
            guidance_clear: r.guidance_clear,
            trips_to_complete: r.trips_to_complete,
            asked_for_documents_not_listed: r.asked_for_documents_not_listed,
            asked_for_unofficial_payment: r.asked_for_unofficial_payment,
            complaint_suggested: r.flagged,
            dossier_timeliness: r.dossier_timeliness,
            comment: r.comment,
            comment_status: r.comment_status,
            moderation_due_at: r.moderation_due_at,
            rejection_reason: r.rejection_reason,
            moderated_at: r.moderated_at,
            rated_at: r.rated_at,
        })
        .collect())
}

pub async fn view(db: &impl ConnectionTrait, rating: rating::Model) -> ApiResult<dto::Rating> {
    views(db, vec![rating]).await?.pop().ok_or_else(|| crate::error::ApiError::internal("a rating's view"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(ended_at: Option<DateTime<Utc>>) -> Interaction {
        Interaction {
            subject: Subject::Ticket(Uuid::nil()),
            unit_id: Uuid::nil(),
            officer_id: Some(Uuid::from_u128(7)),
            owner: None,
            ended_at,
            dossier_timeliness: None,
        }
    }

    #[test]
    fn an_interaction_is_rateable_from_its_end_until_the_window_closes() {
        let end = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap();
        let window = Duration::days(30);
        assert_eq!(rateable(&visit(None), window, end), Err(NotRateable::NotOver));
        assert_eq!(rateable(&visit(Some(end)), window, end), Ok(Uuid::from_u128(7)));
        assert_eq!(rateable(&visit(Some(end)), window, end + window), Ok(Uuid::from_u128(7)));
        assert_eq!(
            rateable(&visit(Some(end)), window, end + window + Duration::seconds(1)),
            Err(NotRateable::WindowClosed)
        );
    }

    #[test]
    fn the_defaults_are_thirty_days_ten_ratings_and_five_working_days() {
        let rules = rules_of(None);
        assert_eq!(rules.rating_window, Duration::days(30));
        assert_eq!((rules.ranking_min_ratings, rules.moderation_working_days), (10, 5));
    }
}
