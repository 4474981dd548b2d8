use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    dto::{LegalDocument, LegalDocumentKind, NewLegalDocument},
    store,
};
use crate::{
    auth::{BearerAuth, Role},
    domain::text::search_terms,
    error::{ApiError, ApiResult},
    http::etag::{Cached, cached},
    integrations::access::OptionalKey,
    pagination::{Page, clamp},
    procedures::validate::{optional_text, required_text, url},
    spec::ApiTags,
    state::AppState,
};
use entity::values::ApiScope;

#[derive(ApiResponse)]
pub enum LegalDocumentCreated {
    /// The document was added to the catalogue.
    #[oai(status = 201)]
    Created(Json<LegalDocument>),
}

pub fn legal_document_view(document: entity::legal_document::Model) -> LegalDocument {
    LegalDocument {
        id: document.id,
        kind: document.kind,
        number: document.number,
        title: document.title,
        issuer: document.issuer,
        issued_on: document.issued_on,
        effective_on: document.effective_on,
        url: document.url,
    }
}

/// Checks a new document and records it; used by the API and the demo data alike.
pub async fn add_legal_document(
    db: &impl sea_orm::ConnectionTrait,
    input: &NewLegalDocument,
    now: DateTime<Utc>,
) -> ApiResult<entity::legal_document::Model> {
    let mut errors = Vec::new();
    let number = required_text("number", &input.number, 50, &mut errors);
    let title = required_text("title", &input.title, 1000, &mut errors);
    let issuer = required_text("issuer", &input.issuer, 200, &mut errors);
    let link = optional_text("url", input.url.as_deref(), 2000, &mut errors);
    if let Some(link) = &link {
        url("url", link, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let new = store::NewLegalDocument {
        number: &number,
        title: &title,
        kind: input.kind,
        issuer: &issuer,
        issued_on: input.issued_on,
        effective_on: input.effective_on,
        url: link.as_deref(),
    };
    Ok(store::insert_legal_document(db, new, now).await?)
}

pub struct LegalDocumentsApi;

#[OpenApi(tag = "ApiTags::LegalDocuments")]
impl LegalDocumentsApi {
    /// Search legal documents
    ///
    /// `q` matches the number and title with or without diacritics, in any case; results are
    /// ranked by relevance, or sorted by number without `q`. Answers `If-None-Match` with 304.
    ///
    /// Key scope `catalogue.read`, optional: a key sent must be valid and hold the scope.
    #[oai(path = "/legal-documents", method = "get", operation_id = "list_legal_documents")]
    // poem-openapi takes each query parameter as an argument of its own.
    #[allow(clippy::too_many_arguments)]
    async fn list_legal_documents(
        &self,
        state: Data<&AppState>,
        key: OptionalKey,
        /// Words to find in the number or title.
        q: Query<Option<String>>,
        /// Only documents of this kind.
        kind: Query<Option<LegalDocumentKind>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
        /// The `ETag` of the copy the client holds.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<Cached<Page<LegalDocument>>> {
        key.require(ApiScope::CatalogueRead)?;
        let (page, per_page) = clamp(page.0, per_page.0);
        let terms = search_terms(q.0.as_deref().unwrap_or_default());
        let (documents, total) =
            store::search_legal_documents(&state.db, kind.0, &terms, page, per_page).await?;
        let items = documents.into_iter().map(legal_document_view).collect();
        Ok(cached(Page { items, page, per_page, total }, if_none_match.as_deref()))
    }

    /// Read a legal document
    ///
    /// Answers `If-None-Match` with 304.
    ///
    /// Key scope `catalogue.read`, optional: a key sent must be valid and hold the scope.
    #[oai(path = "/legal-documents/:id", method = "get", operation_id = "get_legal_document")]
    async fn get_legal_document(
        &self,
        state: Data<&AppState>,
        key: OptionalKey,
        /// The document's id.
        id: Path<Uuid>,
        /// The `ETag` of the copy the client holds.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<Cached<LegalDocument>> {
        key.require(ApiScope::CatalogueRead)?;
        let document = store::legal_document_by_id(&state.db, id.0).await?.ok_or_else(ApiError::not_found)?;
        Ok(cached(legal_document_view(document), if_none_match.as_deref()))
    }

    /// Add a legal document
    ///
    /// Administrators only. The number is unique (409 `legal_document_exists`).
    #[oai(path = "/legal-documents", method = "post", operation_id = "create_legal_document")]
    async fn create_legal_document(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewLegalDocument>,
    ) -> ApiResult<LegalDocumentCreated> {
        auth.0.require_staff(Role::Admin)?;
        let document = add_legal_document(&state.db, &body, state.clock.now()).await?;
        Ok(LegalDocumentCreated::Created(Json(legal_document_view(document))))
    }
}
