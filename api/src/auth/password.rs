//! Password hashing: argon2id (m=19456 KiB, t=2, p=1) as PHC strings, on blocking threads
//! behind a semaphore sized to the cores, so a login storm queues instead of starving the
//! async workers that serve everything else.

use std::sync::{Arc, LazyLock};

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use tokio::sync::Semaphore;

use crate::error::ApiError;

const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// The PHC prefix of hashes made with today's parameters; older ones are rehashed on login.
const CURRENT_PREFIX: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password, verified against when the account does not exist, so the
/// answer takes as long for an unknown phone as for a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("not a real password: timing equaliser").unwrap_or_default());

fn hash_blocking(password: &str) -> Result<String, String> {
    argon2().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

fn verify_blocking(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| argon2().verify_password(password.as_bytes(), &hash).is_ok())
}

/// Runs argon2 work off the async threads, at most one job per core at a time.
#[derive(Clone)]
pub struct PasswordHashing {
    permits: Arc<Semaphore>,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        PasswordHashing { permits: Arc::new(Semaphore::new(cores)) }
    }
}

impl PasswordHashing {
    async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(job).await.map_err(ApiError::internal)
    }

    pub async fn hash(&self, password: &str) -> Result<String, ApiError> {
        let password = password.to_owned();
        self.run(move || hash_blocking(&password)).await?.map_err(ApiError::internal)
    }

    /// Verifies against the stored hash, or against a dummy hash when there is none.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, ApiError> {
        let password = password.to_owned();
        let (phc, real) = match stored {
            Some(hash) => (hash.to_owned(), true),
            None => (DUMMY_HASH.clone(), false),
        };
        Ok(self.run(move || verify_blocking(&password, &phc)).await? && real)
    }
}

/// Whether a stored hash was made with weaker or other parameters than today's.
pub fn needs_rehash(phc: &str) -> bool {
    !phc.starts_with(CURRENT_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_phc_strings_with_the_current_parameters() {
        let hash = hash_blocking("correct horse battery").unwrap();
        assert!(hash.starts_with(CURRENT_PREFIX), "{hash}");
        assert!(!needs_rehash(&hash));
        assert!(verify_blocking("correct horse battery", &hash));
        assert!(!verify_blocking("wrong horse battery", &hash));
        assert!(needs_rehash("$argon2id$v=19$m=4096,t=1,p=1$c2FsdA$aGFzaA"));
        assert!(!verify_blocking("x", "not a phc string"));
    }
}
