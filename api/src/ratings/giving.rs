//! `POST /ratings`: a citizen rates the officer of an interaction they really had.

use crate::i18n::Text;
use entity::{
    rating,
    values::{CommentStatus, EventType, NotificationKind, RatingChannel, Role},
};
use poem::Request;
use poem_openapi::SecurityScheme;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{
    Interaction, NotRateable, Subject,
    dto::{NewRating, Rating, SignedInChannel},
    rateable, rules, store,
};
use crate::{
    accounts::store::staff_by_id,
    appointments::store::by_id as appointment_by_id,
    auth::{BearerAuth, Caller, is_staff},
    calendar::store::working_calendar,
    db::write_transaction,
    domain::rating::{TokenSubject, mask_personal_numbers},
    dossiers::store::by_code,
    error::{ApiError, ApiResult, FieldError},
    notifications::store::{NewNotice, Subject as NoticeSubject, nearest_supervisors, notify},
    problems,
    push::Push,
    queue::store::ticket as ticket_by_id,
    state::AppState,
    units::store::unit_by_id,
    webhooks::payloads::{RatingCreatedData, announce},
};

/// A citizen's session, or none: a kiosk rates with a printed token and no sign-in.
#[derive(SecurityScheme)]
pub enum RaterAuth {
    Bearer(BearerAuth),
    #[oai(fallback)]
    Anonymous,
}

/// The interaction a request names, and whether the rater must own it.
enum Named {
    Dossier(String),
    Appointment(Uuid),
    Ticket(Uuid),
    Token(TokenSubject),
}

fn named(state: &AppState, body: &NewRating) -> ApiResult<Named> {
    let mut named = Vec::new();
    if let Some(code) = &body.dossier_code {
        named.push(Named::Dossier(code.trim().to_ascii_uppercase()));
    }
    if let Some(id) = body.appointment_id {
        named.push(Named::Appointment(id));
    }
    if let Some(id) = body.ticket_id {
        named.push(Named::Ticket(id));
    }
    if let Some(token) = &body.rating_token {
        // A token that does not verify is a 404 like an unknown id: it reveals nothing.
        named.push(Named::Token(state.keys.rating_tokens.verify(token).ok_or_else(ApiError::not_found)?));
    }
    match (named.pop(), named.is_empty()) {
        (Some(one), true) => Ok(one),
        _ => Err(ApiError::validation(vec![FieldError::new(
            "dossier_code",
            "Cần đúng một trong: dossier_code, appointment_id, ticket_id, rating_token.",
            "Give exactly one of dossier_code, appointment_id, ticket_id and rating_token.",
        )])),
    }
}

/// The interaction and whether `rater` may rate it: their own, or any with a genuine token.
async fn interaction(
    db: &impl ConnectionTrait,
    named: Named,
    rater: Option<Uuid>,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Interaction> {
    let (found, by_token) = match named {
        Named::Dossier(code) => (dossier_interaction(db, by_code(db, &code).await?, now).await?, false),
        Named::Token(TokenSubject::Dossier(id)) => {
            (dossier_interaction(db, store::dossier(db, id).await?, now).await?, true)
        }
        Named::Ticket(id) => (ticket_interaction(db, ticket_by_id(db, id).await?).await?, false),
        Named::Token(TokenSubject::Ticket(id)) => {
            (ticket_interaction(db, ticket_by_id(db, id).await?).await?, true)
        }
        Named::Appointment(id) => {
            let appointment = appointment_by_id(db, id).await?.ok_or_else(ApiError::not_found)?;
            if Some(appointment.citizen_id) != rater {
                return Err(ApiError::not_found());
            }
            let ticket = store::ticket_of_appointment(db, id).await?;
            let Some(ticket) = ticket else { return Err(ApiError::of(&problems::NOT_RATEABLE_YET)) };
            (Some(Interaction::of_ticket(&ticket, Some(appointment.citizen_id))), false)
        }
    };
    let found = found.ok_or_else(ApiError::not_found)?;
    if !by_token && (found.owner.is_none() || found.owner != rater) {
        return Err(ApiError::not_found());
    }
    Ok(found)
}

async fn dossier_interaction(
    db: &impl ConnectionTrait,
    dossier: Option<entity::dossier::Model>,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Option<Interaction>> {
    let Some(dossier) = dossier else { return Ok(None) };
    let handled_by = store::handled_by(db, &dossier).await?;
    Ok(Some(Interaction::of_dossier(&dossier, handled_by, now)))
}

async fn ticket_interaction(
    db: &impl ConnectionTrait,
    ticket: Option<entity::ticket::Model>,
) -> ApiResult<Option<Interaction>> {
    let Some(ticket) = ticket else { return Ok(None) };
    let owner = match ticket.appointment_id {
        Some(id) => appointment_by_id(db, id).await?.map(|a| a.citizen_id),
        None => None,
    };
    Ok(Some(Interaction::of_ticket(&ticket, owner)))
}

/// Who rates, and from where: a citizen's session (app or web), or a token alone (kiosk).
fn rater(request: &Request, auth: &RaterAuth, body: &NewRating) -> ApiResult<(Option<Uuid>, RatingChannel)> {
    match auth {
        RaterAuth::Bearer(BearerAuth(Caller { role, .. })) if is_staff(*role) => {
            Err(ApiError::of(&problems::STAFF_CANNOT_RATE))
        }
        RaterAuth::Bearer(BearerAuth(caller)) => caller.require_verified_phone().map(|()| {
            (
                Some(caller.id),
                match body.channel {
                    Some(SignedInChannel::Web) => RatingChannel::Web,
                    _ => RatingChannel::App,
                },
            )
        }),
        // A session that did not verify is no kiosk: its owner signs in again.
        RaterAuth::Anonymous if request.headers().contains_key(poem::http::header::AUTHORIZATION) => {
            Err(ApiError::unauthenticated())
        }
        RaterAuth::Anonymous if body.rating_token.is_some() => Ok((None, RatingChannel::KioskToken)),
        RaterAuth::Anonymous => Err(ApiError::unauthenticated()),
    }
}

/// Gives a rating: who rates, what they rate, whether they may, and the stored rating.
pub async fn give(
    state: &AppState,
    request: &Request,
    auth: &RaterAuth,
    body: &NewRating,
) -> ApiResult<Rating> {
    let (rater, channel) = rater(request, auth, body)?;
    let named = named(state, body)?;
    let now = state.clock.now();
    let found = interaction(&state.db, named, rater, now).await?;
    let rules = rules(&state.db, found.unit_id).await?;
    let officer_id = rateable(&found, rules.rating_window, now).map_err(|why| match why {
        NotRateable::NotOver => ApiError::of(&problems::NOT_RATEABLE_YET),
        NotRateable::WindowClosed => ApiError::of(&problems::RATING_WINDOW_CLOSED),
    })?;
    let officer =
        staff_by_id(&state.db, officer_id).await?.ok_or_else(|| ApiError::internal("a rated officer"))?;
    let unit =
        unit_by_id(&state.db, found.unit_id).await?.ok_or_else(|| ApiError::internal("a rated unit"))?;
    let unit_code = unit.code.clone();
    // A supervisor's comments go to the supervisors above them.
    let moderation_unit = match (officer.role >= Role::Supervisor, unit.parent_id) {
        (true, Some(parent)) => unit_by_id(&state.db, parent).await?.unwrap_or(unit),
        _ => unit,
    };
    let comment = body.comment.as_ref().map(|c| mask_personal_numbers(c));
    let moderation_due_at = match comment {
        Some(_) => Some(
            working_calendar(&state.db, &moderation_unit)
                .await?
                .extend_due(now, rules.moderation_working_days),
        ),
        None => None,
    };
    let flagged = super::is_flagged(body.asked_for_unofficial_payment, body.asked_for_documents_not_listed);
    let stored = rating::Model {
        id: Uuid::now_v7(),
        unit_id: found.unit_id,
        officer_id,
        citizen_id: rater,
        dossier_id: match found.subject {
            Subject::Dossier(id) => Some(id),
            Subject::Ticket(_) => None,
        },
        ticket_id: match found.subject {
            Subject::Ticket(id) => Some(id),
            Subject::Dossier(_) => None,
        },
        channel,
        level: body.level,
        guidance_clear: body.guidance_clear,
        trips_to_complete: body.trips_to_complete,
        asked_for_documents_not_listed: body.asked_for_documents_not_listed,
        asked_for_unofficial_payment: body.asked_for_unofficial_payment,
        flagged,
        dossier_timeliness: found.dossier_timeliness,
        comment_status: comment.as_ref().map(|_| CommentStatus::Pending),
        moderation_unit_id: comment.as_ref().map(|_| moderation_unit.id),
        comment,
        moderation_due_at,
        moderated_by: None,
        moderated_at: None,
        rejection_reason: None,
        rated_at: now,
    };
    let saved = stored.clone();
    write_transaction(&state.writer, async |tx| {
        store::insert(tx, saved.clone()).await?;
        let data = RatingCreatedData {
            rating_id: saved.id,
            unit_code: unit_code.clone(),
            level: saved.level,
            channel: saved.channel,
        };
        announce(tx, now, EventType::RatingCreated, saved.unit_id, &data).await?;
        if flagged {
            tell_supervisors(tx, state.push(), &saved, &officer.full_name, moderation_unit.id).await?;
        }
        Ok::<_, ApiError>(())
    })
    .await?;
    super::view(&state.db, stored).await
}

/// Puts a flagged rating in the inbox of the supervisors of the unit that moderates it, or of
/// the nearest unit above with supervisors.
async fn tell_supervisors(
    db: &impl ConnectionTrait,
    push: Push,
    rating: &rating::Model,
    officer_name: &str,
    first_unit: Uuid,
) -> ApiResult<()> {
    let supervisors = nearest_supervisors(db, first_unit, rating.officer_id).await?;
    if supervisors.is_empty() {
        tracing::warn!(rating = %rating.id, "a flagged rating found no supervisor to tell");
    }
    let (what, what_en) = match (rating.asked_for_unofficial_payment, rating.asked_for_documents_not_listed) {
        (Some(true), Some(true)) => (
            "bị đòi chi tiền ngoài quy định và giấy tờ ngoài danh mục",
            "was asked for unofficial payment and for documents outside the list",
        ),
        (Some(true), _) => ("bị đòi chi tiền ngoài quy định", "was asked for unofficial payment"),
        _ => ("bị yêu cầu giấy tờ ngoài danh mục", "was asked for documents outside the list"),
    };
    for user_id in supervisors {
        let notice = NewNotice {
            user_id,
            subject: NoticeSubject::Rating(rating.id),
            kind: NotificationKind::RatingFlagged,
            title: Text::new(
                format!("Đánh giá cần xử lý: cán bộ {officer_name}"),
                format!("A rating needs attention: officer {officer_name}"),
            ),
            body: Text::new(
                format!("Người dân phản ánh đã {what} khi được cán bộ {officer_name} phục vụ."),
                format!("A citizen reports they {what_en} when served by officer {officer_name}."),
            ),
        };
        notify(db, push, notice, rating.rated_at).await?;
    }
    Ok(())
}
