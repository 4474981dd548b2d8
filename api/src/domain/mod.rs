//! Pure rules of the trade: no database, no HTTP.
pub mod account;
pub mod calendar;
pub mod complaint;
pub mod dossier;
pub mod intake;
pub mod queue;
pub mod rating;
pub mod report;
pub mod slots;
pub mod text;
pub mod unit;
pub mod vn_format;
