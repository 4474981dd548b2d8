//! The problems of appointments and of writes sent with an `Idempotency-Key`.

use super::{ProblemType, problem};

pub const STAFF_CANNOT_BOOK: ProblemType = problem(
    "staff_cannot_book",
    403,
    "Appointments are booked by citizens for themselves; staff sessions and API keys cannot.",
    (
        "Lịch hẹn do công dân tự đặt; tài khoản cán bộ và khóa API không đặt được.",
        "Appointments are booked by citizens for themselves; staff accounts and API keys cannot book.",
    ),
);
pub const BOOKING_BLOCKED: ProblemType = problem(
    "booking_blocked",
    403,
    "The citizen missed too many appointments lately; booking is blocked for a while (the detail says until when).",
    (
        "Bạn đã vắng mặt ở quá nhiều lịch hẹn gần đây nên tạm thời chưa đặt lịch được.",
        "You missed too many appointments lately, so booking is blocked for a while.",
    ),
);
pub const PROCEDURE_NOT_OFFERED: ProblemType = problem(
    "procedure_not_offered",
    422,
    "The unit does not handle this procedure (or the procedure is unknown or withdrawn).",
    ("Đơn vị không giải quyết thủ tục này.", "The unit does not handle this procedure."),
);
pub const NOT_A_SLOT: ProblemType = problem(
    "not_a_slot",
    422,
    "No slot of the unit begins at this time (see `GET /units/{code}/slots`).",
    (
        "Không có lượt hẹn nào của đơn vị bắt đầu vào thời điểm này.",
        "No slot of the unit begins at this time.",
    ),
);
pub const SLOT_NOT_BOOKABLE: ProblemType = problem(
    "slot_not_bookable",
    422,
    "The slot cannot be booked: it is past, inside the minimum lead time, beyond the booking horizon, on a holiday, or the unit takes no appointments.",
    ("Lượt hẹn này không đặt được.", "This slot cannot be booked."),
);
pub const SLOT_FULL: ProblemType = problem(
    "slot_full",
    409,
    "Every seat of the slot is taken.",
    ("Lượt hẹn này đã hết chỗ.", "Every seat of this slot is taken."),
);
pub const ALREADY_BOOKED_AT_THIS_TIME: ProblemType = problem(
    "already_booked_at_this_time",
    409,
    "The citizen already holds a booking that begins at this time.",
    ("Bạn đã có một lịch hẹn vào giờ này.", "You already hold a booking at this time."),
);
pub const BOOKING_LIMIT_REACHED: ProblemType = problem(
    "booking_limit_reached",
    409,
    "The citizen already holds as many upcoming bookings as allowed.",
    (
        "Bạn đã có đủ số lịch hẹn sắp tới được phép; hãy hủy bớt trước khi đặt thêm.",
        "You already hold as many upcoming bookings as allowed; cancel one first.",
    ),
);
pub const APPOINTMENT_NOT_RESCHEDULABLE: ProblemType = problem(
    "appointment_not_reschedulable",
    409,
    "The booking was cancelled, checked in, served or missed, or was moved as often as allowed.",
    ("Lịch hẹn này không thể đổi giờ nữa.", "This booking can no longer be moved."),
);
pub const APPOINTMENT_NOT_CANCELLABLE: ProblemType = problem(
    "appointment_not_cancellable",
    409,
    "The booking was already checked in, served or missed.",
    ("Lịch hẹn này không thể hủy nữa.", "This booking can no longer be cancelled."),
);
pub const CHANGE_CUTOFF_PASSED: ProblemType = problem(
    "change_cutoff_passed",
    409,
    "The unit's cut-off before the slot has passed; the booking can no longer be cancelled or moved.",
    (
        "Đã quá thời hạn hủy hoặc đổi lịch hẹn trước giờ hẹn.",
        "It is too close to the appointment to cancel or move it.",
    ),
);
pub const APPOINTMENT_NOT_DUE: ProblemType = problem(
    "appointment_not_due",
    409,
    "Only a booking whose slot is over, and that nobody checked in, can be marked as missed.",
    (
        "Chỉ đánh dấu vắng mặt được khi giờ hẹn đã qua và lịch hẹn chưa được tiếp nhận.",
        "A booking can be marked as missed only once its slot is over and nobody checked it in.",
    ),
);
pub const IDEMPOTENCY_KEY_REUSED: ProblemType = problem(
    "idempotency_key_reused",
    422,
    "This `Idempotency-Key` was already used with another request; use a new key for a new request.",
    (
        "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác.",
        "This Idempotency-Key was already used for another request.",
    ),
);
pub const IDEMPOTENCY_IN_PROGRESS: ProblemType = problem(
    "idempotency_in_progress",
    409,
    "The first request with this `Idempotency-Key` is still running; retry in a moment.",
    (
        "Yêu cầu đầu tiên với khóa này vẫn đang được xử lý; vui lòng thử lại sau giây lát.",
        "The first request with this key is still running; retry in a moment.",
    ),
);
