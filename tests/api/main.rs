//! Black-box tests of the HTTP API, one module per resource.

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod calendar;
mod catalogue;
mod platform;
