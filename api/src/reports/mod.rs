//! Review reports and public figures: a unit's review report for supervisors
//! (`GET /reports/summary`, JSON or CSV), its transparency figures for everyone
//! (`GET /stats/units/{code}`) and page (`GET /minh-bach/{code}`, with SVG charts).
//!
//! Every count is aggregated in SQL by [`store`] and means what [`crate::domain::report`]
//! defines; [`figures`] puts the sections together for both, and [`public`] hides the small
//! cells before anything is published.

pub mod answers;
pub mod charts;
pub mod csv;
pub mod dto;
pub mod figures;
pub mod page;
pub mod public;
pub mod public_dto;
pub mod routes;
pub mod sql;
pub mod store;
