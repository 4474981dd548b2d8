//! Restoring a backup: the whole archive checked first, nothing overwritten unless told to.

use std::{
    fs::File,
    io::Read,
    path::{Path, PathBuf},
};

use chrono::{DateTime, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};

use super::{
    ATTACHMENTS, BackupError, DATABASE, Doing, Engine, FORMAT, MANIFEST, Manifest, SECRETS, SMALL_ENTRY,
    Scratch, describe, is_attachment_name, open_copy, refused, sibling,
};
use crate::{
    config::Config,
    secrets::{self, Secrets, new_private_file, write_private},
};

/// The most an attachment entry may hold: far above any upload limit.
const LARGE_ENTRY: u64 = 256 * 1024 * 1024;

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
/// `env_file` the secrets alone; and in either case the attachment files into the data
/// directory (those missing there: a file is named by its content). Stop the server first.
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
        put_back_attachments(config, &unpacked.attachments)?;
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
    put_back_attachments(config, &unpacked.attachments)?;
    Ok(Restored { manifest: unpacked.manifest, into: target, kept_aside })
}

/// Copies the backup's attachment files into the data directory, each under a temporary name
/// first and renamed, so a reader never sees half a file; those already there are kept.
fn put_back_attachments(config: &Config, files: &[(String, PathBuf)]) -> Result<(), BackupError> {
    if files.is_empty() {
        return Ok(());
    }
    let store = crate::complaints::files::FileStore::new(&config.files.data_dir);
    let dir = store.dir();
    std::fs::create_dir_all(dir).doing(|| format!("creating {}", dir.display()))?;
    for (name, unpacked) in files {
        let path = dir.join(name);
        if path.exists() {
            continue;
        }
        let partial = dir.join(format!(".restore-{name}"));
        std::fs::copy(unpacked, &partial).doing(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, &path).doing(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// An archive's entries, checked and in the scratch folder.
struct Unpacked {
    manifest: Manifest,
    secrets: Secrets,
    database: Option<PathBuf>,
    /// The attachment files, by name, each checked against its name's SHA-256.
    attachments: Vec<(String, PathBuf)>,
}

fn unpack(archive: &Path, scratch: &Scratch) -> Result<Unpacked, BackupError> {
    let not_a_backup =
        |why: &str| refused(format!("{} is not a backup made by `motcua backup`: {why}", archive.display()));
    let file = File::open(archive).doing(|| format!("reading {}", archive.display()))?;
    let mut reader = tar::Archive::new(file);
    let (mut manifest, mut secrets, mut database) = (None, None, None);
    let mut attachments = Vec::new();
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
            other => {
                let Some(name) = other.strip_prefix(ATTACHMENTS).filter(|n| is_attachment_name(n)) else {
                    continue;
                };
                let mut bytes = Vec::new();
                entry
                    .by_ref()
                    .take(LARGE_ENTRY)
                    .read_to_end(&mut bytes)
                    .map_err(|e| not_a_backup(&e.to_string()))?;
                if crate::complaints::files::sha256_hex(&bytes) != name {
                    return Err(not_a_backup(&format!("the attachment {name} is not what its name says")));
                }
                let path = scratch.join(&format!("attachment-{name}"));
                std::fs::write(&path, &bytes).doing(|| format!("writing {}", path.display()))?;
                attachments.push((name.to_owned(), path));
            }
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
    if attachments.len() as u64 != manifest.attachments {
        return Err(not_a_backup("some of its attachment files are missing"));
    }
    Ok(Unpacked { manifest, secrets, database, attachments })
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
}
