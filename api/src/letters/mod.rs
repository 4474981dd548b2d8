//! Letters a unit sends citizens: congratulations (a birth, a marriage), condolences (a death)
//! and thanks (feedback that helped).
//!
//! - [`templates`]: a unit's text of a kind, its fixed placeholders, the shipped defaults;
//! - [`issue`]: numbering, rendering and storing a letter, fixed from then on;
//! - [`automatic`]: the letter a dossier's completion brings, exactly once;
//! - routes: [`routes`] (issuing by hand, reading), [`settings`] (the texts),
//!   [`suppression`] (an officer's "no letter for this dossier").

pub mod automatic;
pub mod dto;
pub mod issue;
pub mod routes;
pub mod settings;
pub mod store;
pub mod suppression;
pub mod templates;
