//! Backups an operator can trust: `motcua backup FILE` and `motcua restore FILE`.
//!
//! A backup is one tar archive, readable by its owner only: `manifest.json` (what it is, the
//! schema version, how many dossiers), `secrets.json` (the server's secrets, as the secrets
//! file holds them), on SQLite `motcua.db`, a consistent copy taken with `VACUUM INTO` while
//! the server runs, and `attachments/<sha256>`, the complaint files of the data directory
//! (never changed once written, named by their content, so a copy is whole). A database without its lookup pepper is worth little (no printed
//! lookup secret works without it), so the two travel together. On PostgreSQL `pg_dump`
//! copies the database (docs/deploy.md) and the archive holds the secrets alone.
//!
//! Restoring checks the whole archive before touching anything, and never overwrites data
//! unless told to: then the database and secrets it replaces are kept beside it.
//!
//! [`take`] writes a backup, [`restore`] puts one back; the archive's layout and the files
//! both work with are here.

mod restore;
mod take;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use entity::dossier;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, Statement};
use serde::{Deserialize, Serialize};

pub use restore::{RestoreOptions, Restored, restore};
pub use take::backup;

use crate::{
    config::ConfigError,
    secrets::{self, Secrets},
};

const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";
const SECRETS: &str = "secrets.json";
const DATABASE: &str = "motcua.db";
/// Where the data directory's attachment files go in an archive, each under its SHA-256.
const ATTACHMENTS: &str = "attachments/";
/// The most a manifest or secrets entry may hold (they are a few hundred bytes).
const SMALL_ENTRY: u64 = 64 * 1024;

/// Which engine a backup was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// What a backup holds, written first in the archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The archive's layout version ([`FORMAT`]).
    pub format: u32,
    pub engine: Engine,
    /// The last migration applied to the database.
    pub schema: String,
    pub made_at: DateTime<Utc>,
    /// The program that made it: `motcua 0.1.0`.
    pub made_by: String,
    /// How many dossiers the database held.
    pub dossiers: u64,
    /// How many attachment files it carries (none in backups older than complaints).
    #[serde(default)]
    pub attachments: u64,
}

/// Why a backup or a restore did not happen. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    // The cause is the error's source: `{:#}` shows it after the words.
    #[error("{what}")]
    Io { what: String, source: std::io::Error },
    #[error("the database")]
    Database(#[from] DbErr),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

fn refused(reason: impl Into<String>) -> BackupError {
    BackupError::Refused(reason.into())
}

/// Names what an I/O error was doing.
trait Doing<T> {
    fn doing(self, what: impl FnOnce() -> String) -> Result<T, BackupError>;
}

impl<T> Doing<T> for std::io::Result<T> {
    fn doing(self, what: impl FnOnce() -> String) -> Result<T, BackupError> {
        self.map_err(|source| BackupError::Io { what: what(), source })
    }
}

/// The manifest of a database, once its recorded fingerprint agrees with the secrets (a
/// backup pairing data with the wrong pepper would restore receipts that no longer work).
async fn describe(
    db: &DatabaseConnection,
    engine: Engine,
    secrets: &Secrets,
    now: DateTime<Utc>,
) -> Result<Manifest, BackupError> {
    if secrets::recorded_fingerprint(db)
        .await?
        .is_some_and(|recorded| recorded != secrets.pepper_fingerprint())
    {
        return Err(refused(
            "the lookup pepper configured here is not the one this database's lookup secrets were made with; \
             back up with the server's own settings",
        ));
    }
    let schema = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
        ))
        .await?
        .map(|row| row.try_get_by_index::<String>(0))
        .transpose()?
        .ok_or_else(|| refused("the database has no schema yet: there is nothing to back up"))?;
    Ok(Manifest {
        format: FORMAT,
        engine,
        schema,
        made_at: now,
        made_by: format!("motcua {}", env!("CARGO_PKG_VERSION")),
        dossiers: dossier::Entity::find().count(db).await?,
        attachments: 0,
    })
}

/// Whether a file name is an attachment's: 64 lower-case hex digits, its SHA-256.
fn is_attachment_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The attachment files of the data directory, by name.
fn attachment_files(data_dir: &Path) -> Result<Vec<(String, PathBuf)>, BackupError> {
    let dir = crate::complaints::files::FileStore::new(data_dir).dir().to_owned();
    let entries = match std::fs::read_dir(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        listed => listed.doing(|| format!("reading {}", dir.display()))?,
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.doing(|| format!("reading {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_attachment_name(&name) {
            files.push((name, entry.path()));
        }
    }
    files.sort();
    Ok(files)
}

/// `path` with `suffix` after its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A SQLite database file, opened read-only.
async fn open_copy(path: &Path) -> Result<DatabaseConnection, DbErr> {
    let mut options = sea_orm::ConnectOptions::new(format!("sqlite://{}?mode=ro", path.display()));
    options.sqlx_logging(false).max_connections(1);
    Database::connect(options).await
}

/// A private folder beside a file, on its file system (so that renames out of it are
/// atomic), removed with everything in it when dropped. The file's folder is made if needed.
struct Scratch(PathBuf);

impl Scratch {
    fn beside(file: &Path) -> Result<Scratch, BackupError> {
        let parent = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).doing(|| format!("creating {}", parent.display()))?;
        let path = parent.join(format!(".motcua-{}", uuid::Uuid::new_v4().simple()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path).doing(|| format!("creating a folder in {}", parent.display()))?;
        Ok(Scratch(path))
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hash_names_are_attachments() {
        assert!(is_attachment_name(&"ab".repeat(32)));
        assert!(!is_attachment_name(&"AB".repeat(32)));
        assert!(!is_attachment_name("../../etc/passwd"));
        assert!(!is_attachment_name(&format!(".upload-{}", "a".repeat(56))));
    }

    #[test]
    fn siblings_keep_the_folder() {
        assert_eq!(
            sibling(Path::new("/var/lib/motcua/motcua.db"), "-wal"),
            PathBuf::from("/var/lib/motcua/motcua.db-wal")
        );
    }
}
