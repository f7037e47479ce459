//! Referrals and their history in the database, always read through the caller's scope.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use super::model::{Direction, HistoryEntry, Priority, Referral, Status};
use crate::auth::policy::{self, ReferralScope};
use crate::auth::CurrentUser;
use crate::db::page::OffsetRequest;
use crate::db::schema::{referral_history, referrals, users};
use crate::db::{new_id, now, DbConn, MultiBackend};

#[derive(Debug, Clone, Queryable)]
pub struct ReferralRow {
    pub id: String,
    pub resident_id: String,
    pub direction: String,
    pub from_organization_id: String,
    pub to_organization_id: String,
    pub watcher_organization_id: Option<String>,
    pub department: Option<String>,
    pub priority: String,
    pub priority_rank: i32,
    pub status: String,
    pub patient: String,
    pub sender: String,
    pub receiving_doctor: Option<String>,
    pub reason: String,
    pub diagnosis_code: Option<String>,
    pub diagnosis_text: String,
    pub clinical_summary: String,
    pub parent_referral_id: Option<String>,
    pub follow_up: Option<String>,
    pub follow_up_plan_id: Option<String>,
    pub triage: Option<String>,
    pub appointment: Option<String>,
    pub return_sheet: Option<String>,
    pub deadline_at: NaiveDateTime,
    pub responded_at: Option<NaiveDateTime>,
    pub overdue: bool,
    pub escalation_level: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub follow_up_episode_id: Option<String>,
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or(Value::Null)
}

impl ReferralRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Submitted)
    }

    pub fn priority(&self) -> Priority {
        Priority::parse(&self.priority).unwrap_or_default()
    }

    pub fn direction(&self) -> Direction {
        if self.direction == "down" {
            Direction::Down
        } else {
            Direction::Up
        }
    }

    /// The organisations that hear of this referral's changes.
    pub fn audience(&self) -> Vec<String> {
        let mut a = vec![
            self.from_organization_id.clone(),
            self.to_organization_id.clone(),
        ];
        a.extend(self.watcher_organization_id.clone());
        a.push(format!("resident:{}", self.resident_id));
        a
    }

    pub fn to_api(&self, history: Vec<HistoryEntry>) -> Referral {
        Referral {
            id: self.id.clone(),
            resident_id: self.resident_id.clone(),
            direction: self.direction(),
            from_organization_id: self.from_organization_id.clone(),
            to_organization_id: self.to_organization_id.clone(),
            watcher_organization_id: self.watcher_organization_id.clone(),
            department: self.department.clone(),
            priority: self.priority(),
            status: self.status(),
            patient: json(&self.patient),
            sender: json(&self.sender),
            receiving_doctor: self.receiving_doctor.clone(),
            reason: self.reason.clone(),
            diagnosis: serde_json::json!({"code": self.diagnosis_code, "text": self.diagnosis_text}),
            clinical_summary: json(&self.clinical_summary),
            parent_referral_id: self.parent_referral_id.clone(),
            follow_up: self.follow_up.as_deref().map(json),
            follow_up_plan_id: self.follow_up_plan_id.clone(),
            follow_up_episode_id: self.follow_up_episode_id.clone(),
            triage: self.triage.as_deref().map(json),
            appointment: self.appointment.as_deref().map(json),
            return_sheet: self.return_sheet.as_deref().map(json),
            deadline_at: self.deadline_at.and_utc().into(),
            responded_at: self.responded_at.map(|t| t.and_utc().into()),
            overdue: self.overdue,
            escalation_level: self.escalation_level,
            version: self.version,
            created_at: self.created_at.and_utc().into(),
            updated_at: self.updated_at.and_utc().into(),
            history,
        }
    }
}

pub use crate::auth::policy::acting_org;

/// Sender, receiver (and a care home's signed clinic) see a referral; the resident their own;
/// the authority all; nobody else.
pub fn scoped(user: &CurrentUser) -> referrals::BoxedQuery<'static, MultiBackend> {
    let q = referrals::table.into_boxed();
    match policy::referral_scope(user) {
        ReferralScope::All => q,
        ReferralScope::Organization(org) => q.filter(
            referrals::from_organization_id
                .eq(org.clone())
                .or(referrals::to_organization_id.eq(org.clone()))
                .or(referrals::watcher_organization_id.eq(org)),
        ),
        ReferralScope::Resident(r) => q.filter(referrals::resident_id.eq(r)),
        ReferralScope::Nothing => q.filter(referrals::id.is_null()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mailbox {
    Inbox,
    Outbox,
    Watching,
}

#[derive(Debug, Default, Clone)]
pub struct ReferralFilter {
    pub mailbox: Option<Mailbox>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub overdue: Option<bool>,
    pub resident_id: Option<String>,
}

/// Overdue first, then the green channel, urgent, routine; oldest first within each.
pub fn list(
    conn: &mut DbConn,
    user: &CurrentUser,
    f: &ReferralFilter,
    page: &OffsetRequest,
) -> QueryResult<Vec<ReferralRow>> {
    let mut q = scoped(user);
    let org = acting_org(user).unwrap_or("").to_string();
    match f.mailbox {
        // What awaits us: received referrals, and ours that came back returned with advice.
        Some(Mailbox::Inbox) => {
            q = q.filter(
                referrals::to_organization_id
                    .eq(org.clone())
                    .or(referrals::from_organization_id
                        .eq(org)
                        .and(referrals::status.eq(Status::Returned.as_str()))),
            )
        }
        Some(Mailbox::Outbox) => q = q.filter(referrals::from_organization_id.eq(org)),
        Some(Mailbox::Watching) => q = q.filter(referrals::watcher_organization_id.eq(org)),
        None => {}
    }
    if let Some(s) = f.status {
        q = q.filter(referrals::status.eq(s.as_str()));
    }
    if let Some(p) = f.priority {
        q = q.filter(referrals::priority.eq(p.as_str()));
    }
    if let Some(o) = f.overdue {
        q = q.filter(referrals::overdue.eq(o));
    }
    if let Some(r) = &f.resident_id {
        q = q.filter(referrals::resident_id.eq(r.clone()));
    }
    q.order((
        referrals::overdue.desc(),
        referrals::priority_rank.asc(),
        referrals::created_at.asc(),
        referrals::id.asc(),
    ))
    .offset(page.offset)
    .limit(page.limit + 1)
    .load(conn)
}

pub fn find_scoped(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
) -> QueryResult<Option<ReferralRow>> {
    scoped(user)
        .filter(referrals::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<ReferralRow>> {
    referrals::table.find(id).first(conn).optional()
}

pub fn history(conn: &mut DbConn, id: &str) -> QueryResult<Vec<HistoryEntry>> {
    type Row = (
        NaiveDateTime,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = referral_history::table
        .left_join(users::table.on(referral_history::actor_id.eq(users::id.nullable())))
        .filter(referral_history::referral_id.eq(id))
        .order((referral_history::at.asc(), referral_history::id.asc()))
        .select((
            referral_history::at,
            referral_history::actor_id,
            referral_history::actor_organization_id,
            referral_history::action,
            referral_history::from_status,
            referral_history::to_status,
            referral_history::detail,
            users::display_name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                at,
                actor_id,
                actor_organization_id,
                action,
                from_status,
                to_status,
                detail,
                name,
            )| {
                HistoryEntry {
                    at: at.and_utc().into(),
                    actor_id,
                    actor_organization_id,
                    action,
                    from_status,
                    to_status,
                    detail: detail.as_deref().map(json),
                    actor_display_name: name,
                }
            },
        )
        .collect())
}

/// The referral with its history, as the API shows it.
pub fn full(conn: &mut DbConn, row: &ReferralRow) -> QueryResult<Referral> {
    Ok(row.to_api(history(conn, &row.id)?))
}

#[allow(clippy::too_many_arguments)]
pub fn add_history(
    conn: &mut DbConn,
    referral_id: &str,
    actor: Option<&CurrentUser>,
    action: &str,
    from: Option<Status>,
    to: Status,
    detail: Option<&Value>,
) -> QueryResult<()> {
    diesel::insert_into(referral_history::table)
        .values((
            referral_history::id.eq(new_id()),
            referral_history::referral_id.eq(referral_id),
            referral_history::at.eq(now()),
            referral_history::actor_id.eq(actor.map(|a| a.id.clone())),
            referral_history::actor_organization_id
                .eq(actor.and_then(|a| a.organization_id.clone())),
            referral_history::action.eq(action),
            referral_history::from_status.eq(from.map(|s| s.as_str())),
            referral_history::to_status.eq(to.as_str()),
            referral_history::detail.eq(detail.map(|d| d.to_string())),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Insertable)]
#[diesel(table_name = referrals)]
pub struct NewReferralRow {
    pub id: String,
    pub resident_id: String,
    pub direction: String,
    pub from_organization_id: String,
    pub to_organization_id: String,
    pub watcher_organization_id: Option<String>,
    pub department: Option<String>,
    pub priority: String,
    pub priority_rank: i32,
    pub status: String,
    pub patient: String,
    pub sender: String,
    pub receiving_doctor: Option<String>,
    pub reason: String,
    pub diagnosis_code: Option<String>,
    pub diagnosis_text: String,
    pub clinical_summary: String,
    pub parent_referral_id: Option<String>,
    pub follow_up: Option<String>,
    pub deadline_at: NaiveDateTime,
    pub overdue: bool,
    pub escalation_level: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &NewReferralRow) -> QueryResult<ReferralRow> {
    diesel::insert_into(referrals::table)
        .values(row)
        .execute(conn)?;
    referrals::table.find(&row.id).first(conn)
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = referrals)]
pub struct ReferralChanges {
    pub status: Option<String>,
    pub receiving_doctor: Option<Option<String>>,
    pub triage: Option<Option<String>>,
    pub appointment: Option<Option<String>>,
    pub return_sheet: Option<Option<String>>,
    pub follow_up_plan_id: Option<Option<String>>,
    pub follow_up_episode_id: Option<Option<String>>,
    pub responded_at: Option<Option<NaiveDateTime>>,
    pub overdue: Option<bool>,
    pub escalation_level: Option<i32>,
    pub version: Option<i64>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Applies changes if the referral is still at `version`; false when another change won.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    version: i64,
    mut ch: ReferralChanges,
) -> QueryResult<bool> {
    ch.version = Some(version + 1);
    ch.updated_at = Some(now());
    let n = diesel::update(
        referrals::table
            .find(id)
            .filter(referrals::version.eq(version)),
    )
    .set(&ch)
    .execute(conn)?;
    Ok(n == 1)
}

/// The up-referrals submitted since `since` and answered: (hospital, priority, submitted,
/// answered), for the published answer times.
pub type Answered = (String, String, NaiveDateTime, Option<NaiveDateTime>);

pub fn answered_up_since(conn: &mut DbConn, since: NaiveDateTime) -> QueryResult<Vec<Answered>> {
    referrals::table
        .filter(referrals::direction.eq("up"))
        .filter(referrals::created_at.ge(since))
        .filter(referrals::responded_at.is_not_null())
        .select((
            referrals::to_organization_id,
            referrals::priority,
            referrals::created_at,
            referrals::responded_at,
        ))
        .load(conn)
}
