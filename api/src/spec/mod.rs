//! The OpenAPI document of `/api/v1`: the service that serves the API, and the committed
//! spec written from it.

mod errors;
mod refine;
mod yaml;

use poem_openapi::{ContactObject, LicenseObject, OpenApiService};

use crate::{
    accounts, admin, appointments, calendar, complaints, dossiers, integrations, legal_documents, letters,
    notifications, oidc, personal, phone, procedures, push, queue, ratings, reports, sessions, units,
    webhooks,
};

/// The groups of operations in the spec.
#[derive(poem_openapi::Tags)]
pub enum ApiTags {
    /// Registration, login and sessions.
    Auth,
    /// The caller's own account, dossiers and inbox.
    Me,
    /// Units and their desks: addresses, opening hours, today's status, desk settings.
    Units,
    /// Working-day calendars: holidays, make-up working days, each unit's days and hours.
    Calendar,
    /// The public catalogue of administrative procedures.
    Procedures,
    /// The legal documents that procedures are based on.
    LegalDocuments,
    /// Administration: the unit tree, staff accounts and the audit log.
    Admin,
    /// Dossiers at the desk: intake, receipt, processing, worklist.
    Dossiers,
    /// Public dossier lookup by code and secret.
    Lookup,
    /// Appointments at a unit's desk: open slots, booking, moving, cancelling.
    Appointments,
    /// The desk's queue: check-in tickets, counters, calling, the queue settings, and the
    /// waiting-room screen's feed and event stream.
    Queue,
    /// Citizens' ratings of the officers who served them: giving them, moderating their
    /// comments, the officers' public profiles and rankings.
    Ratings,
    /// Complaints about officers: made by citizens with attachments, handled by the
    /// supervisors of the unit where the conduct happened, to a recorded outcome.
    Complaints,
    /// Letters a unit sends citizens (congratulation, condolence, thank-you): issued
    /// automatically on a dossier's completion or by hand, each unit's texts, printing.
    Letters,
    /// Review reports for supervisors (the columns of form II.06a/VPCP/KSTT, appointments,
    /// ratings, complaints, letters) and every unit's public transparency figures.
    Reports,
    /// For integrators (provincial portals, kiosks, other apps) calling with an API key:
    /// online submission, a dossier's status, the change feed; and the keys and webhooks that
    /// administrators manage for them.
    Integrations,
}

pub const API_PREFIX: &str = "/api/v1";

const DESCRIPTION: &str = "\
Một Cửa (\"one door\") is the API behind a citizen's mobile app for the one-stop desks \
(bộ phận một cửa) of local government in Vietnam: the public procedure catalogue, dossier \
tracking by receipt code, appointments and the desk queue, officer ratings, complaints, \
letters and transparency reports. Provincial portals, kiosks and other apps call the same \
API with API keys.

Errors are RFC 9457 `application/problem+json` documents with a stable `code`; `title` and \
`detail` are Vietnamese by default and English with `Accept-Language: en`. Every response \
carries an `X-Request-Id`.";

/// The OpenAPI service of `/api/v1`: one `#[OpenApi]` struct per resource.
pub fn api_service() -> OpenApiService<impl poem_openapi::OpenApi, ()> {
    let apis = (
        (
            accounts::routes::AccountsApi,
            accounts::routes::MeApi,
            sessions::routes::SessionsApi,
            oidc::routes::OidcApi,
            personal::PersonalDataApi,
            phone::PhoneApi,
            push::routes::DevicesApi,
        ),
        (
            units::routes::UnitsApi,
            calendar::routes::CalendarApi,
            procedures::routes::ProceduresApi,
            legal_documents::routes::LegalDocumentsApi,
        ),
        (admin::routes::AdminUnitsApi, admin::routes::AdminStaffApi, admin::routes::AdminAuditApi),
        // poem-openapi implements `OpenApi` for tuples of up to 16: a resource's APIs nest.
        (
            dossiers::view::DossiersApi,
            dossiers::update::DossierUpdateApi,
            dossiers::lookup::LookupApi,
            dossiers::lookup::MyDossiersApi,
            dossiers::apology::ApologySlipApi,
            dossiers::claims::ClaimsApi,
        ),
        notifications::routes::NotificationsApi,
        (appointments::routes::AppointmentsApi, appointments::changes::AppointmentChangesApi),
        (
            queue::routes::QueueApi,
            queue::tickets::TicketsApi,
            queue::settings::QueueSettingsApi,
            queue::display::routes::DisplayApi,
        ),
        (ratings::RatingsApi, ratings::OfficersApi, ratings::FeedbackSettingsApi),
        (complaints::ComplaintsApi, complaints::MyComplaintsApi),
        (
            letters::routes::LettersApi,
            letters::settings::LetterTemplatesApi,
            letters::suppression::LetterSuppressionApi,
        ),
        (reports::routes::ReportsApi, reports::routes::StatsApi),
        (
            integrations::dossiers::IntegrationDossiersApi,
            integrations::keys::routes::AdminApiKeysApi,
            webhooks::routes::WebhooksApi,
            webhooks::delivery_routes::WebhookDeliveriesApi,
        ),
    );
    OpenApiService::new(apis, "Một Cửa API", env!("CARGO_PKG_VERSION"))
        .description(DESCRIPTION)
        .server(API_PREFIX)
        .contact(ContactObject::new().name("Một Cửa maintainers").email("motcua@localhost"))
        .license(LicenseObject::new("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0"))
}

/// The spec as poem-openapi writes it, then refined into what client generators and
/// linters accept (see [`refine`]).
pub fn document() -> serde_json::Value {
    let mut document: serde_json::Value =
        serde_json::from_str(&api_service().spec()).expect("poem-openapi writes valid JSON");
    webhooks::spec::describe(&mut document);
    refine::refine(&mut document);
    document
}

/// The committed spec, as `motcua openapi` prints it.
pub fn spec(format: SpecFormat) -> String {
    render(&document(), format)
}

/// A document written out in one of the spec's formats.
pub fn render(document: &serde_json::Value, format: SpecFormat) -> String {
    match format {
        SpecFormat::Yaml => yaml::to_string(document),
        SpecFormat::Json => serde_json::to_string_pretty(document).expect("a JSON value serializes"),
    }
}

/// The interactive docs page (RapiDoc), showing the refined spec rather than poem-openapi's.
pub fn docs_html(refined_json: &str) -> String {
    let service = api_service();
    // RapiDoc's page asks Google for its fonts (a stylesheet, and FontFaces its script loads
    // unless `load-fonts="false"`) and calls itself "RapiDoc": a desk machine offline would
    // fall back to a serif, and the tab would not say what it documents. The system's own
    // fonts need nothing from outside.
    service
        .rapidoc_html()
        .replace(&service.spec(), refined_json)
        .replace(RAPIDOC_FONTS_LINK, "")
        .replace("<title>RapiDoc</title>", DOCS_TITLE)
        .replace(r#"id="thedoc""#, r#"id="thedoc" load-fonts="false""#)
        .replace(
            r#"regular-font="Open Sans""#,
            r#"regular-font="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif""#,
        )
        .replace(
            r#"mono-font = "Roboto Mono""#,
            r#"mono-font="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace""#,
        )
}

/// The stylesheet link of poem-openapi's RapiDoc page (fonts from Google).
const RAPIDOC_FONTS_LINK: &str = r#"<link href="https://fonts.googleapis.com/css2?family=Open+Sans:wght@300;600&family=Roboto+Mono&display=swap" rel="stylesheet">"#;

const DOCS_TITLE: &str = "<title>Một Cửa API</title>";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFormat {
    Yaml,
    Json,
}

/// The refined document as the server consults it at run time: to explain a request that
/// does not fit an operation's schema, and to list a route's methods.
pub struct Contract {
    document: serde_json::Value,
}

impl Contract {
    pub fn new(document: serde_json::Value) -> Contract {
        Contract { document }
    }

    pub fn document(&self) -> &serde_json::Value {
        &self.document
    }

    /// The operation of a method on a route template as poem names it
    /// (`/api/v1/dossiers/:param0`: poem-openapi numbers path parameters, so they are matched
    /// by position, not by name).
    pub fn operation(&self, method: &str, route: &str) -> Option<&serde_json::Value> {
        let route: Vec<&str> = route.strip_prefix(API_PREFIX)?.split('/').collect();
        let same_shape = |path: &str| {
            let path: Vec<&str> = path.split('/').collect();
            path.len() == route.len()
                && path.iter().zip(&route).all(|(p, r)| p == r || (p.starts_with('{') && r.starts_with(':')))
        };
        let (_, operations) =
            self.document.get("paths")?.as_object()?.iter().find(|(path, _)| same_shape(path))?;
        operations.get(method.to_ascii_lowercase())
    }

    pub fn components(&self) -> &serde_json::Value {
        &self.document["components"]["schemas"]
    }
}
