//! Desk settings, dated holidays and the working-day calendar of each unit.

pub mod dto;
pub mod routes;
pub mod store;
