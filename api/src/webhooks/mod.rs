//! Webhooks: administrators subscribe endpoints to events; every process's dispatcher sends
//! each event, signed twice, to every endpoint subscribed to it, with retries.
//!
//! The deliveries of an event are written in the transaction of the change that caused it
//! ([`deliveries::fan_out`], called by `events::record`), so none is lost once the change
//! commits and none exists for a change rolled back. [`dispatch_due`] runs one round of
//! sending; [`address`] keeps deliveries away from internal addresses.

pub mod address;
pub mod deliveries;
pub mod delivery_routes;
pub mod dispatch;
pub mod dto;
pub mod payloads;
pub mod routes;
pub mod send;
pub mod signature;
pub mod spec;
pub mod store;
mod view;

pub use dispatch::{Round, dispatch_due, spawn};
pub use send::Sender;
