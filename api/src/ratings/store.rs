//! Queries for ratings: the interactions they rate, the ratings themselves and their counts.

use chrono::{DateTime, Utc};
use entity::{
    dossier, dossier_event, feedback_setting, rating, ticket, user,
    values::{CommentStatus, DossierEventKind, RatingLevel, Role},
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Order, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{NullOrdering, OnConflict},
};
use uuid::Uuid;

use crate::pagination::{PageQuery, fetch_page};

pub async fn settings(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
) -> Result<Option<feedback_setting::Model>, DbErr> {
    feedback_setting::Entity::find_by_id(unit_id).one(db).await
}

pub async fn save_settings(
    db: &impl ConnectionTrait,
    settings: feedback_setting::Model,
) -> Result<(), DbErr> {
    use feedback_setting::Column as C;
    let upsert = OnConflict::column(C::UnitId)
        .update_columns([
            C::RatingWindowDays,
            C::RankingMinRatings,
            C::ModerationWorkingDays,
            C::ComplaintDueWorkingDays,
            C::ComplaintReopenDays,
            C::UpdatedAt,
        ])
        .to_owned();
    feedback_setting::Entity::insert(feedback_setting::ActiveModel::from(settings))
        .on_conflict(upsert)
        .exec(db)
        .await?;
    Ok(())
}

/// Who moved the dossier to its present status (processed or returned): the officer rated.
pub async fn handled_by(db: &impl ConnectionTrait, dossier: &dossier::Model) -> Result<Option<Uuid>, DbErr> {
    use dossier_event::Column as C;
    Ok(dossier_event::Entity::find()
        .filter(C::DossierId.eq(dossier.id))
        .filter(C::Kind.eq(DossierEventKind::Transition))
        .filter(C::ToStatus.eq(dossier.status))
        .order_by_desc(C::At)
        .order_by_desc(C::Id)
        .one(db)
        .await?
        .and_then(|event| event.actor_id))
}

pub async fn ticket_of_appointment(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<ticket::Model>, DbErr> {
    ticket::Entity::find().filter(ticket::Column::AppointmentId.eq(id)).one(db).await
}

pub async fn dossier(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<dossier::Model>, DbErr> {
    dossier::Entity::find_by_id(id).one(db).await
}

pub async fn rating(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<rating::Model>, DbErr> {
    rating::Entity::find_by_id(id).one(db).await
}

pub async fn insert(db: &impl ConnectionTrait, rating: rating::Model) -> Result<(), DbErr> {
    rating::Entity::insert(rating::ActiveModel::from(rating)).exec_without_returning(db).await?;
    Ok(())
}

/// Records a decision on a pending comment; false when it was no longer pending (another
/// supervisor decided first).
pub async fn moderate(
    db: &impl ConnectionTrait,
    id: Uuid,
    decision: CommentStatus,
    reason: Option<entity::values::RejectionReason>,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use rating::Column as C;
    let result = rating::Entity::update_many()
        .col_expr(C::CommentStatus, decision.into())
        .col_expr(C::RejectionReason, reason.into())
        .col_expr(C::ModeratedBy, Some(by).into())
        .col_expr(C::ModeratedAt, Some(at).into())
        .filter(C::Id.eq(id))
        .filter(C::CommentStatus.eq(CommentStatus::Pending))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// What the supervisors' list of ratings is filtered by.
pub struct RatingFilter {
    /// The units whose ratings are listed (none: every unit).
    pub units: Option<Vec<Uuid>>,
    pub comment_status: Option<CommentStatus>,
    pub flagged: Option<bool>,
    pub overdue_at: Option<DateTime<Utc>>,
    /// Never listed: the caller's own ratings.
    pub not_about: Uuid,
}

/// A page of ratings, the most urgent moderation first (then newest).
pub async fn list(
    db: &impl ConnectionTrait,
    filter: RatingFilter,
    page: PageQuery,
) -> Result<(Vec<rating::Model>, u64), DbErr> {
    use rating::Column as C;
    let mut query = rating::Entity::find().filter(C::OfficerId.ne(filter.not_about));
    if let Some(units) = filter.units {
        // A comment belongs to the unit that moderates it; the rest to the unit rated.
        let unit_column = if filter.comment_status.is_some() { C::ModerationUnitId } else { C::UnitId };
        query = query.filter(unit_column.is_in(units));
    }
    if let Some(status) = filter.comment_status {
        query = query.filter(C::CommentStatus.eq(status));
    }
    if let Some(flagged) = filter.flagged {
        query = query.filter(C::Flagged.eq(flagged));
    }
    if let Some(now) = filter.overdue_at {
        query = query.filter(C::CommentStatus.eq(CommentStatus::Pending)).filter(C::ModerationDueAt.lt(now));
    }
    // Ratings without a comment (no moderation due) after the rest, on both engines alike.
    let query = query
        .order_by_with_nulls(C::ModerationDueAt, Order::Asc, NullOrdering::Last)
        .order_by_desc(C::RatedAt)
        .order_by_desc(C::Id);
    fetch_page(db, query, page).await
}

#[derive(Debug, FromQueryResult)]
pub struct LevelCount {
    pub officer_id: Uuid,
    pub level: RatingLevel,
    pub n: i64,
}

/// Ratings per officer and level: of one officer, or of one unit in a period.
pub async fn level_counts(
    db: &impl ConnectionTrait,
    officer: Option<Uuid>,
    unit_in_period: Option<(Uuid, DateTime<Utc>, DateTime<Utc>)>,
) -> Result<Vec<LevelCount>, DbErr> {
    use rating::Column as C;
    let mut condition = Condition::all();
    if let Some(officer) = officer {
        condition = condition.add(C::OfficerId.eq(officer));
    }
    if let Some((unit, from, until)) = unit_in_period {
        condition = condition.add(C::UnitId.eq(unit)).add(C::RatedAt.gte(from)).add(C::RatedAt.lt(until));
    }
    rating::Entity::find()
        .select_only()
        .column(C::OfficerId)
        .column(C::Level)
        .column_as(C::Id.count(), "n")
        .filter(condition)
        .group_by(C::OfficerId)
        .group_by(C::Level)
        .into_model::<LevelCount>()
        .all(db)
        .await
}

/// The latest approved comments about an officer.
pub async fn approved_comments(
    db: &impl ConnectionTrait,
    officer: Uuid,
    limit: u64,
) -> Result<Vec<rating::Model>, DbErr> {
    use rating::Column as C;
    rating::Entity::find()
        .filter(C::OfficerId.eq(officer))
        .filter(C::CommentStatus.eq(CommentStatus::Approved))
        .order_by_desc(C::RatedAt)
        .order_by_desc(C::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The active officers and supervisors of a unit.
pub async fn unit_staff(db: &impl ConnectionTrait, unit_id: Uuid) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::UnitId.eq(unit_id))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.is_in([Role::Officer, Role::Supervisor]))
        .all(db)
        .await
}
