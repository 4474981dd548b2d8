use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{notification, values::NotificationKind};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, param::Query, payload::Json};
use uuid::Uuid;

use super::store;
use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult},
    i18n::Lang,
    pagination::{self, Cursor, next_cursor},
    spec::ApiTags,
    state::AppState,
};

/// A notice in the caller's inbox, in the language the request asked for (`Accept-Language`).
#[derive(Debug, Object)]
#[oai(example)]
pub struct Notification {
    /// Notice id.
    pub id: Uuid,
    /// What it is about.
    pub kind: NotificationKind,
    /// The code of the dossier it is about (a status change, an apology, a letter on completion).
    #[oai(skip_serializing_if_is_none)]
    pub dossier_code: Option<String>,
    /// The appointment it is about (a booking, a move, a cancellation, a reminder).
    #[oai(skip_serializing_if_is_none)]
    pub appointment_id: Option<Uuid>,
    /// The rating it is about, for a supervisor's notice of a flagged rating.
    #[oai(skip_serializing_if_is_none)]
    pub rating_id: Option<Uuid>,
    /// The complaint it is about.
    #[oai(skip_serializing_if_is_none)]
    pub complaint_id: Option<Uuid>,
    /// The letter it announces (`GET /letters/{id}`).
    #[oai(skip_serializing_if_is_none)]
    pub letter_id: Option<Uuid>,
    /// The webhook endpoint it is about, for an administrator's notice (`GET /webhooks/{id}`).
    #[oai(skip_serializing_if_is_none)]
    pub webhook_id: Option<Uuid>,
    /// Title, in the request's language.
    pub title: String,
    /// Text, in the request's language.
    pub body: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When the caller read it; null while unread.
    pub read_at: Option<DateTime<Utc>>,
}

impl Notification {
    fn of(n: notification::Model, dossier_codes: &HashMap<Uuid, String>, lang: Lang) -> Notification {
        // Notices written before they were bilingual have Vietnamese only.
        let (title, body) = match (lang, n.title_en, n.body_en) {
            (Lang::En, Some(title), Some(body)) => (title, body),
            _ => (n.title, n.body),
        };
        Notification {
            id: n.id,
            kind: n.kind,
            dossier_code: n.dossier_id.and_then(|id| dossier_codes.get(&id).cloned()),
            appointment_id: n.appointment_id,
            rating_id: n.rating_id,
            complaint_id: n.complaint_id,
            letter_id: n.letter_id,
            webhook_id: n.webhook_id,
            title,
            body,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// A page of the caller's inbox.
#[derive(Debug, Object)]
pub struct Inbox {
    /// Notices, newest first.
    pub items: Vec<Notification>,
    /// Pass as `cursor` to read the next (older) page; null on the last page.
    pub next_cursor: Option<String>,
    /// How many of the caller's notices are unread, over the whole inbox (the app's badge).
    pub unread_count: u64,
}

/// Which notices `read-all` marks.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ReadAll {
    /// The newest notice the app has shown: it and every older notice are marked read, and
    /// notices that arrived after it stay unread.
    pub up_to_id: Uuid,
}

/// What `read-all` did.
#[derive(Debug, Object)]
pub struct ReadAllDone {
    /// How many notices it marked read.
    pub marked: u64,
    /// How many notices are still unread (newer than `up_to_id`).
    pub unread_count: u64,
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
    /// Notices for the caller, newest first, in the request's language, each with what it is
    /// about (dossier code, appointment, complaint, letter) for the app to link to;
    /// `unread=true` for unread ones only. Pages follow `next_cursor`, so notices arriving while
    /// the app reads do not shift the pages.
    #[oai(path = "/me/notifications", method = "get", operation_id = "list_my_notifications")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only unread notices.
        unread: Query<Option<bool>>,
        /// `next_cursor` of the page before; absent for the newest page.
        #[oai(validator(max_length = 200))]
        cursor: Query<Option<String>>,
        /// Notices per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> ApiResult<Json<Inbox>> {
        let after = cursor.0.as_deref().map(Cursor::decode).transpose()?;
        let limit = pagination::limit(limit.0);
        let user = auth.0.id;
        let mut notices = store::inbox(&state.db, user, unread.0 == Some(true), after, limit).await?;
        let next_cursor = next_cursor(&mut notices, limit, |n| Cursor { created_at: n.created_at, id: n.id });
        let codes = store::dossier_codes(&state.db, &notices).await?;
        let lang = Lang::current();
        Ok(Json(Inbox {
            items: notices.into_iter().map(|n| Notification::of(n, &codes, lang)).collect(),
            next_cursor,
            unread_count: store::unread_count(&state.db, user).await?,
        }))
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

    /// Mark my inbox read
    ///
    /// Marks read the notice `up_to_id` and every older one of the caller's; newer notices (that
    /// arrived after the app showed the inbox) stay unread. A notice of another account is 404.
    #[oai(path = "/me/notifications/read-all", method = "post", operation_id = "mark_all_notifications_read")]
    async fn mark_all_read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ReadAll>,
    ) -> ApiResult<Json<ReadAllDone>> {
        let user = auth.0.id;
        let marked = store::mark_read_up_to(&state.db, user, body.0.up_to_id, state.clock.now())
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(ReadAllDone { marked, unread_count: store::unread_count(&state.db, user).await? }))
    }
}

impl poem_openapi::types::Example for Notification {
    fn example() -> Self {
        Notification {
            id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e0b1),
            kind: NotificationKind::DossierStatus,
            dossier_code: Some("000.20.33.H12-261126-0001".into()),
            appointment_id: None,
            rating_id: None,
            complaint_id: None,
            letter_id: None,
            webhook_id: None,
            title: "Hồ sơ 000.20.33.H12-261126-0001: Đang xử lý".into(),
            body: "Hồ sơ của bạn chuyển sang trạng thái \"Đang xử lý\".".into(),
            created_at: DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
            read_at: None,
        }
    }
}

impl poem_openapi::types::Example for ReadAll {
    fn example() -> Self {
        ReadAll { up_to_id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e0b1) }
    }
}
