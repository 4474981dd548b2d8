//! Queries for letters and the units' letter texts.

use chrono::{DateTime, Utc};
use entity::{dossier, letter, letter_template, values::LetterKind};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Condition, OnConflict, Query},
};
use uuid::Uuid;

use crate::pagination::{PageQuery, fetch_page};

/// The unit's own text of a kind, if it keeps one.
pub async fn template(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    kind: LetterKind,
) -> Result<Option<letter_template::Model>, DbErr> {
    letter_template::Entity::find_by_id((unit_id, kind)).one(db).await
}

/// Writes the unit's text of a kind, replacing the one it had.
pub async fn save_template(db: &impl ConnectionTrait, template: letter_template::Model) -> Result<(), DbErr> {
    use letter_template::Column as C;
    let upsert = OnConflict::columns([C::UnitId, C::Kind])
        .update_columns([C::Title, C::Body, C::SignerName, C::SignerTitle, C::UpdatedBy, C::UpdatedAt])
        .to_owned();
    letter_template::Entity::insert(letter_template::ActiveModel::from(template))
        .on_conflict(upsert)
        .exec(db)
        .await?;
    Ok(())
}

pub async fn insert(db: &impl ConnectionTrait, letter: letter::Model) -> Result<letter::Model, DbErr> {
    letter::ActiveModel::from(letter).insert(db).await
}

pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<letter::Model>, DbErr> {
    letter::Entity::find_by_id(id).one(db).await
}

/// The letter of this kind already issued on a dossier, if any.
pub async fn of_dossier(
    db: &impl ConnectionTrait,
    dossier_id: Uuid,
    kind: LetterKind,
) -> Result<Option<letter::Model>, DbErr> {
    letter::Entity::find()
        .filter(letter::Column::DossierId.eq(dossier_id))
        .filter(letter::Column::Kind.eq(kind))
        .one(db)
        .await
}

/// Letters addressed to the citizen, or issued on a dossier they follow: newest first.
fn of_citizen_condition(user_id: Uuid) -> Condition {
    Condition::any().add(letter::Column::RecipientId.eq(user_id)).add(
        letter::Column::DossierId.in_subquery(
            Query::select()
                .column(dossier::Column::Id)
                .from(dossier::Entity)
                .and_where(dossier::Column::CitizenId.eq(user_id))
                .to_owned(),
        ),
    )
}

/// Whether the citizen may read the letter: addressed to them, or on a dossier they follow.
pub async fn readable_by_citizen(db: &impl ConnectionTrait, id: Uuid, user_id: Uuid) -> Result<bool, DbErr> {
    let found = letter::Entity::find_by_id(id).filter(of_citizen_condition(user_id)).one(db).await?;
    Ok(found.is_some())
}

/// One page of the citizen's letters, newest first.
pub async fn of_citizen(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    page: PageQuery,
) -> Result<(Vec<letter::Model>, u64), DbErr> {
    let query = letter::Entity::find()
        .filter(of_citizen_condition(user_id))
        .order_by_desc(letter::Column::IssuedAt)
        .order_by_desc(letter::Column::Id);
    fetch_page(db, query, page).await
}

/// What the staff's list of letters is filtered by.
pub struct LetterFilter {
    /// The units whose letters are listed; `None`: every unit.
    pub units: Option<Vec<Uuid>>,
    pub kind: Option<LetterKind>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// One page of the units' letters, newest first.
pub async fn of_units(
    db: &impl ConnectionTrait,
    filter: LetterFilter,
    page: PageQuery,
) -> Result<(Vec<letter::Model>, u64), DbErr> {
    let mut query = letter::Entity::find();
    if let Some(units) = filter.units {
        query = query.filter(letter::Column::UnitId.is_in(units));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(letter::Column::Kind.eq(kind));
    }
    if let Some(from) = filter.from {
        query = query.filter(letter::Column::IssuedAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(letter::Column::IssuedAt.lt(to));
    }
    let query = query.order_by_desc(letter::Column::IssuedAt).order_by_desc(letter::Column::Id);
    fetch_page(db, query, page).await
}
