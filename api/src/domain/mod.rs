//! Pure rules of the trade: no database, no HTTP.
pub mod calendar;
