//! Citizens' own accounts and everyone's sessions: register, log in, refresh, log out, profile.

pub mod dto;
pub mod login_guard;
pub mod routes;
pub mod store;
pub mod validate;
