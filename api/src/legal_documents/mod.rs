//! The legal documents (laws, decrees, circulars, ...) that procedures are based on.

pub mod dto;
pub mod routes;
pub mod store;
