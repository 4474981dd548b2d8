//! The problems of complaints and their attachments.

use super::{ProblemType, problem};

pub const UNKNOWN_OFFICER: ProblemType = problem(
    "unknown_officer",
    422,
    "`officer_id` names no officer: complaints are about staff, whose ids their profiles and ratings show.",
    ("Không tìm thấy cán bộ bị phản ánh.", "No such officer."),
);
pub const COMPLAINT_NOT_IN_STATE: ProblemType = problem(
    "complaint_not_in_state",
    409,
    "The complaint's status does not allow this step (the detail says which it is in).",
    (
        "Phản ánh đang ở trạng thái không cho phép thao tác này.",
        "The complaint's status does not allow this.",
    ),
);
pub const REOPEN_WINDOW_CLOSED: ProblemType = problem(
    "reopen_window_closed",
    409,
    "A resolved or dismissed complaint may be reopened only within the unit's window (30 days by default) after it closed.",
    ("Đã quá thời hạn mở lại phản ánh.", "The time to reopen this complaint has passed."),
);
pub const ALREADY_EXTENDED: ProblemType = problem(
    "already_extended",
    409,
    "A complaint's due date is extended once at most.",
    ("Thời hạn giải quyết phản ánh này đã được gia hạn.", "This complaint's due date was extended already."),
);
pub const TOO_MANY_ATTACHMENTS: ProblemType = problem(
    "too_many_attachments",
    422,
    "A complaint takes at most 3 attachments.",
    ("Phản ánh chỉ được đính kèm tối đa 3 tệp.", "A complaint takes at most 3 attachments."),
);
pub const ATTACHMENT_TOO_LARGE: ProblemType = problem(
    "attachment_too_large",
    413,
    "An attachment is over 10 MiB.",
    ("Tệp đính kèm vượt quá 10 MB.", "An attachment is larger than 10 MB."),
);
pub const UNSUPPORTED_ATTACHMENT: ProblemType = problem(
    "unsupported_attachment",
    415,
    "An attachment is not a JPEG, PNG or PDF file by its content (whatever its name says), or its structure is broken.",
    (
        "Tệp đính kèm phải là ảnh JPEG, PNG hoặc tệp PDF.",
        "Attachments must be JPEG or PNG images or PDF files.",
    ),
);
