//! The problems of integrators' keys and of the rate limits that keys and anonymous callers
//! draw on.

use super::{ProblemType, problem};

pub const API_KEY_REVOKED: ProblemType = problem(
    "api_key_revoked",
    409,
    "The key is revoked: a revoked key is never brought back nor rotated; make a new one.",
    ("Khóa API này đã bị thu hồi; hãy tạo khóa mới.", "This API key is revoked; make a new one."),
);

pub const API_KEY_INVALID: ProblemType = problem(
    "api_key_invalid",
    401,
    "The `X-API-Key` is missing, malformed, unknown, revoked or expired.",
    (
        "Khóa API (`X-API-Key`) bị thiếu, sai định dạng, không tồn tại, đã thu hồi hoặc đã hết hạn.",
        "The API key (`X-API-Key`) is missing, malformed, unknown, revoked or expired.",
    ),
);

pub const QUOTA_EXCEEDED: ProblemType = problem(
    "quota_exceeded",
    429,
    "A rate limit is used up: `Retry-After` says when a request is allowed again, the \
     `RateLimit` headers which limit it was.",
    ("Đã vượt quá giới hạn số lần gọi. Vui lòng thử lại sau.", "The rate limit is used up. Try again later."),
);
