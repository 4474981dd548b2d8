//! Black-box tests of the HTTP API, one module per resource.

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod api_keys;
mod appointment_notices;
mod appointments;
mod auth;
mod calendar;
mod catalogue;
mod claiming;
mod complaints;
mod cors;
mod documents;
mod dossiers;
mod due_dates;
mod inbox;
mod input;
mod integrations;
mod letters;
mod login_guard;
mod oidc;
mod oidc_provider;
mod operations;
mod personal_data;
mod phone;
mod platform;
mod print;
mod push;
mod queue;
mod queue_display;
mod rate_limits;
mod ratings;
mod reports;
mod role_matrix;
mod sessions;
mod webhook_delivery;
mod webhooks;
