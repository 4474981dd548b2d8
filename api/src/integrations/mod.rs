//! Integrators: provincial portals, kiosks and other apps that call the API with a key
//! (`X-API-Key`) instead of a person's token.

pub mod auth;
pub mod dossiers;
pub mod dto;
pub mod feed;
pub mod key_material;
pub mod keys;
