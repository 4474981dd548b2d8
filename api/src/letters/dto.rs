//! What the letters API takes and answers.

use chrono::{DateTime, NaiveDate, Utc};
use entity::values::LetterKind;
use poem_openapi::{Object, types::Example};
use uuid::Uuid;

use crate::input::{Line, Lines};

/// A unit's text of a kind of letter, as a supervisor writes it.
///
/// The body is plain text; a blank line starts a new paragraph. Its only markup is the fixed
/// set of placeholders, written `{{ name }}` (optionally with a case filter: `upper`,
/// `lower`, `title`, `capitalize`, `trim`): `recipient_name`, `honorific`, `event`,
/// `event_date`, `unit`, `signer_name`, `signer_title`, `issue_date`, `letter_number`. Any
/// other name, a statement (`{% … %}`) or an expression is 422 `letter_template_invalid`.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct LetterTemplateInput {
    /// The title printed above the body ("THƯ CHÚC MỪNG").
    pub title: Line<1, 200>,
    /// The body with its placeholders.
    pub body: Lines<1, 5000>,
    /// Who signs the unit's letters of this kind.
    pub signer_name: Line<1, 100>,
    /// The signer's title ("CHỦ TỊCH").
    pub signer_title: Line<1, 100>,
}

impl Example for LetterTemplateInput {
    fn example() -> Self {
        LetterTemplateInput {
            title: "THƯ CHÚC MỪNG".into(),
            body: Lines::from(
                "Kính gửi: {{ honorific }} {{ recipient_name }}\n\nNhân dịp gia đình {{ honorific }} {{ event }}, {{ unit }} xin gửi lời chúc mừng tốt đẹp nhất.\n\nTrân trọng.",
            ),
            signer_name: "Trần Văn Bình".into(),
            signer_title: "CHỦ TỊCH".into(),
        }
    }
}

/// The text a unit writes letters of a kind with.
#[derive(Debug, Clone, Object)]
pub struct LetterTemplate {
    /// The unit.
    pub unit_code: String,
    /// The kind of letter.
    pub kind: LetterKind,
    /// The title printed above the body.
    pub title: String,
    /// The body with its placeholders.
    pub body: String,
    /// Who signs.
    pub signer_name: String,
    /// The signer's title.
    pub signer_title: String,
    /// True when the unit keeps no text of its own and the shipped default applies.
    pub is_default: bool,
    /// The placeholders a body may use.
    pub placeholders: Vec<String>,
    /// When the unit's text was last saved; null for the default.
    #[oai(nullable)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// A letter issued by hand, typically a thank-you for feedback that helped.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct IssueLetterRequest {
    /// The kind of letter.
    pub kind: LetterKind,
    /// The issuing unit; the caller's own when left out.
    #[oai(skip_serializing_if_is_none, validator(min_length = 1, max_length = 64))]
    pub unit_code: Option<String>,
    /// A dossier of the unit it is about: one letter of a kind per dossier (409).
    #[oai(skip_serializing_if_is_none, validator(min_length = 1, max_length = 80))]
    pub dossier_code: Option<String>,
    /// The citizen's account it goes to (their inbox and letters); when left out, the
    /// citizen following the dossier, if any.
    #[oai(skip_serializing_if_is_none)]
    pub recipient_id: Option<Uuid>,
    /// The recipient's name as printed.
    pub recipient_name: Line<1, 100>,
    /// How the letter addresses them ("Ông", "Bà", "Ông/Bà").
    pub honorific: Line<1, 30>,
    /// What the letter is about, written to follow the body's words ("góp ý giúp rút ngắn thời gian trả kết quả").
    pub event: Line<1, 300>,
    /// When it happened; today (in the unit's time zone) when left out.
    #[oai(skip_serializing_if_is_none)]
    pub event_date: Option<NaiveDate>,
}

impl Example for IssueLetterRequest {
    fn example() -> Self {
        IssueLetterRequest {
            kind: LetterKind::ThankYou,
            unit_code: None,
            dossier_code: None,
            recipient_id: None,
            recipient_name: "Nguyễn Văn An".into(),
            honorific: "Ông".into(),
            event: "góp ý giúp rút ngắn thời gian trả kết quả khai sinh".into(),
            event_date: NaiveDate::from_ymd_opt(2026, 11, 30),
        }
    }
}

/// A letter as issued: fixed from then on.
#[derive(Debug, Clone, Object)]
pub struct Letter {
    /// The letter's id.
    pub id: Uuid,
    /// The kind of letter.
    pub kind: LetterKind,
    /// The issuing unit.
    pub unit_code: String,
    /// The number in the unit's letter register of the year.
    pub number: i32,
    /// The year of the register.
    pub year: i32,
    /// The number with its symbol, as printed ("12/TCM").
    pub number_text: String,
    /// The dossier it is about.
    #[oai(nullable)]
    pub dossier_code: Option<String>,
    /// The citizen's account it was addressed to, if known when issued.
    #[oai(nullable)]
    pub recipient_id: Option<Uuid>,
    /// The recipient's name as printed.
    pub recipient_name: String,
    /// How the letter addresses them.
    pub honorific: String,
    /// What the letter is about.
    pub event: String,
    /// When it happened.
    pub event_date: NaiveDate,
    /// The letter's title.
    pub title: String,
    /// True when issued on a dossier's completion, false when by hand.
    pub automatic: bool,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
}

/// Why the automatic letter of a dossier is not to be sent.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct LetterSuppressionRequest {
    /// The reason, kept on the dossier and in its timeline (3–500 characters).
    pub reason: Lines<3, 500>,
}

impl Example for LetterSuppressionRequest {
    fn example() -> Self {
        LetterSuppressionRequest {
            reason: Lines::from("Gia đình đề nghị không gửi thư do hoàn cảnh riêng.")
        }
    }
}
