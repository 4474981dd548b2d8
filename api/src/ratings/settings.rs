//! A unit's feedback settings: the rating window, the ranking's minimum, the moderation deadline,
//! and the complaints' due date and reopening window.

use entity::{feedback_setting, values::Role};
use poem::web::Data;
use poem_openapi::{OpenApi, param::Path, payload::Json};

use super::{FeedbackRules, dto::FeedbackSettings, rules_of, store};
use crate::{
    auth::BearerAuth, db::write_transaction, error::ApiResult, spec::ApiTags, state::AppState,
    units::staff_unit,
};

fn shown(rules: FeedbackRules) -> FeedbackSettings {
    FeedbackSettings {
        rating_window_days: i32::try_from(rules.rating_window.num_days()).unwrap_or(30),
        ranking_min_ratings: i32::try_from(rules.ranking_min_ratings).unwrap_or(10),
        moderation_working_days: i32::try_from(rules.moderation_working_days).unwrap_or(5),
        complaint_due_working_days: i32::try_from(rules.complaint_due_working_days).unwrap_or(15),
        complaint_reopen_days: i32::try_from(rules.complaint_reopen.num_days()).unwrap_or(30),
    }
}

pub struct FeedbackSettingsApi;

#[OpenApi(tag = "ApiTags::Ratings")]
impl FeedbackSettingsApi {
    /// A unit's rating and complaint settings
    ///
    /// How long after an interaction it may be rated, how many ratings rank an officer, after
    /// how many working days a pending comment is overdue, how many working days a complaint
    /// has from its acceptance, and how long after its resolution it may be reopened (the
    /// defaults until a supervisor sets them: 30 days, 10 ratings, 5 and 15 working days, 30
    /// days).
    #[oai(path = "/units/:code/feedback-settings", method = "get", operation_id = "get_feedback_settings")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
    ) -> ApiResult<Json<FeedbackSettings>> {
        let unit = staff_unit(&state, &auth.0, &code, Role::Officer).await?;
        Ok(Json(shown(super::rules(&state.db, unit.id).await?)))
    }

    /// Set a unit's rating and complaint settings
    ///
    /// A supervisor of the unit sets them whole. Ratings and complaints already in keep their
    /// due dates.
    #[oai(path = "/units/:code/feedback-settings", method = "put", operation_id = "set_feedback_settings")]
    async fn put(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        body: Json<FeedbackSettings>,
    ) -> ApiResult<Json<FeedbackSettings>> {
        let unit = staff_unit(&state, &auth.0, &code, Role::Supervisor).await?;
        let stored = feedback_setting::Model {
            unit_id: unit.id,
            rating_window_days: body.rating_window_days,
            ranking_min_ratings: body.ranking_min_ratings,
            moderation_working_days: body.moderation_working_days,
            complaint_due_working_days: body.complaint_due_working_days,
            complaint_reopen_days: body.complaint_reopen_days,
            updated_at: state.clock.now(),
        };
        let rules = rules_of(Some(&stored));
        write_transaction(&state.writer, async |tx| store::save_settings(tx, stored).await).await?;
        Ok(Json(shown(rules)))
    }
}
