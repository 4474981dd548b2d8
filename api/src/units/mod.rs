//! Public units: their desks' addresses, opening hours and today's status, and the desk
//! settings their supervisors keep. (Unit tree administration lives in `admin`.)

pub mod dto;
pub mod routes;
pub mod store;
pub mod validate;
