//! API keys: made, listed, rotated and revoked by administrators (`/admin/api-keys`).

pub mod store;
