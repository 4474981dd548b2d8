//! HTTP plumbing shared by every resource: request context, metrics, limits, platform routes.

pub mod client;
pub mod cors;
pub mod etag;
pub mod json;
pub mod metrics;
pub mod no_store;
pub mod platform;
pub mod printable;
pub mod request_context;
pub mod request_id;
pub mod schema_check;
