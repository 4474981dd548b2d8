//! The problems of the desk's queue: check-in, counters and tickets.

use super::{ProblemType, problem};

pub const DESK_CLOSED: ProblemType = problem(
    "desk_closed",
    409,
    "The desk has no opening hours left today (a holiday, a day off, or after closing): it takes no tickets.",
    (
        "Hôm nay bộ phận một cửa đã hết giờ làm việc, không cấp số được.",
        "The desk is closed for today: it gives out no tickets.",
    ),
);
pub const TOO_EARLY_TO_CHECK_IN: ProblemType = problem(
    "too_early_to_check_in",
    422,
    "The appointment's check-in window has not opened yet (the detail says when it opens).",
    ("Chưa đến giờ nhận số cho lịch hẹn này.", "It is too early to check in for this appointment."),
);
pub const APPOINTMENT_NOT_TODAY: ProblemType = problem(
    "appointment_not_today",
    422,
    "The appointment is at another unit or on another day than today at this desk.",
    (
        "Lịch hẹn không thuộc đơn vị này hoặc không phải hôm nay.",
        "The appointment is not at this desk today.",
    ),
);
pub const APPOINTMENT_NOT_CHECKABLE: ProblemType = problem(
    "appointment_not_checkable",
    409,
    "The appointment is cancelled, missed or already served: it cannot check in.",
    (
        "Lịch hẹn đã hủy, vắng mặt hoặc đã giải quyết.",
        "The appointment is cancelled, missed or already served.",
    ),
);
pub const ALREADY_CHECKED_IN: ProblemType = problem(
    "already_checked_in",
    409,
    "The appointment already has a ticket.",
    ("Lịch hẹn này đã được cấp số.", "This appointment already has a ticket."),
);
pub const UNKNOWN_SERVICE_GROUP: ProblemType = problem(
    "unknown_service_group",
    422,
    "The desk has no service group with this code (see its queue settings).",
    ("Bộ phận không có nhóm dịch vụ này.", "The desk has no such service group."),
);
pub const COUNTER_NOT_OPEN: ProblemType = problem(
    "counter_not_open",
    409,
    "The counter is paused or closed: it calls nobody.",
    ("Quầy đang tạm dừng hoặc đã đóng.", "The counter is paused or closed."),
);
pub const COUNTER_BUSY: ProblemType = problem(
    "counter_busy",
    409,
    "The counter has a ticket called or being served: finish it first.",
    ("Quầy đang có số được gọi hoặc đang phục vụ.", "The counter still has a ticket called or being served."),
);
pub const TICKET_NOT_IN_STATE: ProblemType = problem(
    "ticket_not_in_state",
    409,
    "The ticket is not in a state that allows this (for example, only a called ticket can be recalled).",
    ("Số thứ tự đang ở trạng thái không cho phép thao tác này.", "The ticket's state does not allow this."),
);
pub const UNKNOWN_DOSSIER: ProblemType = problem(
    "unknown_dossier",
    422,
    "No dossier of this unit has this code.",
    ("Không có hồ sơ nào của đơn vị với mã này.", "No dossier of this unit has this code."),
);
