//! The problems of one-time codes and of the verified phone some actions need.

use super::{ProblemType, problem};

pub const OTP_INVALID: ProblemType = problem(
    "otp_invalid",
    422,
    "The one-time code is wrong; `detail` says how many tries are left before it dies.",
    ("Mã xác thực không đúng.", "The code is wrong."),
);

pub const OTP_EXPIRED: ProblemType = problem(
    "otp_expired",
    422,
    "There is no live one-time code to check: it expired, was already used, was tried too many \
     times, or none was sent. Ask for a new one.",
    (
        "Mã xác thực đã hết hạn, đã được dùng hoặc đã nhập sai quá số lần cho phép. Vui lòng yêu cầu mã mới.",
        "The code expired, was already used or was tried too many times. Ask for a new one.",
    ),
);

pub const OTP_TOO_SOON: ProblemType = problem(
    "otp_too_soon",
    429,
    "A new one-time code was asked for too soon after the last one: `Retry-After` says when.",
    ("Vui lòng đợi trước khi yêu cầu mã mới.", "Wait before asking for a new code."),
);

pub const PHONE_NOT_VERIFIED: ProblemType = problem(
    "phone_not_verified",
    403,
    "The account's phone is not confirmed yet: confirm it with the SMS code \
     (`POST /auth/phone/verify`) before claiming dossiers, booking or rating.",
    (
        "Số điện thoại của tài khoản chưa được xác thực. Hãy nhập mã đã gửi qua SMS (POST /auth/phone/verify) trước khi thực hiện thao tác này.",
        "The account's phone is not verified yet. Enter the code sent by SMS (POST /auth/phone/verify) first.",
    ),
);
