//! The public lookup by code and secret, and a citizen following their dossiers.

use entity::{dossier, values::ApiScope};
use poem::{Request, web::Data};
use poem_openapi::{OpenApi, param::Query, payload::Json};

use super::{
    dto::*,
    lifecycle, store,
    view::{status_label, summaries},
};
use crate::{
    auth::BearerAuth,
    domain::dossier::{MAX_CODE_CHARS, StatusRules, canonical_code, mask_name, normalize_secret},
    error::{ApiError, ApiResult},
    http::json::SerdeJson,
    integrations::access::OptionalKey,
    pagination::{Page, PageQuery},
    rate_limit::{Bucket, Policy},
    security::Origin,
    spec::ApiTags,
    state::AppState,
};

/// Whether `secret` opens the dossier found (code and stored hash), spending the same work
/// when nothing was found, so neither the answer nor its timing tells a wrong secret from an
/// unknown code.
fn secret_opens(state: &AppState, found: Option<(&str, &str)>, secret: &str) -> bool {
    let hasher = &state.keys.lookup_secrets;
    match (found, normalize_secret(secret)) {
        (Some((code, hash)), Some(secret)) => hasher.verify(code, &secret, hash),
        (Some(_), None) => false,
        (None, _) => {
            hasher.dummy_verify();
            false
        }
    }
}

/// The dossier that a code and secret open; 404 otherwise.
async fn open_with_secret(state: &AppState, code: &str, secret: &str) -> ApiResult<dossier::Model> {
    let code = canonical_code(code);
    let found =
        if code.chars().count() <= MAX_CODE_CHARS { store::by_code(&state.db, &code).await? } else { None };
    let opened =
        secret_opens(state, found.as_ref().map(|d| (d.code.as_str(), d.lookup_secret_hash.as_str())), secret);
    found.filter(|_| opened).ok_or_else(ApiError::not_found)
}

/// Counts a lookup against the limits per client address and per code.
async fn throttle_lookup(state: &AppState, req: &Request, code: &str) -> ApiResult<()> {
    let per_minute = state.config.lookup.limit_per_minute;
    let code: String = code.chars().take(MAX_CODE_CHARS).collect();
    Bucket::per_client(Policy::per_minute("lookup", per_minute), "lookup", state, req)
        .take(state, req)
        .await?;
    Bucket::new(Policy::per_minute("lookup-code", per_minute), format!("lookup:code:{code}"))
        .take(state, req)
        .await
}

/// What a code and secret open: the dossier's public view, counted against the lookup limits
/// (429 `quota_exceeded` with `Retry-After`); the same 404 for an unknown code and a wrong
/// secret. Shared by the API and the public page `/tra-cuu`, so both answer alike behind one
/// limit.
pub async fn look_up(state: &AppState, req: &Request, code: &str, secret: &str) -> ApiResult<LookupResult> {
    let code = canonical_code(code);
    throttle_lookup(state, req, &code).await?;
    let found = store::lookup_row(&state.readers.on(&state.db), &code).await?;
    let opened = secret_opens(
        state,
        found.as_ref().map(|row| (row.code.as_str(), row.lookup_secret_hash.as_str())),
        secret,
    );
    let Some(dossier) = found.filter(|_| opened) else {
        return Err(ApiError::not_found());
    };
    public_view(state, dossier).await
}

/// What anyone who may see a dossier sees: never the applicant's personal data.
pub async fn public_view(state: &AppState, dossier: store::LookupRow) -> ApiResult<LookupResult> {
    let clock_state = lifecycle::ClockState {
        status: dossier.status,
        stored_timeliness: dossier.timeliness,
        due_at: dossier.due_at,
        paused_at: dossier.paused_at,
    };
    let timeliness =
        lifecycle::current_timeliness(clock_state, state.clock.now()).unwrap_or(Timeliness::InTime);
    let names = &state.lookup_names;
    let unit = names.unit(&state.db, dossier.unit_id).await?.ok_or_else(ApiError::not_found)?;
    let procedure =
        names.procedure(&state.db, dossier.procedure_id).await?.ok_or_else(ApiError::not_found)?;
    let timeline = lifecycle::public_steps(&dossier.public_timeline)
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|step| PublicTimelineEntry {
            at: step.at,
            status: step.status,
            status_label: status_label(step.status),
            note: step.note,
            new_due_at: step.new_due_at,
        })
        .collect();
    Ok(LookupResult {
        code: dossier.code,
        status: dossier.status,
        status_code: dossier.status.code(),
        status_label: status_label(dossier.status),
        procedure,
        unit,
        applicant: mask_name(&dossier.applicant_name),
        received_at: dossier.received_at,
        due_at: dossier.due_at,
        completed_at: dossier.completed_at,
        returned_at: dossier.returned_at,
        timeliness,
        timeline,
    })
}

pub struct LookupApi;

#[OpenApi(tag = "ApiTags::Lookup")]
impl LookupApi {
    /// Look up a dossier by its code and secret
    ///
    /// For anyone holding the receipt: status, procedure, unit, dates, timeliness and the
    /// public timeline — never the applicant's personal data. A wrong secret and an unknown
    /// code get the same 404. Limited per client address and per code (429 `quota_exceeded`
    /// with `Retry-After`).
    ///
    /// Key scope `dossiers.read`, optional: a portal may look up on a citizen's behalf with its
    /// key, which must then be valid and hold the scope; the secret is still needed.
    #[oai(path = "/dossiers/lookup", method = "post", operation_id = "look_up_dossier")]
    async fn lookup(
        &self,
        state: Data<&AppState>,
        req: &Request,
        key: OptionalKey,
        body: Json<LookupRequest>,
    ) -> ApiResult<SerdeJson<LookupResult>> {
        key.require(ApiScope::DossiersRead)?;
        Ok(SerdeJson(look_up(&state, req, &body.code, &body.secret).await?))
    }
}

pub struct MyDossiersApi;

#[OpenApi(tag = "ApiTags::Me")]
impl MyDossiersApi {
    /// Follow a dossier
    ///
    /// Links the dossier of this code and secret to the citizen's account, so its status
    /// changes reach the inbox and the citizen sees the applicant's data unmasked. Only the
    /// applicant's own phone may: an account with another phone gets 403
    /// `claim_phone_mismatch` (the one-stop desk can link the dossier after checking an
    /// identity document). Claiming again is harmless; a dossier another account follows gets
    /// 409.
    #[oai(path = "/me/dossiers/claim", method = "post", operation_id = "claim_dossier")]
    async fn claim(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        req: &Request,
        body: Json<LookupRequest>,
    ) -> ApiResult<Json<DossierSummary>> {
        auth.0.require_citizen()?;
        auth.0.require_verified_phone()?;
        throttle_lookup(&state, req, &body.code).await?;
        let dossier = open_with_secret(&state, body.code.trim(), &body.secret).await?;
        super::claims::claim(&state, &Origin::of(&state, req), auth.0.id, &dossier).await?;
        let mut items = summaries(&state, vec![dossier]).await?;
        items.pop().map(Json).ok_or_else(ApiError::not_found)
    }

    /// My dossiers
    ///
    /// The dossiers the citizen follows, latest received first.
    #[oai(path = "/me/dossiers", method = "get", operation_id = "list_my_dossiers")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Items per page (default 20, at most 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<i64>>,
    ) -> ApiResult<Json<Page<DossierSummary>>> {
        auth.0.require_citizen()?;
        let filter =
            store::Worklist { citizen_id: Some(auth.0.id), newest_first: true, ..Default::default() };
        let page = PageQuery::new(page.0, per_page.0);
        let (dossiers, total) = store::worklist(&state.db, &filter, page).await?;
        Ok(Json(Page::new(summaries(&state, dossiers).await?, page, total)))
    }
}
