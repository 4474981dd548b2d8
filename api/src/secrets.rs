//! Server-side secrets (JWT signing key, lookup-secret pepper).
//!
//! They come from the environment. On the embedded SQLite default, where a new user should
//! need no configuration, missing ones are generated once and kept in a 0600 file beside the
//! database, so tokens and lookup secrets survive a restart. With PostgreSQL (several
//! processes, real deployments) they must be given, and start-up fails without them.

use std::{collections::BTreeMap, path::PathBuf};

use base64::Engine;
use rand::RngCore;
use secrecy::SecretString;

use crate::config::{Config, ConfigError};

/// 32 random bytes, base64url.
pub fn random_secret() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The secrets file that belongs with a SQLite URL (`sqlite://motcua.db?mode=rwc` ->
/// `motcua.db.secrets`), or None for other databases and in-memory SQLite.
fn secrets_file(database_url: &str) -> Option<PathBuf> {
    let path = database_url.strip_prefix("sqlite://").or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(format!("{path}.secrets")))
}

/// Fills in missing secrets: from the secrets file beside a SQLite database (creating it),
/// or fails naming the variable to set.
pub fn resolve(config: &mut Config) -> Result<(), ConfigError> {
    if config.auth.jwt_secret.is_some() && config.lookup.pepper.is_some() {
        return Ok(());
    }
    let Some(file) = secrets_file(&config.database.url) else {
        let name =
            if config.auth.jwt_secret.is_none() { "MOTCUA_JWT_SECRET" } else { "MOTCUA_LOOKUP_PEPPER" };
        return Err(ConfigError {
            name,
            reason:
                "required with this database; set it to a long random value (e.g. `openssl rand -base64 32`)"
                    .into(),
        });
    };
    let mut stored: BTreeMap<String, String> = match std::fs::read_to_string(&file) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| ConfigError {
            name: "secrets file",
            reason: format!("{} is not valid: {e}", file.display()),
        })?,
        Err(_) => BTreeMap::new(),
    };
    let mut changed = false;
    let mut take = |key: &str| -> SecretString {
        use secrecy::ExposeSecret;
        let value = stored.entry(key.to_owned()).or_insert_with(|| {
            changed = true;
            random_secret().expose_secret().to_owned()
        });
        SecretString::from(value.clone())
    };
    if config.auth.jwt_secret.is_none() {
        config.auth.jwt_secret = Some(take("jwt_secret"));
    }
    if config.lookup.pepper.is_none() {
        config.lookup.pepper = Some(take("lookup_pepper"));
    }
    if changed {
        write_private(&file, &serde_json::to_string_pretty(&stored).unwrap_or_default()).map_err(|e| {
            ConfigError { name: "secrets file", reason: format!("cannot write {}: {e}", file.display()) }
        })?;
    }
    Ok(())
}

fn write_private(file: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_live_beside_sqlite_files_only() {
        assert_eq!(secrets_file("sqlite://motcua.db?mode=rwc"), Some(PathBuf::from("motcua.db.secrets")));
        assert_eq!(
            secrets_file("sqlite:/var/lib/motcua/db.sqlite"),
            Some(PathBuf::from("/var/lib/motcua/db.sqlite.secrets"))
        );
        assert_eq!(secrets_file("sqlite::memory:"), None);
        assert_eq!(secrets_file("postgres://u@h/db"), None);
    }
}
