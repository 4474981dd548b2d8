//! The problems of a dossier's life: its transitions and its claim.

use super::{ProblemType, problem};

pub const ILLEGAL_TRANSITION: ProblemType = problem(
    "illegal_transition",
    409,
    "The dossier cannot move to that status from its current one.",
    ("Hồ sơ không thể chuyển sang trạng thái này.", "The dossier cannot move to this status."),
);
pub const DOSSIER_CLOSED: ProblemType = problem(
    "dossier_closed",
    409,
    "The dossier is no longer being processed.",
    ("Hồ sơ đã kết thúc xử lý.", "The dossier is no longer being processed."),
);
pub const DOSSIER_ALREADY_CLAIMED: ProblemType = problem(
    "dossier_already_claimed",
    409,
    "Another account already follows this dossier.",
    ("Hồ sơ này đã được một tài khoản khác theo dõi.", "Another account already follows this dossier."),
);
