//! Queries for the inbox: notices are written by the code whose change they announce, in its
//! transaction, and read and marked by their owner.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use entity::{
    dossier, notification, unit, user,
    values::{NotificationKind, Role},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    i18n::Text,
    pagination::Cursor,
    push::{Push, outbox},
};

/// What a notice is about.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Dossier(Uuid),
    Appointment(Uuid),
    Rating(Uuid),
    Complaint(Uuid),
    Letter(Uuid),
    /// For administrators: a webhook endpoint.
    Webhook(Uuid),
}

/// A notice to a citizen about one of their dossiers or appointments, or to a supervisor about a
/// rating or a complaint.
pub struct NewNotice {
    pub user_id: Uuid,
    pub subject: Subject,
    pub kind: NotificationKind,
    /// In both languages: the inbox answers in the reader's.
    pub title: Text,
    pub body: Text,
}

/// The active supervisors of a unit or, when it has none, of the nearest unit above that has
/// some, leaving out `excluding` (the officer a notice is about): so a signal about an officer
/// always reaches somebody above them.
pub async fn nearest_supervisors(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    excluding: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    let mut unit = Some(unit_id);
    // The tree is shallow (province, district, ward, desk); the bound guards a cycle.
    for _ in 0..8 {
        let Some(id) = unit else { break };
        let supervisors: Vec<Uuid> = user::Entity::find()
            .filter(user::Column::UnitId.eq(id))
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::Role.eq(Role::Supervisor))
            .filter(user::Column::Id.ne(excluding))
            .all(db)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        if !supervisors.is_empty() {
            return Ok(supervisors);
        }
        unit = unit::Entity::find_by_id(id).one(db).await?.and_then(|u| u.parent_id);
    }
    Ok(Vec::new())
}

/// Puts a notice in its recipient's inbox and, when push is on, queues a push of it to each
/// of their devices, in the same transaction.
pub async fn notify(
    db: &impl ConnectionTrait,
    push: Push,
    notice: NewNotice,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let id = Uuid::now_v7();
    notification::ActiveModel {
        id: Set(id),
        user_id: Set(notice.user_id),
        kind: Set(notice.kind),
        title: Set(notice.title.vi.to_string()),
        body: Set(notice.body.vi.to_string()),
        title_en: Set(Some(notice.title.en.into_owned())),
        body_en: Set(Some(notice.body.en.into_owned())),
        dossier_id: Set(match notice.subject {
            Subject::Dossier(id) => Some(id),
            _ => None,
        }),
        appointment_id: Set(match notice.subject {
            Subject::Appointment(id) => Some(id),
            _ => None,
        }),
        rating_id: Set(match notice.subject {
            Subject::Rating(id) => Some(id),
            _ => None,
        }),
        complaint_id: Set(match notice.subject {
            Subject::Complaint(id) => Some(id),
            _ => None,
        }),
        letter_id: Set(match notice.subject {
            Subject::Letter(id) => Some(id),
            _ => None,
        }),
        webhook_id: Set(match notice.subject {
            Subject::Webhook(id) => Some(id),
            _ => None,
        }),
        created_at: Set(now),
        read_at: Set(None),
    }
    .insert(db)
    .await?;
    if push == Push::Off {
        return Ok(());
    }
    // The push reads in Vietnamese, as the inbox does by default; the app opens the entry
    // from `data`.
    let entry = outbox::Entry {
        notification_id: id,
        user_id: notice.user_id,
        title: &notice.title.vi,
        body: &notice.body.vi,
        data: push_data(id, notice.kind, notice.subject),
    };
    outbox::enqueue(db, entry, now).await
}

/// A push's `data`: the entry, its kind and what it is about (FCM wants string values).
fn push_data(
    id: Uuid,
    kind: NotificationKind,
    subject: Subject,
) -> serde_json::Map<String, serde_json::Value> {
    let (about, about_id) = match subject {
        Subject::Dossier(id) => ("dossier_id", id),
        Subject::Appointment(id) => ("appointment_id", id),
        Subject::Rating(id) => ("rating_id", id),
        Subject::Complaint(id) => ("complaint_id", id),
        Subject::Letter(id) => ("letter_id", id),
        Subject::Webhook(id) => ("webhook_id", id),
    };
    let kind = serde_json::to_value(kind).unwrap_or_default();
    let mut data = serde_json::Map::new();
    data.insert("notification_id".into(), id.to_string().into());
    data.insert("kind".into(), kind);
    data.insert(about.into(), about_id.to_string().into());
    data
}

/// Up to `limit + 1` of a user's notices, newest first, after `after` (the page before's last).
pub async fn inbox(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    unread_only: bool,
    after: Option<Cursor>,
    limit: u64,
) -> Result<Vec<notification::Model>, DbErr> {
    let mut query = notification::Entity::find().filter(notification::Column::UserId.eq(user_id));
    if unread_only {
        query = query.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(after) = after {
        query = query.filter(not_after(after, false));
    }
    query
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await
}

/// Notices older than `position` in the inbox's order (and the notice there too, `inclusive`).
fn not_after(position: Cursor, inclusive: bool) -> Condition {
    let id = if inclusive {
        notification::Column::Id.lte(position.id)
    } else {
        notification::Column::Id.lt(position.id)
    };
    let same_instant = Condition::all().add(notification::Column::CreatedAt.eq(position.created_at)).add(id);
    Condition::any().add(notification::Column::CreatedAt.lt(position.created_at)).add(same_instant)
}

/// How many notices the user has not read.
pub async fn unread_count(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DbErr> {
    notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await
}

/// The codes of the dossiers `notices` are about, by dossier id: the app links by code.
pub async fn dossier_codes(
    db: &impl ConnectionTrait,
    notices: &[notification::Model],
) -> Result<HashMap<Uuid, String>, DbErr> {
    let ids: Vec<Uuid> = notices.iter().filter_map(|n| n.dossier_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let dossiers = dossier::Entity::find()
        .select_only()
        .column(dossier::Column::Id)
        .column(dossier::Column::Code)
        .filter(dossier::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?;
    Ok(dossiers.into_iter().collect())
}

/// Marks read every unread notice of the user up to `up_to` (that notice and all older ones),
/// so a notice that arrived after the app loaded the inbox stays unread. `None` when the user
/// has no notice `up_to`; otherwise how many were marked.
pub async fn mark_read_up_to(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    up_to: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<u64>, DbErr> {
    let Some(last) = notification::Entity::find_by_id(up_to)
        .filter(notification::Column::UserId.eq(user_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let marked = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .filter(not_after(Cursor { created_at: last.created_at, id: last.id }, true))
        .exec(db)
        .await?;
    Ok(Some(marked.rows_affected))
}

/// Marks a user's notice as read; false when the user has no notice of this id. Marking it
/// again keeps the first reading time.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let marked = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::Id.eq(id))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    if marked.rows_affected == 1 {
        return Ok(true);
    }
    let owned =
        notification::Entity::find_by_id(id).filter(notification::Column::UserId.eq(user_id)).one(db).await?;
    Ok(owned.is_some())
}
