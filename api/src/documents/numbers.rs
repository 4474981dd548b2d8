//! Document numbers: one series per unit, year and kind of document, numbered from 1.
//!
//! The number is taken by an upsert inside the transaction that writes the document, so two
//! processes never hand out one number, and a write that rolls back gives its number back.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};
use uuid::Uuid;

/// The series a unit numbers its documents in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// Receipts (Mẫu 01).
    Receipt,
    /// Apology slips (Mẫu 04).
    Apology,
    /// Letters of every kind.
    Letter,
}

impl Series {
    fn as_str(self) -> &'static str {
        match self {
            Series::Receipt => "receipt",
            Series::Apology => "apology",
            Series::Letter => "letter",
        }
    }
}

/// The next number of `series` in `unit_id`'s `year`.
pub async fn next_number(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    year: i32,
    series: Series,
) -> Result<i32, DbErr> {
    #[derive(FromQueryResult)]
    struct Next {
        last_number: i32,
    }
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "INSERT INTO document_numbers (unit_id, year, series, last_number) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (unit_id, year, series) DO UPDATE SET last_number = document_numbers.last_number + 1 \
             RETURNING last_number"
        }
        _ => {
            "INSERT INTO document_numbers (unit_id, year, series, last_number) VALUES (?, ?, ?, 1) \
             ON CONFLICT (unit_id, year, series) DO UPDATE SET last_number = document_numbers.last_number + 1 \
             RETURNING last_number"
        }
    };
    let values = [unit_id.into(), year.into(), series.as_str().into()];
    Next::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .one(db)
        .await?
        .map(|next| next.last_number)
        .ok_or_else(|| DbErr::Custom("the document number upsert returned nothing".into()))
}
