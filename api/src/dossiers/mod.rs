//! Dossiers: intake at the desk, the receipt, processing through the national statuses,
//! public lookup by code and secret, and the citizen's own list.

pub mod dto;
mod examples;
pub mod lifecycle;
mod lookup_dto;
pub mod names;
pub mod reader;
pub mod receipt;
pub mod routes;
pub mod store;
