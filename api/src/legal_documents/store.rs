//! Queries for legal documents.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{legal_document, values::LegalDocumentKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::{
    domain::text::fold,
    pagination::{PageQuery, fetch_page},
    search::{Candidate, contains_every_term, in_order_of, rank_page},
};

/// A legal document to record, already validated.
pub struct NewLegalDocument<'a> {
    pub number: &'a str,
    pub title: &'a str,
    pub kind: LegalDocumentKind,
    pub issuer: &'a str,
    pub issued_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    pub url: Option<&'a str>,
}

pub async fn insert_legal_document(
    db: &impl ConnectionTrait,
    new: NewLegalDocument<'_>,
    now: DateTime<Utc>,
) -> Result<legal_document::Model, DbErr> {
    legal_document::ActiveModel {
        id: Set(Uuid::now_v7()),
        number: Set(new.number.to_owned()),
        title: Set(new.title.to_owned()),
        kind: Set(new.kind),
        issuer: Set(new.issuer.to_owned()),
        issued_on: Set(new.issued_on),
        effective_on: Set(new.effective_on),
        url: Set(new.url.map(str::to_owned)),
        search_text: Set(fold(&format!("{} {}", new.number, new.title))),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
}

pub async fn legal_document_by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<legal_document::Model>, DbErr> {
    legal_document::Entity::find_by_id(id).one(db).await
}

pub async fn legal_document_by_number(
    db: &impl ConnectionTrait,
    number: &str,
) -> Result<Option<legal_document::Model>, DbErr> {
    legal_document::Entity::find().filter(legal_document::Column::Number.eq(number)).one(db).await
}

/// One page of legal documents of `kind` matching every folded term (ranked), or sorted by
/// number without terms; and how many match in all.
pub async fn search_legal_documents(
    db: &impl ConnectionTrait,
    kind: Option<LegalDocumentKind>,
    terms: &[String],
    page: u64,
    per_page: u64,
) -> Result<(Vec<legal_document::Model>, u64), DbErr> {
    let mut query = legal_document::Entity::find().order_by_asc(legal_document::Column::Number);
    if let Some(kind) = kind {
        query = query.filter(legal_document::Column::Kind.eq(kind));
    }
    if !terms.is_empty() {
        let candidates: Vec<Candidate> = query
            .select_only()
            .columns([
                legal_document::Column::Id,
                legal_document::Column::Title,
                legal_document::Column::SearchText,
            ])
            .filter(contains_every_term(legal_document::Column::SearchText, terms))
            .into_tuple()
            .all(db)
            .await?;
        let (ids, total) = rank_page(candidates, terms, page, per_page);
        let rows = legal_document::Entity::find()
            .filter(legal_document::Column::Id.is_in(ids.clone()))
            .all(db)
            .await?;
        return Ok((in_order_of(&ids, rows, |d| d.id), total));
    }
    fetch_page(db, query, PageQuery { page, per_page }).await
}
