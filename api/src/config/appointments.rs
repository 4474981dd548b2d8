//! The rules of citizens' bookings, and how often appointment work runs.

use std::time::Duration;

use super::{ConfigError, parse_var};

/// The limits on a citizen's bookings. A 0 turns its rule off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentConfig {
    /// `MOTCUA_BOOKING_MAX_UPCOMING` (default 3): upcoming bookings a citizen may hold.
    pub max_upcoming: u32,
    /// `MOTCUA_BOOKING_NO_SHOW_LIMIT` (default 2): no-shows within the window that block booking.
    pub no_show_limit: u32,
    /// `MOTCUA_BOOKING_NO_SHOW_WINDOW_DAYS` (default 60): how far back no-shows count.
    pub no_show_window_days: u32,
    /// `MOTCUA_BOOKING_BLOCK_DAYS` (default 14): how long booking stays blocked after the
    /// no-show that reached the limit.
    pub block_days: u32,
    /// `MOTCUA_BOOKING_MAX_RESCHEDULES` (default 2): how often one booking may be moved.
    pub max_reschedules: u32,
    /// `MOTCUA_REMINDER_INTERVAL_SECS` (default 30): how often each server process looks for
    /// due reminders.
    pub reminder_interval: Duration,
    /// `MOTCUA_SLOTS_DESK_TTL_SECS` (default 10): how long each server process lists a unit's
    /// slots from the hours, holidays and seats it read, before reading them again.
    pub listed_desk_ttl: Duration,
}

impl Default for AppointmentConfig {
    fn default() -> Self {
        AppointmentConfig {
            max_upcoming: 3,
            no_show_limit: 2,
            no_show_window_days: 60,
            block_days: 14,
            max_reschedules: 2,
            reminder_interval: Duration::from_secs(30),
            listed_desk_ttl: Duration::from_secs(10),
        }
    }
}

impl AppointmentConfig {
    pub(super) fn from_env() -> Result<AppointmentConfig, ConfigError> {
        let defaults = AppointmentConfig::default();
        Ok(AppointmentConfig {
            max_upcoming: parse_var("MOTCUA_BOOKING_MAX_UPCOMING", defaults.max_upcoming)?,
            no_show_limit: parse_var("MOTCUA_BOOKING_NO_SHOW_LIMIT", defaults.no_show_limit)?,
            no_show_window_days: parse_var(
                "MOTCUA_BOOKING_NO_SHOW_WINDOW_DAYS",
                defaults.no_show_window_days,
            )?,
            block_days: parse_var("MOTCUA_BOOKING_BLOCK_DAYS", defaults.block_days)?,
            max_reschedules: parse_var("MOTCUA_BOOKING_MAX_RESCHEDULES", defaults.max_reschedules)?,
            reminder_interval: Duration::from_secs(parse_var(
                "MOTCUA_REMINDER_INTERVAL_SECS",
                defaults.reminder_interval.as_secs(),
            )?),
            listed_desk_ttl: Duration::from_secs(parse_var(
                "MOTCUA_SLOTS_DESK_TTL_SECS",
                defaults.listed_desk_ttl.as_secs(),
            )?),
        })
    }
}
