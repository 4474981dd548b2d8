//! The `motcua` command: serve the API, manage the schema, print the spec, load data.

use std::process::ExitCode;

use anyhow::Context;
use api::{
    AppState, SpecFormat,
    config::{Config, LogConfig, LogFormat},
};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use migration::{Migrator, MigratorTrait};
use sea_orm::ActiveEnum;
use tracing_subscriber::EnvFilter;

// glibc's malloc spends much of a busy server's time on contention between threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "motcua", version, about = "Một Cửa: the API of the one-stop desks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (settings from MOTCUA_* environment variables).
    Serve {
        /// Do not apply pending migrations at start.
        #[arg(long)]
        no_migrate: bool,
        /// Load the demo data on first start (when the database has no units).
        #[arg(long)]
        demo: bool,
    },
    /// Manage the database schema.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Back up the database and its secrets into one archive (mode 0600) while the server
    /// runs. On PostgreSQL, where pg_dump copies the database, the archive holds the secrets.
    Backup {
        /// The archive to write (replaced whole once complete).
        file: std::path::PathBuf,
    },
    /// Restore an archive of `motcua backup` into MOTCUA_DATABASE_URL's SQLite file and its
    /// secrets file, after checking it whole. Stop the server first.
    Restore {
        /// The archive to read.
        file: std::path::PathBuf,
        /// Replace a database or secrets file that is there already (they are kept beside,
        /// renamed `NAME.before-restore-TIME`).
        #[arg(long)]
        force: bool,
        /// Write the archive's secrets to this environment file instead (PostgreSQL: the
        /// database itself is restored with pg_restore).
        #[arg(long)]
        env_file: Option<std::path::PathBuf>,
    },
    /// Print the OpenAPI document to stdout (no database needed).
    Openapi {
        #[arg(long, value_enum, default_value_t = Format::Yaml)]
        format: Format,
    },
    /// Fill the database with synthetic dossiers for load benchmarks (bench/run).
    #[command(hide = true)]
    BenchSeed {
        /// How many bench dossiers there should be in all.
        #[arg(long)]
        dossiers: u64,
        /// Where to write `code secret` lines for the load generator.
        #[arg(long)]
        out: std::path::PathBuf,
        /// About how many lines to write.
        #[arg(long, default_value_t = 10_000)]
        sample: u64,
        /// Citizens to add for the booking run, with their access tokens written to
        /// `OUT.tokens` and the bench unit's slot starts to `OUT.slots`.
        #[arg(long, default_value_t = 0)]
        citizens: u64,
    },
    /// Manage administrator accounts.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Load a data set.
    Seed {
        #[command(subcommand)]
        set: SeedSet,
    },
    /// Import catalogue data from a file.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create an administrator (the first one cannot be made through the API). The password
    /// is read from standard input when it is not a terminal, otherwise asked for twice; it is
    /// never an argument, so it stays out of shell history and process lists.
    Create {
        /// A Vietnamese mobile number, e.g. 0912345678.
        #[arg(long)]
        phone: String,
        /// The administrator's full name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum SeedSet {
    /// Units, legal documents, holidays, procedures and one account of every role; adds only
    /// what is missing. New accounts' passwords are printed once.
    Demo,
}

#[derive(Subcommand)]
enum ImportWhat {
    /// Procedures from a `.json` (array of procedure objects) or `.csv` file, upserted by code.
    Procedures {
        /// The file to import.
        file: std::path::PathBuf,
        /// Import the valid rows and report the invalid ones, instead of importing nothing.
        #[arg(long)]
        skip_invalid: bool,
    },
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back the last migration (or `--steps N`).
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
    /// Drop everything and apply all migrations again (destroys data).
    Fresh,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

fn init_tracing(config: &LogConfig) {
    let filter = EnvFilter::try_new(&config.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour codes only for a terminal: in a file or a journal they are noise.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    match config.format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).init(),
        LogFormat::Pretty => builder.init(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Writes a command's output; a reader that stops reading (`motcua openapi | head`) ends the
/// command quietly, as it does any Unix tool.
fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => Ok(written?),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Openapi { format } = cli.command {
        let format = match format {
            Format::Yaml => SpecFormat::Yaml,
            Format::Json => SpecFormat::Json,
        };
        return print_out(&api::spec(format));
    }

    init_tracing(&LogConfig::from_env()?);
    let config = Config::from_env()?;
    // The command line reads the machine's clock; tests hand the library a fixed one.
    let clock = api::clock::Clock::system();
    match &cli.command {
        Command::Backup { file } => return backup(&config, file, clock.now()).await,
        Command::Restore { file, force, env_file } => {
            let options = api::backup::RestoreOptions { force: *force, env_file: env_file.clone() };
            return restore(&config, file, &options, clock.now()).await;
        }
        _ => {}
    }
    // Only the commands that sign tokens or hash lookup secrets need the server's secrets
    // (so `migrate` on PostgreSQL works without them); read them before touching the
    // database, so a missing one fails fast.
    let loaded_secrets = match cli.command {
        Command::Serve { .. } | Command::BenchSeed { .. } => Some(api::secrets::load(&config)?),
        _ => None,
    };
    let migrate_first = match &cli.command {
        Command::Serve { no_migrate, .. } => !no_migrate,
        // The first administrator is made on a fresh install, before `serve` ever ran.
        Command::BenchSeed { .. } | Command::Admin { .. } => true,
        _ => false,
    };
    if migrate_first {
        api::db::migrate(&config.database)
            .await
            .context("cannot open the database (MOTCUA_DATABASE_URL) or apply its migrations")?;
    }
    let db = match cli.command {
        Command::Migrate { .. } => api::db::connect_single(&config.database).await,
        _ => api::db::connect(&config.database).await,
    }
    .with_context(|| "cannot open the database (MOTCUA_DATABASE_URL)")?;
    // Checked against the database before anything runs: never new secrets over old data.
    let secrets = match loaded_secrets {
        Some(loaded) => Some(api::secrets::settle(&db, loaded, clock.now()).await?),
        None => None,
    };
    match cli.command {
        Command::Serve { demo, .. } => {
            if demo && api::seed::has_no_units(&db).await? {
                seed_demo(&db, clock.now()).await?;
            }
            let secrets = secrets.as_ref().context("the server's secrets")?;
            serve(AppState::new(db, config, secrets, clock)).await
        }
        Command::Migrate { action } => migrate(&db, action).await,
        Command::BenchSeed { dossiers, out, sample, citizens } => {
            let keys = api::keys::Keys::new(secrets.as_ref().context("the server's secrets")?);
            let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
            let added = api::bench_data::seed_dossiers(&db, &keys, dossiers, sample, &mut file, clock.now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("added {added} dossiers; sample in {}", out.display());
            if citizens > 0 {
                let sibling = |extension: &str| std::fs::File::create(out.with_extension(extension));
                let mut tokens = std::io::BufWriter::new(sibling("tokens")?);
                let mut slots = std::io::BufWriter::new(sibling("slots")?);
                let ttl = config.auth.access_ttl;
                let count = api::bench_data::seed_bookers(
                    &db,
                    &keys,
                    (citizens, ttl),
                    (&mut tokens, &mut slots),
                    clock.now(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("added {citizens} citizens; {count} slots");
            }
            Ok(())
        }
        Command::Admin { action: AdminAction::Create { phone, name } } => {
            let password = read_new_password()?;
            let passwords = api::auth::password::PasswordHashing::default();
            let id = api::admin::create_administrator(&db, &passwords, &phone, &name, &password, clock.now())
                .await?;
            println!("{id}");
            Ok(())
        }
        Command::Seed { set: SeedSet::Demo } => seed_demo(&db, clock.now()).await,
        Command::Import { what: ImportWhat::Procedures { file, skip_invalid } } => {
            import_procedures(&db, &file, skip_invalid, clock.now()).await
        }
        Command::Openapi { .. } | Command::Backup { .. } | Command::Restore { .. } => {
            unreachable!("handled above")
        }
    }
}

async fn backup(config: &Config, file: &std::path::Path, now: DateTime<Utc>) -> anyhow::Result<()> {
    let manifest = api::backup::backup(config, file, now).await?;
    let what = match manifest.engine {
        api::backup::Engine::Sqlite => {
            format!("the database ({} dossiers) and its secrets", manifest.dossiers)
        }
        api::backup::Engine::Postgres => {
            "the secrets (copy the PostgreSQL database itself with pg_dump: docs/deploy.md)".to_owned()
        }
    };
    println!("backed up {what} into {}; schema {}", file.display(), manifest.schema);
    Ok(())
}

async fn restore(
    config: &Config,
    file: &std::path::Path,
    options: &api::backup::RestoreOptions,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let restored = api::backup::restore(config, file, options, now).await?;
    let manifest = &restored.manifest;
    match &options.env_file {
        Some(_) => println!("wrote the secrets of {} into {}", file.display(), restored.into.display()),
        None => println!(
            "restored {} dossiers (backed up {}, schema {}) into {} and its secrets file",
            manifest.dossiers,
            manifest.made_at.to_rfc3339(),
            manifest.schema,
            restored.into.display()
        ),
    }
    for kept in &restored.kept_aside {
        println!("kept what it replaced as {}", kept.display());
    }
    Ok(())
}

/// The new password: one line of standard input when it is piped in, else typed twice
/// (unechoed) at the terminal.
fn read_new_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};

    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let password = rpassword::prompt_password("Password: ").context("reading the password")?;
    let again = rpassword::prompt_password("Password again: ").context("reading the password")?;
    anyhow::ensure!(password == again, "the two passwords differ");
    Ok(password)
}

async fn migrate(db: &sea_orm::DatabaseConnection, action: MigrateAction) -> anyhow::Result<()> {
    match action {
        MigrateAction::Up => Migrator::up(db, None).await?,
        MigrateAction::Down { steps } => Migrator::down(db, Some(steps)).await?,
        MigrateAction::Fresh => Migrator::fresh(db).await?,
        MigrateAction::Status => {
            for migration in Migrator::get_migration_with_status(db).await? {
                println!("{:?}\t{}", migration.status(), migration.name());
            }
        }
    }
    Ok(())
}

async fn seed_demo(db: &sea_orm::DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<()> {
    let report = api::seed::seed_demo(db, now).await.context("loading the demo data")?;
    println!(
        "demo data: {} units, {} legal documents, {} holidays added; {} procedures upserted",
        report.units_created, report.legal_documents_created, report.holidays_created, report.procedures
    );
    if report.accounts_created.is_empty() {
        println!("demo accounts already exist; their passwords were shown when they were created");
    }
    for account in &report.accounts_created {
        println!(
            "{:<10} {:<14} {:<14} password: {}",
            account.role.to_value(),
            account.phone,
            account.unit_code.as_deref().unwrap_or("-"),
            account.password
        );
    }
    Ok(())
}

async fn import_procedures(
    db: &sea_orm::DatabaseConnection,
    file: &std::path::Path,
    skip_invalid: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;

    use api::procedures::import::{self, ImportError, ImportFormat};

    let format = ImportFormat::from_path(file)
        .with_context(|| format!("{}: the file name must end in .json or .csv", file.display()))?;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let started = std::time::Instant::now();
    let rows = import::parse(format, &text)?;
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(rows.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let outcome = import::import_procedures(db, rows, skip_invalid, now, &|done| bar.inc(done)).await;
    bar.finish_and_clear();
    match outcome {
        Ok(report) => {
            for problem in &report.skipped {
                eprintln!("skipped {problem}");
            }
            println!(
                "imported {} procedures ({} rows skipped) in {:.2?}",
                report.imported,
                report.skipped.len(),
                started.elapsed()
            );
            Ok(())
        }
        Err(ImportError::Invalid(problems)) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            anyhow::bail!(
                "{} invalid rows; nothing was imported (--skip-invalid imports the rest)",
                problems.len()
            )
        }
        Err(other) => Err(other.into()),
    }
}

async fn serve(state: AppState) -> anyhow::Result<()> {
    use poem::{Server, listener::TcpListener};

    let bind = state.config.server.bind;
    let grace = state.config.server.shutdown_grace;
    // Background work every process shares with the others: due reminders, expired keys.
    let reminders = api::appointments::reminders::spawn(state.clone());
    let app = api::build_app(state);
    tracing::info!(%bind, "serving; docs at http://{bind}/docs");
    Server::new(TcpListener::bind(bind))
        .run_with_graceful_shutdown(app, shutdown_signal(), Some(grace))
        .await
        .context("server failed")?;
    reminders.abort();
    Ok(())
}

/// Resolves on SIGINT or SIGTERM; the server then stops accepting and lets in-flight requests finish.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down: finishing in-flight requests");
}
