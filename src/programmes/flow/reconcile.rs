//! Running the obligation engine: over one resident when their inputs change (a contract signed or
//! ended, conditions edited, a visit completed) and over the whole district daily. Loads the
//! inputs in a few queries, runs the pure engine, stores what is new (the database ignores what
//! exists), marks what a visit met, prepares draft referrals, requests the visits within the
//! planning horizon, and announces obligations newly overdue.
use chrono::{Duration, NaiveDate, NaiveTime};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::Ctx;
use crate::audit;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};
use crate::events;
use crate::network::flow::OrgRow;
use crate::network::model::OrgKind;
use crate::people::residents::ResidentRow;
use crate::programmes::model::engine::{self, Done, EpisodeCare, Owed, Person, Span, Terms};
use crate::programmes::model::packages::PackageItem;
use crate::programmes::model::rules::Readings;
use crate::programmes::repo::{self, ContractRow, ObligationChanges, ObligationRow};
use crate::visits::flow as visits;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub residents: usize,
    pub made: usize,
    pub met: usize,
    pub drafts: usize,
    pub requested: usize,
    pub overdue: usize,
    pub expired: usize,
}

/// The readings of a visit's documentation (`vital_signs` as stored at check-out).
pub(super) fn readings(documentation: Option<&str>) -> Readings {
    let doc: serde_json::Value = documentation
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default();
    let v = |k: &str| doc["vital_signs"][k].as_f64();
    Readings {
        systolic_mmhg: v("systolic_mmhg"),
        diastolic_mmhg: v("diastolic_mmhg"),
        fasting_glucose_mmol_l: v("fasting_glucose_mmol_l"),
    }
}

/// Which clinic owes a resident's care: the contract's, else the family doctor's, the care home's
/// signed clinic, or the community's first clinic (by code).
struct Clinics {
    orgs: HashMap<String, OrgRow>,
    by_community: HashMap<String, String>,
    doctors: HashMap<String, Option<String>>,
}

impl Clinics {
    fn load(conn: &mut DbConn) -> AppResult<Clinics> {
        let page = crate::db::page::PageRequest {
            limit: 10_000,
            after: None,
        };
        let rows = crate::network::flow::list(conn, &Default::default(), &page)?;
        let mut by_community: BTreeMap<String, (String, String)> = BTreeMap::new();
        for o in rows
            .iter()
            .filter(|o| o.kind() == OrgKind::Clinic && o.active)
        {
            if let Some(c) = &o.community_id {
                let better = by_community.get(c).is_none_or(|(code, _)| o.code < *code);
                if better {
                    by_community.insert(c.clone(), (o.code.clone(), o.id.clone()));
                }
            }
        }
        Ok(Clinics {
            orgs: rows.into_iter().map(|o| (o.id.clone(), o)).collect(),
            by_community: by_community
                .into_iter()
                .map(|(c, (_, id))| (c, id))
                .collect(),
            doctors: HashMap::new(),
        })
    }

    fn of(
        &mut self,
        conn: &mut DbConn,
        r: &ResidentRow,
        contract: Option<&ContractRow>,
    ) -> AppResult<Option<String>> {
        if let Some(c) = contract {
            return Ok(Some(c.clinic_id.clone()));
        }
        if let Some(doc) = &r.family_doctor_id {
            if !self.doctors.contains_key(doc) {
                let org =
                    crate::people::flow::find_user(conn, doc)?.and_then(|u| u.organization_id);
                self.doctors.insert(doc.clone(), org);
            }
            if let Some(Some(org)) = self.doctors.get(doc) {
                return Ok(Some(org.clone()));
            }
        }
        let home = r.care_home_id.as_ref().and_then(|h| self.orgs.get(h));
        if let Some(clinic) = home.and_then(|h| h.contracted_clinic_id.clone()) {
            return Ok(Some(clinic));
        }
        Ok(self.by_community.get(&r.community_id).cloned())
    }
}

/// Runs the engine over one resident (Some) or every resident (None), then requests the visits
/// within the horizon. The caller holds the transaction.
pub fn reconcile(conn: &mut DbConn, ctx: &Ctx, resident: Option<&str>) -> AppResult<Summary> {
    let span = Span::around(ctx.today, ctx.horizon_days);
    let residents = crate::people::residents::all_or_one(conn, resident)?;
    let contracts: HashMap<String, ContractRow> = repo::active_contracts(conn, resident)?
        .into_iter()
        .map(|c| (c.resident_id.clone(), c))
        .collect();
    let packages: HashMap<String, Vec<PackageItem>> = repo::packages(conn)?
        .iter()
        .map(|p| (p.code.clone(), PackageItem::of(&p.to_api())))
        .collect();
    let since = span.from.and_time(NaiveTime::MIN) - Duration::days(1);
    let mut history: HashMap<String, Vec<Done>> = HashMap::new();
    let resident_id = resident.map(crate::ids::ResidentId::from);
    for v in visits::completed_since(conn, resident_id.as_ref(), since)? {
        let Some(at) = v.check_out_at else { continue };
        let on = at.and_utc().with_timezone(&ctx.tz).date_naive();
        history
            .entry(v.resident_id.into_string())
            .or_default()
            .push(Done {
                visit_id: v.id.into_string(),
                service_type: v.service_type,
                on,
                readings: readings(v.documentation.as_deref()),
            });
    }
    let mut existing: HashMap<(String, String, String), ObligationRow> = HashMap::new();
    for o in repo::obligations_of(conn, resident)? {
        existing.insert((o.resident_id.clone(), o.rule.clone(), o.period.clone()), o);
    }
    let mut episodes: HashMap<String, Vec<repo::EpisodeOwing>> = HashMap::new();
    for e in repo::episode_care(conn, resident)? {
        episodes.entry(e.resident_id.clone()).or_default().push(e);
    }
    let mut clinics = Clinics::load(conn)?;
    let mut summary = Summary {
        residents: residents.len(),
        ..Default::default()
    };
    let mut new_rows = vec![];
    for r in &residents {
        let contract = contracts.get(&r.id);
        let sickbeds = episodes.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
        let Some(clinic) = clinics
            .of(conn, r, contract)?
            .or_else(|| sickbeds.first().map(|e| e.clinic_id.clone()))
        else {
            continue;
        };
        let person = Person {
            birth_date: r.birth_date(),
            conditions: r.conditions(),
            enrolled_on: contract
                .map(|c| repo::day(&c.starts_on))
                .unwrap_or_else(|| r.created_at.and_utc().with_timezone(&ctx.tz).date_naive()),
        };
        let terms = contract.map(|c| Terms {
            contract_id: c.id.clone(),
            starts_on: repo::day(&c.starts_on),
            ends_on: repo::day(&c.ends_on),
            items: c
                .packages()
                .iter()
                .flat_map(|p| packages.get(p).cloned().unwrap_or_default())
                .collect(),
        });
        let done = history.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
        let cares: Vec<EpisodeCare> = sickbeds.iter().map(|e| e.care.clone()).collect();
        let owed = engine::owed_all(ctx.rules, &person, terms.as_ref(), &cares, done, span);
        for o in &owed {
            let key = (r.id.clone(), o.rule.clone(), o.period.clone());
            // What a sickbed owes, its clinic owes (the one that opened it).
            let owing = sickbeds
                .iter()
                .find(|e| o.source_id.as_deref() == Some(e.care.episode_id.as_str()))
                .map_or(clinic.as_str(), |e| e.clinic_id.as_str());
            match existing.get(&key) {
                None => new_rows.push(row_of(r, owing, o)),
                Some(e) if e.state == "open" => {
                    if let Some((visit, on)) = &o.met_by {
                        let ch = ObligationChanges {
                            state: Some("met".into()),
                            visit_id: Some(Some(visit.clone())),
                            met_on: Some(Some(repo::text(*on))),
                            ..Default::default()
                        };
                        if repo::update_obligation(conn, e, ch)? {
                            let after = repo::obligation(conn, &e.id)?
                                .ok_or_else(|| AppError::missing("obligation"))?;
                            let v = |r: &ObligationRow| {
                                serde_json::to_value(r.to_api(ctx.today))
                                    .map_err(AppError::internal)
                            };
                            audit::record(
                                conn,
                                ctx.actor,
                                "meet",
                                "obligation",
                                &e.id,
                                Some(&v(e)?),
                                Some(&v(&after)?),
                            )?;
                            summary.met += 1;
                        }
                    }
                }
                Some(_) => {}
            }
            if o.draft_referral
                && o.latest >= ctx.today
                && super::drafts::prepare(conn, ctx, r, &clinic, o, done)?
            {
                summary.drafts += 1;
            }
        }
    }
    let made: HashSet<String> = repo::insert_obligations(conn, &new_rows)?
        .into_iter()
        .collect();
    summary.made = made.len();
    // One audit record per obligation made (a repeated run makes none: the insert ignored them),
    // written in batches from the rows as inserted: one by one, they took most of a district's
    // run on PostgreSQL.
    let mut after = Vec::with_capacity(made.len());
    for o in new_rows.iter().filter(|o| made.contains(&o.id)) {
        let value = serde_json::to_value(o.to_api(ctx.today)).map_err(AppError::internal)?;
        after.push((o.id.clone(), value.to_string()));
    }
    audit::record_created(conn, ctx.actor, "obligation", &after)?;
    summary.requested = request_visits(conn, ctx, resident)?;
    Ok(summary)
}

fn row_of(r: &ResidentRow, clinic: &str, o: &Owed) -> ObligationRow {
    let at = now();
    let (state, visit, met_on) = match &o.met_by {
        Some((v, on)) => ("met", Some(v.clone()), Some(repo::text(*on))),
        None => ("open", None, None),
    };
    ObligationRow {
        id: new_id(),
        resident_id: r.id.clone(),
        clinic_id: clinic.to_string(),
        source: o.source.as_str().into(),
        source_id: o.source_id.clone().or(o.trigger_visit_id.clone()),
        rule: o.rule.clone(),
        rule_version: o.rule_version,
        service_type: o.service_type.clone(),
        period: o.period.clone(),
        earliest: repo::text(o.earliest),
        due: repo::text(o.due),
        latest: repo::text(o.latest),
        state: state.into(),
        visit_id: visit,
        met_on,
        reason: None,
        comment: None,
        overdue_notified: false,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// Requests a visit for each open obligation whose window opens within the horizon and has no
/// live visit: the window runs from its `earliest` (or today) 08:00 to its `latest` 18:00. The
/// visits are made in batches; each obligation is claimed by linking its visit only if its
/// version is still the one read, so two instances never request it twice.
fn request_visits(conn: &mut DbConn, ctx: &Ctx, resident: Option<&str>) -> AppResult<usize> {
    let until = ctx.today + Duration::days(ctx.horizon_days);
    let due = repo::to_request(conn, resident, ctx.today, until)?;
    let local = |d: NaiveDate, h: u32| -> AppResult<chrono::NaiveDateTime> {
        d.and_hms_opt(h, 0, 0)
            .and_then(|t| t.and_local_timezone(ctx.tz).earliest())
            .map(|t| t.naive_utc())
            .ok_or_else(|| AppError::internal("no such local time"))
    };
    let mut owed = Vec::with_capacity(due.len());
    for o in &due {
        let start = repo::day(&o.earliest).max(ctx.today);
        owed.push(visits::OwedVisit {
            resident_id: &o.resident_id,
            clinic_id: &o.clinic_id,
            service_type: &o.service_type,
            window_start: local(start, 8)?,
            window_end: local(repo::day(&o.latest), 18)?,
            notes: format!("应履约服务 owed: {} ({})", o.rule, o.period),
        });
    }
    let made = visits::request_owed(conn, ctx.actor, &owed, |conn, visit_ids| {
        let links: Vec<_> = due
            .iter()
            .zip(visit_ids.iter().map(|v| v.to_string()))
            .collect();
        let linked: HashSet<String> = repo::link_visits(conn, &links)?.into_iter().collect();
        Ok(due.iter().map(|o| linked.contains(&o.id)).collect())
    })?;
    Ok(made.iter().flatten().count())
}

/// The daily pass, safe on several instances at once: contracts past their end expire, the engine
/// runs over every resident, and obligations whose window closed unmet are announced once each.
pub fn daily(conn: &mut DbConn, ctx: &Ctx) -> AppResult<Summary> {
    let mut expired = 0;
    for c in repo::ended_contracts(conn, ctx.today)? {
        if super::contracts::end(conn, ctx, None, &c, super::contracts::Ending::Expired)? {
            expired += 1;
        }
    }
    let mut summary = reconcile(conn, ctx, None)?;
    summary.expired = expired;
    for o in repo::newly_overdue(conn, ctx.today)? {
        let ch = ObligationChanges {
            overdue_notified: Some(true),
            ..Default::default()
        };
        if !repo::update_obligation(conn, &o, ch)? {
            continue; // another instance announced it
        }
        let api = o.to_api(ctx.today);
        let value = serde_json::to_value(&api).map_err(AppError::internal)?;
        audit::record(
            conn,
            None,
            "overdue",
            "obligation",
            &o.id,
            None,
            Some(&value),
        )?;
        events::publish(
            conn,
            "obligation.overdue",
            "obligation",
            &o.id,
            std::slice::from_ref(&o.clinic_id),
            &json!({"id": o.id, "resident_id": o.resident_id, "clinic_id": o.clinic_id,
                "rule": o.rule, "service_type": o.service_type, "latest": o.latest}),
        )?;
        summary.overdue += 1;
    }
    Ok(summary)
}
