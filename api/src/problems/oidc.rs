//! The problems of single sign-on with an OpenID Connect provider.

use super::{ProblemType, problem};

pub const OIDC_DISABLED: ProblemType = problem(
    "oidc_disabled",
    404,
    "Single sign-on is not configured on this server (`MOTCUA_OIDC_ISSUER` is unset).",
    ("Máy chủ này chưa bật đăng nhập một lần (SSO).", "Single sign-on is not enabled on this server."),
);

pub const OIDC_PROVIDER_UNAVAILABLE: ProblemType = problem(
    "oidc_provider_unavailable",
    502,
    "The identity provider could not be reached, or answered its discovery document or token \
     request with something unusable. Try again later.",
    (
        "Không kết nối được với hệ thống đăng nhập một lần. Vui lòng thử lại sau.",
        "The sign-on provider cannot be reached. Try again later.",
    ),
);

pub const OIDC_STATE_INVALID: ProblemType = problem(
    "oidc_state_invalid",
    401,
    "The `state` is unknown, expired (logins last 10 minutes) or already used: start again at \
     `GET /auth/oidc/login`.",
    (
        "Phiên đăng nhập một lần không hợp lệ, đã hết hạn hoặc đã được dùng. Vui lòng đăng nhập lại.",
        "The sign-on attempt is unknown, expired or already used. Start again.",
    ),
);

pub const OIDC_TOKEN_INVALID: ProblemType = problem(
    "oidc_token_invalid",
    401,
    "The provider refused the authorization code, or its ID token failed a check: signature, \
     issuer, audience, expiry or nonce.",
    (
        "Không xác minh được kết quả đăng nhập từ hệ thống đăng nhập một lần.",
        "The sign-on provider's answer could not be verified.",
    ),
);

pub const OIDC_NO_ACCOUNT: ProblemType = problem(
    "oidc_no_account",
    403,
    "No account matches the provider's subject, nor a verified phone number it asserts. Staff \
     ask an administrator to link their account; citizens need a provider that asserts a \
     verified phone.",
    (
        "Không tìm thấy tài khoản ứng với danh tính này. Cán bộ vui lòng liên hệ quản trị viên.",
        "No account matches this identity. Staff: ask an administrator to link your account.",
    ),
);

pub const OIDC_SUBJECT_TAKEN: ProblemType = problem(
    "oidc_subject_taken",
    409,
    "Another account is already linked to this single sign-on subject.",
    (
        "Định danh đăng nhập một lần này đã gắn với tài khoản khác.",
        "This sign-on subject is already linked to another account.",
    ),
);
