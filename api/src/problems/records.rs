//! Conflicts with what is stored: names and codes taken, the unit tree, one's own account.

use super::{ProblemType, problem};

pub const PHONE_TAKEN: ProblemType = problem(
    "phone_taken",
    409,
    "The phone number is already registered.",
    ("Số điện thoại này đã được đăng ký.", "This phone number is already registered."),
);
pub const UNIT_CODE_TAKEN: ProblemType = problem(
    "unit_code_taken",
    409,
    "The unit code is already in use.",
    ("Mã đơn vị này đã được dùng.", "This unit code is already in use."),
);
pub const HOLIDAY_EXISTS: ProblemType = problem(
    "holiday_exists",
    409,
    "The date already has a holiday or make-up day for the same scope.",
    (
        "Ngày này đã có một ngày nghỉ hoặc ngày làm bù cho cùng phạm vi.",
        "This date already has a holiday or make-up day for the same scope.",
    ),
);
pub const PROCEDURE_EXISTS: ProblemType = problem(
    "procedure_exists",
    409,
    "A procedure with this code already exists.",
    ("Đã có thủ tục với mã này.", "A procedure with this code already exists."),
);
pub const LEGAL_DOCUMENT_EXISTS: ProblemType = problem(
    "legal_document_exists",
    409,
    "A legal document with this number already exists.",
    ("Đã có văn bản với số hiệu này.", "A document with this number already exists."),
);
pub const UNIT_CYCLE: ProblemType = problem(
    "unit_cycle",
    422,
    "A unit cannot be moved under itself or one of its own sub-units.",
    (
        "Không thể chuyển đơn vị vào dưới chính nó hoặc một đơn vị trực thuộc nó.",
        "A unit cannot be moved under itself or one of its own sub-units.",
    ),
);
pub const OWN_ACCOUNT_LOCKED: ProblemType = problem(
    "own_account_locked",
    422,
    "Nobody may deactivate their own account or change their own role.",
    (
        "Không thể tự khoá tài khoản hay đổi vai trò của chính mình.",
        "You cannot deactivate your own account or change your own role.",
    ),
);
