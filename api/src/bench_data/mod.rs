//! Synthetic data for load benchmarks (`motcua bench-seed`): a bench unit, procedure and
//! officers, any number of dossiers with known lookup secrets and a year's worth of histories
//! ([`history`]), inserted in batches, and citizens who book ([`bookings`]).

mod bookings;
mod history;

pub use bookings::seed_bookers;
pub use history::{integrator_key, supervisor_token};

use std::io::Write;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    dossier, dossier_event, procedure, procedure_unit, unit, user,
    values::{
        ApplicantKind, DossierEventKind, DossierStatus, LetterOnCompletion, OnlineSubmission, ProcedureLevel,
        Role, UnitKind,
    },
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    domain::{
        dossier::{format_code, generate_secret},
        text::fold,
    },
    dossiers::lifecycle::PublicStep,
    keys::Keys,
};

pub const BENCH_UNIT: &str = "BENCH.00.H00";
const PER_DAY: u64 = 5_000;
const BATCH: usize = 500;
const INTAKE_NOTE: &str = "Đã tiếp nhận";

/// The bench unit, procedure and officer, created on first use.
async fn fixtures(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<(Uuid, Uuid, Uuid), DbErr> {
    if let Some(unit) = unit::Entity::find().filter(unit::Column::Code.eq(BENCH_UNIT)).one(db).await? {
        let procedure =
            procedure_unit::Entity::find().filter(procedure_unit::Column::UnitId.eq(unit.id)).one(db).await?;
        let officer = user::Entity::find().filter(user::Column::UnitId.eq(unit.id)).one(db).await?;
        if let (Some(procedure), Some(officer)) = (procedure, officer) {
            return Ok((unit.id, procedure.procedure_id, officer.id));
        }
    }
    let (unit_id, procedure_id, officer_id) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    unit::Entity::insert(unit::ActiveModel {
        id: Set(unit_id),
        code: Set(BENCH_UNIT.into()),
        name: Set("Đơn vị đo tải".into()),
        kind: Set(UnitKind::Ward),
        parent_id: Set(None),
        address: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        // Desk settings start at the schema's defaults.
        ..Default::default()
    })
    .exec(db)
    .await?;
    procedure::Entity::insert(procedure::ActiveModel {
        id: Set(procedure_id),
        code: Set("BENCH.0001".into()),
        name: Set("Thủ tục đo tải".into()),
        name_en: Set(None),
        field: Set("Đo tải".into()),
        field_folded: Set("do tai".into()),
        level: Set(ProcedureLevel::Commune),
        processing_half_days: Set(6),
        fee_vnd: Set(0),
        fee_note: Set(None),
        documents: Set("[]".into()),
        steps: Set("[]".into()),
        result: Set("Kết quả".into()),
        online_submission: Set(OnlineSubmission::DeskOnly),
        letter_on_completion: Set(LetterOnCompletion::NoLetter),
        description: Set(None),
        active: Set(true),
        search_text: Set("bench.0001 thu tuc do tai".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    procedure_unit::Entity::insert(procedure_unit::ActiveModel {
        procedure_id: Set(procedure_id),
        unit_id: Set(unit_id),
    })
    .exec(db)
    .await?;
    user::Entity::insert(user::ActiveModel {
        id: Set(officer_id),
        phone: Set("+84900099999".into()),
        full_name: Set("Cán bộ đo tải".into()),
        // Not a PHC string: this account can never log in.
        password_hash: Set("!".into()),
        role: Set(Role::Officer),
        unit_id: Set(Some(unit_id)),
        active: Set(true),
        letters_opt_out: Set(false),
        phone_verified_at: Set(Some(now)),
        must_change_password: Set(false),
        oidc_subject: Set(None),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok((unit_id, procedure_id, officer_id))
}

/// Adds dossiers until the bench unit has `total`, writing about `sample` `code secret` lines
/// (spread over all of them) to `out` for the load generator.
pub async fn seed_dossiers(
    db: &DatabaseConnection,
    keys: &Keys,
    total: u64,
    sample: u64,
    out: &mut impl Write,
    now: DateTime<Utc>,
) -> Result<u64, Box<dyn std::error::Error>> {
    let (unit_id, procedure_id, officer_id) = fixtures(db, now).await?;
    let officers = history::officers(db, unit_id, officer_id, now).await?;
    let existing = dossier::Entity::find().filter(dossier::Column::UnitId.eq(unit_id)).count(db).await?;
    let every = (total / sample.max(1)).max(1);
    let first_day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    // Every bench dossier has the one public step its intake event records below.
    let public_timeline = serde_json::to_string(&[PublicStep {
        at: now,
        status: DossierStatus::InProgress,
        note: Some(INTAKE_NOTE.into()),
        new_due_at: None,
    }])?;
    let mut next = existing;
    while next < total {
        let end = (next + BATCH as u64).min(total);
        let mut dossiers = Vec::with_capacity(BATCH);
        let mut events = Vec::with_capacity(BATCH);
        for i in next..end {
            let day = first_day + Duration::days((i / PER_DAY) as i64);
            let sequence = (i % PER_DAY + 1) as u32;
            let code = format_code(BENCH_UNIT, day, sequence);
            let secret = generate_secret();
            if i % every == 0 {
                writeln!(out, "{code} {secret}")?;
            }
            let id = Uuid::now_v7();
            let name = "Nguyễn Văn Thử";
            let life = history::history(i);
            let officer = officers[life.officer];
            dossiers.push(dossier::ActiveModel {
                id: Set(id),
                lookup_secret_hash: Set(keys.lookup_secrets.hash(&code, &secret)),
                code: Set(code),
                unit_id: Set(unit_id),
                receipt_date: Set(day),
                sequence: Set(sequence as i32),
                procedure_id: Set(procedure_id),
                processing_half_days: Set(6),
                status: Set(life.status),
                applicant_name: Set(name.into()),
                applicant_name_folded: Set(fold(name)),
                applicant_id_number: Set("074095001234".into()),
                applicant_phone: Set("+84912345678".into()),
                applicant_email: Set(None),
                applicant_kind: Set(ApplicantKind::Citizen),
                documents: Set("[]".into()),
                channel: Set(life.channel),
                notes: Set(None),
                fee_vnd: Set(0),
                received_at: Set(life.received_at),
                due_at: Set(life.due_at),
                paused_at: Set(life.paused_at),
                completed_at: Set(life.completed_at),
                returned_at: Set(None),
                closed_at: Set(life.completed_at.or(life.ended_at)),
                timeliness: Set(life.timeliness),
                public_timeline: Set(public_timeline.clone()),
                received_by: Set(Some(officer)),
                assigned_to: Set(None),
                citizen_id: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
            events.push(dossier_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                dossier_id: Set(id),
                at: Set(now),
                kind: Set(DossierEventKind::Intake),
                from_status: Set(None),
                to_status: Set(DossierStatus::InProgress),
                actor_id: Set(Some(officer)),
                note: Set(None),
                public_note: Set(Some(INTAKE_NOTE.into())),
                new_due_at: Set(None),
                ..Default::default()
            });
            if let Some(ended_at) = life.ended_at {
                events.push(dossier_event::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    dossier_id: Set(id),
                    at: Set(ended_at),
                    kind: Set(DossierEventKind::Transition),
                    from_status: Set(Some(DossierStatus::InProgress)),
                    to_status: Set(life.status),
                    actor_id: Set(Some(officer)),
                    note: Set(None),
                    public_note: Set(None),
                    new_due_at: Set(None),
                    ..Default::default()
                });
            }
        }
        let tx = db.begin().await?;
        dossier::Entity::insert_many(dossiers).exec(&tx).await?;
        dossier_event::Entity::insert_many(events).exec(&tx).await?;
        tx.commit().await?;
        next = end;
    }
    // Fresh statistics and visibility, as autovacuum would gather them soon after a bulk load:
    // without them PostgreSQL plans the lookup for a table it believes empty, and reads the
    // table's rows where the report's index alone would do. SQLite keeps no statistics unless
    // asked, and the application never asks, so it is measured as deployed.
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("VACUUM ANALYZE").await?;
    }
    Ok(next - existing)
}
