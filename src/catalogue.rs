//! Loading data: the demo set and procedure imports.

use anyhow::Context;
use chrono::{DateTime, Utc};
use sea_orm::ActiveEnum;

pub(crate) async fn seed_demo(db: &sea_orm::DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<()> {
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

pub(crate) async fn import_procedures(
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
