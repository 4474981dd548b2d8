//! The problems of temporary passwords, of claiming dossiers, and of a person's own data.

use super::{ProblemType, problem};

pub const PASSWORD_CHANGE_REQUIRED: ProblemType = problem(
    "password_change_required",
    403,
    "The password is a temporary one a supervisor or administrator set: log in again with the \
     same password and a `new_password`, which replaces it.",
    (
        "Mật khẩu này là mật khẩu tạm thời; hãy đăng nhập lại kèm mật khẩu mới (new_password).",
        "This is a temporary password; log in again with a new password (new_password).",
    ),
);

pub const CLAIM_PHONE_MISMATCH: ProblemType = problem(
    "claim_phone_mismatch",
    403,
    "The code and secret are right, but the account's phone is not the one the applicant gave: \
     only the applicant's verified phone may claim a dossier online. The one-stop desk can link \
     the dossier to the account after checking an identity document.",
    (
        "Số điện thoại của tài khoản không trùng với số người nộp hồ sơ đã khai. Vui lòng mang giấy \
         tờ tùy thân đến bộ phận một cửa để được liên kết hồ sơ với tài khoản của bạn.",
        "Your account's phone is not the one given with the dossier. Bring your ID to the one-stop \
         desk, which can link the dossier to your account.",
    ),
);

pub const NO_CITIZEN_ACCOUNT: ProblemType = problem(
    "no_citizen_account",
    404,
    "No citizen account holds this phone number: the citizen registers (and confirms the phone) \
     first, then the desk links the dossier.",
    ("Không có tài khoản công dân nào dùng số điện thoại này.", "No citizen account has this phone number."),
);

pub const STAFF_ACCOUNT: ProblemType = problem(
    "staff_account",
    403,
    "Staff accounts are not erased by their holders: an administrator or supervisor deactivates \
     them, and their work stays attributed.",
    (
        "Tài khoản cán bộ không thể tự xoá; hãy liên hệ quản trị viên để vô hiệu hoá.",
        "Staff accounts cannot be deleted by their holder; ask an administrator to deactivate it.",
    ),
);

pub const OWN_PASSWORD_RESET: ProblemType = problem(
    "own_password_reset",
    403,
    "Nobody gives their own account a temporary password: change your own with \
     `POST /me/password`.",
    (
        "Không thể tự đặt mật khẩu tạm thời cho tài khoản của mình; hãy đổi mật khẩu tại POST /me/password.",
        "You cannot give your own account a temporary password; change it with POST /me/password.",
    ),
);
