use chrono::{DateTime, Utc};
use entity::{notification, values::NotificationKind};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, param::Query, payload::Json};
use uuid::Uuid;

use super::store;
use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult},
    pagination::{Page, PageQuery},
    spec::ApiTags,
    state::AppState,
};

/// A notice in the caller's inbox.
#[derive(Debug, Object)]
#[oai(example)]
pub struct Notification {
    /// Notice id.
    pub id: Uuid,
    /// What it is about.
    pub kind: NotificationKind,
    /// The appointment it is about, if any.
    pub appointment_id: Option<Uuid>,
    /// The rating it is about, for a supervisor's notice of a flagged rating.
    #[oai(skip_serializing_if_is_none)]
    pub rating_id: Option<Uuid>,
    /// The complaint it is about.
    #[oai(skip_serializing_if_is_none)]
    pub complaint_id: Option<Uuid>,
    /// Title, in Vietnamese.
    pub title: String,
    /// Text, in Vietnamese.
    pub body: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When the caller read it.
    pub read_at: Option<DateTime<Utc>>,
}

impl From<notification::Model> for Notification {
    fn from(n: notification::Model) -> Self {
        Notification {
            id: n.id,
            kind: n.kind,
            appointment_id: n.appointment_id,
            rating_id: n.rating_id,
            complaint_id: n.complaint_id,
            title: n.title,
            body: n.body,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(ApiResponse)]
pub enum Marked {
    /// Marked as read.
    #[oai(status = 204)]
    Done,
}

pub struct NotificationsApi;

#[OpenApi(tag = "ApiTags::Me")]
impl NotificationsApi {
    /// My inbox
    ///
    /// Notices for the caller, newest first; `unread=true` for unread ones only.
    #[oai(path = "/me/notifications", method = "get", operation_id = "list_my_notifications")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only unread notices.
        unread: Query<Option<bool>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<Notification>>> {
        let page = PageQuery::new(page.0, per_page.0);
        let (items, total) = store::inbox(&state.db, auth.0.id, unread.0 == Some(true), page).await?;
        Ok(Json(Page::new(items.into_iter().map(Into::into).collect(), page, total)))
    }

    /// Mark a notice as read
    ///
    /// Marks one of the caller's notices as read; marking it again changes nothing. A notice of
    /// another account is 404.
    #[oai(path = "/me/notifications/:id/read", method = "post", operation_id = "mark_notification_read")]
    async fn mark_read(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Marked> {
        if !store::mark_read(&state.db, auth.0.id, id.0, state.clock.now()).await? {
            return Err(ApiError::not_found());
        }
        Ok(Marked::Done)
    }
}

impl poem_openapi::types::Example for Notification {
    fn example() -> Self {
        Notification {
            id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e0b1),
            kind: NotificationKind::DossierStatus,
            appointment_id: None,
            rating_id: None,
            complaint_id: None,
            title: "Hồ sơ 000.20.33.H12-261126-0001: Đang xử lý".into(),
            body: "Hồ sơ của bạn chuyển sang trạng thái \"Đang xử lý\".".into(),
            created_at: DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
            read_at: None,
        }
    }
}
