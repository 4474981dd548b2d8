//! `GET /reports/summary` (supervisors, administrators) and `GET /stats/units/{code}` (public).

use chrono::NaiveDate;
use entity::values::ApiScope;
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Header, Path, Query},
};

use super::{
    answers::{PublicAnswer, SummaryResponse, public_answer},
    csv,
    dto::*,
    figures::{self, ReportRequest, zone_of},
    public::publish,
    public_dto::UnitFigures,
};
use crate::{
    auth::Role,
    domain::report::{Period, PeriodError},
    error::{ApiError, ApiResult, FieldError},
    integrations::access::{OptionalKey, StaffOrKey},
    spec::ApiTags,
    state::AppState,
    units::{
        store::{unit_and_descendants, unit_by_code},
        unit_within,
    },
};

/// A period from the query, or 422 naming what is wrong with it.
pub fn period(from: NaiveDate, to: NaiveDate) -> ApiResult<Period> {
    Period::parse(from, to).map_err(|error| {
        let field = match error {
            PeriodError::Reversed => FieldError::new(
                "to",
                "Ngày kết thúc không được trước ngày bắt đầu.",
                "The last day must not be before the first.",
            ),
            PeriodError::TooLong => {
                FieldError::new("to", "Kỳ báo cáo dài tối đa 366 ngày.", "A report covers at most 366 days.")
            }
        };
        ApiError::validation(vec![field])
    })
}

/// The period of public figures: as asked, by default the twelve months up to today.
pub fn public_period(
    state: &AppState,
    unit: &entity::unit::Model,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ApiResult<Period> {
    let today = state.clock.now().with_timezone(&zone_of(unit)).date_naive();
    let default = Period::last_twelve_months(to.unwrap_or(today));
    period(from.unwrap_or(default.from), to.unwrap_or(default.to))
}

/// An active unit by its code, for the public; 404 otherwise.
pub async fn public_unit(state: &AppState, code: &str) -> ApiResult<entity::unit::Model> {
    unit_by_code(&state.db, &code.to_ascii_uppercase())
        .await?
        .filter(|u| u.active)
        .ok_or_else(ApiError::not_found)
}

pub struct ReportsApi;

#[OpenApi(tag = "ApiTags::Reports")]
impl ReportsApi {
    /// A unit's review report
    ///
    /// For supervisors of the unit or a unit above it, administrators, and keys of the unit or
    /// a unit above it (another unit is 404). Key scope `stats.read`.
    /// The period runs from `from` to `to` inclusive, in the unit's local dates, at most 366
    /// days. Aggregated in the database; the public figures count the same way.
    ///
    /// **Dossiers** in the columns of form II.06a/VPCP/KSTT, per group and in total:
    /// - `received`: received in the period (`received_online`; `received_desk_or_post`);
    ///   `carried_over`: received before the period and still open at its start;
    /// - `processed`: processed in the period, as `early`, `on_time` or `late` by the timeliness
    ///   stored when it was processed: done on its due day is on time, and the working days it
    ///   waited for a supplement or payment had already moved its due date;
    /// - `open`: received before the end of the period and not closed by then: `open_overdue`
    ///   when its due date had passed at the end (a dossier paused then counts at the instant
    ///   it was paused), else `open_in_time`;
    /// - `withdrawn`, `refused` and `stopped` dossiers count as received (or carried over) and
    ///   in their own column in the period they closed, never as processed or open.
    ///
    /// So `carried_over + received = processed + withdrawn + refused + stopped + open`. A
    /// dossier counts by its state now for moves after the period (a due date moved later by a
    /// pause after the period's end counts as moved).
    ///
    /// **Appointments** whose slot falls in the period, with the median wait (check-in to first
    /// call) and service (first call to done) of the desk tickets checked in during it;
    /// **ratings** by level, in total and per officer; **complaints** received in the period by
    /// category and outcome; **letters** issued in the period by kind.
    ///
    /// `format=csv` answers the dossier table as `text/csv` (UTF-8 with a BOM, comma-separated,
    /// a header row of the stable English keys of `DossierRow`, one row per group, then the
    /// total row keyed `total`), as the attachment `bao-cao-<unit>-<from>-<to>.csv`.
    #[oai(path = "/reports/summary", method = "get", operation_id = "get_report_summary")]
    #[allow(clippy::too_many_arguments)]
    async fn summary(
        &self,
        state: Data<&AppState>,
        auth: StaffOrKey,
        /// The unit's code.
        unit: Query<String>,
        /// The first day of the period (the unit's local date).
        from: Query<NaiveDate>,
        /// The last day of the period, included.
        to: Query<NaiveDate>,
        /// How dossier rows are grouped: `field` (default), `procedure` or `officer`.
        group_by: Query<Option<GroupBy>>,
        /// Whether the units below it are counted too (default false).
        include_sub_units: Query<Option<bool>>,
        /// `json` (default) or `csv` (the dossier table).
        format: Query<Option<ReportFormat>>,
    ) -> ApiResult<SummaryResponse> {
        let units = auth.units(&state, Role::Supervisor, ApiScope::StatsRead).await?;
        let unit = unit_within(&state, &units, &unit).await?;
        let period = period(from.0, to.0)?;
        let include_sub_units = include_sub_units.0.unwrap_or(false);
        let units =
            if include_sub_units { unit_and_descendants(&state.db, unit.id).await? } else { vec![unit.id] };
        let group_by = group_by.0.unwrap_or(GroupBy::Field);
        let request = ReportRequest { unit: &unit, units, period, include_sub_units, group_by };
        let report = figures::summary(&state.db, request).await?;
        Ok(match format.0.unwrap_or(ReportFormat::Json) {
            ReportFormat::Json => SummaryResponse::Json(Box::new(report)),
            ReportFormat::Csv => SummaryResponse::Csv {
                filename: format!("bao-cao-{}-{}-{}.csv", report.unit_code, report.from, report.to),
                body: csv::dossier_table(&report.dossiers, &report.dossiers_total),
            },
        })
    }
}

pub struct StatsApi;

#[OpenApi(tag = "ApiTags::Reports")]
impl StatsApi {
    /// A unit's transparency figures
    ///
    /// Public: the on-time rate, dossier counts, the satisfied share and letters by kind over
    /// the period, month by month and by field; aggregates only, counted as the review report
    /// counts them. Any count from 1 to 4 is `null` (`hidden_below`), and so is a share made
    /// from one; when hiding one count of a total would let it be worked out from the others,
    /// the smallest other is hidden too. The period is in the unit's local dates, by default
    /// the twelve months up to today. Cached for 5 minutes, with an `ETag`.
    ///
    /// Key scope `stats.read`, optional: a key sent must be valid, hold the scope and cover
    /// the unit (another unit is 404).
    #[oai(path = "/stats/units/:code", method = "get", operation_id = "get_unit_stats")]
    async fn unit_stats(
        &self,
        state: Data<&AppState>,
        key: OptionalKey,
        /// The unit's code.
        code: Path<String>,
        /// The first day (default: the first of the month eleven months before `to`).
        from: Query<Option<NaiveDate>>,
        /// The last day, included (default: today at the unit).
        to: Query<Option<NaiveDate>>,
        /// The `ETag` of a copy the client holds.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<PublicAnswer<UnitFigures>> {
        let units = key.units(ApiScope::StatsRead)?;
        let unit = public_unit(&state, &code).await?;
        units.check(unit.id)?;
        let period = public_period(&state, &unit, from.0, to.0)?;
        let counts = figures::unit_counts(&state.db, &unit, &period).await?;
        Ok(public_answer(publish(&unit, &period, &counts), if_none_match.0.as_deref()))
    }
}
