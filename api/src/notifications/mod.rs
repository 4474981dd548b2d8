//! The inbox of the mobile app: notices about the caller's dossiers (and, later, letters).

pub mod routes;
pub mod store;
