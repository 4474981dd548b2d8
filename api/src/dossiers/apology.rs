//! The apology slip (Mẫu 04 of Circular 01/2018/TT-VPCP, "phiếu xin lỗi và hẹn lại ngày trả
//! kết quả"): an apology takes the next number of its unit's series for the year inside its
//! transaction, and prints on A4 from `templates/apology_slip.html`.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use entity::{dossier, dossier_event, unit};
use poem::web::Data;
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Html};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use uuid::Uuid;

use super::{
    dto::DossierEventKind,
    lifecycle, store,
    view::{dossier_in_scope, unit_of},
};
use crate::{
    auth::BearerAuth,
    calendar::store::working_calendar,
    documents::{
        self, Letterhead, LocalTime,
        numbers::{Series, next_number},
    },
    error::{ApiError, ApiResult},
    procedures::store::procedure_by_id,
    spec::ApiTags,
    state::AppState,
};

fn zone_of(unit: &unit::Model) -> Tz {
    unit.time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh)
}

/// The number a timeline entry of `kind` takes, written at `now`: an apology's slip takes the
/// next of its unit's apology series for the (local) year; other entries issue no document.
pub async fn document_number(
    tx: &impl ConnectionTrait,
    dossier: &dossier::Model,
    kind: DossierEventKind,
    now: DateTime<Utc>,
) -> ApiResult<Option<i32>> {
    if kind != DossierEventKind::Apology {
        return Ok(None);
    }
    let unit = unit_of(tx, dossier).await?;
    let year = now.with_timezone(&zone_of(&unit)).year();
    Ok(Some(next_number(tx, unit.id, year, Series::Apology).await?))
}

/// The number a slip is printed with.
pub fn number_label(number: Option<i32>) -> String {
    number.map(|n| format!("Số: {n}/PXL")).unwrap_or_default()
}

/// The result's due date that an apology put off: the one the apology before it set, or,
/// for the first, the one on the receipt (`on_receipt`).
pub fn due_date_put_off(
    timeline: &[dossier_event::Model],
    apology: Uuid,
    on_receipt: DateTime<Utc>,
) -> DateTime<Utc> {
    timeline
        .iter()
        .take_while(|event| event.id != apology)
        .filter(|event| event.kind == DossierEventKind::Apology)
        .filter_map(|event| event.new_due_at)
        .last()
        .unwrap_or(on_receipt)
}

/// What `apology_slip.html` is rendered with.
#[derive(Serialize)]
struct Slip<'a> {
    paper: &'static str,
    head: Letterhead,
    unit_name: &'a str,
    code: &'a str,
    applicant: &'a str,
    procedure: String,
    received_at: LocalTime,
    due_at: LocalTime,
    new_due_at: LocalTime,
    reason: &'a str,
}

#[derive(ApiResponse)]
pub enum SlipResponse {
    /// The printable slip (A4).
    #[oai(status = 200)]
    Ok(Html<String>),
}

pub struct ApologySlipApi;

#[OpenApi(tag = "ApiTags::Dossiers")]
impl ApologySlipApi {
    /// An apology slip
    ///
    /// The printable apology slip (Mẫu 04, A4) of an apology made on this dossier (the id of
    /// its timeline entry), numbered in the unit's series for the year. Staff of the dossier's
    /// units; 404 for anyone else and for an entry that is not an apology of this dossier.
    #[oai(path = "/dossiers/:code/apologies/:event_id", method = "get", operation_id = "get_apology_slip")]
    async fn slip(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        /// The apology's timeline entry (`timeline[].id` of the dossier).
        event_id: Path<Uuid>,
    ) -> ApiResult<SlipResponse> {
        let dossier = dossier_in_scope(&state, &auth.0, &code).await?;
        let timeline = store::timeline(&state.db, dossier.id).await?;
        let apology = timeline
            .iter()
            .find(|event| event.id == event_id.0 && event.kind == DossierEventKind::Apology)
            .ok_or_else(ApiError::not_found)?;
        let new_due_at =
            apology.new_due_at.ok_or_else(|| ApiError::internal("an apology without a due date"))?;
        let unit = unit_of(&state.db, &dossier).await?;
        let procedure = procedure_by_id(&state.db, dossier.procedure_id)
            .await?
            .ok_or_else(|| ApiError::internal("a dossier's procedure is missing"))?;
        let on_receipt = working_calendar(&state.db, &unit)
            .await?
            .due_at(dossier.received_at, lifecycle::processing_time(&dossier));
        let zone = zone_of(&unit);
        let slip = Slip {
            paper: "A4",
            head: Letterhead::of(&state.db, &unit, number_label(apology.document_number), apology.at).await?,
            unit_name: &unit.name,
            code: &dossier.code,
            applicant: &dossier.applicant_name,
            procedure: procedure.name,
            received_at: LocalTime::of(dossier.received_at, zone),
            due_at: LocalTime::of(due_date_put_off(&timeline, apology.id, on_receipt), zone),
            new_due_at: LocalTime::of(new_due_at, zone),
            reason: apology.public_note.as_deref().unwrap_or_default(),
        };
        Ok(SlipResponse::Ok(Html(documents::render("apology_slip.html", slip)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: DossierEventKind, day: u32) -> dossier_event::Model {
        let at = |day: u32| format!("2026-12-{day:02}T03:00:00Z").parse::<DateTime<Utc>>().unwrap();
        dossier_event::Model {
            id: Uuid::now_v7(),
            dossier_id: Uuid::nil(),
            at: at(day),
            kind,
            from_status: None,
            to_status: entity::values::DossierStatus::InProgress,
            actor_id: None,
            note: None,
            public_note: None,
            new_due_at: (kind == DossierEventKind::Apology).then(|| at(day + 7)),
            document_number: None,
        }
    }

    #[test]
    fn an_apology_puts_off_the_receipts_date_or_the_last_apologys() {
        let on_receipt: DateTime<Utc> = "2026-12-04T10:00:00Z".parse().unwrap();
        let timeline = vec![
            event(DossierEventKind::Intake, 1),
            event(DossierEventKind::Apology, 4),
            event(DossierEventKind::Transition, 5),
            event(DossierEventKind::Apology, 11),
        ];
        assert_eq!(due_date_put_off(&timeline, timeline[1].id, on_receipt), on_receipt);
        assert_eq!(due_date_put_off(&timeline, timeline[3].id, on_receipt), timeline[1].new_due_at.unwrap());
        assert_eq!(number_label(Some(3)), "Số: 3/PXL");
    }
}
