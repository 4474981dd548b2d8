//! A small builder of the report's SQL, written once for both engines: placeholders in each
//! engine's style, the scope's units and period, counts of rows meeting a condition, and the
//! month of the period an instant falls in.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement, Value};
use uuid::Uuid;

use super::store::Scope;
use crate::domain::report::Month;

/// A statement under construction: its text and the values bound so far, with each engine's
/// placeholders (`?` for SQLite, `$n` for PostgreSQL). Values are bound in the order their
/// placeholders appear in the text.
pub struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DbBackend) -> Sql {
        Sql { backend, text: String::new(), values: Vec::new() }
    }

    /// Appends text.
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends the placeholder of a value.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Sql {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => {
                let n = self.values.len();
                self.text.push_str(&format!("${n}"));
            }
            _ => self.text.push('?'),
        }
        self
    }

    /// `column IN (…)` over the scope's units.
    pub fn units(&mut self, column: &str, units: &[Uuid]) -> &mut Sql {
        self.push(column).push(" IN (");
        for (i, unit) in units.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(*unit);
        }
        self.push(")")
    }

    /// `column >= start AND column < end`.
    pub fn within(&mut self, column: &str, scope: &Scope) -> &mut Sql {
        self.push(column)
            .push(" >= ")
            .bind(scope.start)
            .push(" AND ")
            .push(column)
            .push(" < ")
            .bind(scope.end)
    }

    /// `SUM(CASE WHEN condition THEN 1 ELSE 0 END)`, with the condition written by `condition`.
    pub fn count_if(&mut self, condition: impl FnOnce(&mut Sql)) -> &mut Sql {
        self.push("SUM(CASE WHEN ");
        condition(self);
        self.push(" THEN 1 ELSE 0 END)")
    }

    /// `CASE WHEN column < m2 THEN 0 WHEN column < m3 THEN 1 … ELSE n-1 END`: the index of the
    /// month of the period an instant falls in.
    pub fn month_of(&mut self, column: &str, months: &[Month]) -> &mut Sql {
        if months.len() < 2 {
            return self.push("CAST(0 AS BIGINT)");
        }
        self.push("CAST(CASE");
        for (i, month) in months.iter().enumerate().skip(1) {
            self.push(" WHEN ").push(column).push(" < ").bind(month.starts).push(&format!(" THEN {}", i - 1));
        }
        self.push(&format!(" ELSE {} END AS BIGINT)", months.len() - 1))
    }

    fn statement(&self) -> Statement {
        Statement::from_sql_and_values(self.backend, &self.text, self.values.clone())
    }

    pub async fn all(&self, db: &impl ConnectionTrait) -> Result<Vec<QueryResult>, DbErr> {
        db.query_all_raw(self.statement()).await
    }
}

/// Reads the columns of a row in order.
pub struct Columns<'a> {
    row: &'a QueryResult,
    next: usize,
}

impl Columns<'_> {
    pub fn of(row: &QueryResult) -> Columns<'_> {
        Columns { row, next: 0 }
    }

    pub fn get<T: sea_orm::TryGetable>(&mut self) -> Result<T, DbErr> {
        self.next += 1;
        self.row.try_get_by_index(self.next - 1)
    }

    /// A `SUM` that is NULL over no rows.
    pub fn count(&mut self) -> Result<i64, DbErr> {
        Ok(self.get::<Option<i64>>()?.unwrap_or(0))
    }
}
