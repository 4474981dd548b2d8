//! Queries for the inbox: notices are written by the code whose change they announce, in its
//! transaction, and read and marked by their owner.

use chrono::{DateTime, Utc};
use entity::{
    notification, unit, user,
    values::{NotificationKind, Role},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    i18n::Text,
    pagination::{PageQuery, fetch_page},
};

/// What a notice is about.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Dossier(Uuid),
    Appointment(Uuid),
    Rating(Uuid),
    Complaint(Uuid),
    Letter(Uuid),
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

pub async fn notify(db: &impl ConnectionTrait, notice: NewNotice, now: DateTime<Utc>) -> Result<(), DbErr> {
    notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(notice.user_id),
        kind: Set(notice.kind),
        title: Set(notice.title.vi.into_owned()),
        body: Set(notice.body.vi.into_owned()),
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
        created_at: Set(now),
        read_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// One page of a user's notices, newest first, and how many there are.
pub async fn inbox(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    unread_only: bool,
    page: PageQuery,
) -> Result<(Vec<notification::Model>, u64), DbErr> {
    let mut query = notification::Entity::find().filter(notification::Column::UserId.eq(user_id));
    if unread_only {
        query = query.filter(notification::Column::ReadAt.is_null());
    }
    let query = query.order_by_desc(notification::Column::CreatedAt).order_by_desc(notification::Column::Id);
    fetch_page(db, query, page).await
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
