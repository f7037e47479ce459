//! HTTP: `GET /api/v1/reports/units` (JSON or CSV): the district's red and black list.
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::model::{self, UnitFigures};
use super::repo;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::http::{
    self,
    extract::{parse_end, parse_time},
};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// Start of the period: RFC 3339 or a date (its first moment, district time zone).
    #[param(example = "2026-11-01", value_type = crate::time::Start)]
    pub from: String,
    /// End of the period (exclusive): RFC 3339 or a date (the whole day); after `from`, within a year.
    #[param(example = "2026-11-30", value_type = crate::time::End)]
    pub to: String,
    /// `csv` for a CSV download (also chosen by `Accept: text/csv`); anything else answers JSON.
    #[param(example = "csv")]
    pub format: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitRow {
    pub organization_id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    /// 0-100, see the `method` of the report; null without data.
    pub score: Option<f64>,
    pub rank: Option<usize>,
    /// The figures: every unit's for the authority, only its own for a unit.
    pub figures: Option<UnitFigures>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitReport {
    pub from: crate::time::Time,
    pub to: crate::time::Time,
    pub method: &'static str,
    pub red_list: Vec<String>,
    pub black_list: Vec<String>,
    pub units: Vec<UnitRow>,
}

const METHOD: &str = "score = 100 x mean of the rates a unit has data for: visits done / planned, done on time \
(check-in within 15 min of the start) / done, contracted residents with a completed visit / contracted, received \
referrals answered by their deadline / received, obligations met on time / met or closed unmet (care programmes), ratings of 4 or 5 / ratings, and 1 - complaints / completed visits (the family's voice). Red list: the 3 best; black list: the 3 worst (at most half the \
scored units each).";

/// The unit report: the district's red and black list
///
/// Every role but `resident`. For the period, each clinic, care home and hospital with its score
/// (0-100, the `method` says how) and rank; the 3 best form the red list, the 3 worst the black
/// list. The authority sees every unit's figures, a unit only its own (others' figures are null).
/// JSON, or CSV with `format=csv` or `Accept: text/csv`.
#[utoipa::path(get, tag = "reports", params(ReportQuery),
    responses((status = 200, description = "The report (JSON; with `format=csv` or `Accept: text/csv`, the same rows as \
`text/csv`)", content((UnitReport = "application/json"), (String = "text/csv"))),
        (status = 403, description = "`forbidden`: unit reports are for the authority and the units, not resident logins", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `from` or `to` is neither an RFC 3339 time nor a date; `to` not after \
`from`, or more than a year later", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/reports/units")]
pub async fn units(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<ReportQuery>,
) -> AppResult<HttpResponse> {
    if matches!(user.role, Role::Resident) {
        return Err(AppError::forbidden(
            "Unit reports are for the authority and the units.",
        ));
    }
    let (from, to) = (
        parse_time("from", &q.from, state.tz)?,
        parse_end("to", &q.to, state.tz)?,
    );
    if to <= from || to - from > chrono::Duration::days(366) {
        return Err(AppError::invalid("to", "must be after from, within a year"));
    }
    let csv = http::wants_csv(q.format.as_deref(), &req);
    let st = state.clone();
    let report = http::db(&state, move |conn| {
        let mut figures = repo::figures(conn, from, to)?;
        // The clinics' care-programme figures (obligations met on time) join the score.
        let ctx = crate::programmes::flow::Ctx::new(&st.settings, st.tz)?;
        let local = |t: chrono::NaiveDateTime| t.and_utc().with_timezone(&ctx.tz).date_naive();
        for (clinic, p) in crate::programmes::flow::figures(conn, &ctx, local(from), local(to))? {
            figures.entry(clinic).or_default().programme = p;
        }
        // What residents and families said (ratings, complaints) joins the score too.
        for (unit, v) in crate::family::flow::figures(conn, from, to)? {
            figures.entry(unit).or_default().voice = v;
        }
        let units = repo::units(conn)?;
        let scores: Vec<(String, Option<f64>)> = units
            .iter()
            .map(|u| (u.0.clone(), figures.get(&u.0).and_then(model::score)))
            .collect();
        let (ranks, red_list, black_list) = model::rank(&scores);
        let rank_of: std::collections::HashMap<_, _> = ranks.into_iter().collect();
        let rows = units
            .into_iter()
            .zip(scores)
            .map(|((id, code, name, kind), (_, score))| {
                let visible = user.role == Role::Admin
                    || user.organization_id.as_deref() == Some(id.as_str());
                UnitRow {
                    rank: rank_of.get(&id).copied(),
                    figures: if visible {
                        Some(figures.remove(&id).unwrap_or_default())
                    } else {
                        None
                    },
                    organization_id: id,
                    code,
                    name,
                    kind,
                    score,
                }
            })
            .collect();
        Ok(UnitReport {
            from: from.and_utc().into(),
            to: to.and_utc().into(),
            method: METHOD,
            red_list,
            black_list,
            units: rows,
        })
    })
    .await?;
    if csv {
        return Ok(http::csv("units.csv", to_csv(&report)));
    }
    Ok(HttpResponse::Ok().json(report))
}

fn to_csv(r: &UnitReport) -> String {
    let mut out = String::from(
        "code,name,kind,score,rank,list,visits_planned,visits_done,visits_done_on_time,visits_missed,location_exceptions,\
         referrals_sent,referrals_received,referrals_answered_in_time,referrals_overdue,contracts_signed,contracts_unserved,\
         obligations_due,obligations_met_on_time,obligations_met_late,obligations_overdue,obligations_waived,\
         ratings,mean_rating,ratings_satisfied,complaints\n",
    );
    for u in &r.units {
        let list = if r.red_list.contains(&u.organization_id) {
            "red"
        } else if r.black_list.contains(&u.organization_id) {
            "black"
        } else {
            ""
        };
        let n = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
        let f = u.figures.as_ref();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            http::csv_cell(&u.code),
            http::csv_cell(&u.name),
            u.kind,
            u.score.map(|s| s.to_string()).unwrap_or_default(),
            u.rank.map(|s| s.to_string()).unwrap_or_default(),
            list,
            n(f.map(|f| f.visits.planned)),
            n(f.map(|f| f.visits.done)),
            n(f.map(|f| f.visits.done_on_time)),
            n(f.map(|f| f.visits.missed)),
            n(f.map(|f| f.visits.location_exceptions)),
            n(f.map(|f| f.referrals.sent)),
            n(f.map(|f| f.referrals.received)),
            n(f.map(|f| f.referrals.answered_in_time)),
            n(f.map(|f| f.referrals.overdue)),
            n(f.map(|f| f.contracts.signed)),
            n(f.map(|f| f.contracts.unserved)),
            n(f.map(|f| f.programme.obligations_due)),
            n(f.map(|f| f.programme.met_on_time)),
            n(f.map(|f| f.programme.met_late)),
            n(f.map(|f| f.programme.overdue)),
            n(f.map(|f| f.programme.waived)),
            n(f.map(|f| f.voice.ratings)),
            f.and_then(|f| f.voice.mean_rating)
                .map(|m| m.to_string())
                .unwrap_or_default(),
            n(f.map(|f| f.voice.satisfied)),
            n(f.map(|f| f.voice.complaints)),
        ));
    }
    out
}
