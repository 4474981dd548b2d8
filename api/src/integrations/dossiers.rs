//! What a key does with dossiers: submit one online, read one of its units without the
//! citizen's secret, follow the changes.

use entity::values::{ApiScope, OnlineSubmission};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
    types::ToJSON,
};

use super::{
    auth::ApiKeyAuth,
    dto::{DossierChange, DossierChanges, OnlineDossier},
    feed::{self, Position},
};
use crate::{
    domain::dossier::{canonical_code, generate_secret},
    dossiers::{
        dto::Receipt,
        intake::{NewDossier, Received, listed_documents, offered_procedure, store_new},
        lookup::public_view,
        lookup_dto::LookupResult,
        store::lookup_row,
        view::receipt_of,
    },
    error::{ApiError, ApiResult},
    http::json::SerdeJson,
    idempotency::{IdempotencyKey, run_once},
    pagination,
    spec::ApiTags,
    state::AppState,
    units::store::unit_by_code,
};

#[derive(ApiResponse)]
pub enum Submitted {
    /// Submitted: the dossier's code and lookup secret (for the citizen's receipt), status
    /// `newly_submitted`. A replay of the first answer to this `Idempotency-Key` carries
    /// `Idempotency-Replayed: true` and the same dossier.
    #[oai(status = 201)]
    Created(
        Json<Receipt>,
        /// `true` when this is the first answer again, replayed for a retry.
        #[oai(header = "Idempotency-Replayed")]
        Option<String>,
    ),
}

pub struct IntegrationDossiersApi;

#[OpenApi(tag = "ApiTags::Integrations")]
impl IntegrationDossiersApi {
    /// Submit a dossier online
    ///
    /// Key scope `dossiers.write`. A portal's online submission to a unit of the key: checked
    /// as a desk intake is, numbered in the unit's series, status `newly_submitted` until an
    /// officer accepts it. Needs an `Idempotency-Key` (kept 24 h, per API key): a retry after
    /// a timeout with the same key and body gets the same dossier, never a second one.
    #[oai(path = "/integrations/dossiers", method = "post", operation_id = "submit_dossier_online")]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: ApiKeyAuth,
        /// A key of the client's choosing, new for each submission (a UUID serves).
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<String>,
        body: Json<OnlineDossier>,
    ) -> ApiResult<Submitted> {
        let integrator = auth.0;
        integrator.require(ApiScope::DossiersWrite)?;
        let request = body.0.as_intake();
        let unit = unit_by_code(&state.db, &body.unit_code.to_ascii_uppercase())
            .await?
            .filter(|unit| integrator.units.contains(unit.id))
            .ok_or_else(ApiError::not_found)?;
        let procedure = offered_procedure(&state, &unit, &request.procedure_code).await?;
        if procedure.online_submission == OnlineSubmission::DeskOnly {
            return Err(ApiError::invalid_field(
                "procedure_code",
                "Thủ tục này chỉ nộp trực tiếp tại bộ phận một cửa.",
                "This procedure is submitted only at the desk.",
            ));
        }
        let new =
            NewDossier::parse(&request, &listed_documents(&procedure)?).map_err(ApiError::validation)?;
        let fingerprint = body.0.to_json();
        let key =
            IdempotencyKey::new(integrator.key_id, &idempotency_key, "submit_dossier_online", &fingerprint);
        let secret = generate_secret();
        let outcome = run_once(&state.writer, &key, state.clock.now(), async |tx| {
            let received = Received { unit: &unit, procedure: &procedure, new, officer: None };
            let dossier = store_new(tx, &state, received, &secret).await?;
            receipt_of(&state, &dossier, Some(secret.clone())).await
        })
        .await?;
        Ok(Submitted::Created(Json(outcome.value), outcome.replayed.then(|| "true".to_owned())))
    }

    /// Follow dossier changes
    ///
    /// Key scope `dossiers.read`. Creations and changes of status of the key's units' dossiers,
    /// oldest first, after `cursor` (from the beginning without one). Keep the `next_cursor`
    /// of each answer and pass it next time: the feed never skips a change, also one that
    /// commits after a later one; a change may show a moment after it happened.
    #[oai(path = "/integrations/dossiers/changes", method = "get", operation_id = "list_dossier_changes")]
    async fn changes(
        &self,
        state: Data<&AppState>,
        auth: ApiKeyAuth,
        /// `next_cursor` of the answer before; absent to start from the beginning.
        #[oai(validator(max_length = 200))]
        cursor: Query<Option<String>>,
        /// Changes per answer (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> ApiResult<Json<DossierChanges>> {
        auth.0.require(ApiScope::DossiersRead)?;
        let after = cursor.0.as_deref().map(Position::decode).transpose()?.unwrap_or_default();
        let rows = feed::changes_after(&state.db, &auth.0.units, after, pagination::limit(limit.0)).await?;
        let next_cursor = rows.last().map_or(after, Position::after).encode();
        let items = rows
            .into_iter()
            .map(|row| {
                let mut change: serde_json::Value =
                    serde_json::from_str(&row.data).map_err(ApiError::internal)?;
                change["id"] = serde_json::json!(row.id);
                change["type"] = serde_json::json!(row.event_type);
                change["at"] = serde_json::json!(row.created_at);
                serde_json::from_value::<DossierChange>(change).map_err(ApiError::internal)
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(Json(DossierChanges { items, next_cursor }))
    }

    /// Read a dossier of the key's units
    ///
    /// Key scope `dossiers.read`. The dossier's public view, as the lookup shows it, without
    /// the citizen's secret: status, procedure, unit, dates, timeliness, public timeline; never
    /// the applicant's personal data. A dossier of another unit is 404.
    #[oai(path = "/integrations/dossiers/:code", method = "get", operation_id = "get_integration_dossier")]
    async fn dossier(
        &self,
        state: Data<&AppState>,
        auth: ApiKeyAuth,
        /// The dossier's code.
        code: Path<String>,
    ) -> ApiResult<SerdeJson<LookupResult>> {
        auth.0.require(ApiScope::DossiersRead)?;
        let dossier = lookup_row(&state.db, &canonical_code(&code))
            .await?
            .filter(|dossier| auth.0.units.contains(dossier.unit_id))
            .ok_or_else(ApiError::not_found)?;
        Ok(SerdeJson(public_view(&state, dossier).await?))
    }
}
