//! A desk's queue settings: check-in window, recalls, priority strategy and service groups.

use std::collections::HashSet;

use entity::queue_setting;
use poem::web::Data;
use poem_openapi::{OpenApi, param::Path, payload::Json};

use super::{
    dto::{QueueSettings, ServiceGroup},
    staff_desk, store, write_queue,
};
use crate::{
    auth::{BearerAuth, Role},
    domain::queue::{self, QueueRules},
    error::{ApiError, ApiResult, FieldError},
    input::Line,
    spec::ApiTags,
    state::AppState,
};

fn shown(rules: &QueueRules) -> QueueSettings {
    let minutes = |d: chrono::Duration| i32::try_from(d.num_minutes()).unwrap_or(0);
    QueueSettings {
        checkin_early_minutes: minutes(rules.checkin_early),
        checkin_late_minutes: minutes(rules.checkin_late),
        max_recalls: i32::try_from(rules.max_recalls).unwrap_or(1),
        priority_strategy: rules.strategy,
        priority_every: i32::try_from(rules.priority_every).unwrap_or(1),
        service_groups: rules
            .groups
            .iter()
            .map(|g| ServiceGroup {
                code: g.code.clone(),
                prefix: g.prefix.clone(),
                name: Line::from_stored(g.name.clone()),
            })
            .collect(),
    }
}

/// What the schema cannot say of the settings: each group's code and prefix its own.
fn duplicate_groups(settings: &QueueSettings) -> Option<FieldError> {
    let groups = &settings.service_groups;
    let codes: HashSet<&str> = groups.iter().map(|g| g.code.as_str()).collect();
    let prefixes: HashSet<&str> = groups.iter().map(|g| g.prefix.as_str()).collect();
    (codes.len() < groups.len() || prefixes.len() < groups.len()).then(|| {
        FieldError::new(
            "service_groups",
            "Mã nhóm và tiền tố số không được trùng nhau.",
            "Group codes and prefixes must be unique.",
        )
    })
}

pub struct QueueSettingsApi;

#[OpenApi(tag = "ApiTags::Queue")]
impl QueueSettingsApi {
    /// A desk's queue settings
    ///
    /// The check-in window, recalls, priority strategy and service groups (the defaults until
    /// a supervisor sets them).
    #[oai(path = "/units/:code/queue-settings", method = "get", operation_id = "get_queue_settings")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
    ) -> ApiResult<Json<QueueSettings>> {
        let desk = staff_desk(&state, &auth.0, &code, Role::Officer).await?;
        Ok(Json(shown(&desk.rules)))
    }

    /// Set a desk's queue settings
    ///
    /// A supervisor of the unit sets them whole. Tickets already taken keep their group and
    /// number.
    #[oai(path = "/units/:code/queue-settings", method = "put", operation_id = "set_queue_settings")]
    async fn put(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        body: Json<QueueSettings>,
    ) -> ApiResult<Json<QueueSettings>> {
        let desk = staff_desk(&state, &auth.0, &code, Role::Supervisor).await?;
        if let Some(error) = duplicate_groups(&body) {
            return Err(ApiError::validation(vec![error]));
        }
        let groups: Vec<queue::ServiceGroup> = body
            .service_groups
            .iter()
            .map(|g| queue::ServiceGroup {
                code: g.code.clone(),
                prefix: g.prefix.clone(),
                name: g.name.to_string(),
            })
            .collect();
        let now = state.clock.now();
        let stored = queue_setting::Model {
            unit_id: desk.unit.id,
            checkin_early_minutes: body.checkin_early_minutes,
            checkin_late_minutes: body.checkin_late_minutes,
            max_recalls: body.max_recalls,
            priority_strategy: body.priority_strategy,
            priority_every: body.priority_every,
            service_groups: serde_json::to_string(&groups).map_err(ApiError::internal)?,
            updated_at: now,
        };
        let rules = super::rules_of(Some(&stored));
        write_queue(&state, desk.unit.id, async |tx| Ok(store::save_settings(tx, stored).await?)).await?;
        Ok(Json(shown(&rules)))
    }
}
