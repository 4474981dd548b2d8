//! A desk's queue settings: check-in window, recalls, priority strategy and service groups.

use std::collections::HashSet;

use entity::queue_setting;
use poem::web::Data;
use poem_openapi::{OpenApi, param::Path, payload::Json};

use super::{
    dto::{QueueSettings, ServiceGroup},
    staff_desk, store,
};
use crate::{
    auth::{BearerAuth, Role},
    db::write_transaction,
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
                code: Line::from_stored(g.code.clone()),
                prefix: Line::from_stored(g.prefix.clone()),
                name: Line::from_stored(g.name.clone()),
            })
            .collect(),
    }
}

/// Every rule the settings break, by field.
fn problems_of(settings: &QueueSettings) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut check = |ok: bool, field: &str, vi: &'static str, en: &'static str| {
        if !ok {
            errors.push(FieldError::new(field, vi, en));
        }
    };
    let within = |value: i32, low: i32, high: i32| (low..=high).contains(&value);
    check(
        within(settings.checkin_early_minutes, 0, 240),
        "checkin_early_minutes",
        "Từ 0 đến 240 phút.",
        "0–240 minutes.",
    );
    check(
        within(settings.checkin_late_minutes, 0, 240),
        "checkin_late_minutes",
        "Từ 0 đến 240 phút.",
        "0–240 minutes.",
    );
    check(within(settings.max_recalls, 1, 10), "max_recalls", "Từ 1 đến 10 lần.", "1–10 recalls.");
    check(within(settings.priority_every, 1, 50), "priority_every", "Từ 1 đến 50.", "1–50.");
    let groups = &settings.service_groups;
    check((1..=20).contains(&groups.len()), "service_groups", "Từ 1 đến 20 nhóm.", "1–20 groups.");
    let codes: HashSet<&str> = groups.iter().map(|g| g.code.as_str()).collect();
    let prefixes: HashSet<&str> = groups.iter().map(|g| g.prefix.as_str()).collect();
    check(
        codes.len() == groups.len() && prefixes.len() == groups.len(),
        "service_groups",
        "Mã nhóm và tiền tố số không được trùng nhau.",
        "Group codes and prefixes must be unique.",
    );
    let code_ok = |c: &str| c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    check(
        groups.iter().all(|g| code_ok(g.code.as_str())),
        "service_groups",
        "Mã nhóm chỉ gồm chữ thường, chữ số và dấu _.",
        "Group codes are lower-case letters, digits and _.",
    );
    check(
        groups.iter().all(|g| g.prefix.as_str().bytes().all(|b| b.is_ascii_uppercase())),
        "service_groups",
        "Tiền tố số gồm 1–3 chữ in hoa.",
        "Prefixes are 1–3 capital letters.",
    );
    errors
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
        let errors = problems_of(&body);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let groups: Vec<queue::ServiceGroup> = body
            .service_groups
            .iter()
            .map(|g| queue::ServiceGroup {
                code: g.code.to_string(),
                prefix: g.prefix.to_string(),
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
        write_transaction(&state.writer, async |tx| store::save_settings(tx, stored).await).await?;
        Ok(Json(shown(&rules)))
    }
}
