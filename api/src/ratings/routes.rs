//! The routes of `/ratings`: giving a rating ([`super::giving`]), and the supervisors' side: the
//! list of their units' ratings (the moderation queue first) and the decision on a comment.

use entity::{
    rating,
    values::{CommentStatus, RejectionReason, Role},
};
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    dto::{Moderation, ModerationDecision, NewRating, Rating},
    giving::{RaterAuth, give},
    store::{self, RatingFilter},
    views,
};
use crate::{
    auth::{BearerAuth, Caller, UnitScope, scope_of},
    db::write_transaction,
    error::{ApiError, ApiResult, FieldError},
    pagination::{Page, PageQuery},
    problems,
    spec::ApiTags,
    state::AppState,
};

/// A rating a supervisor may read: of a unit in their scope (or moderated there), and never
/// one about themselves.
async fn visible_rating(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<(rating::Model, UnitScope)> {
    caller.require_staff(Role::Supervisor)?;
    let scope = scope_of(&state.db, caller).await?;
    let rating = store::rating(&state.db, id)
        .await?
        .filter(|r| r.officer_id != caller.id)
        .filter(|r| scope.contains(r.unit_id) || r.moderation_unit_id.is_some_and(|u| scope.contains(u)))
        .ok_or_else(ApiError::not_found)?;
    Ok((rating, scope))
}

/// What a decision stores: approval takes no reason, rejection needs one.
fn decided(moderation: &Moderation) -> ApiResult<(CommentStatus, Option<RejectionReason>)> {
    match (moderation.decision, moderation.reason) {
        (ModerationDecision::Approve, None) => Ok((CommentStatus::Approved, None)),
        (ModerationDecision::Reject, Some(reason)) => Ok((CommentStatus::Rejected, Some(reason))),
        _ => Err(ApiError::validation(vec![FieldError::new(
            "reason",
            "Cần lý do khi từ chối, và chỉ khi từ chối.",
            "A reason comes with reject, and only then.",
        )])),
    }
}

#[derive(ApiResponse)]
pub enum Rated {
    /// The rating, as stored (the comment masked and pending moderation).
    #[oai(status = 201)]
    Created(Json<Rating>),
}

pub struct RatingsApi;

#[OpenApi(tag = "ApiTags::Ratings")]
impl RatingsApi {
    /// Rate the officer who served you
    ///
    /// A citizen rates an interaction they really had, once and within the unit's window (30
    /// days by default): a dossier of theirs that was processed or returned, or an appointment
    /// or ticket of theirs that was served. A kiosk or tablet at the desk rates with the
    /// one-time `rating_token` printed on the receipt or ticket, without signing in. The
    /// officer rated is the one who handled it. Levels count at once; a comment is masked and
    /// waits for a supervisor's approval before it is public. Reporting an unofficial payment
    /// or documents outside the list tells the unit's supervisors at once.
    #[oai(path = "/ratings", method = "post", operation_id = "create_rating")]
    async fn create(
        &self,
        state: Data<&AppState>,
        request: &Request,
        auth: RaterAuth,
        body: Json<NewRating>,
    ) -> ApiResult<Rated> {
        Ok(Rated::Created(Json(give(&state, request, &auth, &body).await?)))
    }

    /// Ratings of your units
    ///
    /// For supervisors: the ratings of the units they lead, never those about themselves.
    /// With `status`, the comments in that state that the caller's units moderate
    /// (`status=pending` is the moderation queue, most overdue first); `flagged=true` lists
    /// the ratings that reported an unofficial payment or documents outside the list;
    /// `overdue=true`, the pending comments past their moderation due date.
    #[oai(path = "/ratings", method = "get", operation_id = "list_ratings")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only ratings whose comment is in this state.
        status: Query<Option<CommentStatus>>,
        /// Only flagged (true) or unflagged (false) ratings.
        flagged: Query<Option<bool>>,
        /// Only pending comments past their due date (true).
        overdue: Query<Option<bool>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<Rating>>> {
        auth.0.require_staff(Role::Supervisor)?;
        let units = match scope_of(&state.db, &auth.0).await? {
            UnitScope::All => None,
            UnitScope::Units(ids) => Some(ids),
        };
        let filter = RatingFilter {
            units,
            comment_status: status.0,
            flagged: flagged.0,
            overdue_at: (overdue.0 == Some(true)).then(|| state.clock.now()),
            not_about: auth.0.id,
        };
        let page = PageQuery::new(page.0, per_page.0);
        let (ratings, total) = store::list(&state.db, filter, page).await?;
        Ok(Json(Page::new(views(&state.db, ratings).await?, page, total)))
    }

    /// Read a rating
    ///
    /// For a supervisor of the unit rated (or of the unit that moderates its comment), as a
    /// flagged rating's notice links to it. A rating about the caller is 404.
    #[oai(path = "/ratings/:id", method = "get", operation_id = "get_rating")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Rating>> {
        let (rating, _) = visible_rating(&state, &auth.0, id.0).await?;
        Ok(Json(super::view(&state.db, rating).await?))
    }

    /// Moderate a rating's comment
    ///
    /// A supervisor of the unit that moderates the comment approves it (it becomes public on
    /// the officer's profile) or rejects it with a reason (it stays stored, never shown). The
    /// decision is final; the rating's levels are never changed. A supervisor cannot moderate
    /// a comment about themselves: it goes to the parent unit.
    #[oai(path = "/ratings/:id/moderation", method = "post", operation_id = "moderate_rating")]
    async fn moderate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<Moderation>,
    ) -> ApiResult<Json<Rating>> {
        let (rating, scope) = visible_rating(&state, &auth.0, id.0).await?;
        let (status, reason) = decided(&body)?;
        let Some(moderation_unit) = rating.moderation_unit_id else {
            return Err(ApiError::of(&problems::ALREADY_MODERATED));
        };
        if !scope.contains(moderation_unit) {
            return Err(ApiError::of(&problems::MODERATED_ABOVE));
        }
        let now = state.clock.now();
        let by = auth.0.id;
        let decided = write_transaction(&state.writer, async |tx| {
            store::moderate(tx, rating.id, status, reason, by, now).await
        })
        .await?;
        if !decided {
            return Err(ApiError::of(&problems::ALREADY_MODERATED));
        }
        let rating = store::rating(&state.db, rating.id).await?.ok_or_else(ApiError::not_found)?;
        Ok(Json(super::view(&state.db, rating).await?))
    }
}
