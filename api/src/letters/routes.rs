//! Letters over HTTP: issuing one by hand, reading one (JSON or its printable page), the
//! staff's list and the citizen's own.

use chrono::{DateTime, Utc};
use entity::{letter, values::LetterKind};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    dto::{IssueLetterRequest, Letter},
    issue::{NewLetter, issue},
    store::{self, LetterFilter},
};
use crate::{
    accounts::store::user_by_id,
    auth::{BearerAuth, Caller, Role, UnitScope, is_staff, scope_of},
    db::write_transaction,
    domain::dossier::canonical_code,
    dossiers::store::by_code_for_update,
    error::{ApiError, ApiResult},
    http::printable::{PrintFormat, Printable},
    pagination::{Page, PageQuery},
    problems,
    queue::store::dossier_codes,
    spec::ApiTags,
    state::AppState,
    units::{staff_unit, store::unit_codes},
};

/// Letters as the API shows them (a few queries whatever their number).
async fn views(db: &impl sea_orm::ConnectionTrait, letters: Vec<letter::Model>) -> ApiResult<Vec<Letter>> {
    let units = unit_codes(db, letters.iter().map(|l| l.unit_id)).await?;
    let dossiers = dossier_codes(db, letters.iter().filter_map(|l| l.dossier_id).collect()).await?;
    Ok(letters
        .into_iter()
        .map(|l| Letter {
            id: l.id,
            kind: l.kind,
            unit_code: units.get(&l.unit_id).cloned().unwrap_or_default(),
            number: l.number,
            year: l.year,
            number_text: format!("{}/{}", l.number, super::templates::symbol(l.kind)),
            dossier_code: l.dossier_id.and_then(|id| dossiers.get(&id).cloned()),
            recipient_id: l.recipient_id,
            recipient_name: l.recipient_name,
            honorific: l.honorific,
            event: l.event,
            event_date: l.event_date,
            title: l.title,
            automatic: l.automatic,
            issued_at: l.issued_at,
        })
        .collect())
}

/// Whether the caller may read the letter: its recipient (or the citizen following its
/// dossier), or staff of its unit (supervisors: and of the units above).
async fn may_read(state: &AppState, caller: &Caller, letter: &letter::Model) -> ApiResult<bool> {
    if is_staff(caller.role) {
        return Ok(scope_of(&state.db, caller).await?.contains(letter.unit_id));
    }
    Ok(store::readable_by_citizen(&state.db, letter.id, caller.id).await?)
}

/// The unit a caller issues in: the one named (of the caller's units), else the caller's own.
async fn issuing_unit(
    state: &AppState,
    caller: &Caller,
    code: Option<&str>,
) -> ApiResult<entity::unit::Model> {
    caller.require_staff(Role::Officer)?;
    let code = match code {
        Some(code) => code.to_owned(),
        None => crate::units::store::unit_code(&state.db, caller.unit_id).await?.ok_or_else(|| {
            ApiError::invalid_field("unit_code", "Hãy chọn đơn vị phát hành thư.", "Name the issuing unit.")
        })?,
    };
    staff_unit(state, caller, &code, Role::Officer).await
}

#[derive(ApiResponse)]
pub enum Issued {
    /// The letter, issued and fixed.
    #[oai(status = 201)]
    Created(Json<Letter>),
}

pub struct LettersApi;

#[OpenApi(tag = "ApiTags::Letters")]
impl LettersApi {
    /// Issue a letter by hand
    ///
    /// An officer issues a letter in their unit, typically a thank-you for feedback that
    /// helped. It is numbered in the unit's register of the year, rendered with the unit's
    /// text of its kind and fixed from then on; a recipient account gets a notice. A dossier
    /// gets at most one letter of a kind (409 `letter_exists`); a recipient who opted out of
    /// letters gets none (409 `letters_opted_out`).
    #[oai(path = "/letters", method = "post", operation_id = "issue_letter")]
    async fn issue(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<IssueLetterRequest>,
    ) -> ApiResult<Issued> {
        let caller = &auth.0;
        let unit = issuing_unit(&state, caller, body.unit_code.as_deref()).await?;
        let recipient = match body.recipient_id {
            Some(id) => Some(
                user_by_id(&state.db, id).await?.filter(|u| u.role == Role::Citizen).ok_or_else(|| {
                    ApiError::invalid_field(
                        "recipient_id",
                        "Không có tài khoản công dân này.",
                        "No such citizen account.",
                    )
                })?,
            ),
            None => None,
        };
        let now = state.clock.now();
        let zone: chrono_tz::Tz = unit.time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
        let letter = write_transaction(&state.writer, async |tx| {
            let dossier = match body.dossier_code.as_deref() {
                Some(code) => Some(
                    by_code_for_update(tx, &canonical_code(code))
                        .await?
                        .filter(|d| d.unit_id == unit.id)
                        .ok_or_else(|| {
                            ApiError::invalid_field(
                                "dossier_code",
                                "Đơn vị không có hồ sơ này.",
                                "The unit has no such dossier.",
                            )
                        })?,
                ),
                None => None,
            };
            if let Some(dossier) = &dossier
                && store::of_dossier(tx, dossier.id, body.kind).await?.is_some()
            {
                return Err(ApiError::of(&problems::LETTER_EXISTS));
            }
            let recipient_id =
                recipient.as_ref().map(|u| u.id).or(dossier.as_ref().and_then(|d| d.citizen_id));
            if let Some(id) = recipient_id
                && user_by_id(tx, id).await?.is_some_and(|u| u.letters_opt_out)
            {
                return Err(ApiError::of(&problems::LETTERS_OPTED_OUT));
            }
            let new = NewLetter {
                kind: body.kind,
                dossier_id: dossier.map(|d| d.id),
                recipient_id,
                recipient_name: body.recipient_name.to_string(),
                honorific: body.honorific.to_string(),
                event: body.event.to_string(),
                event_date: body.event_date.unwrap_or_else(|| now.with_timezone(&zone).date_naive()),
                issued_by: Some(caller.id),
            };
            issue(tx, state.push(), &unit, new, now).await
        })
        .await?;
        let view = views(&state.db, vec![letter]).await?.remove(0);
        Ok(Issued::Created(Json(view)))
    }

    /// A letter
    ///
    /// Its data, or with `?format=html` the printable page exactly as issued. Only its
    /// recipient (or the citizen following its dossier) and the staff of its unit (and the
    /// supervisors above) may read it; anyone else gets 404.
    #[oai(path = "/letters/:id", method = "get", operation_id = "get_letter")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// `json` (the default) or `html` for the printable page.
        format: Query<Option<PrintFormat>>,
    ) -> ApiResult<Printable<Letter>> {
        let letter = store::by_id(&state.db, id.0).await?.ok_or_else(ApiError::not_found)?;
        if !may_read(&state, &auth.0, &letter).await? {
            return Err(ApiError::not_found());
        }
        let html = letter.html.clone();
        let view = views(&state.db, vec![letter]).await?.remove(0);
        Ok(Printable::of(format.0, view, || html))
    }

    /// The units' letters
    ///
    /// Letters of the caller's units (or of one of them), newest first, by kind and by when
    /// they were issued.
    #[oai(path = "/letters", method = "get", operation_id = "list_letters")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only this unit (one of the caller's).
        #[oai(validator(min_length = 1, max_length = 64))]
        unit: Query<Option<String>>,
        /// Only this kind.
        kind: Query<Option<LetterKind>>,
        /// Issued at or after this instant.
        from: Query<Option<DateTime<Utc>>>,
        /// Issued before this instant.
        to: Query<Option<DateTime<Utc>>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<Letter>>> {
        let caller = &auth.0;
        caller.require_staff(Role::Officer)?;
        let units = match unit.0.as_deref() {
            Some(code) => Some(vec![staff_unit(&state, caller, code, Role::Officer).await?.id]),
            None => match scope_of(&state.db, caller).await? {
                UnitScope::All => None,
                UnitScope::Units(ids) => Some(ids),
            },
        };
        let page = PageQuery::new(page.0, per_page.0);
        let filter = LetterFilter { units, kind: kind.0, from: from.0, to: to.0 };
        let (letters, total) = store::of_units(&state.db, filter, page).await?;
        Ok(Json(Page::new(views(&state.db, letters).await?, page, total)))
    }

    /// My letters
    ///
    /// Letters addressed to the caller, and those issued on dossiers the caller follows
    /// (claimed before or after the letter was issued), newest first.
    #[oai(path = "/me/letters", method = "get", operation_id = "list_my_letters", tag = "ApiTags::Me")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<Letter>>> {
        auth.0.require_citizen()?;
        let page = PageQuery::new(page.0, per_page.0);
        let (letters, total) = store::of_citizen(&state.db, auth.0.id, page).await?;
        Ok(Json(Page::new(views(&state.db, letters).await?, page, total)))
    }
}
