//! One-time codes are kept only as a keyed hash, bound to the phone and the purpose, so a
//! copy of the table gives neither the codes nor a way to try them offline.

use entity::values::OtpPurpose;
use hmac::{Hmac, Mac};
use rand::Rng;
use sea_orm::ActiveEnum;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// The HMAC key of one-time codes, derived from the lookup pepper under a label of its own
/// (no other use of the pepper yields it).
pub struct CodeKey {
    key: [u8; 32],
}

impl CodeKey {
    pub fn new(pepper: &[u8]) -> CodeKey {
        let mut mac = Hmac::<Sha256>::new_from_slice(pepper).expect("HMAC takes a key of any length");
        mac.update(b"motcua: one-time codes, v1");
        CodeKey { key: mac.finalize().into_bytes().into() }
    }

    fn mac(&self, phone: &str, purpose: OtpPurpose, code: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        // Each part ends with a NUL, which none of them contains: no two triples hash alike.
        for part in [phone, purpose.to_value().as_str(), code] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        mac
    }

    /// The stored form of `code`, in hex.
    pub fn hash(&self, phone: &str, purpose: OtpPurpose, code: &SecretString) -> String {
        hex::encode(self.mac(phone, purpose, code.expose_secret()).finalize().into_bytes())
    }

    /// Whether `code` is the one `stored` was made from, compared in constant time.
    pub fn matches(&self, phone: &str, purpose: OtpPurpose, code: &str, stored: &str) -> bool {
        let Ok(stored) = hex::decode(stored) else { return false };
        self.mac(phone, purpose, code).verify_slice(&stored).is_ok()
    }
}

/// A new code: 6 digits from the thread's CSPRNG (ChaCha, seeded by the OS).
pub fn new_code() -> SecretString {
    SecretString::from(format!("{:06}", rand::rng().random_range(0..1_000_000u32)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_only_its_phone_and_purpose() {
        let key = CodeKey::new(b"pepper");
        let code = new_code();
        assert_eq!(code.expose_secret().len(), 6);
        assert!(code.expose_secret().bytes().all(|b| b.is_ascii_digit()));
        let stored = key.hash("+84912345678", OtpPurpose::VerifyPhone, &code);
        assert!(key.matches("+84912345678", OtpPurpose::VerifyPhone, code.expose_secret(), &stored));
        assert!(!key.matches("+84912345679", OtpPurpose::VerifyPhone, code.expose_secret(), &stored));
        assert!(!key.matches("+84912345678", OtpPurpose::PasswordReset, code.expose_secret(), &stored));
        assert!(!key.matches("+84912345678", OtpPurpose::VerifyPhone, "", &stored));
        assert!(!CodeKey::new(b"other").matches(
            "+84912345678",
            OtpPurpose::VerifyPhone,
            code.expose_secret(),
            &stored
        ));
    }
}
