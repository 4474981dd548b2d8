//! The routes of `/complaints`: filing one ([`super::intake`]), and the supervisors' side: the
//! list, one complaint, the steps of its handling, the extension of its due date, its files.

use entity::{
    complaint,
    values::{ComplaintCategory, ComplaintEventKind, ComplaintStatus, Role},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use uuid::Uuid;

use super::{
    Step,
    dto::{Complaint, ComplaintExtension, ComplaintRequest, ComplaintState, ComplaintTransition},
    due_after,
    files::FileStore,
    intake::file,
    not_in_state, save_step, store, view, views,
};
use crate::{
    auth::{BearerAuth, Caller, UnitScope, scope_of},
    domain::complaint::{is_open, needs, supervisor_may},
    error::{ApiError, ApiResult, FieldError},
    pagination::{Page, PageQuery},
    problems,
    ratings::rules,
    spec::ApiTags,
    state::AppState,
};

/// A complaint a supervisor handles: its handling unit is in their scope, and it is not about
/// them (the officer complained about never learns of it: 404).
async fn handled(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<complaint::Model> {
    caller.require_staff(Role::Supervisor)?;
    let scope = scope_of(&state.db, caller).await?;
    store::complaint(&state.db, id)
        .await?
        .filter(|c| c.officer_id != caller.id && scope.contains(c.handling_unit_id))
        .ok_or_else(ApiError::not_found)
}

/// The changed complaint a supervisor's step makes, once its fields fit the step.
async fn apply(
    state: &AppState,
    read: &complaint::Model,
    step: &ComplaintTransition,
) -> ApiResult<complaint::Model> {
    if !supervisor_may(read.status, step.to_status) {
        return Err(not_in_state(read.status));
    }
    let needs = needs(step.to_status);
    let resolution = step.outcome.is_some() || step.conclusion.is_some();
    let mut errors = Vec::new();
    if needs.outcome_and_conclusion != (step.outcome.is_some() && step.conclusion.is_some())
        || (!needs.outcome_and_conclusion && resolution)
    {
        errors.push(FieldError::new(
            "outcome",
            "Kết quả và kết luận đi cùng trạng thái resolved, và chỉ với trạng thái đó.",
            "An outcome and a conclusion come with resolved, and only then.",
        ));
    }
    if needs.reason != step.reason.is_some() {
        errors.push(FieldError::new(
            "reason",
            "Lý do đi cùng not_accepted hoặc dismissed, và chỉ với hai trạng thái đó.",
            "A reason comes with not_accepted or dismissed, and only then.",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let now = state.clock.now();
    let mut changed = read.clone();
    changed.status = step.to_status;
    changed.outcome = step.outcome;
    changed.conclusion = step.conclusion.as_ref().map(|c| c.to_string());
    changed.reason = step.reason.as_ref().map(|r| r.to_string());
    if step.to_status == ComplaintStatus::Accepted {
        let days = rules(&state.db, read.unit_id).await?.complaint_due_working_days;
        changed.accepted_at = Some(now);
        changed.due_at = Some(due_after(&state.db, read, now, days).await?);
    }
    if !is_open(step.to_status) {
        changed.closed_at = Some(now);
    }
    Ok(changed)
}

#[derive(ApiResponse)]
pub enum Filed {
    /// The complaint, received; its timeline starts here.
    #[oai(status = 201)]
    Created(Json<Complaint>),
}

#[derive(ApiResponse)]
pub enum AttachmentFile {
    /// The file, as it is kept.
    #[oai(status = 200)]
    Ok(Binary<Vec<u8>>, #[oai(header = "Content-Type")] String),
}

pub struct ComplaintsApi;

#[OpenApi(tag = "ApiTags::Complaints")]
impl ComplaintsApi {
    /// Complain about an officer
    ///
    /// A citizen complains about an officer's conduct (harassment, including demanding money;
    /// obstruction; discourtesy; other), optionally about one of their dossiers or
    /// appointments. As `multipart/form-data` it takes up to 3 attachments of 10 MiB each:
    /// JPEG, PNG or PDF by their content, with location data removed from images; a request
    /// over 31 MiB is refused before it is read. The complaint stays with the unit where the
    /// conduct happened and is handled by its supervisors (by the unit above, if it is about a
    /// supervisor); a harassment complaint reaches their inbox at once. The officer never sees
    /// it.
    #[oai(path = "/complaints", method = "post", operation_id = "create_complaint")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: ComplaintRequest,
    ) -> ApiResult<Filed> {
        Ok(Filed::Created(Json(file(&state, &auth, body).await?)))
    }

    /// Complaints to handle
    ///
    /// For supervisors: the complaints their units handle (never those about themselves), the
    /// soonest due first. Filter by `status`, by `state` (`open` or `closed`), by `category`,
    /// or to those `overdue`.
    #[oai(path = "/complaints", method = "get", operation_id = "list_complaints")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only complaints in this status.
        status: Query<Option<ComplaintStatus>>,
        /// Only open or only closed complaints.
        #[oai(name = "state")]
        coarse: Query<Option<ComplaintState>>,
        /// Only complaints of this category.
        category: Query<Option<ComplaintCategory>>,
        /// Only open complaints past their due date (true).
        overdue: Query<Option<bool>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<Complaint>>> {
        auth.0.require_staff(Role::Supervisor)?;
        let units = match scope_of(&state.db, &auth.0).await? {
            UnitScope::All => None,
            UnitScope::Units(ids) => Some(ids),
        };
        use sea_orm::Iterable;
        let statuses = match (status.0, coarse.0) {
            (Some(one), _) => Some(vec![one]),
            (None, Some(ComplaintState::Open)) => {
                Some(ComplaintStatus::iter().filter(|s| is_open(*s)).collect())
            }
            (None, Some(ComplaintState::Closed)) => {
                Some(ComplaintStatus::iter().filter(|s| !is_open(*s)).collect())
            }
            (None, None) => None,
        };
        let now = state.clock.now();
        let filter = store::ComplaintFilter {
            units,
            statuses,
            category: category.0,
            overdue_at: (overdue.0 == Some(true)).then_some(now),
            not_about: auth.0.id,
        };
        let page = PageQuery::new(page.0, per_page.0);
        let (complaints, total) = store::list(&state.db, filter, page).await?;
        Ok(Json(Page::new(views(&state.db, complaints, true, now).await?, page, total)))
    }

    /// Read a complaint
    ///
    /// For a supervisor of the unit that handles it: the complaint, who made it, its files
    /// and its timeline. The officer it is about gets 404.
    #[oai(path = "/complaints/:id", method = "get", operation_id = "get_complaint")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Complaint>> {
        let complaint = handled(&state, &auth.0, id.0).await?;
        Ok(Json(view(&state.db, complaint, true, state.clock.now()).await?))
    }

    /// Move a complaint on
    ///
    /// `received → accepted | not_accepted (reason)`, `accepted → investigating`, then
    /// `resolved` (with an outcome and a written conclusion) or `dismissed` (reason).
    /// Acceptance sets the due date, the unit's working days from now (15 by default). The
    /// citizen is told of every step.
    #[oai(path = "/complaints/:id/transitions", method = "post", operation_id = "transition_complaint")]
    async fn transition(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ComplaintTransition>,
    ) -> ApiResult<Json<Complaint>> {
        let read = handled(&state, &auth.0, id.0).await?;
        let changed = apply(&state, &read, &body).await?;
        let note = changed.conclusion.clone().or_else(|| changed.reason.clone());
        let step = Step { kind: ComplaintEventKind::Transition, by: Some(auth.0.id), note };
        let saved = save_step(&state, read, changed, step).await?;
        Ok(Json(view(&state.db, saved, true, state.clock.now()).await?))
    }

    /// Extend a complaint's due date
    ///
    /// Once, while it is accepted or investigated, by up to 30 working days, with a reason the
    /// citizen reads.
    #[oai(path = "/complaints/:id/extension", method = "post", operation_id = "extend_complaint")]
    async fn extend(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ComplaintExtension>,
    ) -> ApiResult<Json<Complaint>> {
        let read = handled(&state, &auth.0, id.0).await?;
        let (true, Some(due)) = (is_open(read.status), read.due_at) else {
            return Err(not_in_state(read.status));
        };
        if read.extended {
            return Err(ApiError::of(&problems::ALREADY_EXTENDED));
        }
        let mut changed = read.clone();
        changed.due_at = Some(due_after(&state.db, &read, due, body.working_days).await?);
        changed.extended = true;
        changed.extension_reason = Some(body.reason.to_string());
        let step = Step {
            kind: ComplaintEventKind::Extension,
            by: Some(auth.0.id),
            note: changed.extension_reason.clone(),
        };
        let saved = save_step(&state, read, changed, step).await?;
        Ok(Json(view(&state.db, saved, true, state.clock.now()).await?))
    }

    /// A complaint's attachment
    ///
    /// The file as it is kept (location data removed), for the supervisors handling the
    /// complaint and the citizen who sent it.
    #[oai(
        path = "/complaints/:id/attachments/:position",
        method = "get",
        operation_id = "get_complaint_attachment"
    )]
    async fn attachment(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// The attachment's place, from 1.
        #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
        position: Path<i32>,
    ) -> ApiResult<AttachmentFile> {
        let complaint = match auth.0.role {
            Role::Citizen => store::complaint(&state.db, id.0).await?.filter(|c| c.citizen_id == auth.0.id),
            _ => Some(handled(&state, &auth.0, id.0).await?),
        }
        .ok_or_else(ApiError::not_found)?;
        let file = store::attachments(&state.db, vec![complaint.id])
            .await?
            .remove(&complaint.id)
            .unwrap_or_default()
            .into_iter()
            .find(|f| f.position == position.0)
            .ok_or_else(ApiError::not_found)?;
        let bytes = FileStore::new(&state.config.files.data_dir)
            .read(&file.sha256)
            .await
            .map_err(ApiError::internal)?;
        Ok(AttachmentFile::Ok(Binary(bytes), file.content_type))
    }
}
