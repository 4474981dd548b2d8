//! Dossiers: intake at the desk, the receipt, processing through the national statuses,
//! public lookup by code and secret, and the citizen's own list.
//!
//! Routes by use: [`intake`], [`view`] (worklist, detail, receipt), [`update`] (status moves,
//! apologies, assignment) and [`lookup`] (public lookup, following a dossier).

pub mod apology;
pub mod claims;
pub mod dto;
mod examples;
pub mod intake;
pub mod lifecycle;
pub mod lookup;
pub mod lookup_dto;
pub mod lookup_page;
pub mod names;
pub mod receipt;
pub mod reschedule;
pub mod store;
pub mod update;
pub mod view;
