//! The problems of letters and their templates.

use super::{ProblemType, problem};

pub const LETTER_TEMPLATE_INVALID: ProblemType = problem(
    "letter_template_invalid",
    422,
    "The letter's body uses a placeholder outside the fixed set, a statement (`{% … %}`), an expression beyond `{{ placeholder }}` with a case filter, or does not parse; the detail names what. Nothing was saved.",
    (
        "Mẫu thư có trường thay thế không hợp lệ hoặc sai cú pháp.",
        "The letter template has an invalid placeholder or syntax.",
    ),
);
pub const LETTER_EXISTS: ProblemType = problem(
    "letter_exists",
    409,
    "The dossier already has a letter of this kind: each dossier gets at most one of each kind.",
    ("Hồ sơ này đã có thư loại này.", "This dossier already has a letter of this kind."),
);
pub const LETTERS_OPTED_OUT: ProblemType = problem(
    "letters_opted_out",
    409,
    "The recipient asked for no letters (`letters_opt_out` on their account).",
    ("Người nhận đã từ chối nhận thư.", "The recipient has asked not to receive letters."),
);
