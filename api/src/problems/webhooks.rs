//! The problems of webhooks.

use super::{ProblemType, problem};

pub const WEBHOOK_DELIVERY_IN_FLIGHT: ProblemType = problem(
    "webhook_delivery_in_flight",
    409,
    "The delivery is being sent right now; ask again once this attempt is recorded.",
    (
        "Lần gửi này đang được thực hiện; hãy thử lại sau khi có kết quả.",
        "This delivery is being sent right now; try again once the attempt is recorded.",
    ),
);
