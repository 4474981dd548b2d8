use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

use super::{
    dto::{LegalBasis, Procedure, ProcedureInput, ProcedureLevel, ProcedureSummary},
    store, validate,
};
use crate::{
    auth::{BearerAuth, Caller, Role, UnitScope, scope_of},
    db::write_transaction,
    domain::{
        calendar::ProcessingTime,
        text::{fold, search_terms},
    },
    error::{ApiError, ApiResult, FieldError},
    http::etag::{Cached, cached},
    integrations::access::OptionalKey,
    pagination::{Page, clamp},
    problems,
    spec::ApiTags,
    state::AppState,
    units::store::unit_by_code,
};
use entity::values::ApiScope;

#[derive(ApiResponse)]
pub enum ProcedureCreated {
    /// The procedure was added to the catalogue.
    #[oai(status = 201)]
    Created(Json<Procedure>),
}

fn days(half_days: i32) -> f64 {
    ProcessingTime::from_half_days(half_days.max(0) as u32).days()
}

fn summary(p: entity::procedure::Model) -> ProcedureSummary {
    ProcedureSummary {
        level: p.level,
        online_submission: p.online_submission,
        processing_days: days(p.processing_half_days),
        code: p.code,
        name: p.name,
        name_en: p.name_en,
        field: p.field,
        fee_vnd: p.fee_vnd,
    }
}

/// A procedure in full, or 404.
async fn procedure_view(db: &impl sea_orm::ConnectionTrait, code: &str) -> ApiResult<Procedure> {
    let p = store::procedure_by_code(db, code).await?.ok_or_else(ApiError::not_found)?;
    let unit_codes = store::units_of(db, p.id).await?.into_iter().map(|(_, code)| code).collect();
    let legal_basis = store::legal_basis_of(db, p.id)
        .await?
        .into_iter()
        .map(|d| LegalBasis { id: d.id, number: d.number, title: d.title, url: d.url })
        .collect();
    Ok(Procedure {
        level: p.level,
        online_submission: p.online_submission,
        letter_on_completion: p.letter_on_completion,
        processing_days: days(p.processing_half_days),
        documents: serde_json::from_str(&p.documents).map_err(ApiError::internal)?,
        steps: serde_json::from_str(&p.steps).map_err(ApiError::internal)?,
        unit_codes,
        legal_basis,
        code: p.code,
        name: p.name,
        name_en: p.name_en,
        field: p.field,
        fee_vnd: p.fee_vnd,
        fee_note: p.fee_note,
        result: p.result,
        description: p.description,
        active: p.active,
        updated_at: p.updated_at,
    })
}

/// Whether the write creates a procedure or replaces the one at a code.
enum Write<'a> {
    Create,
    Replace(&'a str),
}

/// Creates or replaces a procedure. Supervisors may only write procedures all of whose units
/// (before and after) are theirs: someone else's procedure is 404, placing one at a unit that
/// is not theirs (or at none) is 403. Administrators may write any.
async fn write_procedure(
    state: &AppState,
    caller: &Caller,
    input: &ProcedureInput,
    write: Write<'_>,
) -> ApiResult<()> {
    caller.require_staff(Role::Supervisor)?;
    let scope = scope_of(&state.db, caller).await?;
    let now = state.clock.now();
    write_transaction(&state.writer, async |tx| write_procedure_in(tx, &scope, input, write, now).await).await
}

async fn write_procedure_in(
    txn: &impl sea_orm::ConnectionTrait,
    scope: &UnitScope,
    input: &ProcedureInput,
    write: Write<'_>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let within_scope = |units: &[uuid::Uuid]| {
        *scope == UnitScope::All || (!units.is_empty() && units.iter().all(|u| scope.contains(*u)))
    };
    let existing = store::procedure_by_code(txn, input.code.trim()).await?;
    match (&write, &existing) {
        (Write::Create, Some(_)) => return Err(ApiError::of(&problems::PROCEDURE_EXISTS)),
        (Write::Replace(code), _) if *code != input.code.trim() => {
            return Err(ApiError::validation(vec![FieldError::new(
                "code",
                "Mã thủ tục phải trùng với mã trong đường dẫn.",
                "The code must be the one in the path.",
            )]));
        }
        (Write::Replace(_), None) => return Err(ApiError::not_found()),
        _ => {}
    }
    if let Some(existing) = &existing {
        let units: Vec<uuid::Uuid> =
            store::units_of(txn, existing.id).await?.into_iter().map(|(id, _)| id).collect();
        if !within_scope(&units) {
            return Err(ApiError::not_found());
        }
    }
    let references = store::references(
        txn,
        input.unit_codes.iter().map(|code| code.as_str()),
        input.legal_basis.iter().map(|number| number.as_str()),
    )
    .await?;
    let valid = validate::procedure(input, &references).map_err(ApiError::validation)?;
    if !within_scope(&valid.unit_ids) {
        return Err(ApiError::forbidden());
    }
    store::upsert_procedures(txn, &[valid], now).await?;
    Ok(())
}

pub struct ProceduresApi;

#[OpenApi(tag = "ApiTags::Procedures")]
impl ProceduresApi {
    /// Search the procedure catalogue
    ///
    /// Active procedures. `q` matches code, name, English name and field with or without
    /// diacritics and in any case (`dang ky khai sinh`, `ĐĂNG KÝ` and `dăng ky` all find
    /// "Đăng ký khai sinh"); results are ranked by relevance, or sorted by code without `q`.
    /// Filters: `unit` (handled by that unit), `field`, `level`. Answers `If-None-Match` with 304.
    ///
    /// Key scope `catalogue.read`, optional: a key sent must be valid and hold the scope.
    #[oai(path = "/procedures", method = "get", operation_id = "list_procedures")]
    #[allow(clippy::too_many_arguments)]
    async fn list_procedures(
        &self,
        state: Data<&AppState>,
        key: OptionalKey,
        /// Words to find.
        q: Query<Option<String>>,
        /// Only procedures handled by the unit with this code.
        unit: Query<Option<String>>,
        /// Only procedures of this field (compared without diacritics or case).
        field: Query<Option<String>>,
        /// Only procedures of this level.
        level: Query<Option<ProcedureLevel>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
        /// The `ETag` of the copy the client holds.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<Cached<Page<ProcedureSummary>>> {
        key.require(ApiScope::CatalogueRead)?;
        let (page, per_page) = clamp(page.0, per_page.0);
        let unit_id = match unit.0 {
            Some(code) => match unit_by_code(&state.db, &code).await? {
                Some(unit) => Some(unit.id),
                None => {
                    return Ok(cached(
                        Page { items: Vec::new(), page, per_page, total: 0 },
                        if_none_match.as_deref(),
                    ));
                }
            },
            None => None,
        };
        let filter =
            store::ProcedureFilter { unit_id, field_folded: field.0.as_deref().map(fold), level: level.0 };
        let terms = search_terms(q.0.as_deref().unwrap_or_default());
        let (procedures, total) = store::search_procedures(&state.db, filter, &terms, page, per_page).await?;
        let items = procedures.into_iter().map(summary).collect();
        Ok(cached(Page { items, page, per_page, total }, if_none_match.as_deref()))
    }

    /// Read a procedure
    ///
    /// Everything a citizen needs: documents to bring, fee, processing time, steps, result,
    /// legal basis, the units that handle it. Answers `If-None-Match` with 304.
    ///
    /// Key scope `catalogue.read`, optional: a key sent must be valid and hold the scope.
    #[oai(path = "/procedures/:code", method = "get", operation_id = "get_procedure")]
    async fn get_procedure(
        &self,
        state: Data<&AppState>,
        key: OptionalKey,
        /// The procedure's code.
        code: Path<String>,
        /// The `ETag` of the copy the client holds.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<Cached<Procedure>> {
        key.require(ApiScope::CatalogueRead)?;
        Ok(cached(procedure_view(&state.db, &code).await?, if_none_match.as_deref()))
    }

    /// Add a procedure
    ///
    /// Supervisors for the units they manage, administrators for any. Unknown unit codes or
    /// legal document numbers are 422 naming the field; an existing code is 409 `procedure_exists`.
    #[oai(path = "/procedures", method = "post", operation_id = "create_procedure")]
    async fn create_procedure(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ProcedureInput>,
    ) -> ApiResult<ProcedureCreated> {
        write_procedure(&state, &auth.0, &body, Write::Create).await?;
        Ok(ProcedureCreated::Created(Json(procedure_view(&state.db, body.code.trim()).await?)))
    }

    /// Replace a procedure
    ///
    /// The whole procedure; its `code` must be the one in the path. Same rights and rules as adding.
    #[oai(path = "/procedures/:code", method = "put", operation_id = "replace_procedure")]
    async fn replace_procedure(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The procedure's code.
        code: Path<String>,
        body: Json<ProcedureInput>,
    ) -> ApiResult<Json<Procedure>> {
        write_procedure(&state, &auth.0, &body, Write::Replace(&code)).await?;
        Ok(Json(procedure_view(&state.db, &code).await?))
    }
}
