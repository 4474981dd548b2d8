//! Queries for complaints, their timelines and attachments.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    complaint, complaint_attachment, complaint_event,
    values::{ComplaintCategory, ComplaintStatus},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QueryOrder,
    sea_query::NullOrdering,
};
use uuid::Uuid;

use crate::pagination::{PageQuery, fetch_page};

pub async fn complaint(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<complaint::Model>, DbErr> {
    complaint::Entity::find_by_id(id).one(db).await
}

pub async fn insert(
    db: &impl ConnectionTrait,
    complaint: complaint::Model,
    attachments: Vec<complaint_attachment::Model>,
) -> Result<(), DbErr> {
    complaint::ActiveModel::from(complaint).insert(db).await?;
    if !attachments.is_empty() {
        complaint_attachment::Entity::insert_many(
            attachments.into_iter().map(complaint_attachment::ActiveModel::from),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Writes a changed complaint if nobody changed it since it was read (its version): false
/// when somebody did.
pub async fn update(db: &impl ConnectionTrait, changed: complaint::Model) -> Result<bool, DbErr> {
    let read_version = changed.version - 1;
    let id = changed.id;
    // Every column is written (a model's fields are "unchanged" until reset).
    let mut active = complaint::ActiveModel::from(changed).reset_all();
    active.id = sea_orm::ActiveValue::NotSet;
    let result = complaint::Entity::update_many()
        .set(active)
        .filter(complaint::Column::Id.eq(id))
        .filter(complaint::Column::Version.eq(read_version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn record(db: &impl ConnectionTrait, event: complaint_event::Model) -> Result<(), DbErr> {
    complaint_event::ActiveModel::from(event).insert(db).await?;
    Ok(())
}

/// The timelines of these complaints, oldest step first.
pub async fn timelines(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<complaint_event::Model>>, DbErr> {
    let mut by_complaint: HashMap<Uuid, Vec<complaint_event::Model>> = HashMap::new();
    let events = complaint_event::Entity::find()
        .filter(complaint_event::Column::ComplaintId.is_in(ids))
        .order_by_asc(complaint_event::Column::At)
        .order_by_asc(complaint_event::Column::Id)
        .all(db)
        .await?;
    for event in events {
        by_complaint.entry(event.complaint_id).or_default().push(event);
    }
    Ok(by_complaint)
}

pub async fn attachments(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<complaint_attachment::Model>>, DbErr> {
    let mut by_complaint: HashMap<Uuid, Vec<complaint_attachment::Model>> = HashMap::new();
    let files = complaint_attachment::Entity::find()
        .filter(complaint_attachment::Column::ComplaintId.is_in(ids))
        .order_by_asc(complaint_attachment::Column::Position)
        .all(db)
        .await?;
    for file in files {
        by_complaint.entry(file.complaint_id).or_default().push(file);
    }
    Ok(by_complaint)
}

/// What the supervisors' list is filtered by.
pub struct ComplaintFilter {
    /// The handling units in the caller's scope (none: every unit).
    pub units: Option<Vec<Uuid>>,
    pub statuses: Option<Vec<ComplaintStatus>>,
    pub category: Option<ComplaintCategory>,
    /// Open and past due at this instant.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Never listed: complaints about the caller.
    pub not_about: Uuid,
}

/// A page of complaints, the soonest due first, then the newest.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: ComplaintFilter,
    page: PageQuery,
) -> Result<(Vec<complaint::Model>, u64), DbErr> {
    use complaint::Column as C;
    let mut query = complaint::Entity::find().filter(C::OfficerId.ne(filter.not_about));
    if let Some(units) = filter.units {
        query = query.filter(C::HandlingUnitId.is_in(units));
    }
    if let Some(statuses) = filter.statuses {
        query = query.filter(C::Status.is_in(statuses));
    }
    if let Some(category) = filter.category {
        query = query.filter(C::Category.eq(category));
    }
    if let Some(now) = filter.overdue_at {
        let open = [ComplaintStatus::Accepted, ComplaintStatus::Investigating];
        query = query.filter(C::Status.is_in(open)).filter(C::DueAt.lt(now));
    }
    // Not yet accepted (no due date) after the dated ones, on both engines alike.
    let query = query
        .order_by_with_nulls(C::DueAt, Order::Asc, NullOrdering::Last)
        .order_by_desc(C::ReceivedAt)
        .order_by_desc(C::Id);
    fetch_page(db, query, page).await
}

/// A page of a citizen's complaints, newest first.
pub async fn of_citizen(
    db: &impl ConnectionTrait,
    citizen: Uuid,
    page: PageQuery,
) -> Result<(Vec<complaint::Model>, u64), DbErr> {
    use complaint::Column as C;
    let query = complaint::Entity::find()
        .filter(C::CitizenId.eq(citizen))
        .order_by_desc(C::ReceivedAt)
        .order_by_desc(C::Id);
    fetch_page(db, query, page).await
}
