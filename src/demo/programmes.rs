//! The demo's care programmes: family-doctor contracts on the signed residents of the first demo
//! clinic, begun a hundred days ago, so that the engine finds some obligations met by the demo's
//! visits, some due, past quarters overdue; and two follow-ups out of control in a row for
//! 孙建国, which leave a draft up-referral for the clinic to send. Made through the programmes'
//! own flow (signing as `sched01`), audited.
use chrono::Duration;
use serde_json::json;

use super::people::at;
use super::visit_steps::{book, step, workday};
use super::Clock;
use crate::auth::CurrentUser;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::programmes::model::NewContract;
use crate::visits::booking;
use crate::visits::model::{Action, VisitWindow};
use crate::visits::repo::VisitChanges;

/// Signed residents of the first clinic (index in its list) and their packages.
const CONTRACTS: &[(usize, &[&str])] = &[
    (0, &["basic", "hypertension"]),
    (1, &["basic", "hypertension"]),
    (2, &["basic"]),
    (3, &["basic", "diabetes"]),
    (6, &["basic", "hypertension"]),
    (7, &["basic", "rehabilitation"]),
];

/// Adds the contracts (and the follow-ups before them) unless the first clinic has contracts.
/// Returns how many contracts it signed.
pub fn add(conn: &mut DbConn, clock: &Clock, residents: &[String]) -> AppResult<usize> {
    use crate::db::schema::contracts;
    use diesel::prelude::*;
    let clinic = super::people::org(conn, super::people::CLINICS[0].0)?;
    let signed: i64 = contracts::table
        .filter(contracts::clinic_id.eq(&clinic.id))
        .count()
        .get_result(conn)?;
    if signed > 0 {
        return Ok(0);
    }
    let sched = super::people::actor(conn, "sched01")?;
    let doctor = super::people::actor(conn, super::people::CLINICS[0].1)?;
    // 孙建国: out of control twice in a row (the second a working day ago).
    for (days, (sys, dia)) in [(5, (158, 96)), (1, (154, 94))] {
        follow_up(conn, clock, &sched, &doctor, &residents[1], days, sys, dia)?;
    }
    let ctx = crate::programmes::flow::Ctx::new(clock.settings, clock.tz)?;
    let starts_on = clock.today - Duration::days(100);
    let mut made = 0;
    for &(who, packages) in CONTRACTS {
        let new = NewContract {
            resident_id: residents[who].clone(),
            package_codes: packages.iter().map(|p| p.to_string()).collect(),
            family_doctor_id: doctor.id.clone(),
            starts_on,
            ends_on: None,
        };
        crate::programmes::flow::sign(conn, &ctx, &sched, &new)?;
        made += 1;
    }
    assess(conn, clock, &sched, &residents[LTC_GRADED])?;
    Ok(made)
}

/// The demo resident with a long-term care grade: 冯玉兰 (bedridden at home, a pressure ulcer), assessed a hundred days ago
/// as unable in daily living with the mind intact (grade 3 under the shipped standard, which
/// covers home nursing and some rehabilitation each month).
const LTC_GRADED: usize = 4;

fn assess(conn: &mut DbConn, clock: &Clock, sched: &CurrentUser, resident: &str) -> AppResult<()> {
    let standard = crate::ltc::model::Standard::embedded().map_err(AppError::internal)?;
    let mut scores = std::collections::BTreeMap::new();
    for indicator in standard.indicators() {
        for item in &indicator.items {
            let points = item.points();
            let pick = if indicator.code == "adl" {
                points.iter().min()
            } else {
                points.iter().max()
            };
            scores.insert(item.code.clone(), pick.copied().unwrap_or_default());
        }
    }
    let body = crate::ltc::model::records::NewAssessment {
        resident_id: resident.to_string(),
        kind: crate::ltc::model::records::LTC_DISABILITY.into(),
        scores,
        assessed_at: Some((clock.now - Duration::days(100)).into()),
    };
    crate::ltc::flow::assess(conn, sched, &body, clock.settings.ltc.assessment_valid_days)?;
    Ok(())
}

/// A chronic follow-up `days` working days ago, late in the afternoon, done with these readings.
#[allow(clippy::too_many_arguments)]
fn follow_up(
    conn: &mut DbConn,
    clock: &Clock,
    sched: &CurrentUser,
    doctor: &CurrentUser,
    resident: &str,
    days: i64,
    systolic: u32,
    diastolic: u32,
) -> AppResult<bool> {
    let date = workday(clock.today, -days);
    for (h, m) in [(16, 0), (15, 0), (14, 0), (11, 0)] {
        let starts_at = at(clock.tz, date, h, m).ok_or_else(|| AppError::internal("demo time"))?;
        if starts_at > clock.now {
            continue;
        }
        let window = VisitWindow {
            start: starts_at - Duration::hours(1),
            end: starts_at + Duration::hours(2),
        };
        let taken = book(
            conn,
            clock,
            sched,
            resident,
            "chronic_disease_follow_up",
            window,
            |c, ctx, t| match booking::take_exact(c, ctx, t, &doctor.id, starts_at, None) {
                Ok(slot) => Ok(Some(slot)),
                Err(e) if e.code == "validation_failed" => Ok(None),
                Err(e) => Err(e),
            },
        )?;
        let Some(row) = taken else { continue };
        let checked_in = starts_at + Duration::minutes(3);
        let row = step(
            conn,
            doctor,
            &row,
            Action::CheckIn,
            VisitChanges {
                check_in_at: Some(Some(checked_in)),
                check_in_distance_m: Some(Some(12.0)),
                ..Default::default()
            },
        )?;
        let doc = json!({
            "tasks": [{"task": "测量血压、询问症状", "done": true, "reason": null}],
            "vital_signs": {"systolic_mmhg": systolic, "diastolic_mmhg": diastolic, "heart_rate_bpm": 80},
            "notes": "血压控制不满意，已调整用药，嘱两周内复查。",
        });
        step(
            conn,
            doctor,
            &row,
            Action::CheckOut,
            VisitChanges {
                check_out_at: Some(Some(checked_in + Duration::minutes(30))),
                check_out_distance_m: Some(Some(12.0)),
                documentation: Some(Some(doc.to_string())),
                ..Default::default()
            },
        )?;
        return Ok(true);
    }
    Ok(false)
}
