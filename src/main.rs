//! The `motcua` command: serve the API, manage the schema, print the spec, load data.
//!
//! This file reads the command line and dispatches; each use has a module of its own.

mod admin;
mod catalogue;
mod operations;
mod serve;

use std::process::ExitCode;

use anyhow::Context;
use api::{
    AppState, SpecFormat,
    config::{Config, LogConfig, LogFormat},
};
use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::EnvFilter;

use crate::{
    admin::read_new_password,
    catalogue::{import_procedures, seed_demo},
    operations::{backup, migrate, restore},
    serve::serve,
};

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
        /// Write an access token of the bench unit's supervisor (who reads its report) to
        /// `OUT.supervisor`.
        #[arg(long)]
        supervisor: bool,
        /// Write an API key that reads the bench unit's dossiers to `OUT.key`.
        #[arg(long)]
        api_key: bool,
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
pub(crate) enum MigrateAction {
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
        Command::BenchSeed { dossiers, out, sample, citizens, supervisor, api_key } => {
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
            if supervisor {
                let token =
                    api::bench_data::supervisor_token(&db, &keys, config.auth.access_ttl, clock.now())
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                std::fs::write(out.with_extension("supervisor"), token)?;
            }
            if api_key {
                let key = api::bench_data::integrator_key(&db, clock.now())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                std::fs::write(out.with_extension("key"), key)?;
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
