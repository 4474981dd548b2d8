//! The operator's commands, run as the operator runs them (the `motcua` binary): a backup of a
//! live server under write load, its restore elsewhere, and the secrets checks that keep
//! printed lookup secrets working.

use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::atomic::{AtomicBool, Ordering},
};

use sea_orm::EntityTrait;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::{
    common::TestApp,
    dossiers::{desk, take_in},
};

/// `motcua ARGS` with only the environment given (none of the caller's MOTCUA_* settings).
fn motcua(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_motcua"));
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("MOTCUA_")) {
        command.env_remove(name);
    }
    command.args(args).env("MOTCUA_LOG", "warn").envs(env.iter().copied()).output().expect("motcua runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The settings a server of `app` runs with: its database and its secrets.
fn settings_of(app: &TestApp) -> Vec<(&'static str, String)> {
    let config = &app.state.config;
    let secret = |s: &Option<secrecy::SecretString>| s.as_ref().unwrap().expose_secret().to_owned();
    vec![
        ("MOTCUA_DATABASE_URL", config.database.url.clone()),
        ("MOTCUA_JWT_SECRET", secret(&config.auth.jwt_secret)),
        ("MOTCUA_LOOKUP_PEPPER", secret(&config.lookup.pepper)),
    ]
}

fn borrowed<'a>(settings: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    settings.iter().map(|(name, value)| (*name, value.as_str())).collect()
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A folder of the test's own, removed afterwards.
struct Folder(PathBuf);

impl Folder {
    fn new() -> Folder {
        let path = std::env::temp_dir().join(format!("motcua-ops-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).unwrap();
        Folder(path)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn lookup(app: &TestApp, receipt: &Value) -> u16 {
    let body = json!({"code": receipt["code"], "secret": receipt["lookup_secret"]});
    app.post("/api/v1/dossiers/lookup").json(&body).send().await.status.as_u16()
}

/// Runs `motcua backup` while an officer keeps taking dossiers in; answers the receipts given
/// before the backup began, and how many intakes were under way while it ran.
async fn backup_under_load(app: &TestApp, officer: &str, archive: &Path) -> (Vec<Value>, usize, Output) {
    let mut before = Vec::new();
    for _ in 0..5 {
        before.push(take_in(app, officer).await);
    }
    let settings = settings_of(app);
    let started = AtomicBool::new(false);
    let finished = AtomicBool::new(false);
    let load = async {
        let mut overlapping = 0;
        // Each intake begins before the backup has finished; one that ends after it started
        // was under way while it ran.
        while !finished.load(Ordering::SeqCst) {
            take_in(app, officer).await;
            if started.load(Ordering::SeqCst) {
                overlapping += 1;
            }
        }
        overlapping
    };
    let archive = archive.to_str().unwrap().to_owned();
    let backup = async {
        started.store(true, Ordering::SeqCst);
        let output = tokio::task::spawn_blocking(move || motcua(&["backup", &archive], &borrowed(&settings)))
            .await
            .unwrap();
        finished.store(true, Ordering::SeqCst);
        output
    };
    let (overlapping, output) = tokio::join!(load, backup);
    (before, overlapping, output)
}

#[tokio::test]
async fn a_backup_of_a_live_server_restores_elsewhere_with_every_receipt_still_valid() {
    let (app, officer) = desk().await;
    let folder = Folder::new();
    let archive = folder.join("motcua-backup.tar");

    let (receipts, written_during, output) = backup_under_load(&app, &officer, &archive).await;

    assert!(output.status.success(), "backup failed: {}", stderr(&output));
    assert!(written_during > 0, "the backup ran under no write load");
    assert_eq!(mode_of(&archive), 0o600);
    if !app.state.config.database.is_sqlite() {
        // PostgreSQL: pg_dump copies the database; the archive carries the secrets, which
        // `restore --env-file` writes for the service's EnvironmentFile.
        let env_file = folder.join("secrets.env");
        let restored =
            motcua(&["restore", archive.to_str().unwrap(), "--env-file", env_file.to_str().unwrap()], &[]);
        assert!(restored.status.success(), "restore failed: {}", stderr(&restored));
        assert_eq!(mode_of(&env_file), 0o600);
        let written = std::fs::read_to_string(&env_file).unwrap();
        for (name, value) in &settings_of(&app)[1..] {
            assert!(written.contains(&format!("{name}={value}\n")), "{name} missing from {written}");
        }
        let settings = settings_of(&app);
        let into_database = motcua(&["restore", archive.to_str().unwrap()], &borrowed(&settings[..1]));
        assert!(!into_database.status.success());
        assert!(stderr(&into_database).contains("pg_restore"), "{}", stderr(&into_database));
        return;
    }

    // Restored into a fresh folder, with no secrets but the backup's.
    let restored_db = folder.join("elsewhere/motcua.db");
    let url = format!("sqlite://{}?mode=rwc", restored_db.display());
    let output = motcua(&["restore", archive.to_str().unwrap()], &[("MOTCUA_DATABASE_URL", &url)]);
    assert!(output.status.success(), "restore failed: {}", stderr(&output));
    let secrets_file = folder.join("elsewhere/motcua.db.secrets");
    assert_eq!(mode_of(&secrets_file), 0o600);

    let mut config = api::config::Config::for_database(url.clone());
    (config.auth.jwt_secret, config.lookup.pepper) = (None, None);
    let elsewhere =
        TestApp::open(config, None).await.expect("the restored secrets fit the restored database");
    for receipt in &receipts {
        assert_eq!(lookup(&elsewhere, receipt).await, 200, "{} no longer looks up", receipt["code"]);
    }
    // Every dossier of the copy is one of the original's, whole.
    let copied = entity::dossier::Entity::find().all(&elsewhere.db).await.unwrap();
    assert!(copied.len() >= receipts.len());
    for dossier in &copied {
        let original = entity::dossier::Entity::find_by_id(dossier.id).one(&app.db).await.unwrap();
        assert_eq!(original.as_ref(), Some(dossier));
    }
    drop(elsewhere);

    // Once there, a database is never overwritten by accident; with --force the replaced one is kept.
    let again = motcua(&["restore", archive.to_str().unwrap()], &[("MOTCUA_DATABASE_URL", &url)]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    let forced = motcua(&["restore", archive.to_str().unwrap(), "--force"], &[("MOTCUA_DATABASE_URL", &url)]);
    assert!(forced.status.success(), "forced restore failed: {}", stderr(&forced));
    let kept: Vec<String> = std::fs::read_dir(folder.join("elsewhere"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".before-restore-"))
        .collect();
    assert!(kept.iter().any(|name| name.starts_with("motcua.db.before-restore-")), "{kept:?}");
    assert!(kept.iter().any(|name| name.starts_with("motcua.db.secrets.before-restore-")), "{kept:?}");
}

/// A copy of `archive` without its entry `left_out`.
fn archive_without(archive: &Path, left_out: &str, into: &Path) {
    let mut source = tar::Archive::new(std::fs::File::open(archive).unwrap());
    let mut copy = tar::Builder::new(std::fs::File::create(into).unwrap());
    for entry in source.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if name != left_out {
            let mut header = entry.header().clone();
            copy.append_data(&mut header, &name, &mut entry).unwrap();
        }
    }
    copy.finish().unwrap();
}

#[tokio::test]
async fn restore_checks_the_archive_before_touching_anything() {
    let (app, officer) = desk().await;
    if !app.state.config.database.is_sqlite() {
        // The database half of a PostgreSQL backup is pg_dump's; its secrets half is above.
        return;
    }
    take_in(&app, &officer).await;
    let folder = Folder::new();
    let archive = folder.join("backup.tar");
    let settings = settings_of(&app);
    let output = motcua(&["backup", archive.to_str().unwrap()], &borrowed(&settings));
    assert!(output.status.success(), "backup failed: {}", stderr(&output));

    let target = folder.join("target/motcua.db");
    let url = format!("sqlite://{}?mode=rwc", target.display());
    let restore =
        |archive: &Path| motcua(&["restore", archive.to_str().unwrap()], &[("MOTCUA_DATABASE_URL", &url)]);

    let no_secrets = folder.join("no-secrets.tar");
    archive_without(&archive, "secrets.json", &no_secrets);
    let no_database = folder.join("no-database.tar");
    archive_without(&archive, "motcua.db", &no_database);
    let truncated = folder.join("truncated.tar");
    let bytes = std::fs::read(&archive).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let not_tar = folder.join("notes.txt");
    std::fs::write(&not_tar, "not a backup").unwrap();
    for (broken, says) in [
        (&no_secrets, "secrets are missing"),
        (&no_database, "no database"),
        (&truncated, "not a backup"),
        (&not_tar, "not a backup"),
    ] {
        let output = restore(broken);
        assert!(!output.status.success(), "{} was restored", broken.display());
        assert!(stderr(&output).contains(says), "{}: {}", broken.display(), stderr(&output));
        let left: Vec<_> = std::fs::read_dir(folder.join("target")).unwrap().collect();
        assert!(left.is_empty(), "{} left {left:?} behind", broken.display());
    }
    // A wrong pepper is refused at backup: the archive would pair data with a useless key.
    let mut wrong = settings.clone();
    wrong[2].1 = "another-pepper-another-pepper".into();
    let refused = motcua(&["backup", folder.join("wrong.tar").to_str().unwrap()], &borrowed(&wrong));
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("lookup pepper"), "{}", stderr(&refused));
    assert!(!folder.join("wrong.tar").exists());

    let output = restore(&archive);
    assert!(output.status.success(), "restore failed: {}", stderr(&output));
}

#[tokio::test]
async fn serve_refuses_secrets_that_do_not_fit_the_database() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let mut settings = settings_of(&app);
    settings.push(("MOTCUA_BIND", "127.0.0.1:0".into()));

    let mut other = settings.clone();
    other[2].1 = "a-pepper-these-receipts-never-saw".into();
    let refused = motcua(&["serve"], &borrowed(&other));
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("fingerprint differs"), "{}", stderr(&refused));

    if app.state.config.database.is_sqlite() {
        // The test's server ran on secrets from its settings: there is no secrets file. A
        // server started without them must not make new ones over these dossiers.
        let secrets_file =
            PathBuf::from(format!("{}.secrets", app.state.config.database.sqlite_file().unwrap().display()));
        let refused = motcua(&["serve"], &borrowed(&settings[..1]));
        assert!(!refused.status.success());
        let said = stderr(&refused);
        assert!(said.contains("is missing") && said.contains("motcua restore"), "{said}");
        assert!(!secrets_file.exists(), "new secrets were written over old data");
        // A secrets file from elsewhere (another database's, a colleague's copy) is no better.
        let stranger =
            api::secrets::Secrets { jwt: "j".repeat(32).into(), lookup_pepper: "p".repeat(32).into() };
        std::fs::write(&secrets_file, stranger.to_json()).unwrap();
        let refused = motcua(&["serve"], &borrowed(&settings[..1]));
        assert!(!refused.status.success());
        assert!(
            stderr(&refused).contains("the secrets file") && stderr(&refused).contains("fingerprint differs")
        );
    }
    // The data is as it was, and its receipt still looks up.
    assert_eq!(lookup(&app, &receipt).await, 200);
}

#[test]
fn logs_written_to_a_file_carry_no_colour_codes() {
    let folder = Folder::new();
    let url = format!("sqlite://{}?mode=rwc", folder.join("motcua.db").display());
    let output = motcua(&["migrate", "up"], &[("MOTCUA_DATABASE_URL", &url), ("MOTCUA_LOG", "info")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let logged = stderr(&output);
    assert!(logged.contains("Applying"), "nothing was logged: {logged}");
    assert!(!logged.contains('\u{1b}'), "colour codes in {logged:?}");
}

#[tokio::test]
async fn processes_that_start_together_migrate_once() {
    // `motcua serve` applies pending migrations at start; several processes started at once on
    // one PostgreSQL (or one SQLite file) must not trip over each other's.
    let (url, _scratch) = crate::common::scratch_database().await;
    let config = api::config::Config::for_database(url);
    let starts = (0..4).map(|_| api::db::migrate(&config.database));
    for outcome in futures_util::future::join_all(starts).await {
        outcome.expect("every process finds the schema up to date");
    }
    let db = api::db::connect_single(&config.database).await.unwrap();
    use migration::MigratorTrait;
    let applied = migration::Migrator::get_applied_migrations(&db).await.unwrap();
    assert_eq!(applied.len(), migration::Migrator::migrations().len());
}

#[tokio::test]
async fn servers_starting_together_on_a_new_database_keep_one_pepper() {
    use secrecy::ExposeSecret;
    let folder = Folder::new();
    let mut config =
        api::config::Config::for_database(format!("sqlite://{}?mode=rwc", folder.join("m.db").display()));
    (config.auth.jwt_secret, config.lookup.pepper) = (None, None);
    api::db::migrate(&config.database).await.unwrap();
    let db = api::db::connect(&config.database).await.unwrap();
    let now = chrono::Utc::now();
    // Both read the settings before either has made the secrets file.
    let (first, second) = (api::secrets::load(&config).unwrap(), api::secrets::load(&config).unwrap());

    let (one, two) =
        tokio::join!(api::secrets::settle(&db, first, now), api::secrets::settle(&db, second, now));

    // One makes the secrets; the other, whether it finds the file or the fingerprint first,
    // stops instead of replacing them.
    let (kept, refused) = match (one, two) {
        (Ok(kept), Err(refused)) | (Err(refused), Ok(kept)) => (kept, refused),
        (one, two) => {
            panic!("one start must make the secrets, the other stop: {:?}, {:?}", one.err(), two.err())
        }
    };
    let said = refused.to_string();
    assert!(said.contains("another process") || said.contains("secrets are gone"), "{said}");
    let file = std::fs::read_to_string(folder.join("m.db.secrets")).unwrap();
    let on_disk = api::secrets::Secrets::from_json(&file).unwrap();
    assert_eq!(on_disk.lookup_pepper.expose_secret(), kept.lookup_pepper.expose_secret());
    assert_eq!(mode_of(&folder.join("m.db.secrets")), 0o600);
}

#[tokio::test]
async fn a_backup_carries_the_complaint_attachments_and_a_restore_puts_them_back() {
    let (app, officer, citizen, _) = crate::queue::queue_desk().await;
    let officer_id = app.get("/api/v1/me").bearer(&officer).send().await.assert_status(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let receipt = b"%PDF-1.4\n% bien lai thu tien\n%%EOF\n".to_vec();
    let fields = [
        ("officer_id", officer_id.as_str()),
        ("category", "harassment"),
        ("description", "Biên lai thu tiền ngoài quy định."),
    ];
    let (content_type, body) =
        crate::complaints::form(&fields, &[("bien-lai.pdf", "application/pdf", &receipt)]);
    app.post("/api/v1/complaints").bearer(&citizen).raw(&content_type, body).send().await.assert_status(201);

    let folder = Folder::new();
    let archive = folder.join("motcua-backup.tar");
    let mut settings = settings_of(&app);
    settings.push(("MOTCUA_DATA_DIR", app.state.config.files.data_dir.display().to_string()));
    let output = motcua(&["backup", archive.to_str().unwrap()], &borrowed(&settings));
    assert!(output.status.success(), "backup failed: {}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("with 1 attachment files"));

    let files_elsewhere = folder.join("files-elsewhere");
    let data_dir = files_elsewhere.to_str().unwrap();
    let restored = if app.state.config.database.is_sqlite() {
        let url = format!("sqlite://{}?mode=rwc", folder.join("elsewhere/motcua.db").display());
        motcua(
            &["restore", archive.to_str().unwrap()],
            &[("MOTCUA_DATABASE_URL", &url), ("MOTCUA_DATA_DIR", data_dir)],
        )
    } else {
        let env_file = folder.join("secrets.env");
        let args = ["restore", archive.to_str().unwrap(), "--env-file", env_file.to_str().unwrap()];
        motcua(&args, &[("MOTCUA_DATA_DIR", data_dir)])
    };
    assert!(restored.status.success(), "restore failed: {}", stderr(&restored));
    let sha256 = api::complaints::files::sha256_hex(&receipt);
    assert_eq!(std::fs::read(files_elsewhere.join("attachments").join(sha256)).unwrap(), receipt);
}
