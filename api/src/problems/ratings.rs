//! The problems of ratings and their moderation.

use super::{ProblemType, problem};

pub const STAFF_CANNOT_RATE: ProblemType = problem(
    "staff_cannot_rate",
    403,
    "Only citizens rate, in their own session or with a printed rating token: a staff session (or an integrator's key) cannot, so no rating is given under an officer's eyes.",
    ("Tài khoản cán bộ không thể đánh giá.", "Staff accounts cannot give ratings."),
);
pub const ALREADY_RATED: ProblemType = problem(
    "already_rated",
    409,
    "This interaction was rated already: each dossier, appointment or ticket is rated once, and its token works once.",
    ("Lượt giao dịch này đã được đánh giá.", "This interaction has been rated already."),
);
pub const NOT_RATEABLE_YET: ProblemType = problem(
    "not_rateable_yet",
    409,
    "The interaction is not over: a dossier is rated once processed or returned, a ticket or appointment once served.",
    (
        "Chỉ đánh giá được sau khi hồ sơ đã giải quyết hoặc đã được phục vụ tại quầy.",
        "It can be rated once the dossier is processed or the visit was served.",
    ),
);
pub const RATING_WINDOW_CLOSED: ProblemType = problem(
    "rating_window_closed",
    409,
    "The unit's rating window (30 days by default) after the interaction has passed; its token has lapsed too.",
    ("Đã quá thời hạn đánh giá cho lượt giao dịch này.", "The time to rate this interaction has passed."),
);
pub const MODERATED_ABOVE: ProblemType = problem(
    "moderated_above",
    403,
    "A comment about a supervisor is moderated by the supervisors of the unit above, not by their peers (and never by themselves: a rating about the caller is 404).",
    (
        "Nhận xét này do lãnh đạo đơn vị cấp trên kiểm duyệt.",
        "This comment is moderated by the supervisors of the unit above.",
    ),
);
pub const ALREADY_MODERATED: ProblemType = problem(
    "already_moderated",
    409,
    "The comment was moderated already (or the rating has no comment): a decision is final.",
    ("Nhận xét này đã được kiểm duyệt.", "This comment has been moderated already."),
);
