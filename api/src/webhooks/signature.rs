//! The two signatures of a delivery, both HMAC-SHA256 under the endpoint's key (the bytes
//! whose base64 follows `whsec_`), both over the exact body bytes sent:
//! - Standard Webhooks 1.0: `webhook-signature: v1,<base64 of HMAC("id.timestamp.body")>`;
//! - `X-MotCua-Signature: t=<timestamp>,v1=<hex of HMAC("timestamp.body")>`.
//!
//! While a rotated-out secret still signs, each header carries one signature per secret
//! (space-separated in the first, as the standard says; a second `v1=` in the second), so a
//! receiver holding either secret verifies.

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// What every secret starts with, as in Standard Webhooks.
pub const SECRET_PREFIX: &str = "whsec_";

/// A fresh endpoint secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The HMAC key of a secret, or `None` for a string that is not one this server issued.
pub fn key_of(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()
}

fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// The signature headers of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatures {
    /// `webhook-signature`
    pub standard: String,
    /// `X-MotCua-Signature`
    pub motcua: String,
}

/// Signs `body`, sent as event `id` at unix second `timestamp`, with each key in turn.
pub fn sign(keys: &[Vec<u8>], id: &str, timestamp: i64, body: &[u8]) -> Signatures {
    let t = timestamp.to_string();
    let standard = keys
        .iter()
        .map(|key| {
            format!("v1,{}", STANDARD.encode(mac(key, &[id.as_bytes(), b".", t.as_bytes(), b".", body])))
        })
        .collect::<Vec<_>>()
        .join(" ");
    let motcua = keys
        .iter()
        .map(|key| format!(",v1={}", hex::encode(mac(key, &[t.as_bytes(), b".", body]))))
        .fold(format!("t={t}"), |header, v1| header + &v1);
    Signatures { standard, motcua }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The integration guide's test vector.
    const VECTOR_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const VECTOR_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const VECTOR_TIMESTAMP: i64 = 1614265330;
    const VECTOR_BODY: &[u8] = br#"{"test": 2432232314}"#;

    #[test]
    fn the_standard_signature_matches_standard_webhooks_own_vector() {
        // The example of the Standard Webhooks specification, signed by its reference library.
        let key = key_of(VECTOR_SECRET).unwrap();
        let signed = sign(&[key], VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY);
        assert_eq!(signed.standard, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn the_motcua_signature_is_hex_over_timestamp_and_body() {
        let key = key_of(VECTOR_SECRET).unwrap();
        let signed = sign(&[key], VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY);
        assert_eq!(
            signed.motcua,
            "t=1614265330,v1=e96203c6de850e7dc1fde7489ef6140b402d3a5a64fe250cd2eef9830fac1cef"
        );
    }

    #[test]
    fn the_guides_event_vector_signs_as_the_guide_says() {
        // openapi/README.md, "Verifying the signatures": a dossier event, byte for byte.
        let body = br#"{"id":"0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","type":"dossier.status_changed","created_at":"2026-12-01T03:15:00Z","data":{"code":"000.20.33.H12-261201-0001","previous_status":"newly_submitted","status":"accepted","status_code":2,"unit_code":"000.20.33.H12"}}"#;
        let key = key_of(VECTOR_SECRET).unwrap();
        let signed = sign(&[key], "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", 1_796_094_900, body);
        assert_eq!(signed.standard, "v1,0lvKi5UVGxV1FB46jvONmVbT5cSG+yzrgGI6eWu2W+0=");
        assert_eq!(
            signed.motcua,
            "t=1796094900,v1=823e9a31b14619eb32bcec03d0dc9c82f119d6da62a6f5656ba0a6d4199fda12"
        );
    }

    #[test]
    fn during_a_rotation_each_header_carries_both_signatures() {
        let (old, new) = (key_of(&new_secret()).unwrap(), key_of(&new_secret()).unwrap());
        let both = sign(&[new.clone(), old.clone()], "evt", 1, b"{}");
        let (one, other) = (sign(&[new], "evt", 1, b"{}"), sign(&[old], "evt", 1, b"{}"));
        assert_eq!(both.standard, format!("{} {}", one.standard, other.standard));
        let other_v1 = other.motcua.split_once(',').unwrap().1;
        assert_eq!(both.motcua, format!("{},{other_v1}", one.motcua));
    }

    #[test]
    fn a_new_secret_holds_32_random_bytes() {
        let secret = new_secret();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(key_of(&secret).unwrap().len(), 32);
        assert_ne!(secret, new_secret());
        assert_eq!(key_of("sk_abc"), None);
    }
}
