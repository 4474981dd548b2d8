//! Một Cửa: the HTTP API behind a citizen's app for the one-stop desks of local government.
//!
//! [`app::build_app`] assembles the whole server over a [`state::AppState`];
//! [`spec::api_service`] is the OpenAPI service that both serves `/api/v1` and writes the
//! committed spec. Routes call domain rules, which call stores: each module says which.

pub mod accounts;
pub mod admin;
pub mod app;
pub mod appointments;
pub mod auth;
pub mod backup;
pub mod bench_data;
pub mod calendar;
pub mod clock;
pub mod complaints;
pub mod config;
pub mod db;
pub mod documents;
pub mod domain;
pub mod dossiers;
pub mod error;
pub mod events;
pub mod fresh;
pub mod http;
pub mod i18n;
pub mod idempotency;
pub mod input;
pub mod integrations;
pub mod keys;
pub mod legal_documents;
pub mod letters;
pub mod notifications;
pub mod oidc;
pub mod otp;
pub mod pagination;
pub mod personal;
pub mod phone;
pub mod problems;
pub mod procedures;
pub mod push;
pub mod queue;
pub mod rate_limit;
pub mod ratings;
pub mod reports;
pub mod retries;
pub mod search;
pub mod secrets;
pub mod security;
pub mod seed;
pub mod sessions;
pub mod spec;
pub mod state;
pub mod units;
pub mod webhooks;

pub use crate::{
    app::{build_app, with_middleware},
    spec::{API_PREFIX, SpecFormat, spec},
    state::AppState,
};
