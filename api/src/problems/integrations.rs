//! The problems of integrators' keys.

use super::{ProblemType, problem};

pub const API_KEY_REVOKED: ProblemType = problem(
    "api_key_revoked",
    409,
    "The key is revoked: a revoked key is never brought back nor rotated; make a new one.",
    ("Khóa API này đã bị thu hồi; hãy tạo khóa mới.", "This API key is revoked; make a new one."),
);
