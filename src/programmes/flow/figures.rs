//! The care-programme figures per clinic for a period: the programme report, and the on-time
//! rate the unit report's score takes in (ADR 0007).
use chrono::NaiveDate;
use std::collections::HashMap;

use super::Ctx;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::programmes::model::report::{Outcome, ProgrammeFigures};
use crate::programmes::repo::{self, day};

/// Figures per clinic id for the days [from, to) of the district.
pub fn figures(
    conn: &mut DbConn,
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<HashMap<String, ProgrammeFigures>> {
    let mut out: HashMap<String, ProgrammeFigures> = HashMap::new();
    for clinic in repo::contracts_overlapping(conn, from, to)? {
        out.entry(clinic).or_default().contracts_active += 1;
    }
    for (clinic, state, latest, met_on) in repo::closing_between(conn, from, to)? {
        let latest = day(&latest);
        let outcome = match (state.as_str(), met_on) {
            ("met", Some(m)) if day(&m) <= latest => Outcome::MetOnTime,
            ("met", _) => Outcome::MetLate,
            ("waived", _) => Outcome::Waived,
            _ if latest < ctx.today => Outcome::Overdue,
            _ => Outcome::Pending,
        };
        out.entry(clinic).or_default().count(outcome);
    }
    // Control: each chronic resident's last follow-up in the period, for the clinic that made it.
    let since = from.and_hms_opt(0, 0, 0).unwrap_or_default() - chrono::Duration::days(1);
    let mut last: HashMap<String, crate::visits::flow::Completed> = HashMap::new();
    for v in crate::visits::flow::completed_since(conn, None, since)? {
        let Some(at) = v.check_out_at else { continue };
        let on = at.and_utc().with_timezone(&ctx.tz).date_naive();
        if on < from || on >= to || v.service_type != "chronic_disease_follow_up" {
            continue;
        }
        last.insert(v.resident_id.to_string(), v); // oldest first: the last one stays
    }
    if last.is_empty() {
        return Ok(out);
    }
    let residents: HashMap<String, Vec<String>> = crate::people::residents::all_or_one(conn, None)?
        .into_iter()
        .filter(|r| last.contains_key(&r.id))
        .map(|r| (r.id.clone(), r.conditions()))
        .collect();
    for (resident, v) in last {
        let groups = ctx
            .rules
            .groups(residents.get(&resident).map(Vec::as_slice).unwrap_or(&[]));
        let readings = super::reconcile::readings(v.documentation.as_deref());
        let f = out.entry(v.clinic_id.to_string()).or_default();
        for (group, control) in [
            ("hypertension", &mut f.hypertension),
            ("diabetes", &mut f.diabetes),
        ] {
            if !groups.iter().any(|g| g == group) {
                continue;
            }
            if let Some(bad) = ctx.rules.uncontrolled(&[group.to_string()], &readings) {
                control.add(!bad);
            }
        }
    }
    Ok(out)
}
