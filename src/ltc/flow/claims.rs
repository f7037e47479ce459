//! A month's claim of a provider: the covered visits done, for the authority and the clinics'
//! schedulers.
use chrono::NaiveDate;
use std::collections::BTreeMap;

use super::super::model::entitlements::{self as ent, GradePeriod, GrantTable};
use super::super::model::records::{Claim, ClaimLine, ClaimTotals};
use super::super::repo;
use super::{month_range, periods_of};
use crate::auth::{CurrentUser, Role};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// Who may read claims: the authority (every provider, or one) and a clinic's scheduler (their
/// own clinic; another's is 404). Others 403.
fn claim_scope(user: &CurrentUser, asked: Option<String>) -> AppResult<Option<String>> {
    match user.role {
        Role::Admin => Ok(asked),
        Role::Scheduler => {
            let own = user.organization_id.clone();
            match asked {
                Some(a) if Some(&a) != own.as_ref() => Err(AppError::missing("organization")),
                _ => Ok(own),
            }
        }
        _ => Err(AppError::forbidden(
            "Claims are read by the authority and the clinics' schedulers.",
        )),
    }
}

/// A month's claim: each covered visit done (completed, not self-paid, of a category the
/// resident's grade on its day covers) of the provider, with the resident, grade, service,
/// minutes, clinician, times and check-in/out distances; a visit with a location exception is
/// listed for review and not counted as claimed.
pub fn claims(
    conn: &mut DbConn,
    user: &CurrentUser,
    month: NaiveDate,
    organization_id: Option<String>,
) -> AppResult<Claim> {
    let org = claim_scope(user, organization_id)?;
    let (from, to) = month_range(month)?;
    let done = repo::done(conn, org.as_deref(), from, to)?;
    let tz = crate::time::district_zone();
    let table = GrantTable::embedded();
    let mut periods: BTreeMap<String, Vec<GradePeriod>> = BTreeMap::new();
    let mut lines = vec![];
    for v in done {
        if !periods.contains_key(&v.resident_id) {
            let p = periods_of(conn, &v.resident_id)?;
            periods.insert(v.resident_id.clone(), p);
        }
        let Some(starts) = v.starts_at else { continue };
        let day = starts.and_utc().with_timezone(&tz).date_naive();
        let Some(grade) = ent::grade_on(&periods[&v.resident_id], day) else {
            continue;
        };
        let Some(grant) = table.grant(grade, &v.category) else {
            continue;
        };
        let minutes = match (v.check_in_at, v.check_out_at) {
            (Some(i), Some(o)) => (o - i).num_minutes().max(0),
            _ => 0,
        };
        lines.push(ClaimLine {
            visit_id: v.id,
            resident_id: v.resident_id,
            resident_name: String::new(),
            grade,
            service_type: v.service_type,
            category: v.category,
            unit: grant.unit,
            minutes,
            clinician_id: v.clinician_id,
            clinician_name: None,
            starts_at: Some(starts.into()),
            check_in_at: v.check_in_at.map(Into::into),
            check_out_at: v.check_out_at.map(Into::into),
            check_in_distance_m: v.check_in_distance_m,
            check_out_distance_m: v.check_out_distance_m,
            review: v.location_exception,
        });
    }
    let ids = |f: &dyn Fn(&ClaimLine) -> Option<String>| -> Vec<String> {
        let mut v: Vec<String> = lines.iter().filter_map(f).collect();
        v.sort();
        v.dedup();
        v
    };
    let residents: BTreeMap<String, String> =
        repo::resident_names(conn, &ids(&|l| Some(l.resident_id.clone())))?
            .into_iter()
            .collect();
    let clinicians: BTreeMap<String, String> =
        repo::user_names(conn, &ids(&|l| l.clinician_id.clone()))?
            .into_iter()
            .collect();
    let mut totals = ClaimTotals::default();
    for l in &mut lines {
        l.resident_name = residents.get(&l.resident_id).cloned().unwrap_or_default();
        l.clinician_name = l
            .clinician_id
            .as_ref()
            .and_then(|c| clinicians.get(c).cloned());
        if l.review {
            totals.for_review += 1;
        } else {
            totals.claimed_visits += 1;
            totals.claimed_minutes += l.minutes;
        }
    }
    let (first, _) = ent::month_bounds(month);
    Ok(Claim {
        month: first.format("%Y-%m").to_string(),
        organization_id: org,
        lines,
        totals,
    })
}
