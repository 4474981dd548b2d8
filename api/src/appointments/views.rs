//! How an appointment is shown: in answers, at its unit's local time, and in notices' words.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::appointment;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{Desk, dto::Appointment};
use crate::{
    error::{ApiError, ApiResult},
    procedures::store::procedure_by_id,
    units::store::unit_by_id,
};

/// The answer's view of an appointment at its unit (in the unit's time zone).
pub fn view(appointment: &appointment::Model, desk: &Desk, procedure_code: &str) -> Appointment {
    let local = |at: DateTime<Utc>| at.with_timezone(&desk.calendar.schedule().time_zone).fixed_offset();
    Appointment {
        id: appointment.id,
        status: appointment.status,
        unit_code: desk.unit.code.clone(),
        procedure_code: procedure_code.to_owned(),
        start: local(appointment.starts_at),
        end: local(appointment.ends_at),
        changeable_until: local(appointment.starts_at - desk.rules.cancel_cutoff),
        previous_start: appointment.previous_start.map(local),
        reschedule_count: appointment.reschedule_count,
        cancelled_by: appointment.cancelled_by,
        cancel_reason: appointment.cancel_reason.clone(),
        cancelled_at: appointment.cancelled_at,
        created_at: appointment.created_at,
        version: appointment.version,
    }
}

/// Views of appointments at any units, reading each unit and procedure once.
pub async fn views(
    db: &impl ConnectionTrait,
    appointments: &[appointment::Model],
) -> ApiResult<Vec<Appointment>> {
    let mut desks: HashMap<Uuid, Desk> = HashMap::new();
    let mut procedures: HashMap<Uuid, String> = HashMap::new();
    let mut out = Vec::with_capacity(appointments.len());
    for appointment in appointments {
        if !desks.contains_key(&appointment.unit_id) {
            let unit =
                unit_by_id(db, appointment.unit_id).await?.ok_or_else(|| ApiError::internal("unit gone"))?;
            desks.insert(unit.id, Desk::of(db, unit).await?);
        }
        if !procedures.contains_key(&appointment.procedure_id) {
            let procedure = procedure_by_id(db, appointment.procedure_id)
                .await?
                .ok_or_else(|| ApiError::internal("procedure gone"))?;
            procedures.insert(procedure.id, procedure.code);
        }
        out.push(view(appointment, &desks[&appointment.unit_id], &procedures[&appointment.procedure_id]));
    }
    Ok(out)
}

/// The local time of a slot in words, for notices: `08:00 ngày 03/12/2026`.
pub(super) fn when(time_zone: chrono_tz::Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&time_zone).format("%H:%M ngày %d/%m/%Y").to_string()
}
