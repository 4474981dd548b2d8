//! Issuing a letter: its number in the unit's series of the year, the unit's text (or the
//! shipped one) filled in, the printable page rendered once and stored, and a notice to the
//! recipient, all in the caller's transaction.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    letter, unit,
    values::{EventType, LetterKind, NotificationKind},
};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use uuid::Uuid;

use super::{
    store,
    templates::{self, Values},
};
use crate::{
    documents::{self, Letterhead, numbers},
    domain::vn_format,
    error::{ApiError, ApiResult},
    i18n::Text,
    notifications::store::{NewNotice, Subject, notify},
    push::Push,
    webhooks::payloads::{LetterIssuedData, announce},
};

/// A letter about to be issued.
pub struct NewLetter {
    pub kind: LetterKind,
    pub dossier_id: Option<Uuid>,
    /// The citizen's account it goes to, when known (the inbox and `/me/letters` show it).
    pub recipient_id: Option<Uuid>,
    pub recipient_name: String,
    pub honorific: String,
    pub event: String,
    pub event_date: NaiveDate,
    /// The officer who issued it by hand; `None` for an automatic letter.
    pub issued_by: Option<Uuid>,
}

/// The title, body and signer a unit's letters of a kind are written with: its own, or the
/// shipped default.
pub struct LetterText {
    pub title: String,
    pub body: String,
    pub signer_name: String,
    pub signer_title: String,
    /// Whether it is the shipped default (the unit keeps no text of its own).
    pub is_default: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The text `unit_id` writes letters of `kind` with.
pub async fn text_of(db: &impl ConnectionTrait, unit_id: Uuid, kind: LetterKind) -> ApiResult<LetterText> {
    Ok(match store::template(db, unit_id, kind).await? {
        Some(own) => LetterText {
            title: own.title,
            body: own.body,
            signer_name: own.signer_name,
            signer_title: own.signer_title,
            is_default: false,
            updated_at: Some(own.updated_at),
        },
        None => {
            let shipped = templates::default_text(kind);
            LetterText {
                title: shipped.title.into(),
                body: shipped.body.into(),
                signer_name: shipped.signer_name.into(),
                signer_title: shipped.signer_title.into(),
                is_default: true,
                updated_at: None,
            }
        }
    })
}

/// What `letter.html` is rendered with.
#[derive(Serialize)]
struct Page<'a> {
    paper: &'static str,
    head: Letterhead,
    title: &'a str,
    recipient_name: &'a str,
    paragraphs: Vec<String>,
    signer_title: &'a str,
    signer_name: &'a str,
}

/// Issues a letter of `unit` at `now` inside `tx`. The number is taken from the unit's letter
/// series of the year in the same transaction, so a letter that fails to be written (or a
/// transaction that rolls back) gives its number back: the register has no gaps.
pub async fn issue(
    tx: &impl ConnectionTrait,
    push: Push,
    unit: &unit::Model,
    new: NewLetter,
    now: DateTime<Utc>,
) -> ApiResult<letter::Model> {
    let zone: chrono_tz::Tz = unit.time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
    let today = now.with_timezone(&zone).date_naive();
    let year = chrono::Datelike::year(&today);
    let text = text_of(tx, unit.id, new.kind).await?;
    let number = numbers::next_number(tx, unit.id, year, numbers::Series::Letter).await?;
    let letter_number = format!("{number}/{}", templates::symbol(new.kind));
    let values = Values {
        recipient_name: new.recipient_name.clone(),
        honorific: new.honorific.clone(),
        event: new.event.clone(),
        event_date: vn_format::date(new.event_date),
        unit: unit.name.clone(),
        signer_name: text.signer_name.clone(),
        signer_title: text.signer_title.clone(),
        issue_date: vn_format::date(today),
        letter_number: letter_number.clone(),
    };
    // A stored text was checked when it was saved; one that no longer renders is a bug.
    let paragraphs = templates::render(&text.body, &values).map_err(ApiError::internal)?;
    let head = Letterhead::of(tx, unit, format!("Số: {letter_number}"), now).await?;
    let html = documents::render(
        "letter.html",
        Page {
            paper: "A4",
            head,
            title: &text.title,
            recipient_name: &new.recipient_name,
            paragraphs,
            signer_title: &text.signer_title,
            signer_name: &text.signer_name,
        },
    )?;
    let letter = store::insert(
        tx,
        letter::Model {
            id: Uuid::now_v7(),
            unit_id: unit.id,
            kind: new.kind,
            year,
            number,
            dossier_id: new.dossier_id,
            recipient_id: new.recipient_id,
            recipient_name: new.recipient_name,
            honorific: new.honorific,
            event: new.event,
            event_date: new.event_date,
            title: text.title,
            html,
            automatic: new.issued_by.is_none(),
            issued_by: new.issued_by,
            issued_at: now,
        },
    )
    .await?;
    if let Some(recipient) = letter.recipient_id {
        let notice = NewNotice {
            user_id: recipient,
            subject: Subject::Letter(letter.id),
            kind: NotificationKind::LetterIssued,
            title: Text::new(
                format!("{} từ {}", sentence_case(&letter.title), unit.name),
                notice_title_en(letter.kind),
            ),
            body: Text::new(
                format!(
                    "{} đã gửi tới bạn một {} (số {letter_number}).",
                    unit.name,
                    letter.title.to_lowercase()
                ),
                format!("{} has sent you a letter (no. {letter_number}).", unit.name),
            ),
        };
        notify(tx, push, notice, now).await?;
    }
    let data = LetterIssuedData {
        letter_id: letter.id,
        unit_code: unit.code.clone(),
        kind: letter.kind,
        number: letter.number,
        year: letter.year,
        automatic: letter.automatic,
    };
    announce(tx, now, EventType::LetterIssued, unit.id, &data).await?;
    Ok(letter)
}

fn sentence_case(title: &str) -> String {
    let lower = title.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn notice_title_en(kind: LetterKind) -> &'static str {
    match kind {
        LetterKind::Congratulation => "A letter of congratulation",
        LetterKind::Condolence => "A letter of condolence",
        LetterKind::ThankYou => "A letter of thanks",
    }
}
