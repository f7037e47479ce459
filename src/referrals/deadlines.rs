//! The deadline scanner: referrals left unanswered past their response deadline become overdue and
//! escalate (history, audit, an event for the receiving desk and the authority), and again at the
//! second level. Safe with several instances: on PostgreSQL each row is claimed by one scanner
//! (`FOR UPDATE SKIP LOCKED`), and every escalation is a conditional update of the level.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use super::model::{self, Status};
use super::repo::{self, ReferralChanges, ReferralRow};
use crate::config::Referrals;
use crate::db::schema::referrals;
use crate::db::{write_tx, DbConn};
use crate::error::AppResult;

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

/// Referrals that may have crossed a level, claimed for this scanner.
fn claim(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<ReferralRow>> {
    let ids: Vec<String> = match conn {
        DbConn::Pg(_) => diesel::sql_query(
            "SELECT id FROM referrals WHERE status = 'submitted' AND escalation_level < 2 AND deadline_at <= $1 \
             ORDER BY deadline_at LIMIT 200 FOR UPDATE SKIP LOCKED",
        )
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .load::<Claimed>(conn)?
        .into_iter()
        .map(|c| c.id)
        .collect(),
        // SQLite: the immediate write transaction is the only writer.
        DbConn::Sqlite(_) => referrals::table
            .filter(referrals::status.eq(Status::Submitted.as_str()))
            .filter(referrals::escalation_level.lt(2))
            .filter(referrals::deadline_at.le(now))
            .order(referrals::deadline_at.asc())
            .limit(200)
            .select(referrals::id)
            .load(conn)?,
    };
    referrals::table
        .filter(referrals::id.eq_any(ids))
        .load(conn)
}

/// One pass at `now` (the clock is a parameter, so tests can move it). Returns the escalations made.
pub fn scan(conn: &mut DbConn, cfg: &Referrals, now: NaiveDateTime) -> AppResult<usize> {
    write_tx(conn, |conn| {
        let mut made = 0;
        for r in claim(conn, now)? {
            let minutes = r.priority().deadline_minutes(cfg);
            let due = model::due_level(r.created_at, minutes, cfg.second_level_factor, now);
            if due <= r.escalation_level {
                continue;
            }
            let changes = ReferralChanges {
                overdue: Some(true),
                escalation_level: Some(due),
                ..Default::default()
            };
            if !repo::update(conn, &r.id, r.version, changes)? {
                continue; // another scanner got there first
            }
            let after = repo::find(conn, &r.id)?.unwrap_or_else(|| r.clone());
            for level in (r.escalation_level + 1)..=due {
                let detail = json!({"level": level, "deadline_at": crate::time::Time::from(r.deadline_at), "priority": r.priority});
                repo::add_history(
                    conn,
                    &r.id,
                    None,
                    "escalate",
                    Some(Status::Submitted),
                    Status::Submitted,
                    Some(&detail),
                )?;
                crate::audit::record(
                    conn,
                    None,
                    "escalate",
                    "referral",
                    &r.id,
                    None,
                    Some(&detail),
                )?;
                let audience = vec![
                    r.to_organization_id.clone(),
                    crate::events::AUTHORITY.to_string(),
                ];
                crate::events::publish(
                    conn,
                    "referral.deadline_passed",
                    "referral",
                    &r.id,
                    &audience,
                    &super::flow::summary(&after),
                )?;
                made += 1;
            }
        }
        Ok(made)
    })
}

/// Runs the scanner every `scan_interval_seconds` on this instance.
pub fn spawn(state: crate::state::AppState) {
    actix_web::rt::spawn(async move {
        let every = std::time::Duration::from_secs(state.settings.referrals.scan_interval_seconds);
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            let (pool, cfg) = (state.pool.clone(), state.settings.referrals.clone());
            let done = actix_web::web::block(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                scan(&mut conn, &cfg, crate::db::now()).map_err(|e| e.to_string())
            })
            .await;
            match done {
                Ok(Ok(n)) if n > 0 => tracing::info!(escalations = n, "referrals escalated"),
                Ok(Err(e)) => tracing::warn!(error = %e, "deadline scan failed"),
                _ => {}
            }
        }
    });
}
