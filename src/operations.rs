//! The operator's commands on the data: backup, restore and the schema's migrations.

use chrono::{DateTime, Utc};
use migration::{Migrator, MigratorTrait};

use api::config::Config;

use crate::MigrateAction;

pub(crate) async fn backup(
    config: &Config,
    file: &std::path::Path,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let manifest = api::backup::backup(config, file, now).await?;
    let what = match manifest.engine {
        api::backup::Engine::Sqlite => {
            format!("the database ({} dossiers) and its secrets", manifest.dossiers)
        }
        api::backup::Engine::Postgres => {
            "the secrets (copy the PostgreSQL database itself with pg_dump: docs/deploy.md)".to_owned()
        }
    };
    println!(
        "backed up {what}, with {} attachment files, into {}; schema {}",
        manifest.attachments,
        file.display(),
        manifest.schema
    );
    Ok(())
}

pub(crate) async fn restore(
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
            "restored {} dossiers and {} attachment files (backed up {}, schema {}) into {} and its secrets file",
            manifest.dossiers,
            manifest.attachments,
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

pub(crate) async fn migrate(db: &sea_orm::DatabaseConnection, action: MigrateAction) -> anyhow::Result<()> {
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
