//! The city's visits, day by day, with the audit rows their steps wrote and, for the outbox's
//! retention window, their events. Each clinic's visits of a day go one after another to the
//! clinicians on shift who have the skill (10 minutes' travel before each, none past 17:30), so
//! no clinician's visits overlap (PostgreSQL's exclusion constraint checks it when it is made
//! again). Past days: 90% completed, 3% missed, 7% cancelled; the next week scheduled; the week
//! after half scheduled, half requested in the clinic's pool.
use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Days, NaiveDateTime};
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::{json, Value};

use crate::city::{Frame, AHEAD};
use crate::city_copy::{id_at, Rows, Tally};
use crate::city_network::{Network, ROLES};
use crate::city_people::People;
use crate::copy_rows;
use crate::lcg::Lcg;
use carelink::db::schema::{service_types, visits};

/// How often each service is asked for, by code (1 for any other).
const WEIGHTS: [(&str, usize); 17] = [
    ("chronic_disease_follow_up", 20),
    ("blood_pressure_check", 15),
    ("health_check", 10),
    ("medication_review", 8),
    ("basic_nursing", 8),
    ("rehabilitation_training", 5),
    ("wound_dressing", 4),
    ("tcm_health_guidance", 4),
    ("home_sickbed_round", 3),
    ("vaccination_assessment", 2),
    ("catheter_care", 2),
    ("home_infusion", 2),
    ("dementia_care_visit", 2),
    ("pressure_ulcer_care", 2),
    ("tcm_acupuncture", 2),
    ("stroke_rehabilitation", 2),
    ("palliative_care_visit", 1),
];
const DAY_START: i64 = 8 * 60;
const DAY_END: i64 = 17 * 60 + 30;
const TRAVEL: i64 = 10;

#[derive(Default)]
pub struct Summary {
    pub by_status: BTreeMap<&'static str, usize>,
    pub unplaced: usize,
}

/// One step of a visit for the audit log (and the outbox when recent).
struct Step<'a> {
    at: NaiveDateTime,
    actor: &'a str,
    action: &'static str,
    event: &'static str,
    before: Option<Value>,
    after: Value,
}

pub fn visits(
    pg: &mut PgConnection,
    f: &Frame,
    net: &Network,
    people: &People,
    tally: &mut Tally,
) -> Result<Summary, String> {
    let catalogue: Vec<(String, i32, String)> = service_types::table
        .select((
            service_types::code,
            service_types::duration_minutes,
            service_types::required_skill,
        ))
        .order(service_types::code)
        .load(pg)
        .map_err(|e| format!("reading the catalogue: {e}"))?;
    let weight = |code: &str| WEIGHTS.iter().find(|w| w.0 == code).map_or(1, |w| w.1);
    let mut deck = vec![];
    for (i, (code, ..)) in catalogue.iter().enumerate() {
        deck.extend(std::iter::repeat_n(i, weight(code)));
    }
    let local = |t: NaiveDateTime| t.and_utc().with_timezone(&f.tz).to_rfc3339();
    let recent = f.now - chrono::Duration::hours(f.event_retention_hours);
    let per_clinic = f.visits_per_day as f64 / net.clinics.len() as f64;
    let mut summary = Summary::default();
    for day in 0..f.days + AHEAD + 1 {
        let started = Instant::now();
        let offset = day - f.days;
        let date = f.today - Days::new(f.days as u64) + Days::new(day as u64);
        let mut rng = Lcg::stream(f.seed, 1000 + day as u64);
        let (mut rows, mut audit, mut outbox) = (Rows::default(), Rows::default(), Rows::default());
        for (ci, c) in net.clinics.iter().enumerate() {
            let mine = &people.by_clinic[ci];
            if mine.is_empty() {
                continue;
            }
            let want = per_clinic * (0.9 + 0.2 * rng.below(1000) as f64 / 1000.0);
            let n = want as usize + rng.chance(want.fract()) as usize;
            // Minutes of each clinician's day taken so far; None when off.
            let mut taken: Vec<Option<i64>> = (0..c.clinicians.len())
                .map(|k| Network::works(k, day).then_some(0))
                .collect();
            let scheduler = &c.schedulers[0];
            for _ in 0..n {
                let (code, minutes, skill) = &catalogue[deck[rng.below(deck.len())]];
                let minutes = i64::from(*minutes);
                let r = mine[rng.below(mine.len())] as usize;
                let resident = &people.ids[r];
                let u = rng.below(1000);
                let pooled = offset > 7 && u < 500;
                let mut slot = None;
                if !pooled {
                    let best = (0..c.clinicians.len())
                        .filter(|&k| ROLES[c.clinicians[k].1].contains(&skill.as_str()))
                        .filter_map(|k| taken[k].map(|t| (t, k)))
                        .min();
                    match best {
                        Some((t, k)) if DAY_START + t + TRAVEL + minutes <= DAY_END => {
                            taken[k] = Some(t + TRAVEL + minutes);
                            let start = f.at(date, DAY_START + t + TRAVEL);
                            slot = Some((k, start, start + chrono::Duration::minutes(minutes)));
                        }
                        _ => {
                            summary.unplaced += 1;
                            continue;
                        }
                    }
                }
                let status = match (offset, slot.is_some(), u) {
                    (_, false, _) => "requested",
                    (..0, _, 0..900) => "completed",
                    (..0, _, 900..930) => "missed",
                    (_, _, 970..) => "cancelled",
                    (..0, ..) => "cancelled",
                    _ => "scheduled",
                };
                *summary.by_status.entry(status).or_default() += 1;
                let (win_start, win_end) = match slot {
                    Some((_, s, e)) if u % 10 < 3 => (
                        s - chrono::Duration::hours(1),
                        e + chrono::Duration::hours(1),
                    ),
                    _ => (f.at(date, DAY_START), f.at(date, DAY_END)),
                };
                let anchor = slot.map_or(win_start, |s| s.1);
                let mut created =
                    anchor - chrono::Duration::minutes(60 * 24 * (1 + rng.below(14) as i64));
                if created > f.now {
                    created = f.now - chrono::Duration::minutes(1 + rng.below(600) as i64);
                }
                let id = id_at(&mut rng, created);
                let clinician = slot.map(|s| c.clinicians[s.0].0.as_str());
                let (mut check_in, mut check_out, mut updated) = (None, None, created);
                let mut steps = vec![Step {
                    at: created,
                    actor: scheduler,
                    action: "create",
                    event: if slot.is_some() {
                        "booked"
                    } else {
                        "requested"
                    },
                    before: None,
                    after: json!({"id": id, "resident_id": resident, "clinic_id": c.id, "clinician_id": clinician,
                        "service_type": code, "status": if slot.is_some() { "scheduled" } else { "requested" },
                        "starts_at": slot.map(|s| local(s.1)), "version": 1}),
                }];
                let step = |at, actor, action, event, from: &str, to: &str, v: i64| Step {
                    at,
                    actor,
                    action,
                    event,
                    before: Some(json!({"status": from, "version": v - 1})),
                    after: json!({"status": to, "version": v}),
                };
                if let Some((k, start, _)) = slot {
                    let who = c.clinicians[k].0.as_str();
                    match status {
                        "completed" => {
                            let i = start + chrono::Duration::minutes(rng.below(30) as i64 - 5);
                            let o = i + chrono::Duration::minutes(minutes);
                            (check_in, check_out, updated) = (Some(i), Some(o), o);
                            steps.push(step(
                                i,
                                who,
                                "check_in",
                                "check_in",
                                "scheduled",
                                "in_progress",
                                2,
                            ));
                            steps.push(step(
                                o,
                                who,
                                "check_out",
                                "check_out",
                                "in_progress",
                                "completed",
                                3,
                            ));
                        }
                        "missed" => {
                            updated = start + chrono::Duration::minutes(minutes);
                            steps.push(step(
                                updated,
                                who,
                                "missed",
                                "missed",
                                "scheduled",
                                "missed",
                                2,
                            ));
                        }
                        "cancelled" => {
                            updated = created + (start.min(f.now) - created) / 2;
                            steps.push(step(
                                updated,
                                scheduler,
                                "cancel",
                                "cancel",
                                "scheduled",
                                "cancelled",
                                2,
                            ));
                        }
                        _ => {}
                    }
                }
                let documentation = (status == "completed").then(|| {
                    if code == "chronic_disease_follow_up" {
                        crate::district_year::documentation(rng.chance(0.2))
                    } else {
                        json!({"tasks": [], "notes": ""}).to_string()
                    }
                });
                let distance = |rng: &mut Lcg| 5.0 + rng.below(1500) as f64 / 10.0;
                rows.start()
                    .text(&id)
                    .text(resident)
                    .text(&c.id)
                    .opt(clinician)
                    .text(code)
                    .text(status)
                    .text(if u % 50 == 7 { "urgent" } else { "routine" })
                    .at(win_start)
                    .at(win_end)
                    .opt_at(slot.map(|s| s.1))
                    .opt_at(slot.map(|s| s.2))
                    .opt(slot.map(|_| "10"))
                    .flag(status == "completed" && u % 100 == 3)
                    .null()
                    .null()
                    .text("")
                    .null()
                    .opt((status == "cancelled").then_some("resident_request"))
                    .opt((status == "cancelled").then_some(scheduler.as_str()))
                    .opt((status == "missed").then_some("not_home: 家中无人"))
                    .opt_at(check_in)
                    .opt(check_in.map(|_| distance(&mut rng).to_string()).as_deref())
                    .opt_at(check_out)
                    .opt(check_out.map(|_| distance(&mut rng).to_string()).as_deref())
                    .opt(documentation.as_deref())
                    .text(scheduler)
                    .num(steps.len())
                    .at(created)
                    .at(updated)
                    .opt_at(check_in)
                    .opt_at(check_out)
                    .flag(false)
                    .end();
                for s in steps {
                    audit
                        .start()
                        .text(&id_at(&mut rng, s.at))
                        .at(s.at)
                        .text(s.actor)
                        .text(s.action)
                        .text("visit")
                        .text(&id)
                        .opt(s.before.map(|b| b.to_string()).as_deref())
                        .text(&s.after.to_string())
                        .null()
                        .end();
                    if s.at >= recent {
                        let mut audience = vec![c.id.clone(), format!("resident:{resident}")];
                        audience
                            .extend(people.care_home[r].map(|h| net.orgs[h as usize].id.clone()));
                        let payload = json!({"id": id, "status": s.after["status"], "clinic_id": c.id,
                            "clinician_id": clinician, "resident_id": resident,
                            "starts_at": slot.map(|s| local(s.1)), "ends_at": slot.map(|s| local(s.2)),
                            "priority": "routine", "version": s.after["version"]});
                        outbox
                            .start()
                            .at(s.at)
                            .text(&format!("visit.{}", s.event))
                            .text("visit")
                            .text(&id)
                            .text(&json!(audience).to_string())
                            .text(&payload.to_string())
                            .end();
                    }
                }
            }
        }
        let n = copy_rows!(pg, visits::table, visits::table, &rows);
        tally.add("visits", n, started);
        crate::city_copy::copy_trail(pg, &audit, &outbox, tally)?;
        if day % 30 == 0 || day == f.days + AHEAD {
            eprintln!(
                "  {date}: visits {} audit {} events {}",
                tally.rows("visits"),
                tally.rows("audit_log"),
                tally.rows("events")
            );
        }
    }
    Ok(summary)
}
