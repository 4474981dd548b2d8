//! The letter a dossier's completion brings: a congratulation when a birth or a marriage is
//! registered, a condolence when a death is, issued once, in the transaction that moves the
//! dossier to `processed`.

use chrono::{DateTime, Utc};
use entity::{
    dossier,
    values::{ApplicantKind, LetterKind, LetterOnCompletion},
};
use sea_orm::ConnectionTrait;

use super::{
    issue::{NewLetter, issue},
    store,
};
use crate::{
    accounts::store::user_by_id, domain::text::fold, dossiers::view::unit_of, error::ApiResult,
    procedures::store::procedure_by_id, push::Push,
};

/// How a letter addresses the applicant: a dossier knows no one's sex, so a person is
/// "Ông/Bà", and a business "Quý cơ quan".
pub fn honorific(kind: ApplicantKind) -> &'static str {
    match kind {
        ApplicantKind::Citizen => "Ông/Bà",
        ApplicantKind::Business => "Quý cơ quan",
    }
}

/// The event a letter names, from the procedure's name, written to follow "gia đình Ông/Bà".
pub fn event_of(procedure_name: &str, kind: LetterKind) -> String {
    let name = fold(procedure_name);
    if name.contains("ket hon") {
        "vui mừng tổ chức hôn lễ".into()
    } else if name.contains("khai sinh") {
        "chào đón thành viên mới".into()
    } else if kind == LetterKind::Condolence {
        "có người thân từ trần".into()
    } else {
        format!("hoàn tất thủ tục {}", procedure_name.to_lowercase())
    }
}

/// Issues the letter the dossier's procedure names, now that it was moved to `processed`
/// inside `tx`, unless an officer suppressed it, the citizen following it opted out, or it has
/// one already.
///
/// Exactly once: `tx` holds the dossier's row (`SELECT … FOR UPDATE` on PostgreSQL, the one
/// write transaction at a time on SQLite) and has just written its new version, so a retried
/// or concurrent transition waits for this one and then finds the dossier processed (409, or
/// 412 on its stale `If-Match`). The check for an existing letter below is read under that
/// lock; the unique (dossier, kind) constraint stays the database's own guard, and a breach of
/// it fails the whole transition (409) rather than leaving a second letter or a gap in the
/// numbers. The number is taken only when the letter is written, in the same transaction.
pub async fn on_processed(
    tx: &impl ConnectionTrait,
    push: Push,
    dossier: &dossier::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if dossier.letter_suppressed_reason.is_some() {
        return Ok(());
    }
    let Some(procedure) = procedure_by_id(tx, dossier.procedure_id).await? else {
        return Ok(());
    };
    let kind = match procedure.letter_on_completion {
        LetterOnCompletion::NoLetter => return Ok(()),
        LetterOnCompletion::Congratulation => LetterKind::Congratulation,
        LetterOnCompletion::Condolence => LetterKind::Condolence,
    };
    if let Some(citizen) = dossier.citizen_id
        && user_by_id(tx, citizen).await?.is_some_and(|user| user.letters_opt_out)
    {
        return Ok(());
    }
    if store::of_dossier(tx, dossier.id, kind).await?.is_some() {
        return Ok(());
    }
    let unit = unit_of(tx, dossier).await?;
    let zone: chrono_tz::Tz = unit.time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
    let new = NewLetter {
        kind,
        dossier_id: Some(dossier.id),
        recipient_id: dossier.citizen_id,
        recipient_name: dossier.applicant_name.clone(),
        honorific: honorific(dossier.applicant_kind).into(),
        event: event_of(&procedure.name, kind),
        event_date: now.with_timezone(&zone).date_naive(),
        issued_by: None,
    };
    issue(tx, push, &unit, new, now).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_follows_the_procedure() {
        assert_eq!(event_of("Đăng ký khai sinh", LetterKind::Congratulation), "chào đón thành viên mới");
        assert_eq!(event_of("Đăng ký kết hôn", LetterKind::Congratulation), "vui mừng tổ chức hôn lễ");
        assert_eq!(event_of("Đăng ký khai tử", LetterKind::Condolence), "có người thân từ trần");
        assert_eq!(
            event_of("Đăng ký nhận cha, mẹ, con", LetterKind::Congratulation),
            "hoàn tất thủ tục đăng ký nhận cha, mẹ, con"
        );
    }

    #[test]
    fn a_business_is_addressed_as_such() {
        assert_eq!(honorific(ApplicantKind::Citizen), "Ông/Bà");
        assert_eq!(honorific(ApplicantKind::Business), "Quý cơ quan");
    }
}
