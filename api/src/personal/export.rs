//! `GET /me/export`: everything held about a person, as one JSON document.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    appointment, audit_log, complaint, dossier, letter, notification, rating, session, ticket,
    values::{
        AppointmentStatus, ComplaintCategory, ComplaintStatus, LetterKind, NotificationKind, RatingLevel,
        SessionEnd, SignInMethod, TicketStatus,
    },
};
use poem_openapi::Object;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    accounts::dto::UserProfile,
    admin::dto::AuditEntry,
    dossiers::{dto::DossierSummary, view::summaries},
    error::ApiResult,
    state::AppState,
};

/// Everything the service holds about the caller.
#[derive(Debug, Object)]
#[oai(example)]
pub struct PersonalData {
    /// When this export was made.
    pub exported_at: DateTime<Utc>,
    /// The account.
    pub profile: UserProfile,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// Every login session, open or ended, newest first.
    pub sessions: Vec<ExportedSession>,
    /// The devices registered for push notifications (their tokens are the devices' own, not
    /// shown again).
    pub devices: Vec<crate::push::dto::Device>,
    /// The dossiers linked to the account, with the applicant's data as filed.
    pub dossiers: Vec<DossierSummary>,
    /// Appointments booked, newest first.
    pub appointments: Vec<ExportedAppointment>,
    /// Queue tickets of those appointments.
    pub tickets: Vec<ExportedTicket>,
    /// Ratings given.
    pub ratings: Vec<ExportedRating>,
    /// Complaints made.
    pub complaints: Vec<ExportedComplaint>,
    /// Letters received from units.
    pub letters: Vec<ExportedLetter>,
    /// The inbox.
    pub notifications: Vec<ExportedNotification>,
    /// The audit log's entries of what the account did (logins, claims, changes).
    pub audit_entries: Vec<AuditEntry>,
}

/// A login session.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ExportedSession {
    /// The session id.
    pub id: Uuid,
    /// How it was opened.
    pub method: SignInMethod,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// Its last login or refresh.
    pub last_used_at: DateTime<Utc>,
    /// The address it was last used from.
    pub address: Option<String>,
    /// The `User-Agent` it last sent.
    pub user_agent: Option<String>,
    /// When it ended; null while open.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why it ended.
    pub revoked_reason: Option<SessionEnd>,
}

/// A booking.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ExportedAppointment {
    /// The booking's id.
    pub id: Uuid,
    /// The unit's id.
    pub unit_id: Uuid,
    /// The procedure's id.
    pub procedure_id: Uuid,
    /// When the slot begins.
    pub starts_at: DateTime<Utc>,
    /// Where it stands.
    pub status: AppointmentStatus,
    /// When it was booked.
    pub created_at: DateTime<Utc>,
    /// Why it was cancelled, if it was.
    pub cancel_reason: Option<String>,
}

/// A queue ticket.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ExportedTicket {
    /// The ticket's id.
    pub id: Uuid,
    /// The booking it was for.
    pub appointment_id: Option<Uuid>,
    /// The day of the queue.
    pub service_day: NaiveDate,
    /// The number shown on the display.
    pub display_number: String,
    /// Where it stands.
    pub status: TicketStatus,
    /// When it was taken.
    pub checked_in_at: DateTime<Utc>,
}

/// A rating given.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ExportedRating {
    /// The rating's id.
    pub id: Uuid,
    /// The unit rated.
    pub unit_id: Uuid,
    /// The dossier it was about.
    pub dossier_id: Option<Uuid>,
    /// How satisfied.
    pub level: RatingLevel,
    /// The comment.
    pub comment: Option<String>,
    /// When.
    pub rated_at: DateTime<Utc>,
}

/// A complaint made.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ExportedComplaint {
    /// The complaint's id.
    pub id: Uuid,
    /// The unit complained about.
    pub unit_id: Uuid,
    /// Its category.
    pub category: ComplaintCategory,
    /// What the citizen wrote.
    pub description: String,
    /// Where it stands.
    pub status: ComplaintStatus,
    /// The unit's conclusion.
    pub conclusion: Option<String>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// A letter received.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ExportedLetter {
    /// The letter's id (`GET /letters/{id}`).
    pub id: Uuid,
    /// The issuing unit.
    pub unit_id: Uuid,
    /// Its kind.
    pub kind: LetterKind,
    /// Its title.
    pub title: String,
    /// The name it is addressed to.
    pub recipient_name: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
}

/// A notice of the inbox.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ExportedNotification {
    /// The notice's id.
    pub id: Uuid,
    /// What it is about.
    pub kind: NotificationKind,
    /// Title (Vietnamese).
    pub title: String,
    /// Text (Vietnamese).
    pub body: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was read; null while unread.
    pub read_at: Option<DateTime<Utc>>,
}

/// Gathers the export of `user`.
pub async fn gather(state: &AppState, user: entity::user::Model) -> ApiResult<PersonalData> {
    let db = &state.db;
    let id = user.id;
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(id))
        .order_by_desc(session::Column::CreatedAt)
        .all(db)
        .await?;
    let devices = crate::push::devices::of_user(db, id).await?;
    let dossiers = dossier::Entity::find()
        .filter(dossier::Column::CitizenId.eq(id))
        .order_by_desc(dossier::Column::ReceivedAt)
        .all(db)
        .await?;
    let appointments = appointment::Entity::find()
        .filter(appointment::Column::CitizenId.eq(id))
        .order_by_desc(appointment::Column::StartsAt)
        .all(db)
        .await?;
    let tickets = ticket::Entity::find()
        .filter(ticket::Column::AppointmentId.is_in(appointments.iter().map(|a| a.id)))
        .order_by_desc(ticket::Column::CheckedInAt)
        .all(db)
        .await?;
    let ratings = rating::Entity::find().filter(rating::Column::CitizenId.eq(id)).all(db).await?;
    let complaints = complaint::Entity::find().filter(complaint::Column::CitizenId.eq(id)).all(db).await?;
    let letters = letter::Entity::find().filter(letter::Column::RecipientId.eq(id)).all(db).await?;
    let notifications = notification::Entity::find()
        .filter(notification::Column::UserId.eq(id))
        .order_by_desc(notification::Column::CreatedAt)
        .all(db)
        .await?;
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::ActorId.eq(id))
        .order_by_asc(audit_log::Column::At)
        .all(db)
        .await?;
    let units = crate::units::store::unit_codes(db, audit.iter().filter_map(|entry| entry.unit_id)).await?;
    let created_at = user.created_at;
    let unit_code = crate::units::store::unit_code(db, user.unit_id).await?;
    Ok(PersonalData {
        exported_at: state.clock.now(),
        profile: UserProfile::from_user(user, unit_code),
        created_at,
        sessions: sessions.into_iter().map(ExportedSession::from).collect(),
        devices: devices.into_iter().map(Into::into).collect(),
        dossiers: summaries(state, dossiers).await?,
        appointments: appointments.into_iter().map(ExportedAppointment::from).collect(),
        tickets: tickets.into_iter().map(ExportedTicket::from).collect(),
        ratings: ratings.into_iter().map(ExportedRating::from).collect(),
        complaints: complaints.into_iter().map(ExportedComplaint::from).collect(),
        letters: letters.into_iter().map(ExportedLetter::from).collect(),
        notifications: notifications.into_iter().map(ExportedNotification::from).collect(),
        audit_entries: audit
            .into_iter()
            .map(|entry| {
                let unit = entry.unit_id.and_then(|unit| units.get(&unit).cloned());
                crate::admin::routes::audit_dto((entry, unit))
            })
            .collect(),
    })
}

impl From<session::Model> for ExportedSession {
    fn from(s: session::Model) -> Self {
        ExportedSession {
            id: s.id,
            method: s.method,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            address: s.address,
            user_agent: s.user_agent,
            revoked_at: s.revoked_at,
            revoked_reason: s.revoked_reason,
        }
    }
}

impl From<appointment::Model> for ExportedAppointment {
    fn from(a: appointment::Model) -> Self {
        ExportedAppointment {
            id: a.id,
            unit_id: a.unit_id,
            procedure_id: a.procedure_id,
            starts_at: a.starts_at,
            status: a.status,
            created_at: a.created_at,
            cancel_reason: a.cancel_reason,
        }
    }
}

impl From<ticket::Model> for ExportedTicket {
    fn from(t: ticket::Model) -> Self {
        ExportedTicket {
            id: t.id,
            appointment_id: t.appointment_id,
            service_day: t.service_day,
            display_number: t.display_number,
            status: t.status,
            checked_in_at: t.checked_in_at,
        }
    }
}

impl From<rating::Model> for ExportedRating {
    fn from(r: rating::Model) -> Self {
        ExportedRating {
            id: r.id,
            unit_id: r.unit_id,
            dossier_id: r.dossier_id,
            level: r.level,
            comment: r.comment,
            rated_at: r.rated_at,
        }
    }
}

impl From<complaint::Model> for ExportedComplaint {
    fn from(c: complaint::Model) -> Self {
        ExportedComplaint {
            id: c.id,
            unit_id: c.unit_id,
            category: c.category,
            description: c.description,
            status: c.status,
            conclusion: c.conclusion,
            received_at: c.received_at,
        }
    }
}

impl From<letter::Model> for ExportedLetter {
    fn from(l: letter::Model) -> Self {
        ExportedLetter {
            id: l.id,
            unit_id: l.unit_id,
            kind: l.kind,
            title: l.title,
            recipient_name: l.recipient_name,
            issued_at: l.issued_at,
        }
    }
}

impl From<notification::Model> for ExportedNotification {
    fn from(n: notification::Model) -> Self {
        ExportedNotification {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}
