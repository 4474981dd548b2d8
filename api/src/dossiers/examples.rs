//! The examples the spec shows for dossiers: one dossier of the Lái Thiêu desk, received on
//! 26 November 2026 and followed through intake, processing and the public lookup.

use chrono::{DateTime, TimeZone, Utc};
use poem_openapi::types::Example;
use uuid::Uuid;

use super::dto::*;

const CODE: &str = "000.20.33.H12-261126-0001";

/// A local time (Asia/Ho_Chi_Minh, UTC+7) of late 2026.
fn at(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour - 7, minute, 0).single().unwrap_or_default()
}

fn desk() -> UnitRef {
    UnitRef {
        code: "000.20.33.H12".into(),
        name: "UBND phường Lái Thiêu".into(),
        address: Some("Số 1 Đỗ Hữu Vị, phường Lái Thiêu".into()),
    }
}

fn procedure() -> ProcedureRef {
    ProcedureRef { code: "1.001193".into(), name: "Đăng ký khai sinh".into() }
}

fn officer() -> Uuid {
    Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e001)
}

impl Example for Receipt {
    fn example() -> Self {
        let intake = IntakeRequest::example();
        Receipt {
            code: CODE.into(),
            lookup_secret: Some("7KX4-M2QP".into()),
            status: Status::Accepted,
            status_code: 2,
            status_label: "Đã tiếp nhận".into(),
            desk: desk(),
            applicant: intake.applicant,
            procedure: procedure(),
            documents: intake.documents,
            processing_days: 3.0,
            fee_vnd: 0,
            received_at: at(11, 26, 8, 15),
            due_at: at(12, 1, 8, 15),
            result_returned_at: "Bộ phận một cửa, UBND phường Lái Thiêu".into(),
            received_by: "Phạm Thị Lái Thiêu".into(),
            rating_token: "d.0192f0c47d1e7c399a3b4bd3a1f2e0b1.5d41402abc4b2a76b9719d911017c592".into(),
            receipt_number: Some(12),
            lookup_url:
                "https://motcua.thuanan.gov.vn/tra-cuu?code=000.20.33.H12-261126-0001&secret=7KX4-M2QP".into(),
            receipt_html: None,
        }
    }
}

impl Example for DossierDetail {
    fn example() -> Self {
        let intake = IntakeRequest::example();
        DossierDetail {
            code: CODE.into(),
            status: Status::InProgress,
            status_code: 4,
            status_label: "Đang xử lý".into(),
            unit_code: "000.20.33.H12".into(),
            procedure: procedure(),
            applicant: intake.applicant,
            documents: intake.documents,
            channel: Channel::Desk,
            notes: None,
            fee_vnd: 0,
            received_at: at(11, 26, 8, 15),
            due_at: at(12, 1, 8, 15),
            paused_at: None,
            completed_at: None,
            returned_at: None,
            timeliness: Some(Timeliness::InTime),
            assigned_to: Some(officer()),
            received_by: Some(officer()),
            claimed: false,
            letter_suppressed_reason: None,
            receipt_number: Some(12),
            version: 2,
            // The intake step (no `from_status`) is left out: Redocly reads `null` against the
            // enum behind a nullable reference and calls it invalid, though OpenAPI 3.0 allows it.
            timeline: vec![TimelineEntry {
                id: Uuid::from_u128(0x0192_f0c4_7d1e_7c39_9a3b_4bd3_a1f2_e0e1),
                document_number: None,
                at: at(11, 26, 9, 0),
                kind: DossierEventKind::Transition,
                from_status: Some(Status::Accepted),
                to_status: Status::InProgress,
                actor_id: Some(officer()),
                note: None,
                public_note: Some("Hồ sơ đang được xử lý.".into()),
                new_due_at: None,
            }],
        }
    }
}

impl Example for DossierSummary {
    fn example() -> Self {
        DossierSummary {
            code: CODE.into(),
            status: Status::InProgress,
            status_code: 4,
            status_label: "Đang xử lý".into(),
            unit_code: "000.20.33.H12".into(),
            procedure_code: "1.001193".into(),
            applicant_name: "Nguyễn Văn An".into(),
            received_at: at(11, 26, 8, 15),
            due_at: at(12, 1, 8, 15),
            timeliness: Some(Timeliness::InTime),
            assigned_to: Some(officer()),
        }
    }
}

impl Example for TransitionRequest {
    fn example() -> Self {
        TransitionRequest {
            to_status: Status::SupplementRequested,
            note: Some("Thiếu bản sao giấy chứng nhận kết hôn.".into()),
            public_note: Some("Vui lòng bổ sung bản sao giấy chứng nhận kết hôn của cha mẹ.".into()),
        }
    }
}

impl Example for ApologyRequest {
    fn example() -> Self {
        ApologyRequest {
            new_due_at: at(12, 4, 16, 0),
            reason: "Hồ sơ cần xác minh thêm với cơ quan khác; xin lỗi ông/bà vì sự chậm trễ.".into(),
        }
    }
}

impl Example for AssignmentRequest {
    fn example() -> Self {
        AssignmentRequest { officer_id: officer() }
    }
}

impl Example for LookupResult {
    fn example() -> Self {
        LookupResult {
            code: CODE.into(),
            status: Status::InProgress,
            status_code: 4,
            status_label: "Đang xử lý".into(),
            procedure: procedure(),
            unit: desk(),
            applicant: "N*** V** A*".into(),
            received_at: at(11, 26, 8, 15),
            due_at: at(12, 1, 8, 15),
            completed_at: None,
            returned_at: None,
            timeliness: Timeliness::InTime,
            timeline: vec![PublicTimelineEntry {
                at: at(11, 26, 9, 0),
                status: Status::InProgress,
                status_label: "Đang xử lý".into(),
                note: Some("Hồ sơ đang được xử lý.".into()),
                new_due_at: None,
            }],
        }
    }
}
