//! The problems of sessions and of logins that need more than a password.

use super::{ProblemType, problem};

pub const SESSION_IS_CURRENT: ProblemType = problem(
    "session_is_current",
    409,
    "The session named is the one making the request: end it with `POST /auth/logout`.",
    (
        "Đây là phiên đăng nhập đang dùng; hãy đăng xuất (`POST /auth/logout`) để kết thúc phiên này.",
        "This is the session making the request; log out (`POST /auth/logout`) to end it.",
    ),
);

pub const STEP_UP_REQUIRED: ProblemType = problem(
    "step_up_required",
    401,
    "Too many failed logins for this phone: the login needs, besides the password, the one-time \
     code sent by SMS (`otp`). A code is sent when the password is right; the answer is the same \
     either way.",
    (
        "Số điện thoại này đã đăng nhập sai nhiều lần: cần thêm mã xác thực gửi qua SMS (trường `otp`). \
         Nếu mật khẩu đúng, mã đã được gửi tới số điện thoại của tài khoản.",
        "Too many failed logins for this phone: add the one-time code sent by SMS (field `otp`). \
         If the password is right, a code was sent to the account's phone.",
    ),
);
