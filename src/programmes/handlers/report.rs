//! HTTP: `GET /api/v1/reports/programmes`.
use actix_web::{get, web, HttpResponse};
use serde::Serialize;

use super::ctx;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_end, parse_time};
use crate::http::{self};
use crate::network::model::OrgKind;
use crate::programmes::flow;
use crate::programmes::model::report::ProgrammeFigures;
use crate::state::AppState;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ProgrammeQuery {
    /// Start of the period: RFC 3339 or a date (its first day, district time zone).
    #[param(example = "2026-10-01", value_type = crate::time::Start)]
    pub from: String,
    /// End of the period (exclusive): RFC 3339 or a date (the whole day); after `from`, within a year.
    #[param(example = "2026-12-31", value_type = crate::time::End)]
    pub to: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProgrammeRow {
    pub organization_id: String,
    pub code: String,
    pub name: String,
    pub figures: ProgrammeFigures,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProgrammeReport {
    pub from: crate::time::Time,
    pub to: crate::time::Time,
    pub clinics: Vec<ProgrammeRow>,
}

/// The care-programme report: what was owed and what was met
///
/// Per clinic, for the period: contracts in force, obligations whose window closed in it (met on
/// time, met late, overdue, waived, still open), the fulfilment rate (履约率) and the on-time rate
/// (which the unit report's score takes in), and the share of hypertension and diabetes residents
/// in control at their last follow-up. Admin sees every clinic; clinic staff their own; other
/// roles 403.
#[utoipa::path(get, tag = "reports", params(ProgrammeQuery),
    responses((status = 200, description = "The report", body = ProgrammeReport),
        (status = 403, description = "`forbidden`: for the authority and clinic staff", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `from` or `to` is neither an RFC 3339 time nor a date; `to` not after \
`from`, or more than a year later", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/reports/programmes")]
pub async fn programmes_report(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ProgrammeQuery>,
) -> AppResult<HttpResponse> {
    let only = match (user.role, &user.organization_id) {
        (Role::Admin, _) => None,
        (Role::Scheduler | Role::Clinician, Some(clinic)) => Some(clinic.clone()),
        _ => {
            return Err(AppError::forbidden(
                "The programme report is for the authority and clinic staff.",
            ))
        }
    };
    let (from, to) = (
        parse_time("from", &q.from, state.tz)?,
        parse_end("to", &q.to, state.tz)?,
    );
    if to <= from || to - from > chrono::Duration::days(366) {
        return Err(AppError::invalid("to", "must be after from, within a year"));
    }
    let st = state.clone();
    let report = http::db(&state, move |conn| {
        let ctx = ctx(&st)?;
        let local = |t: chrono::NaiveDateTime| t.and_utc().with_timezone(&ctx.tz);
        let (from_day, to_day) = (local(from).date_naive(), local(to).date_naive());
        let mut figures = flow::figures(conn, &ctx, from_day, to_day)?;
        let filter = crate::network::flow::OrgFilter {
            kind: Some(OrgKind::Clinic),
            ..Default::default()
        };
        let page = crate::db::page::PageRequest {
            limit: 10_000,
            after: None,
        };
        let mut clinics = crate::network::flow::list(conn, &filter, &page)?;
        clinics.sort_by(|a, b| a.code.cmp(&b.code));
        let rows = clinics
            .into_iter()
            .filter(|c| only.as_ref().is_none_or(|o| *o == c.id))
            .map(|c| ProgrammeRow {
                figures: figures.remove(&c.id).unwrap_or_default(),
                organization_id: c.id,
                code: c.code,
                name: c.name,
            })
            .collect();
        Ok(ProgrammeReport {
            from: from.and_utc().into(),
            to: to.and_utc().into(),
            clinics: rows,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
