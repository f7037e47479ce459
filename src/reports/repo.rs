//! Reads the period's visits, referrals and contracts and folds them into figures per unit.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

use super::model::{UnitFigures, ON_TIME_GRACE_MINUTES};
use crate::db::schema::{organizations, referrals, residents, users, visits};
use crate::db::DbConn;
use crate::referrals::model::percentile;

type VisitRow = (
    String,
    Option<String>,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<String>,
    bool,
);
type ReferralRow = (
    String,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    Option<NaiveDateTime>,
    bool,
);

/// Figures per organisation id (clinics, care homes, hospitals) for [from, to).
pub fn figures(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<HashMap<String, UnitFigures>> {
    let mut out: HashMap<String, UnitFigures> = HashMap::new();
    // Visits: counted for the clinic that makes them and, for care-home residents, the home.
    let rows: Vec<VisitRow> = visits::table
        .inner_join(residents::table)
        .filter(visits::status.eq_any(["scheduled", "in_progress", "completed", "missed"]))
        .filter(visits::starts_at.ge(from))
        .filter(visits::starts_at.lt(to))
        .select((
            visits::clinic_id,
            residents::care_home_id,
            visits::status,
            visits::starts_at,
            visits::check_in_at,
            visits::missed_reason,
            visits::location_exception,
        ))
        .load(conn)?;
    for (clinic, home, status, starts, check_in, missed, exception) in rows {
        for unit in std::iter::once(clinic).chain(home) {
            let v = &mut out.entry(unit).or_default().visits;
            v.planned += 1;
            match status.as_str() {
                "completed" => {
                    v.done += 1;
                    let late = starts.zip(check_in).is_some_and(|(s, c)| {
                        c > s + chrono::Duration::minutes(ON_TIME_GRACE_MINUTES)
                    });
                    if !late {
                        v.done_on_time += 1;
                    }
                }
                "missed" => {
                    v.missed += 1;
                    let reason = missed
                        .as_deref()
                        .and_then(|m| m.split(':').next())
                        .unwrap_or("other")
                        .to_string();
                    *v.missed_by_reason.entry(reason).or_default() += 1;
                }
                _ => {}
            }
            if exception {
                v.location_exceptions += 1;
            }
        }
    }
    // Referrals submitted in the period.
    let rows: Vec<ReferralRow> = referrals::table
        .filter(referrals::created_at.ge(from))
        .filter(referrals::created_at.lt(to))
        .select((
            referrals::from_organization_id,
            referrals::to_organization_id,
            referrals::priority,
            referrals::created_at,
            referrals::deadline_at,
            referrals::responded_at,
            referrals::overdue,
        ))
        .load(conn)?;
    let mut minutes: HashMap<(String, String), Vec<f64>> = HashMap::new();
    for (sender, receiver, priority, created, deadline, responded, overdue) in rows {
        out.entry(sender).or_default().referrals.sent += 1;
        let r = &mut out.entry(receiver.clone()).or_default().referrals;
        r.received += 1;
        if overdue {
            r.overdue += 1;
        }
        if let Some(t) = responded {
            if t <= deadline {
                r.answered_in_time += 1;
            }
            minutes
                .entry((receiver, priority))
                .or_default()
                .push((t - created).num_seconds() as f64 / 60.0);
        }
    }
    for ((unit, priority), mut m) in minutes {
        m.sort_by(f64::total_cmp);
        let fig = super::model::ResponseFigures {
            answered: m.len() as u32,
            median_minutes: percentile(&m, 50.0),
            p90_minutes: percentile(&m, 90.0),
        };
        out.entry(unit)
            .or_default()
            .referrals
            .response
            .insert(priority, fig);
    }
    // Family-doctor contracts: signed residents of each clinic, and those with no completed visit.
    let signed: Vec<(String, Option<String>)> = residents::table
        .inner_join(users::table.on(residents::family_doctor_id.eq(users::id.nullable())))
        .select((residents::id, users::organization_id))
        .load(conn)?;
    let served: std::collections::HashSet<String> = visits::table
        .filter(visits::status.eq("completed"))
        .filter(visits::starts_at.ge(from))
        .filter(visits::starts_at.lt(to))
        .select(visits::resident_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    for (resident, clinic) in signed {
        if let Some(clinic) = clinic {
            let c = &mut out.entry(clinic).or_default().contracts;
            c.signed += 1;
            if !served.contains(&resident) {
                c.unserved += 1;
            }
        }
    }
    Ok(out)
}

/// The units a report covers: clinics, care homes and hospitals, by code.
pub fn units(conn: &mut DbConn) -> QueryResult<Vec<(String, String, String, String)>> {
    organizations::table
        .filter(organizations::kind.eq_any(["clinic", "care_home", "hospital"]))
        .order(organizations::code.asc())
        .select((
            organizations::id,
            organizations::code,
            organizations::name,
            organizations::kind,
        ))
        .load(conn)
}
