//! Queries for procedures: search, detail, and the batched upsert that the API, the import
//! and the demo data all write through.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    legal_document, procedure, procedure_legal_basis, procedure_unit, unit, values::ProcedureLevel,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
    sea_query::{Expr, OnConflict, Query},
};
use uuid::Uuid;

use super::validate::{References, ValidProcedure};
use crate::{
    domain::text::fold,
    pagination::{PageQuery, fetch_page},
    search::{Candidate, contains_every_term, in_order_of, rank_page},
};

/// Procedures per statement: 21 columns each stays well under SQLite's 32,766 bound parameters.
pub const UPSERT_BATCH: usize = 500;

/// The folded text a search looks in: code, names and field.
fn search_text(p: &ValidProcedure) -> String {
    fold(&format!("{} {} {} {}", p.code, p.name, p.name_en.as_deref().unwrap_or_default(), p.field))
}

/// Inserts procedures or replaces them by code (bumping `version`), with their units and
/// legal bases. Call it inside a transaction: a batch is several statements.
pub async fn upsert_procedures(
    db: &impl ConnectionTrait,
    procedures: &[ValidProcedure],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for batch in procedures.chunks(UPSERT_BATCH) {
        upsert_batch(db, batch, now).await?;
    }
    Ok(())
}

async fn upsert_batch(
    db: &impl ConnectionTrait,
    batch: &[ValidProcedure],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use procedure::Column as C;
    let rows = batch.iter().map(|p| procedure::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(p.code.clone()),
        name: Set(p.name.clone()),
        name_en: Set(p.name_en.clone()),
        field: Set(p.field.clone()),
        field_folded: Set(fold(&p.field)),
        level: Set(p.level),
        processing_half_days: Set(p.processing_time.half_days() as i32),
        fee_vnd: Set(p.fee_vnd),
        fee_note: Set(p.fee_note.clone()),
        documents: Set(p.documents.clone()),
        steps: Set(p.steps.clone()),
        result: Set(p.result.clone()),
        online_submission: Set(p.online_submission),
        letter_on_completion: Set(p.letter_on_completion),
        description: Set(p.description.clone()),
        active: Set(p.active),
        search_text: Set(search_text(p)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    });
    let replace = OnConflict::column(C::Code)
        .update_columns([
            C::Name,
            C::NameEn,
            C::Field,
            C::FieldFolded,
            C::Level,
            C::ProcessingHalfDays,
            C::FeeVnd,
            C::FeeNote,
            C::Documents,
            C::Steps,
            C::Result,
            C::OnlineSubmission,
            C::LetterOnCompletion,
            C::Description,
            C::Active,
            C::SearchText,
            C::UpdatedAt,
        ])
        .value(C::Version, Expr::col((procedure::Entity, C::Version)).add(1))
        .to_owned();
    procedure::Entity::insert_many(rows).on_conflict(replace).exec_without_returning(db).await?;

    let codes: Vec<&str> = batch.iter().map(|p| p.code.as_str()).collect();
    let ids: HashMap<String, Uuid> = procedure::Entity::find()
        .select_only()
        .columns([C::Code, C::Id])
        .filter(C::Code.is_in(codes))
        .into_tuple::<(String, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let id_list: Vec<Uuid> = ids.values().copied().collect();
    procedure_unit::Entity::delete_many()
        .filter(procedure_unit::Column::ProcedureId.is_in(id_list.clone()))
        .exec(db)
        .await?;
    procedure_legal_basis::Entity::delete_many()
        .filter(procedure_legal_basis::Column::ProcedureId.is_in(id_list))
        .exec(db)
        .await?;
    let id_of = |p: &ValidProcedure| ids.get(&p.code).copied();
    let unit_links: Vec<procedure_unit::ActiveModel> = batch
        .iter()
        .filter_map(|p| Some((id_of(p)?, &p.unit_ids)))
        .flat_map(|(procedure_id, units)| {
            units.iter().map(move |unit_id| procedure_unit::ActiveModel {
                procedure_id: Set(procedure_id),
                unit_id: Set(*unit_id),
            })
        })
        .collect();
    if !unit_links.is_empty() {
        procedure_unit::Entity::insert_many(unit_links).exec_without_returning(db).await?;
    }
    let basis_links: Vec<procedure_legal_basis::ActiveModel> = batch
        .iter()
        .filter_map(|p| Some((id_of(p)?, &p.legal_document_ids)))
        .flat_map(|(procedure_id, documents)| {
            documents.iter().map(move |document_id| procedure_legal_basis::ActiveModel {
                procedure_id: Set(procedure_id),
                legal_document_id: Set(*document_id),
            })
        })
        .collect();
    if !basis_links.is_empty() {
        procedure_legal_basis::Entity::insert_many(basis_links).exec_without_returning(db).await?;
    }
    Ok(())
}

/// The units and legal documents that these unit codes and document numbers name.
pub async fn references<'a>(
    db: &impl ConnectionTrait,
    unit_codes: impl IntoIterator<Item = &'a str>,
    numbers: impl IntoIterator<Item = &'a str>,
) -> Result<References, DbErr> {
    let unit_codes: Vec<String> =
        unit_codes.into_iter().map(|c| c.trim().to_owned()).collect::<HashSet<_>>().into_iter().collect();
    let numbers: Vec<String> =
        numbers.into_iter().map(|n| n.trim().to_owned()).collect::<HashSet<_>>().into_iter().collect();
    let mut references = References::default();
    for codes in unit_codes.chunks(UPSERT_BATCH) {
        let found = unit::Entity::find().filter(unit::Column::Code.is_in(codes.to_vec())).all(db).await?;
        references.units.extend(found.into_iter().map(|u| (u.code, u.id)));
    }
    for numbers in numbers.chunks(UPSERT_BATCH) {
        let found = legal_document::Entity::find()
            .filter(legal_document::Column::Number.is_in(numbers.to_vec()))
            .all(db)
            .await?;
        references.legal_documents.extend(found.into_iter().map(|d| (d.number, d.id)));
    }
    Ok(references)
}

pub async fn procedure_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<procedure::Model>, DbErr> {
    procedure::Entity::find_by_id(id).one(db).await
}

/// Whether the unit offers the procedure (takes in its dossiers).
pub async fn procedure_offered_by(
    db: &impl ConnectionTrait,
    procedure_id: Uuid,
    unit_id: Uuid,
) -> Result<bool, DbErr> {
    Ok(entity::procedure_unit::Entity::find_by_id((procedure_id, unit_id)).one(db).await?.is_some())
}

pub async fn procedure_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<procedure::Model>, DbErr> {
    procedure::Entity::find().filter(procedure::Column::Code.eq(code)).one(db).await
}

/// The active procedure of this code, if the unit offers it, in one query.
pub async fn offered_procedure(
    db: &impl ConnectionTrait,
    code: &str,
    unit_id: Uuid,
) -> Result<Option<procedure::Model>, DbErr> {
    procedure::Entity::find()
        .filter(procedure::Column::Code.eq(code))
        .filter(procedure::Column::Active.eq(true))
        .filter(
            procedure::Column::Id.in_subquery(
                Query::select()
                    .column(procedure_unit::Column::ProcedureId)
                    .from(procedure_unit::Entity)
                    .and_where(procedure_unit::Column::UnitId.eq(unit_id))
                    .to_owned(),
            ),
        )
        .one(db)
        .await
}

/// The unit of this code, with the id of its active procedure of `procedure_code` when it
/// offers one, in one query (booking reads both on every request).
pub async fn unit_offering(
    db: &impl ConnectionTrait,
    unit_code: &str,
    procedure_code: &str,
) -> Result<Option<(unit::Model, Option<Uuid>)>, DbErr> {
    let offered = Query::select()
        .column((procedure::Entity, procedure::Column::Id))
        .from(procedure::Entity)
        .inner_join(
            procedure_unit::Entity,
            Expr::col((procedure_unit::Entity, procedure_unit::Column::ProcedureId))
                .equals((procedure::Entity, procedure::Column::Id)),
        )
        .and_where(procedure::Column::Code.eq(procedure_code))
        .and_where(procedure::Column::Active.eq(true))
        .and_where(
            Expr::col((procedure_unit::Entity, procedure_unit::Column::UnitId))
                .equals((unit::Entity, unit::Column::Id)),
        )
        .to_owned();
    let statement = unit::Entity::find()
        .filter(unit::Column::Code.eq(unit_code))
        .expr_as(Expr::SubQuery(None, Box::new(offered.into())), "offered_procedure_id")
        .build(db.get_database_backend());
    let Some(row) = db.query_one_raw(statement).await? else { return Ok(None) };
    Ok(Some((unit::Model::from_query_result(&row, "")?, row.try_get("", "offered_procedure_id")?)))
}

/// The units that handle a procedure: (id, code), sorted by code.
pub async fn units_of(db: &impl ConnectionTrait, procedure_id: Uuid) -> Result<Vec<(Uuid, String)>, DbErr> {
    unit::Entity::find()
        .select_only()
        .columns([unit::Column::Id, unit::Column::Code])
        .filter(
            unit::Column::Id.in_subquery(
                Query::select()
                    .column(procedure_unit::Column::UnitId)
                    .from(procedure_unit::Entity)
                    .and_where(procedure_unit::Column::ProcedureId.eq(procedure_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(unit::Column::Code)
        .into_tuple()
        .all(db)
        .await
}

/// The legal documents a procedure is based on, sorted by number.
pub async fn legal_basis_of(
    db: &impl ConnectionTrait,
    procedure_id: Uuid,
) -> Result<Vec<legal_document::Model>, DbErr> {
    legal_document::Entity::find()
        .filter(
            legal_document::Column::Id.in_subquery(
                Query::select()
                    .column(procedure_legal_basis::Column::LegalDocumentId)
                    .from(procedure_legal_basis::Entity)
                    .and_where(procedure_legal_basis::Column::ProcedureId.eq(procedure_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(legal_document::Column::Number)
        .all(db)
        .await
}

/// Which active procedures a public search lists.
pub struct ProcedureFilter {
    /// Only those handled by this unit.
    pub unit_id: Option<Uuid>,
    /// Only this field, folded.
    pub field_folded: Option<String>,
    /// Only this level.
    pub level: Option<ProcedureLevel>,
}

/// One page of active procedures matching the filter and every folded term (ranked by
/// relevance), or sorted by code without terms; and how many match in all.
pub async fn search_procedures(
    db: &impl ConnectionTrait,
    filter: ProcedureFilter,
    terms: &[String],
    page: u64,
    per_page: u64,
) -> Result<(Vec<procedure::Model>, u64), DbErr> {
    let mut query = procedure::Entity::find()
        .filter(procedure::Column::Active.eq(true))
        .order_by_asc(procedure::Column::Code);
    if let Some(unit_id) = filter.unit_id {
        query = query.filter(
            procedure::Column::Id.in_subquery(
                Query::select()
                    .column(procedure_unit::Column::ProcedureId)
                    .from(procedure_unit::Entity)
                    .and_where(procedure_unit::Column::UnitId.eq(unit_id))
                    .to_owned(),
            ),
        );
    }
    if let Some(field) = filter.field_folded {
        query = query.filter(procedure::Column::FieldFolded.eq(field));
    }
    if let Some(level) = filter.level {
        query = query.filter(procedure::Column::Level.eq(level));
    }
    if !terms.is_empty() {
        let candidates: Vec<Candidate> = query
            .select_only()
            .columns([procedure::Column::Id, procedure::Column::Name, procedure::Column::SearchText])
            .filter(contains_every_term(procedure::Column::SearchText, terms))
            .into_tuple()
            .all(db)
            .await?;
        let (ids, total) = rank_page(candidates, terms, page, per_page);
        let rows = procedure::Entity::find().filter(procedure::Column::Id.is_in(ids.clone())).all(db).await?;
        return Ok((in_order_of(&ids, rows, |p| p.id), total));
    }
    fetch_page(db, query, PageQuery { page, per_page }).await
}
