//! The hospitals' published answer times: for each district hospital and priority, the
//! up-referrals of the last 30 days it answered, with the median and 90th-percentile minutes.
use chrono::NaiveDateTime;

use crate::db::page::PageRequest;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::network::flow::{self as orgs, OrgFilter};
use crate::network::model::OrgKind;
use crate::referrals::model::{percentile, Priority, ResponseTime};
use crate::referrals::repo;

/// Answer times per hospital and priority, over the 30 days before `now`.
pub fn response_times(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<Vec<ResponseTime>> {
    let since = now - chrono::Duration::days(30);
    let rows = repo::answered_up_since(conn, since)?;
    let hospitals = orgs::list(
        conn,
        &OrgFilter {
            kind: Some(OrgKind::Hospital),
            ..Default::default()
        },
        &PageRequest {
            limit: 500,
            after: None,
        },
    )?;
    let mut out = vec![];
    for h in hospitals {
        for p in Priority::ALL {
            let mut minutes: Vec<f64> = rows
                .iter()
                .filter(|x| x.0 == h.id && x.1 == p.as_str())
                .filter_map(|x| x.3.map(|t| (t - x.2).num_seconds() as f64 / 60.0))
                .collect();
            minutes.sort_by(f64::total_cmp);
            out.push(ResponseTime {
                hospital_id: h.id.clone(),
                hospital_code: h.code.clone(),
                hospital_name: h.name.clone(),
                priority: p,
                answered: minutes.len(),
                median_minutes: percentile(&minutes, 50.0),
                p90_minutes: percentile(&minutes, 90.0),
            });
        }
    }
    Ok(out)
}
