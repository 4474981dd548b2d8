//! The citizen's side of complaints: their list, and withdrawing, reopening and feedback.

use entity::{
    complaint,
    values::{ComplaintEventKind, ComplaintStatus},
};
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    Step,
    dto::{CitizenStep, Complaint, ComplaintFeedback},
    due_after, not_in_state, save_step, store, view, views,
};
use crate::{
    auth::BearerAuth,
    domain::complaint::{may_give_feedback, may_reopen, may_withdraw},
    error::{ApiError, ApiResult},
    pagination::{Page, PageQuery},
    problems,
    ratings::rules,
    spec::ApiTags,
    state::AppState,
};

/// Takes a step of the citizen's on their own complaint (anyone else's is 404): `change` says
/// whether it may be taken now and what it changes.
async fn citizen_step(
    state: &AppState,
    auth: &BearerAuth,
    id: Uuid,
    kind: ComplaintEventKind,
    note: Option<String>,
    change: impl AsyncFnOnce(&complaint::Model) -> ApiResult<complaint::Model>,
) -> ApiResult<Json<Complaint>> {
    auth.0.require_citizen()?;
    let read = store::complaint(&state.db, id)
        .await?
        .filter(|c| c.citizen_id == auth.0.id)
        .ok_or_else(ApiError::not_found)?;
    let changed = change(&read).await?;
    let saved = save_step(state, read, changed, Step { kind, by: None, note }).await?;
    Ok(Json(view(&state.db, saved, false, state.clock.now()).await?))
}

pub struct MyComplaintsApi;

#[OpenApi(tag = "ApiTags::Me")]
impl MyComplaintsApi {
    /// My complaints
    ///
    /// The caller's complaints, newest first, each with its timeline and outcome.
    #[oai(path = "/me/complaints", method = "get", operation_id = "list_my_complaints")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<Complaint>>> {
        auth.0.require_citizen()?;
        let page = PageQuery::new(page.0, per_page.0);
        let (complaints, total) = store::of_citizen(&state.db, auth.0.id, page).await?;
        Ok(Json(Page::new(views(&state.db, complaints, false, state.clock.now()).await?, page, total)))
    }

    /// Withdraw my complaint
    ///
    /// While it is being handled; the reason is optional.
    #[oai(path = "/me/complaints/:id/withdraw", method = "post", operation_id = "withdraw_complaint")]
    async fn withdraw(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CitizenStep>,
    ) -> ApiResult<Json<Complaint>> {
        let note = body.reason.as_ref().map(|r| r.to_string());
        citizen_step(&state, &auth, id.0, ComplaintEventKind::Withdrawal, note, async |read| {
            if !may_withdraw(read.status) {
                return Err(not_in_state(read.status));
            }
            let mut changed = read.clone();
            changed.status = ComplaintStatus::Withdrawn;
            changed.closed_at = Some(state.clock.now());
            Ok(changed)
        })
        .await
    }

    /// Reopen my complaint
    ///
    /// A resolved or dismissed complaint, within the unit's window after it closed (30 days by
    /// default): it goes back to `investigating` with a new due date, and its last outcome stays
    /// in the timeline.
    #[oai(path = "/me/complaints/:id/reopen", method = "post", operation_id = "reopen_complaint")]
    async fn reopen(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CitizenStep>,
    ) -> ApiResult<Json<Complaint>> {
        let note = body.reason.as_ref().map(|r| r.to_string());
        citizen_step(&state, &auth, id.0, ComplaintEventKind::Reopening, note, async |read| {
            let now = state.clock.now();
            let rules = rules(&state.db, read.unit_id).await?;
            if !may_reopen(read.status, read.closed_at, rules.complaint_reopen, now) {
                return Err(match read.status {
                    ComplaintStatus::Resolved | ComplaintStatus::Dismissed => {
                        ApiError::of(&problems::REOPEN_WINDOW_CLOSED)
                    }
                    other => not_in_state(other),
                });
            }
            let mut changed = read.clone();
            changed.status = ComplaintStatus::Investigating;
            changed.outcome = None;
            changed.conclusion = None;
            changed.reason = None;
            changed.closed_at = None;
            changed.reopened += 1;
            changed.due_at = Some(due_after(&state.db, read, now, rules.complaint_due_working_days).await?);
            Ok(changed)
        })
        .await
    }

    /// Give feedback on the handling
    ///
    /// Once the complaint is closed (not withdrawn): how satisfied the citizen is with how it
    /// was handled, once.
    #[oai(path = "/me/complaints/:id/feedback", method = "post", operation_id = "give_complaint_feedback")]
    async fn feedback(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ComplaintFeedback>,
    ) -> ApiResult<Json<Complaint>> {
        let comment = body.comment.as_ref().map(|c| c.to_string());
        citizen_step(&state, &auth, id.0, ComplaintEventKind::Feedback, comment.clone(), async |read| {
            if !may_give_feedback(read.status, read.feedback_at.is_some()) {
                return Err(not_in_state(read.status));
            }
            let mut changed = read.clone();
            changed.feedback_level = Some(body.level);
            changed.feedback_comment = comment;
            changed.feedback_at = Some(state.clock.now());
            Ok(changed)
        })
        .await
    }
}
