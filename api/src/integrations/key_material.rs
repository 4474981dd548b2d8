//! The form of an API key, `mc_live_<id>_<secret>`: the id finds the key's row, and only
//! SHA-256 of the secret is kept, so a stolen database gives no working key.

use rand::{Rng, distr::Alphanumeric};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

const PREFIX: &str = "mc_live_";
/// 43 letters and digits: about 256 bits.
const SECRET_LEN: usize = 43;

/// A key as it was sent or made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMaterial {
    pub id: Uuid,
    secret: String,
}

impl KeyMaterial {
    /// A new secret for the key `id`.
    pub fn generate(id: Uuid) -> KeyMaterial {
        let secret = rand::rng().sample_iter(Alphanumeric).take(SECRET_LEN).map(char::from).collect();
        KeyMaterial { id, secret }
    }

    /// Reads a key as sent; `None` for anything not of the key's form.
    pub fn parse(sent: &str) -> Option<KeyMaterial> {
        let (id, secret) = sent.trim().strip_prefix(PREFIX)?.split_once('_')?;
        let well_formed = id.len() == 32
            && secret.len() == SECRET_LEN
            && secret.bytes().all(|byte| byte.is_ascii_alphanumeric());
        well_formed.then(|| Some(KeyMaterial { id: Uuid::try_parse(id).ok()?, secret: secret.to_owned() }))?
    }

    /// The whole key, to be shown once.
    pub fn reveal(&self) -> String {
        format!("{PREFIX}{}_{}", self.id.simple(), self.secret)
    }

    /// What is stored: SHA-256 of the secret, hex.
    pub fn secret_hash(&self) -> String {
        hex::encode(Sha256::digest(self.secret.as_bytes()))
    }

    /// Whether the secret is the one whose hash is `stored`, compared in constant time.
    pub fn matches(&self, stored: &str) -> bool {
        bool::from(self.secret_hash().as_bytes().ct_eq(stored.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_reads_back_and_matches_only_its_hash() {
        let key = KeyMaterial::generate(Uuid::new_v4());
        let sent = key.reveal();
        assert!(sent.starts_with("mc_live_"));
        let read = KeyMaterial::parse(&sent).unwrap();
        assert_eq!(read, key);
        assert!(read.matches(&key.secret_hash()));
        assert!(!read.matches(&KeyMaterial::generate(key.id).secret_hash()));
    }

    #[test]
    fn anything_else_is_not_a_key() {
        let good = KeyMaterial::generate(Uuid::new_v4()).reveal();
        for bad in [
            "",
            "mc_live_",
            "mc_test_0123",
            &good.replace("mc_live_", "mc_test_"),
            &good[..good.len() - 1],
            &format!("{good}x"),
            &good.replacen('_', "-", 3),
            &format!("{}_{}", &good[..40], "é".repeat(43)),
        ] {
            assert_eq!(KeyMaterial::parse(bad), None, "{bad}");
        }
    }
}
