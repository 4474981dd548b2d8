//! The public catalogue of administrative procedures (thủ tục hành chính): what to bring, how
//! long it takes, what it costs, on what legal basis; searchable with or without diacritics.

pub mod dto;
pub mod import;
pub mod routes;
pub mod store;
pub mod validate;
