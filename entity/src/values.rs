//! The stored value sets: every status, role, kind and channel, spelled once.
//!
//! Each is kept as its snake_case name in a text column, so the database stays readable, and
//! the API shows the same names: with the `openapi` feature these are the API's enums too
//! (under the schema names clients already know). A stored value the code does not know is
//! a read error, which the API answers with a logged 500: never a guess.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares a value set: the enum with its stored names, and, for the API, its schema.
macro_rules! value_set {
    (
        $(#[$meta:meta])*
        $schema:literal pub enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident,)+ }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum,
            Serialize, Deserialize,
        )]
        #[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
        #[cfg_attr(feature = "openapi", oai(rename = $schema, rename_all = "snake_case"))]
        #[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }
    };
}

/// Declares a value set whose names are not the variants' snake_case (`dossier.created`).
macro_rules! named_value_set {
    (
        $(#[$meta:meta])*
        $schema:literal pub enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $stored:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum,
            Serialize, Deserialize,
        )]
        #[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
        #[cfg_attr(feature = "openapi", oai(rename = $schema))]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                #[sea_orm(string_value = $stored)]
                #[serde(rename = $stored)]
                #[cfg_attr(feature = "openapi", oai(rename = $stored))]
                $variant,
            )+
        }
    };
}

named_value_set! {
    /// What an API key may do: `catalogue.read`, `dossiers.read`, `dossiers.write`,
    /// `queue.write`, `stats.read`.
    "ApiScope" pub enum ApiScope {
        CatalogueRead = "catalogue.read",
        DossiersRead = "dossiers.read",
        DossiersWrite = "dossiers.write",
        QueueWrite = "queue.write",
        StatsRead = "stats.read",
    }
}

named_value_set! {
    /// What happened, as webhooks and the change feed name it.
    "EventType" pub enum EventType {
        DossierCreated = "dossier.created",
        DossierStatusChanged = "dossier.status_changed",
        AppointmentBooked = "appointment.booked",
        AppointmentCancelled = "appointment.cancelled",
        AppointmentRescheduled = "appointment.rescheduled",
        TicketCalled = "ticket.called",
        RatingCreated = "rating.created",
        ComplaintStatusChanged = "complaint.status_changed",
        LetterIssued = "letter.issued",
        /// A test delivery (`POST /webhooks/{id}/test`).
        Ping = "ping",
    }
}

value_set! {
    /// A dossier status, by its name; the national code travels beside it as `status_code`.
    "StatusName" pub enum DossierStatus {
        NewlySubmitted,
        Accepted,
        Refused,
        InProgress,
        SupplementRequested,
        PaymentRequired,
        Withdrawn,
        Stopped,
        Processed,
        Returned,
    }
}

value_set! {
    /// How a dossier stands against its due date: `early`, `on_time`, `late` once closed,
    /// `in_time` or `overdue` while open.
    "TimelinessName" pub enum Timeliness {
        Early,
        OnTime,
        Late,
        InTime,
        Overdue,
    }
}

value_set! {
    /// Who filed the dossier.
    "ApplicantKind" pub enum ApplicantKind {
        Citizen,
        Business,
    }
}

value_set! {
    /// How the dossier reached the desk.
    "Channel" pub enum Channel {
        Desk,
        Online,
        Post,
    }
}

value_set! {
    /// What an entry of a dossier's timeline records.
    "TimelineEventKind" pub enum DossierEventKind {
        /// Taken in at the desk or online.
        Intake,
        /// Moved to another status.
        Transition,
        /// An apology slip with a new due date.
        Apology,
        /// Assigned to an officer.
        Assignment,
        /// The due date moved because a holiday or make-up day was added or removed.
        DueRescheduled,
    }
}

value_set! {
    /// What a notice in a citizen's inbox is about.
    "NotificationKind" pub enum NotificationKind {
        /// A followed dossier changed.
        DossierStatus,
        /// An appointment was booked: its confirmation.
        AppointmentBooked,
        /// An appointment moved to another time.
        AppointmentRescheduled,
        /// An appointment was cancelled (by the citizen, the unit or the system).
        AppointmentCancelled,
        /// An appointment is coming up (the day before).
        AppointmentReminder,
        /// For supervisors: a rating reported unofficial payment or documents outside the list.
        RatingFlagged,
        /// For supervisors: a complaint of harassment came in.
        ComplaintReceived,
        /// A complaint the citizen made moved on.
        ComplaintUpdated,
        /// A late dossier's apology slip (Mẫu 04) with its new due date.
        DossierApology,
        /// A letter was issued to the citizen.
        LetterIssued,
        /// For administrators: a webhook endpoint was disabled.
        WebhookDisabled,
    }
}

value_set! {
    /// The kind of a letter a unit sends a citizen.
    "LetterKind" pub enum LetterKind {
        /// On registering a birth or a marriage.
        Congratulation,
        /// On registering a death.
        Condolence,
        /// For feedback or help that mattered.
        ThankYou,
    }
}

value_set! {
    /// Where an appointment stands.
    "AppointmentStatus" pub enum AppointmentStatus {
        /// Holds a seat at its slot.
        Booked,
        /// Cancelled; the seat is free again.
        Cancelled,
        /// The citizen checked in at the desk.
        CheckedIn,
        /// The citizen was served.
        Served,
        /// The citizen did not come.
        NoShow,
    }
}

value_set! {
    /// Who cancelled an appointment.
    "CancelledBy" pub enum CancelledBy {
        /// The citizen who booked it.
        Citizen,
        /// The unit (a holiday over the day, fewer seats).
        Unit,
        /// The system.
        System,
    }
}

value_set! {
    /// Where an appointment's reminder stands.
    "ReminderState" pub enum ReminderState {
        /// Waiting for its time.
        Pending,
        /// Delivered to the inbox.
        Sent,
        /// Voided by a cancellation or a reschedule.
        Void,
        /// Not sent: the booking changed, passed, or was made after the reminder was due.
        Skipped,
    }
}

value_set! {
    /// Whether a dated exception closes a day or makes it a working day.
    "HolidayKind" pub enum HolidayKind {
        /// A public holiday or other closure.
        Off,
        /// A make-up working day (e.g. a Saturday worked in exchange for a bridge holiday).
        Working,
    }
}

value_set! {
    /// The kind of a legal document.
    "LegalDocumentKind" pub enum LegalDocumentKind {
        /// Luật: a law passed by the National Assembly.
        Law,
        /// Nghị định: a government decree.
        Decree,
        /// Thông tư: a ministry's circular.
        Circular,
        /// Quyết định: a decision.
        Decision,
        /// Nghị quyết: a resolution.
        Resolution,
        /// Anything else.
        Other,
    }
}

value_set! {
    /// The level of government a procedure belongs to.
    "ProcedureLevel" pub enum ProcedureLevel {
        /// Cấp trung ương.
        National,
        /// Cấp tỉnh.
        Province,
        /// Cấp huyện.
        District,
        /// Cấp xã.
        Commune,
    }
}

value_set! {
    /// How far a procedure can be done online.
    "OnlineSubmission" pub enum OnlineSubmission {
        /// Only at the desk.
        #[sea_orm(string_value = "none")]
        #[serde(rename = "none")]
        #[cfg_attr(feature = "openapi", oai(rename = "none"))]
        DeskOnly,
        /// Submitted online, completed at the desk.
        Partial,
        /// Entirely online.
        Full,
    }
}

value_set! {
    /// The letter the unit sends when a dossier of this procedure is completed.
    "LetterOnCompletion" pub enum LetterOnCompletion {
        /// No letter.
        #[sea_orm(string_value = "none")]
        #[serde(rename = "none")]
        #[cfg_attr(feature = "openapi", oai(rename = "none"))]
        NoLetter,
        /// A congratulation letter (birth, marriage).
        Congratulation,
        /// A condolence letter (death).
        Condolence,
    }
}

value_set! {
    /// The kind of an administrative unit.
    "UnitKind" pub enum UnitKind {
        /// Tỉnh / thành phố trực thuộc trung ương.
        Province,
        /// Thị xã / thành phố thuộc tỉnh.
        Town,
        /// Quận / huyện.
        District,
        /// Phường.
        Ward,
        /// Xã.
        Commune,
        /// Sở / phòng: a department of a people's committee.
        Department,
        /// Bộ phận một cửa: a one-stop desk.
        OneStopDesk,
    }
}

value_set! {
    /// The role of an account. Staff roles nest in this order: an admin may do what a
    /// supervisor may, a supervisor what an officer may (inside their units); citizens are
    /// apart.
    "RoleName" pub enum Role {
        Citizen,
        Officer,
        Supervisor,
        Admin,
    }
}

named_value_set! {
    /// The kinds of change the audit log records, and the security events (`auth.*`,
    /// `session.*`, `password.*`, `phone.*`, `account.*`), which also carry the client's address
    /// and user agent.
    "AuditAction" pub enum AuditAction {
        UnitCreate = "unit.create",
        UnitUpdate = "unit.update",
        UserCreate = "user.create",
        UserUpdate = "user.update",
        /// A supervisor or administrator gave a staff account a temporary password.
        UserPasswordReset = "user.password_reset",
        AppointmentCancel = "appointment.cancel",
        DossierLetterSuppression = "dossier.letter_suppression",
        /// A citizen claimed a dossier as the applicant.
        DossierClaim = "dossier.claim",
        /// A citizen let go of a dossier they had claimed.
        DossierUnclaim = "dossier.unclaim",
        /// The desk linked a dossier to an applicant's account.
        DossierLink = "dossier.link",
        LetterTemplateUpdate = "letter_template.update",
        ApiKeyCreate = "api_key.create",
        ApiKeyRotate = "api_key.rotate",
        ApiKeyRevoke = "api_key.revoke",
        /// A successful login (password or single sign-on).
        AuthLogin = "auth.login",
        /// A failed login.
        AuthLoginFailed = "auth.login_failed",
        /// A login had to add a one-time code (too many failures for the phone).
        AuthStepUp = "auth.step_up",
        /// A spent refresh token came back: its session was revoked.
        AuthRefreshReuse = "auth.refresh_reuse",
        /// A session ended before its time (logout, signed out, password change, ...).
        SessionRevoke = "session.revoke",
        PasswordChange = "password.change",
        /// A citizen asked for a password-reset code.
        PasswordResetRequest = "password.reset_request",
        /// A citizen set a new password with a reset code.
        PasswordReset = "password.reset",
        /// A phone number was confirmed with its one-time code.
        PhoneVerify = "phone.verify",
        /// A user downloaded everything held about them.
        AccountExport = "account.export",
        /// A user erased their account.
        AccountDelete = "account.delete",
    }
}

value_set! {
    /// What an audit entry changed.
    "AuditTarget" pub enum AuditTarget {
        Unit,
        User,
        Appointment,
        Dossier,
        LetterTemplate,
        ApiKey,
        Session,
    }
}

impl AuditAction {
    pub fn target(self) -> AuditTarget {
        use AuditAction::*;
        match self {
            UnitCreate | UnitUpdate => AuditTarget::Unit,
            UserCreate | UserUpdate | UserPasswordReset | AuthLogin | AuthLoginFailed | AuthStepUp
            | PasswordChange | PasswordResetRequest | PasswordReset | PhoneVerify | AccountExport
            | AccountDelete => AuditTarget::User,
            AppointmentCancel => AuditTarget::Appointment,
            DossierLetterSuppression | DossierClaim | DossierUnclaim | DossierLink => AuditTarget::Dossier,
            LetterTemplateUpdate => AuditTarget::LetterTemplate,
            ApiKeyCreate | ApiKeyRotate | ApiKeyRevoke => AuditTarget::ApiKey,
            AuthRefreshReuse | SessionRevoke => AuditTarget::Session,
        }
    }
}

value_set! {
    /// Where a desk ticket stands: `waiting` in the queue, `called` to a counter, `serving`
    /// there, then `served`, `no_show` or `cancelled`.
    "TicketStatus" pub enum TicketStatus {
        /// In the queue.
        Waiting,
        /// Called to a counter; the citizen is on the way.
        Called,
        /// At the counter, being served.
        Serving,
        /// Served.
        Served,
        /// Did not come when called (or still waited at closing time).
        NoShow,
        /// Taken out of the queue.
        Cancelled,
    }
}

value_set! {
    /// How a ticket joined the queue: an appointment checked in within its window, or a walk-in
    /// (a late appointment checks in as a walk-in, with the appointment linked).
    "TicketKind" pub enum TicketKind {
        /// An appointment checked in within its window.
        Appointment,
        /// A walk-in, or an appointment that came too late for its slot.
        WalkIn,
    }
}

value_set! {
    /// Whether a ticket goes ahead of walk-ins: `priority` for the elderly, people with
    /// disabilities, pregnant women and others the law puts first (with the reason).
    "PriorityClass" pub enum PriorityClass {
        /// In turn.
        Normal,
        /// Ahead of walk-ins, for a reason the officer records.
        Priority,
    }
}

value_set! {
    /// How a unit orders priority tickets against walk-ins: `strict` calls every priority
    /// ticket first; `interleaved` calls one after every N normal tickets.
    "PriorityStrategy" pub enum PriorityStrategy {
        /// Every priority ticket before any walk-in.
        Strict,
        /// One priority ticket after every N normal ones.
        Interleaved,
    }
}

value_set! {
    /// What came of a visit to the counter.
    "VisitOutcome" pub enum VisitOutcome {
        /// A dossier was taken in.
        DossierReceived,
        /// The citizen was only given guidance.
        GuidanceOnly,
        /// The citizen lacked documents and must come back.
        DocumentsMissing,
        /// Anything else.
        Other,
    }
}

value_set! {
    /// A counter's state: `open` calls tickets, `paused` (with a reason) and `closed` do not.
    "CounterState" pub enum CounterState {
        /// Staffed and calling tickets.
        Open,
        /// Staffed but not calling, for the reason given.
        Paused,
        /// Not staffed.
        Closed,
    }
}

value_set! {
    /// What a queue event records: a ticket changed, a ticket was called (or recalled) to a
    /// counter, or a counter changed state.
    "QueueEventKind" pub enum QueueEventKind {
        /// A ticket joined, moved or left the queue.
        Ticket,
        /// A ticket was called, or called again, to a counter.
        Call,
        /// A counter opened, paused or closed.
        Counter,
    }
}

value_set! {
    /// One of the national three levels of satisfaction.
    "RatingLevel" pub enum RatingLevel {
        /// Rất hài lòng.
        VerySatisfied,
        /// Hài lòng.
        Satisfied,
        /// Không hài lòng.
        NotSatisfied,
    }
}

value_set! {
    /// How many trips to the desk the matter took: `0` (all online), `1`, or `2_or_more`.
    "TripsToComplete" pub enum TripsToComplete {
        /// None: it was done online.
        #[sea_orm(string_value = "0")]
        #[serde(rename = "0")]
        #[cfg_attr(feature = "openapi", oai(rename = "0"))]
        None,
        /// One trip.
        #[sea_orm(string_value = "1")]
        #[serde(rename = "1")]
        #[cfg_attr(feature = "openapi", oai(rename = "1"))]
        One,
        /// Two trips or more.
        #[sea_orm(string_value = "2_or_more")]
        #[serde(rename = "2_or_more")]
        #[cfg_attr(feature = "openapi", oai(rename = "2_or_more"))]
        TwoOrMore,
    }
}

value_set! {
    /// Where a rating was given: `app` (signed in on the mobile app), `web` (signed in on the
    /// web portal) or `kiosk_token` (with the one-time token of a receipt or ticket, unsigned).
    "RatingChannel" pub enum RatingChannel {
        /// The mobile app, signed in.
        App,
        /// The web portal, signed in.
        Web,
        /// A kiosk or tablet, with a printed one-time token.
        KioskToken,
    }
}

value_set! {
    /// Where a rating's comment stands: `pending` until a supervisor `approved` (public) or
    /// `rejected` it (kept for the record, never shown).
    "CommentStatus" pub enum CommentStatus {
        /// Waiting for moderation.
        Pending,
        /// Public on the officer's profile.
        Approved,
        /// Not published.
        Rejected,
    }
}

value_set! {
    /// Why a comment was not published.
    "RejectionReason" pub enum RejectionReason {
        /// It holds personal data the masking missed.
        PersonalData,
        /// It is abusive or offensive.
        Offensive,
        /// It is not about the service.
        OffTopic,
        /// It is spam.
        Spam,
        /// Anything else.
        Other,
    }
}

value_set! {
    /// What a complaint about an officer is about.
    "ComplaintCategory" pub enum ComplaintCategory {
        /// Sách nhiễu: harassment, including demanding money.
        Harassment,
        /// Gây khó khăn: obstruction, unjustified delay.
        Obstruction,
        /// Thái độ thiếu tôn trọng: discourtesy.
        Discourtesy,
        /// Anything else.
        Other,
    }
}

value_set! {
    /// Where a complaint stands: `received`, then `accepted` (or `not_accepted`), `investigating`,
    /// and `resolved` or `dismissed`; the citizen may have `withdrawn` it.
    "ComplaintStatus" pub enum ComplaintStatus {
        /// Received, not yet accepted for handling.
        Received,
        /// Accepted for handling; the due date runs from here.
        Accepted,
        /// Not accepted, for the reason given.
        NotAccepted,
        /// Being investigated.
        Investigating,
        /// Resolved, with an outcome and a written conclusion.
        Resolved,
        /// Dismissed, for the reason given.
        Dismissed,
        /// Withdrawn by the citizen.
        Withdrawn,
    }
}

value_set! {
    /// What a resolved complaint came to. Only `unfounded` means the complaint was not
    /// substantiated; the others are measures taken against the officer.
    "ComplaintOutcome" pub enum ComplaintOutcome {
        /// Not substantiated.
        Unfounded,
        /// Nhắc nhở: the officer was reminded.
        Reminded,
        /// Khiển trách / cảnh cáo: the officer was warned.
        Warned,
        /// Điều chuyển: the officer was moved to other work.
        Rotated,
        /// Kỷ luật: disciplinary action.
        Disciplined,
    }
}

value_set! {
    /// What an entry of a complaint's timeline records.
    "ComplaintEventKind" pub enum ComplaintEventKind {
        /// The complaint came in.
        Received,
        /// A supervisor moved it on.
        Transition,
        /// The due date was extended.
        Extension,
        /// The citizen withdrew it.
        Withdrawal,
        /// The citizen reopened it.
        Reopening,
        /// The citizen gave feedback on the handling.
        Feedback,
    }
}

value_set! {
    /// Where a webhook delivery stands.
    "WebhookDeliveryStatus" pub enum WebhookDeliveryStatus {
        /// Waiting for its next attempt.
        Pending,
        /// An attempt is being sent right now.
        Sending,
        /// The endpoint answered 2xx.
        Succeeded,
        /// Given up: retries spent, or the endpoint was disabled.
        Failed,
    }
}

value_set! {
    /// Why a webhook endpoint was disabled.
    "WebhookDisabledReason" pub enum WebhookDisabledReason {
        /// It answered 410 Gone.
        Gone,
        /// Its deliveries failed for 24 hours.
        Failing,
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::*;

    /// The database, the API and serde must agree on every name, or a value written by one
    /// would be unreadable by another.
    fn names_agree<T: ActiveEnum<Value = String> + Iterable + Serialize>() {
        for value in T::iter() {
            assert_eq!(serde_json::to_value(&value).unwrap(), serde_json::Value::String(value.to_value()));
        }
    }

    #[test]
    fn stored_and_serialised_names_are_the_same() {
        names_agree::<DossierStatus>();
        names_agree::<ApiScope>();
        names_agree::<EventType>();
        names_agree::<Timeliness>();
        names_agree::<ApplicantKind>();
        names_agree::<Channel>();
        names_agree::<DossierEventKind>();
        names_agree::<NotificationKind>();
        names_agree::<LetterKind>();
        names_agree::<HolidayKind>();
        names_agree::<LegalDocumentKind>();
        names_agree::<ProcedureLevel>();
        names_agree::<OnlineSubmission>();
        names_agree::<LetterOnCompletion>();
        names_agree::<UnitKind>();
        names_agree::<Role>();
        names_agree::<AuditAction>();
        names_agree::<AuditTarget>();
        names_agree::<AppointmentStatus>();
        names_agree::<CancelledBy>();
        names_agree::<ReminderState>();
        names_agree::<TicketStatus>();
        names_agree::<TicketKind>();
        names_agree::<PriorityClass>();
        names_agree::<PriorityStrategy>();
        names_agree::<VisitOutcome>();
        names_agree::<CounterState>();
        names_agree::<QueueEventKind>();
        names_agree::<RatingLevel>();
        names_agree::<TripsToComplete>();
        names_agree::<RatingChannel>();
        names_agree::<CommentStatus>();
        names_agree::<RejectionReason>();
        names_agree::<ComplaintCategory>();
        names_agree::<ComplaintStatus>();
        names_agree::<ComplaintOutcome>();
        names_agree::<ComplaintEventKind>();
        names_agree::<WebhookDeliveryStatus>();
        names_agree::<WebhookDisabledReason>();
        names_agree::<OtpPurpose>();
        names_agree::<DevicePlatform>();
        names_agree::<PushDeliveryStatus>();
    }

    #[test]
    fn an_unknown_stored_name_is_an_error_not_a_guess() {
        assert!(DossierStatus::try_from_value(&"acepted".to_owned()).is_err());
        assert_eq!(DossierStatus::try_from_value(&"accepted".to_owned()).unwrap(), DossierStatus::Accepted);
    }
}

value_set! {
    /// Why a session ended before its time.
    "SessionEnd" pub enum SessionEnd {
        /// The user logged out of it.
        Logout,
        /// The user signed it out from another device (`DELETE /me/sessions/{id}`).
        SignedOut,
        /// The password was changed from another session.
        PasswordChanged,
        /// The password was reset (by code, or by a supervisor).
        PasswordReset,
        /// The account was deactivated.
        Deactivated,
        /// A spent refresh token of the session was presented again.
        RefreshReuse,
        /// The account was erased.
        AccountDeleted,
    }
}

value_set! {
    /// How a session was opened.
    "SignInMethod" pub enum SignInMethod {
        /// Phone and password (with a one-time code when one was asked for).
        Password,
        /// The province's single sign-on (OpenID Connect).
        Oidc,
    }
}

value_set! {
    /// What a one-time code sent by SMS is for: a code of one purpose never serves another.
    "OtpPurpose" pub enum OtpPurpose {
        /// Confirming the phone of a new account.
        VerifyPhone,
        /// Setting a new password after forgetting it.
        PasswordReset,
        /// The second step of a login that looked suspicious.
        LoginStepUp,
    }
}

value_set! {
    /// The kind of phone a device is.
    "DevicePlatform" pub enum DevicePlatform {
        /// Android (FCM directly).
        Android,
        /// iOS (FCM relays to APNs).
        Ios,
    }
}

value_set! {
    /// Where a push stands (one FCM accepted is deleted).
    "PushDeliveryStatus" pub enum PushDeliveryStatus {
        /// Waiting for its next attempt.
        Pending,
        /// An attempt is being sent right now.
        Sending,
        /// Given up: retries spent.
        Failed,
    }
}
