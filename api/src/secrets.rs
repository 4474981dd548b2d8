//! Server-side secrets (JWT signing key, lookup-secret pepper).
//!
//! They come from the environment. On the embedded SQLite default, where a new user should
//! need no configuration, missing ones are generated once and kept in a 0600 file beside the
//! database, so tokens and lookup secrets survive a restart. With PostgreSQL (several
//! processes, real deployments) they must be given, and start-up fails without them.

use std::{collections::BTreeMap, path::PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::config::{Config, ConfigError, random_secret};

/// The server's secrets, all present: what [`crate::keys::Keys`] are made from.
pub struct Secrets {
    /// The HS256 key of access tokens.
    pub jwt: SecretString,
    /// The HMAC key of dossier lookup secrets.
    pub lookup_pepper: SecretString,
}

/// The secrets file that belongs with a SQLite URL (`sqlite://motcua.db?mode=rwc` ->
/// `motcua.db.secrets`), or None for other databases and in-memory SQLite.
fn secrets_file(database_url: &str) -> Option<PathBuf> {
    let path = database_url.strip_prefix("sqlite://").or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(format!("{path}.secrets")))
}

/// The configured secrets, with any missing one taken from the secrets file beside a SQLite
/// database (creating it); fails naming the variable to set otherwise.
pub fn resolve(config: &Config) -> Result<Secrets, ConfigError> {
    if let (Some(jwt), Some(lookup_pepper)) = (&config.auth.jwt_secret, &config.lookup.pepper) {
        return Ok(Secrets { jwt: jwt.clone(), lookup_pepper: lookup_pepper.clone() });
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
        let value = stored.entry(key.to_owned()).or_insert_with(|| {
            changed = true;
            random_secret().expose_secret().to_owned()
        });
        SecretString::from(value.clone())
    };
    let jwt = config.auth.jwt_secret.clone().unwrap_or_else(|| take("jwt_secret"));
    let lookup_pepper = config.lookup.pepper.clone().unwrap_or_else(|| take("lookup_pepper"));
    if changed {
        write_private(&file, &serde_json::to_string_pretty(&stored).unwrap_or_default()).map_err(|e| {
            ConfigError { name: "secrets file", reason: format!("cannot write {}: {e}", file.display()) }
        })?;
    }
    Ok(Secrets { jwt, lookup_pepper })
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
