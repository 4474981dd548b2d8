//! Server-side secrets (JWT signing key, lookup-secret pepper).
//!
//! They come from the environment. On the embedded SQLite default, where a new user should
//! need no configuration, missing ones are generated once and kept in a 0600 file beside the
//! database, so tokens and lookup secrets survive a restart. With PostgreSQL (several
//! processes, real deployments) they must be given, and start-up fails without them.
//!
//! The pepper is the key of every lookup secret ever printed on a receipt: a new one makes
//! them all useless. So the database keeps its fingerprint, and the server refuses to start
//! with a pepper that differs from it, or to make a new one for a database that has dossiers.
//! The JWT key may change (everyone signs in again); it is generated but not guarded.

use std::{collections::BTreeMap, path::PathBuf};

use chrono::{DateTime, Utc};
use entity::{dossier, secret_fingerprint};
use hmac::{Hmac, Mac};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QuerySelect, sea_query::OnConflict};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::config::{Config, ConfigError, random_secret};

/// The server's secrets, all present: what [`crate::keys::Keys`] are made from.
#[derive(Clone)]
pub struct Secrets {
    /// The HS256 key of access tokens.
    pub jwt: SecretString,
    /// The HMAC key of dossier lookup secrets.
    pub lookup_pepper: SecretString,
}

/// The names of the secrets in a secrets file (and in a backup).
const JWT_KEY: &str = "jwt_secret";
const PEPPER_KEY: &str = "lookup_pepper";

impl Secrets {
    /// The secrets as a secrets file holds them.
    pub fn to_json(&self) -> String {
        let stored = BTreeMap::from([
            (JWT_KEY, self.jwt.expose_secret()),
            (PEPPER_KEY, self.lookup_pepper.expose_secret()),
        ]);
        serde_json::to_string_pretty(&stored).unwrap_or_default()
    }

    /// The secrets of a secrets file's text, when both are there and not empty.
    pub fn from_json(text: &str) -> Option<Secrets> {
        let stored: BTreeMap<String, String> = serde_json::from_str(text).ok()?;
        let take = |key: &str| {
            stored.get(key).filter(|v| !v.trim().is_empty()).map(|v| SecretString::from(v.clone()))
        };
        Some(Secrets { jwt: take(JWT_KEY)?, lookup_pepper: take(PEPPER_KEY)? })
    }

    /// The fingerprint of the pepper: HMAC-SHA-256 of a fixed text under it, in hex.
    pub fn pepper_fingerprint(&self) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.lookup_pepper.expose_secret().as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(b"motcua: the lookup pepper's fingerprint, v1");
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The secrets file that belongs with a SQLite database (`motcua.db` -> `motcua.db.secrets`),
/// or None for other databases and in-memory SQLite.
pub fn secrets_file(config: &Config) -> Option<PathBuf> {
    let mut name = config.database.sqlite_file()?.into_os_string();
    name.push(".secrets");
    Some(PathBuf::from(name))
}

/// The secrets as configured, before anything is generated: from the environment, else from
/// the secrets file beside a SQLite database.
pub struct Loaded {
    jwt: Option<SecretString>,
    lookup_pepper: Option<SecretString>,
    /// Whether the pepper is MOTCUA_LOOKUP_PEPPER's (else the file's, if any).
    pepper_from_environment: bool,
    /// The secrets file, and the secrets it holds (empty when there is none).
    file: Option<(PathBuf, BTreeMap<String, String>)>,
}

/// Reads the configured secrets without writing anything; fails naming the variable to set
/// when one is missing and there is no secrets file to keep it in (PostgreSQL).
pub fn load(config: &Config) -> Result<Loaded, ConfigError> {
    let file = match secrets_file(config) {
        Some(path) => {
            let stored: BTreeMap<String, String> = match std::fs::read_to_string(&path) {
                Ok(text) => serde_json::from_str(&text).map_err(|e| ConfigError {
                    name: "secrets file",
                    reason: format!("{} is not valid: {e}", path.display()),
                })?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
                Err(e) => {
                    return Err(ConfigError {
                        name: "secrets file",
                        reason: format!("cannot read {}: {e}", path.display()),
                    });
                }
            };
            Some((path, stored))
        }
        None => None,
    };
    let from_file = |key: &str| {
        let (_, stored) = file.as_ref()?;
        stored.get(key).filter(|v| !v.trim().is_empty()).map(|v| SecretString::from(v.clone()))
    };
    let loaded = Loaded {
        jwt: config.auth.jwt_secret.clone().or_else(|| from_file(JWT_KEY)),
        lookup_pepper: config.lookup.pepper.clone().or_else(|| from_file(PEPPER_KEY)),
        pepper_from_environment: config.lookup.pepper.is_some(),
        file,
    };
    if loaded.file.is_none() {
        let missing = match (&loaded.jwt, &loaded.lookup_pepper) {
            (None, _) => Some("MOTCUA_JWT_SECRET"),
            (_, None) => Some("MOTCUA_LOOKUP_PEPPER"),
            _ => None,
        };
        if let Some(name) = missing {
            return Err(ConfigError {
                name,
                reason:
                    "required with this database; set it to a long random value (e.g. `openssl rand -base64 32`)"
                        .into(),
            });
        }
    }
    Ok(loaded)
}

impl Loaded {
    /// Both secrets, when both are configured.
    pub fn complete(&self) -> Option<Secrets> {
        Some(Secrets { jwt: self.jwt.clone()?, lookup_pepper: self.lookup_pepper.clone()? })
    }

    /// Where the pepper comes from, in words for an operator.
    fn pepper_source(&self) -> String {
        match &self.file {
            Some((path, _)) if !self.pepper_from_environment => {
                format!("the secrets file {}", path.display())
            }
            _ => "MOTCUA_LOOKUP_PEPPER".to_owned(),
        }
    }
}

/// Why the server may not use its secrets with this database.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    // The cause is the error's source: `{:#}` shows it after the words.
    #[error("reading the database")]
    Database(#[from] DbErr),
    #[error(
        "this database's secrets are gone: it holds dossiers, or has recorded its pepper's fingerprint, but \
         {where_} has no lookup pepper. The pepper is the key of every lookup secret \
         printed on a receipt; a new one would make them all useless, so none is made. Put the secrets file \
         back from your backup (`motcua restore BACKUP` puts a database and its secrets back together), or \
         set MOTCUA_LOOKUP_PEPPER to the value it held."
    )]
    Missing { where_: String },
    #[error(
        "the lookup pepper from {from} is not the one this database's lookup secrets were made with (its \
         fingerprint differs), so every receipt already printed would stop working. Use the secrets this \
         database was made with: the secrets file backed up with it (`motcua restore BACKUP` restores both), \
         or the same MOTCUA_LOOKUP_PEPPER as the other server processes."
    )]
    Different { from: String },
}

/// The secrets to run with, checked against the database: the pepper must have the
/// fingerprint the database recorded. Missing secrets are generated into the secrets file
/// only for a database without dossiers; the fingerprint of a new pepper is then recorded.
pub async fn settle(
    db: &impl ConnectionTrait,
    loaded: Loaded,
    now: DateTime<Utc>,
) -> Result<Secrets, SecretsError> {
    let recorded = recorded_fingerprint(db).await?;
    let source = loaded.pepper_source();
    let secrets = match loaded.complete() {
        Some(secrets) => secrets,
        None if recorded.is_some() || holds_dossiers(db).await? => {
            let where_ = match &loaded.file {
                Some((path, stored)) if stored.is_empty() => {
                    format!("the secrets file {} is missing; it", path.display())
                }
                Some((path, _)) => format!("the secrets file {}", path.display()),
                None => "the environment".to_owned(),
            };
            return Err(SecretsError::Missing { where_ });
        }
        None => generate(loaded)?,
    };
    let fingerprint = secrets.pepper_fingerprint();
    let recorded = match recorded {
        Some(recorded) => recorded,
        None => record_fingerprint(db, &fingerprint, now).await?,
    };
    if recorded != fingerprint {
        return Err(SecretsError::Different { from: source });
    }
    Ok(secrets)
}

/// Fills the missing secrets in with new random ones and keeps them in the secrets file.
fn generate(loaded: Loaded) -> Result<Secrets, ConfigError> {
    // load() has failed already when a secret is missing and there is no file to keep it in.
    let Some((path, mut stored)) = loaded.file else {
        return Err(ConfigError {
            name: "MOTCUA_LOOKUP_PEPPER",
            reason: "required with this database".into(),
        });
    };
    let first = stored.is_empty();
    let mut take = |key: &str| -> SecretString {
        let value =
            stored.entry(key.to_owned()).or_insert_with(|| random_secret().expose_secret().to_owned());
        SecretString::from(value.clone())
    };
    let secrets = Secrets {
        jwt: loaded.jwt.unwrap_or_else(|| take(JWT_KEY)),
        lookup_pepper: loaded.lookup_pepper.unwrap_or_else(|| take(PEPPER_KEY)),
    };
    let text = serde_json::to_string_pretty(&stored).unwrap_or_default();
    // A new file is only ever created, never written over: of two processes starting on a new
    // database at once, the second finds the first's file and stops instead of replacing the
    // pepper the first one serves with.
    let written = if first { create_private(&path, &text) } else { write_private(&path, &text) };
    written.map_err(|e| ConfigError {
        name: "secrets file",
        reason: match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!(
                    "{} was created by another process starting at the same time; start again",
                    path.display()
                )
            }
            _ => format!("cannot write {}: {e}", path.display()),
        },
    })?;
    Ok(secrets)
}

/// The pepper's fingerprint the database recorded, if any.
pub async fn recorded_fingerprint(db: &impl ConnectionTrait) -> Result<Option<String>, DbErr> {
    Ok(secret_fingerprint::Entity::find_by_id(PEPPER_KEY).one(db).await?.map(|row| row.fingerprint))
}

/// Records the pepper's fingerprint unless one is recorded already (another process may have
/// started at the same moment): the fingerprint recorded, either way.
async fn record_fingerprint(
    db: &impl ConnectionTrait,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let row = secret_fingerprint::ActiveModel {
        name: Set(PEPPER_KEY.to_owned()),
        fingerprint: Set(fingerprint.to_owned()),
        recorded_at: Set(now),
    };
    secret_fingerprint::Entity::insert(row)
        .on_conflict(OnConflict::column(secret_fingerprint::Column::Name).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    recorded_fingerprint(db).await?.ok_or_else(|| DbErr::RecordNotFound("the pepper's fingerprint".into()))
}

async fn holds_dossiers(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    let any: Option<uuid::Uuid> = dossier::Entity::find()
        .select_only()
        .column(dossier::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(any.is_some())
}

/// Writes a file only its owner can read (0600 from the moment it exists).
pub fn write_private(file: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut handle = options.open(file)?;
    handle.write_all(contents.as_bytes())?;
    handle.sync_all()
}

/// Creates a file only its owner can read; fails if it exists.
fn create_private(file: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut handle = new_private_file(file)?;
    handle.write_all(contents.as_bytes())?;
    handle.sync_all()
}

/// A new file only its owner can read or write (0600 from the moment it exists); fails if
/// there is one.
pub fn new_private_file(file: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_live_beside_sqlite_files_only() {
        let file = |url: &str| secrets_file(&Config::for_database(url));
        assert_eq!(file("sqlite://motcua.db?mode=rwc"), Some(PathBuf::from("motcua.db.secrets")));
        assert_eq!(
            file("sqlite:/var/lib/motcua/db.sqlite"),
            Some(PathBuf::from("/var/lib/motcua/db.sqlite.secrets"))
        );
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("postgres://u@h/db"), None);
    }

    #[test]
    fn a_fingerprint_tells_peppers_apart_and_shows_neither() {
        let secrets = |pepper: &str| Secrets { jwt: "j".into(), lookup_pepper: pepper.into() };
        let one = secrets("pepper-one").pepper_fingerprint();
        assert_eq!(one, secrets("pepper-one").pepper_fingerprint());
        assert_ne!(one, secrets("pepper-two").pepper_fingerprint());
        assert_eq!(one.len(), 64);
        assert!(!one.contains("pepper"));
    }

    #[test]
    fn a_secrets_file_round_trips_and_needs_both_secrets() {
        let secrets = Secrets { jwt: "jwt-key".into(), lookup_pepper: "pepper".into() };
        let again = Secrets::from_json(&secrets.to_json()).unwrap();
        assert_eq!(again.lookup_pepper.expose_secret(), "pepper");
        assert_eq!(again.jwt.expose_secret(), "jwt-key");
        assert!(Secrets::from_json(r#"{"jwt_secret": "x"}"#).is_none());
        assert!(Secrets::from_json(r#"{"jwt_secret": "x", "lookup_pepper": " "}"#).is_none());
        assert!(Secrets::from_json("not json").is_none());
    }
}
