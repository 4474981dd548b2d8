//! Backups an operator can trust: `motcua backup FILE` and `motcua restore FILE`.
//!
//! A backup is one tar archive, readable by its owner only: `manifest.json` (what it is, the
//! schema version, how many dossiers), `secrets.json` (the server's secrets, as the secrets
//! file holds them) and, on SQLite, `motcua.db`, a consistent copy taken with `VACUUM INTO`
//! while the server runs. A database without its lookup pepper is worth little (no printed
//! lookup secret works without it), so the two travel together. On PostgreSQL `pg_dump`
//! copies the database (docs/deploy.md) and the archive holds the secrets alone.
//!
//! Restoring checks the whole archive before touching anything, and never overwrites data
//! unless told to: then the database and secrets it replaces are kept beside it.

use std::{
    fs::File,
    io::{BufWriter, Read},
    path::{Path, PathBuf},
};

use chrono::{DateTime, Utc};
use entity::dossier;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, Statement};
use serde::{Deserialize, Serialize};

use crate::{
    config::{Config, ConfigError},
    db,
    secrets::{self, Secrets, new_private_file, write_private},
};

/// The archive's layout version: restore refuses any other.
const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";
const SECRETS: &str = "secrets.json";
const DATABASE: &str = "motcua.db";
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

/// Backs up the configured database and its secrets into `out` (replaced whole, mode 0600).
pub async fn backup(config: &Config, out: &Path, now: DateTime<Utc>) -> Result<Manifest, BackupError> {
    let secrets = secrets::load(config)?.complete().ok_or_else(|| {
        refused(
            "there are no secrets to back up: neither MOTCUA_JWT_SECRET and MOTCUA_LOOKUP_PEPPER nor the \
             secrets file beside the database. Back up from the machine and settings the server runs with.",
        )
    })?;
    let scratch = Scratch::beside(out)?;
    let live = db::connect_single(&config.database).await?;
    // The manifest describes what the archive holds: the copy on SQLite, the live database on
    // PostgreSQL (whose copy is pg_dump's).
    let (described, copy) = match config.database.sqlite_file() {
        Some(_) => {
            let copy = scratch.join(DATABASE);
            // A read transaction of its own: writers go on while it copies (WAL), and the copy
            // is the database as of one instant.
            let path = copy.to_string_lossy().replace('\'', "''");
            let copied = live.execute_unprepared(&format!("VACUUM INTO '{path}'")).await;
            live.close().await?;
            copied?;
            let copied = open_copy(&copy).await?;
            let described = describe(&copied, Engine::Sqlite, &secrets, now).await;
            copied.close().await?;
            (described, Some(copy))
        }
        None => {
            let described = describe(&live, Engine::Postgres, &secrets, now).await;
            live.close().await?;
            (described, None)
        }
    };
    let manifest = described?;
    write_archive(out, &scratch, &manifest, &secrets, copy.as_deref())?;
    Ok(manifest)
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
    })
}

fn write_archive(
    out: &Path,
    scratch: &Scratch,
    manifest: &Manifest,
    secrets: &Secrets,
    database: Option<&Path>,
) -> Result<(), BackupError> {
    let partial = scratch.join("backup.tar");
    let writing = || format!("writing {}", partial.display());
    let file = new_private_file(&partial).doing(writing)?;
    let mut archive = tar::Builder::new(BufWriter::new(file));
    let mtime = u64::try_from(manifest.made_at.timestamp()).unwrap_or(0);
    let mut append = |name: &str, size: u64, data: &mut dyn Read| {
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o600);
        header.set_mtime(mtime);
        header.set_cksum();
        archive.append_data(&mut header, name, data)
    };
    let manifest_json = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    append(MANIFEST, manifest_json.len() as u64, &mut manifest_json.as_slice()).doing(writing)?;
    let secrets_json = secrets.to_json().into_bytes();
    append(SECRETS, secrets_json.len() as u64, &mut secrets_json.as_slice()).doing(writing)?;
    if let Some(database) = database {
        let mut copy = File::open(database).doing(|| format!("reading {}", database.display()))?;
        let size = copy.metadata().doing(writing)?.len();
        append(DATABASE, size, &mut copy).doing(writing)?;
    }
    let file =
        archive.into_inner().doing(writing)?.into_inner().map_err(|e| e.into_error()).doing(writing)?;
    file.sync_all().doing(writing)?;
    // The backup appears whole or not at all.
    std::fs::rename(&partial, out).doing(|| format!("writing {}", out.display()))
}

/// How a restore may treat what is already there.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Replace a database that holds data (it is kept beside, renamed).
    pub force: bool,
    /// Write the backup's secrets to this environment file (PostgreSQL) instead of restoring
    /// a SQLite database.
    pub env_file: Option<PathBuf>,
}

/// What a restore put back.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// Where it went: the database file, or the environment file.
    pub into: PathBuf,
    /// What it replaced, kept under new names.
    pub kept_aside: Vec<PathBuf>,
}

/// Restores a backup made by [`backup`]: the SQLite database and its secrets file, or with
/// `env_file` the secrets alone. Stop the server first.
pub async fn restore(
    config: &Config,
    archive: &Path,
    options: &RestoreOptions,
    now: DateTime<Utc>,
) -> Result<Restored, BackupError> {
    let target = match (&options.env_file, config.database.sqlite_file()) {
        (Some(env_file), _) => env_file.clone(),
        (None, Some(database)) => database,
        (None, None) => {
            return Err(refused(
                "MOTCUA_DATABASE_URL is not a SQLite file: restore a PostgreSQL database with pg_restore \
                 (docs/deploy.md), and its secrets with `motcua restore BACKUP --env-file FILE`",
            ));
        }
    };
    let scratch = Scratch::beside(&target)?;
    let unpacked = unpack(archive, &scratch)?;
    let known = Migrator::migrations().iter().any(|m| m.name() == unpacked.manifest.schema);
    if !known {
        return Err(refused(format!(
            "the backup's schema ({}) is unknown to this motcua ({}): restore it with the version that made it \
             ({}) or a newer one",
            unpacked.manifest.schema,
            env!("CARGO_PKG_VERSION"),
            unpacked.manifest.made_by
        )));
    }
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    if options.env_file.is_some() {
        let kept_aside = set_aside(std::slice::from_ref(&target), options.force, &stamp)?;
        write_private(&target, &environment_lines(&unpacked.secrets)?)
            .doing(|| format!("writing {}", target.display()))?;
        return Ok(Restored { manifest: unpacked.manifest, into: target, kept_aside });
    }
    let Some(copy) = &unpacked.database else {
        return Err(refused(
            "this backup holds the secrets alone (it was taken on PostgreSQL): restore the database with \
             pg_restore, and the secrets with `motcua restore BACKUP --env-file FILE`",
        ));
    };
    check_copy(copy, &unpacked).await?;
    let secrets_file =
        secrets::secrets_file(config).ok_or_else(|| refused("the database has no secrets file"))?;
    let mut present = vec![target.clone()];
    present.extend(["-wal", "-shm"].map(|suffix| sibling(&target, suffix)));
    present.push(secrets_file.clone());
    let kept_aside = set_aside(&present, options.force, &stamp)?;
    // The secrets first: a database without them would be refused at start, never the reverse.
    let new_secrets = scratch.join(SECRETS);
    write_private(&new_secrets, &unpacked.secrets.to_json())
        .doing(|| format!("writing {}", new_secrets.display()))?;
    std::fs::rename(&new_secrets, &secrets_file).doing(|| format!("writing {}", secrets_file.display()))?;
    std::fs::rename(copy, &target).doing(|| format!("writing {}", target.display()))?;
    Ok(Restored { manifest: unpacked.manifest, into: target, kept_aside })
}

/// An archive's entries, checked and in the scratch folder.
struct Unpacked {
    manifest: Manifest,
    secrets: Secrets,
    database: Option<PathBuf>,
}

fn unpack(archive: &Path, scratch: &Scratch) -> Result<Unpacked, BackupError> {
    let not_a_backup =
        |why: &str| refused(format!("{} is not a backup made by `motcua backup`: {why}", archive.display()));
    let file = File::open(archive).doing(|| format!("reading {}", archive.display()))?;
    let mut reader = tar::Archive::new(file);
    let (mut manifest, mut secrets, mut database) = (None, None, None);
    let entries = reader.entries().map_err(|e| not_a_backup(&e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| not_a_backup(&e.to_string()))?;
        let name = entry.path().map_err(|e| not_a_backup(&e.to_string()))?.to_string_lossy().into_owned();
        // Only the entries we know are read, each to a place of our choosing: a crafted
        // archive cannot write anywhere else.
        match name.as_str() {
            MANIFEST | SECRETS => {
                let mut text = String::new();
                entry
                    .by_ref()
                    .take(SMALL_ENTRY)
                    .read_to_string(&mut text)
                    .map_err(|e| not_a_backup(&e.to_string()))?;
                if name == MANIFEST {
                    manifest = Some(text);
                } else {
                    secrets = Some(text);
                }
            }
            DATABASE => {
                let path = scratch.join(DATABASE);
                let mut out = new_private_file(&path).doing(|| format!("writing {}", path.display()))?;
                let size = entry.size();
                let copied = std::io::copy(&mut entry, &mut out).map_err(|e| not_a_backup(&e.to_string()))?;
                if copied != size {
                    return Err(not_a_backup("it is cut short"));
                }
                out.sync_all().doing(|| format!("writing {}", path.display()))?;
                database = Some(path);
            }
            _ => {}
        }
    }
    let manifest: Manifest =
        serde_json::from_str(&manifest.ok_or_else(|| not_a_backup("it has no manifest"))?)
            .map_err(|e| not_a_backup(&format!("its manifest does not read: {e}")))?;
    if manifest.format != FORMAT {
        return Err(not_a_backup(&format!("its format is {}, this motcua reads {FORMAT}", manifest.format)));
    }
    let secrets = secrets.as_deref().and_then(Secrets::from_json).ok_or_else(|| {
        not_a_backup("its secrets are missing, so its lookup secrets could never be checked")
    })?;
    if manifest.engine == Engine::Sqlite && database.is_none() {
        return Err(not_a_backup("it has no database"));
    }
    Ok(Unpacked { manifest, secrets, database })
}

/// The restored copy must be whole and be what the manifest says, with the backup's pepper.
async fn check_copy(copy: &Path, unpacked: &Unpacked) -> Result<(), BackupError> {
    let db = open_copy(copy).await?;
    let outcome = async {
        let check = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), "PRAGMA integrity_check"))
            .await?
            .map(|row| row.try_get_by_index::<String>(0))
            .transpose()?;
        if check.as_deref() != Some("ok") {
            return Err(refused("the backup's database is damaged (SQLite's integrity check failed)"));
        }
        let found = describe(&db, Engine::Sqlite, &unpacked.secrets, unpacked.manifest.made_at).await?;
        if (found.schema.as_str(), found.dossiers)
            != (unpacked.manifest.schema.as_str(), unpacked.manifest.dossiers)
        {
            return Err(refused("the backup's database is not the one its manifest describes"));
        }
        Ok(())
    }
    .await;
    db.close().await?;
    outcome
}

/// Renames the files of `paths` that exist to `NAME.before-restore-STAMP`; refuses instead
/// unless `force`.
fn set_aside(paths: &[PathBuf], force: bool, stamp: &str) -> Result<Vec<PathBuf>, BackupError> {
    let present: Vec<&PathBuf> = paths.iter().filter(|path| path.exists()).collect();
    if present.is_empty() {
        return Ok(Vec::new());
    }
    if !force {
        return Err(refused(format!(
            "{} exists already; restoring over it needs --force (what it replaces is then kept beside it as \
             NAME.before-restore-{stamp})",
            present[0].display()
        )));
    }
    let mut kept = Vec::new();
    for path in present {
        let aside = sibling(path, &format!(".before-restore-{stamp}"));
        std::fs::rename(path, &aside).doing(|| format!("renaming {}", path.display()))?;
        kept.push(aside);
    }
    Ok(kept)
}

/// The secrets as lines of an environment file (systemd's `EnvironmentFile=`).
fn environment_lines(secrets: &Secrets) -> Result<String, BackupError> {
    use secrecy::ExposeSecret;
    let line = |name: &str, value: &str| {
        if value.contains(['\n', '\r']) {
            return Err(refused(format!("{name} holds a line break; an environment file cannot carry it")));
        }
        let plain = value.chars().all(|c| c.is_ascii_alphanumeric() || "+/=_-.:@%,".contains(c));
        Ok(if plain {
            format!("{name}={value}\n")
        } else {
            format!("{name}=\"{}\"\n", value.replace('\\', "\\\\").replace('"', "\\\""))
        })
    };
    Ok(line("MOTCUA_JWT_SECRET", secrets.jwt.expose_secret())?
        + &line("MOTCUA_LOOKUP_PEPPER", secrets.lookup_pepper.expose_secret())?)
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
    fn environment_lines_quote_only_what_needs_it() {
        let secrets = Secrets { jwt: "abc-DEF_123=".into(), lookup_pepper: r#"a b"c\d"#.into() };
        assert_eq!(
            environment_lines(&secrets).unwrap(),
            "MOTCUA_JWT_SECRET=abc-DEF_123=\nMOTCUA_LOOKUP_PEPPER=\"a b\\\"c\\\\d\"\n"
        );
        let broken = Secrets { jwt: "a\nb".into(), lookup_pepper: "p".into() };
        assert!(environment_lines(&broken).is_err());
    }

    #[test]
    fn siblings_keep_the_folder() {
        assert_eq!(
            sibling(Path::new("/var/lib/motcua/motcua.db"), "-wal"),
            PathBuf::from("/var/lib/motcua/motcua.db-wal")
        );
    }
}
