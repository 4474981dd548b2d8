//! SeaORM entities, one module per table.

pub mod appointment;
pub mod appointment_reminder;
pub mod appointment_seat;
pub mod appointment_slot_count;
pub mod audit_log;
pub mod counter;
pub mod dossier;
pub mod dossier_event;
pub mod dossier_sequence;
pub mod holiday;
pub mod idempotency_key;
pub mod legal_document;
pub mod notification;
pub mod procedure;
pub mod procedure_legal_basis;
pub mod procedure_unit;
pub mod queue_day;
pub mod queue_event;
pub mod queue_setting;
pub mod refresh_token;
pub mod secret_fingerprint;
pub mod throttle_hit;
pub mod ticket;
pub mod unit;
pub mod user;
pub mod values;
