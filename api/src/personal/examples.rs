//! Examples of the export's parts, for the spec.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use entity::values::{
    AppointmentStatus, ComplaintCategory, ComplaintStatus, LetterKind, NotificationKind, RatingLevel,
    SessionEnd, SignInMethod, TicketStatus,
};
use poem_openapi::types::Example;
use uuid::Uuid;

use super::export::*;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).single().unwrap_or_default()
}

const UNIT: Uuid = Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e101);
const APPOINTMENT: Uuid = Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e301);

impl Example for PersonalData {
    fn example() -> Self {
        PersonalData {
            exported_at: at(7, 3),
            profile: Example::example(),
            created_at: at(1, 2),
            sessions: vec![Example::example()],
            devices: vec![Example::example()],
            dossiers: vec![Example::example()],
            appointments: vec![Example::example()],
            tickets: vec![Example::example()],
            ratings: vec![Example::example()],
            complaints: vec![Example::example()],
            letters: vec![Example::example()],
            notifications: vec![Example::example()],
            audit_entries: vec![Example::example()],
        }
    }
}

impl Example for ExportedSession {
    fn example() -> Self {
        ExportedSession {
            id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e201),
            method: SignInMethod::Password,
            created_at: at(1, 2),
            last_used_at: at(2, 8),
            address: Some("203.113.152.7".into()),
            user_agent: Some("MotCua/2.3 (Android 14)".into()),
            revoked_at: Some(at(2, 9)),
            revoked_reason: Some(SessionEnd::Logout),
        }
    }
}

impl Example for ExportedAppointment {
    fn example() -> Self {
        ExportedAppointment {
            id: APPOINTMENT,
            unit_id: UNIT,
            procedure_id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e102),
            starts_at: at(3, 1),
            status: AppointmentStatus::Booked,
            created_at: at(1, 3),
            cancel_reason: None,
        }
    }
}

impl Example for ExportedTicket {
    fn example() -> Self {
        ExportedTicket {
            id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e401),
            appointment_id: Some(APPOINTMENT),
            service_day: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default(),
            display_number: "A012".into(),
            status: TicketStatus::Waiting,
            checked_in_at: at(3, 0),
        }
    }
}

impl Example for ExportedRating {
    fn example() -> Self {
        ExportedRating {
            id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e501),
            unit_id: UNIT,
            dossier_id: None,
            level: RatingLevel::Satisfied,
            comment: Some("Cán bộ hướng dẫn tận tình.".into()),
            rated_at: at(3, 4),
        }
    }
}

impl Example for ExportedComplaint {
    fn example() -> Self {
        ExportedComplaint {
            id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e601),
            unit_id: UNIT,
            category: ComplaintCategory::Obstruction,
            description: "Tôi phải đi lại nhiều lần.".into(),
            status: ComplaintStatus::Received,
            conclusion: None,
            received_at: at(4, 2),
        }
    }
}

impl Example for ExportedLetter {
    fn example() -> Self {
        ExportedLetter {
            id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e701),
            unit_id: UNIT,
            kind: LetterKind::ThankYou,
            title: "Thư cảm ơn".into(),
            recipient_name: "Nguyễn Văn An".into(),
            issued_at: at(5, 2),
        }
    }
}

impl Example for ExportedNotification {
    fn example() -> Self {
        ExportedNotification {
            id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e801),
            kind: NotificationKind::DossierStatus,
            title: "Hồ sơ 000.20.33.H12-261201-0001: đang xử lý".into(),
            body: "Hồ sơ của bạn đang được xử lý.".into(),
            created_at: at(2, 2),
            read_at: None,
        }
    }
}
