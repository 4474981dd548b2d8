//! Taking a backup: the database copied while the server runs, with its secrets, into one
//! archive that appears whole or not at all.

use std::{
    fs::File,
    io::{BufWriter, Read},
    path::Path,
};

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{
    ATTACHMENTS, BackupError, DATABASE, Doing, Engine, MANIFEST, Manifest, SECRETS, Scratch,
    attachment_files, describe, open_copy, refused,
};
use crate::{
    config::Config,
    db,
    secrets::{self, Secrets, new_private_file},
};

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
    let mut manifest = described?;
    // Listed after the database was copied: every file its rows name was written before them.
    let attachments = attachment_files(&config.files.data_dir)?;
    manifest.attachments = attachments.len() as u64;
    write_archive(out, &scratch, &manifest, &secrets, copy.as_deref(), &attachments)?;
    Ok(manifest)
}

fn write_archive(
    out: &Path,
    scratch: &Scratch,
    manifest: &Manifest,
    secrets: &Secrets,
    database: Option<&Path>,
    attachments: &[(String, std::path::PathBuf)],
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
    for (name, path) in attachments {
        let mut file = File::open(path).doing(|| format!("reading {}", path.display()))?;
        let size = file.metadata().doing(writing)?.len();
        append(&format!("{ATTACHMENTS}{name}"), size, &mut file).doing(writing)?;
    }
    let file =
        archive.into_inner().doing(writing)?.into_inner().map_err(|e| e.into_error()).doing(writing)?;
    file.sync_all().doing(writing)?;
    // The backup appears whole or not at all.
    std::fs::rename(&partial, out).doing(|| format!("writing {}", out.display()))
}
