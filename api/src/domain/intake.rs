//! What a dossier must carry to be taken in: the applicant's papers and contact, the
//! documents from the procedure's list, and the status it starts in.

use entity::values::Channel;

use super::dossier::Status;

/// Identity papers: a citizen identity number (12 digits), an old ID (9), a passport or a
/// business's tax code (10 or 13, with a dash), in 6 to 20 letters, digits and dashes.
pub const ID_NUMBER_CHARS: std::ops::RangeInclusive<usize> = 6..=20;

/// The longest e-mail address SMTP carries (RFC 5321's path limit less its brackets).
pub const MAX_EMAIL_CHARS: usize = 254;

/// The longest note an officer writes on a dossier: intake notes, transition notes, an
/// apology's reason.
pub const MAX_NOTE_CHARS: usize = 2000;

/// Whether a (trimmed) identity number has the shape of one.
pub fn is_id_number(id: &str) -> bool {
    ID_NUMBER_CHARS.contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Whether a (trimmed) e-mail address is worth sending to: something on each side of an `@`.
/// Deliverability is for the mail server to judge.
pub fn is_email(email: &str) -> bool {
    email.len() <= MAX_EMAIL_CHARS
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
}

/// Where a dossier starts: one filed online waits to be accepted at the desk; one handed in
/// at the desk or by post is accepted on the spot.
pub fn initial_status(channel: Channel) -> Status {
    match channel {
        Channel::Online => Status::NewlySubmitted,
        Channel::Desk | Channel::Post => Status::Accepted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_of_every_kind_pass_and_junk_does_not() {
        for id in ["074095001234", "123456789", "B1234567", "0312345678-001"] {
            assert!(is_id_number(id), "{id}");
        }
        for id in ["12345", "1234567890123456789012", "0741 9500", "07409500123Ä", ""] {
            assert!(!is_id_number(id), "{id}");
        }
    }

    #[test]
    fn an_email_needs_something_on_each_side_of_one_at_sign() {
        assert!(is_email("an.nguyen@example.vn"));
        for email in ["@example.vn", "an@", "an", "a@b@c", ""] {
            assert!(!is_email(email), "{email}");
        }
        assert!(!is_email(&format!("{}@example.vn", "a".repeat(MAX_EMAIL_CHARS))));
    }

    #[test]
    fn online_dossiers_wait_to_be_accepted_and_others_start_accepted() {
        assert_eq!(initial_status(Channel::Online), Status::NewlySubmitted);
        assert_eq!(initial_status(Channel::Desk), Status::Accepted);
        assert_eq!(initial_status(Channel::Post), Status::Accepted);
    }
}
