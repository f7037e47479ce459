//! The city's two-way referrals, one for every hundred visits: up from a clinic or care home to
//! a hospital of its district (70%), down from a hospital to a clinic; each with its history, its
//! audit rows and, when recent, its events. Old ones are mostly done; recent ones still open.
use std::time::Instant;

use chrono::{Days, NaiveDateTime};
use diesel::PgConnection;
use serde_json::json;

use crate::city::Frame;
use crate::city_copy::{id_at, Rows, Tally};
use crate::city_network::Network;
use crate::city_people::People;
use crate::copy_rows;
use crate::lcg::Lcg;
use carelink::db::schema::{referral_history, referrals};

/// The statuses a referral passes through to `last` (after `submitted`), with the action of each.
fn path(last: &str) -> &'static [(&'static str, &'static str)] {
    match last {
        "accepted" => &[("accept", "accepted")],
        "rejected" => &[("reject", "rejected")],
        "returned" => &[("return", "returned")],
        "cancelled" => &[("cancel", "cancelled")],
        "scheduled" => &[("accept", "accepted"), ("schedule", "scheduled")],
        "arrived" => &[
            ("accept", "accepted"),
            ("schedule", "scheduled"),
            ("arrive", "arrived"),
        ],
        "no_show" => &[
            ("accept", "accepted"),
            ("schedule", "scheduled"),
            ("no_show", "no_show"),
        ],
        "completed" => &[
            ("accept", "accepted"),
            ("schedule", "scheduled"),
            ("arrive", "arrived"),
            ("complete", "completed"),
        ],
        _ => &[],
    }
}

/// Where a referral made `age_days` ago has got to, by a draw of 0-999.
fn status(age_days: i64, u: usize) -> &'static str {
    let table: &[(usize, &'static str)] = match age_days {
        ..3 => &[
            (500, "submitted"),
            (800, "accepted"),
            (900, "rejected"),
            (1000, "scheduled"),
        ],
        3..14 => &[
            (100, "submitted"),
            (400, "accepted"),
            (700, "scheduled"),
            (800, "arrived"),
            (1000, "completed"),
        ],
        _ => &[
            (600, "completed"),
            (700, "rejected"),
            (750, "returned"),
            (800, "cancelled"),
            (850, "no_show"),
            (1000, "accepted"),
        ],
    };
    table
        .iter()
        .find(|(p, _)| u < *p)
        .map_or("completed", |(_, s)| s)
}

pub fn referrals(
    pg: &mut PgConnection,
    f: &Frame,
    net: &Network,
    people: &People,
    tally: &mut Tally,
) -> Result<(), String> {
    let per_day = f.visits_per_day as f64 / 100.0;
    let recent = f.now - chrono::Duration::hours(f.event_retention_hours);
    for day in 0..f.days {
        let started = Instant::now();
        let mut rng = Lcg::stream(f.seed, 1_000_000 + day as u64);
        let date = f.today - Days::new((f.days - day) as u64);
        let age = f.days - day;
        let n = per_day as usize + rng.chance(per_day.fract()) as usize;
        let (mut rows, mut history, mut audit, mut outbox) = (
            Rows::default(),
            Rows::default(),
            Rows::default(),
            Rows::default(),
        );
        for _ in 0..n {
            let r = rng.below(people.ids.len());
            let clinic = &net.clinics[people.clinic[r] as usize];
            let hospitals = &net.hospitals[clinic.district];
            if hospitals.is_empty() {
                continue;
            }
            let hospital = hospitals[rng.below(hospitals.len())];
            let hospital_staff: Vec<&String> = net
                .hospital_staff
                .iter()
                .filter(|(h, _)| *h == hospital)
                .map(|(_, u)| u)
                .collect();
            let clinic_user = &clinic.clinicians[0].0;
            let hospital_user = hospital_staff.first().copied().unwrap_or(clinic_user);
            let up = rng.chance(0.7);
            let home = people.care_home[r]
                .filter(|_| up && rng.chance(0.5))
                .map(|h| &net.orgs[h as usize]);
            let (from, to, sender, receiver) = match (up, home) {
                (true, Some(h)) => (
                    h.id.as_str(),
                    net.orgs[hospital].id.as_str(),
                    clinic_user,
                    hospital_user,
                ),
                (true, None) => (
                    clinic.id.as_str(),
                    net.orgs[hospital].id.as_str(),
                    clinic_user,
                    hospital_user,
                ),
                (false, _) => (
                    net.orgs[hospital].id.as_str(),
                    clinic.id.as_str(),
                    hospital_user,
                    clinic_user,
                ),
            };
            let watcher = home.and_then(|h| h.contracted_clinic.as_deref());
            let (priority, rank, deadline) = match rng.below(100) {
                0..3 => ("green_channel", 0, 30),
                3..20 => ("urgent", 1, 120),
                _ => ("routine", 2, 1440),
            };
            let created = f.at(date, 8 * 60 + rng.below(9 * 60) as i64);
            let id = id_at(&mut rng, created);
            let last = status(age, rng.below(1000));
            let steps = path(last);
            // Nine in ten answered within their deadline.
            let answer = if rng.chance(0.9) {
                deadline * (1 + rng.below(9) as i64) / 10
            } else {
                deadline * 2
            };
            let mut at = created;
            let mut times = vec![];
            for (k, _) in steps.iter().enumerate() {
                at += chrono::Duration::minutes(if k == 0 {
                    answer
                } else {
                    60 * 24 * (1 + rng.below(3) as i64)
                });
                times.push(at.min(f.now));
            }
            let responded = times.first().copied();
            let deadline_at = created + chrono::Duration::minutes(deadline);
            let overdue = responded.map_or(f.now > deadline_at, |t| t > deadline_at);
            let updated = times.last().copied().unwrap_or(created);
            let diagnosis = [
                "高血压3级",
                "2型糖尿病",
                "脑梗死恢复期",
                "慢性阻塞性肺疾病",
                "股骨颈骨折术后",
            ][rng.below(5)];
            rows.start()
                .text(&id)
                .text(&people.ids[r])
                .text(if up { "up" } else { "down" })
                .text(from)
                .text(to)
                .opt(watcher)
                .opt(up.then_some("内科"))
                .text(priority)
                .num(rank)
                .text(last)
                .text(
                    &json!({"name": format!("长者{r:07}"), "record_number": people.ids[r]})
                        .to_string(),
                )
                .text(&json!({"organization_id": from, "user_id": sender}).to_string())
                .null()
                .text(if up {
                    "病情变化，需上级医院诊治"
                } else {
                    "病情稳定，转回社区康复"
                })
                .null()
                .text(diagnosis)
                .text(&json!({"history": "见病历"}).to_string())
                .null()
                .null()
                .null()
                .null()
                .null()
                .null()
                .at(deadline_at)
                .opt_at(responded)
                .flag(overdue)
                .num(i32::from(overdue))
                .num(1 + steps.len())
                .at(created)
                .at(updated)
                .null()
                .end();
            let audience = json!([from, to, format!("resident:{}", people.ids[r])]).to_string();
            let mut log = |at: NaiveDateTime,
                           actor: &str,
                           org: &str,
                           action: &str,
                           was: Option<&str>,
                           is: &str| {
                history
                    .start()
                    .text(&id_at(&mut rng, at))
                    .text(&id)
                    .at(at)
                    .text(actor)
                    .text(org)
                    .text(action)
                    .opt(was)
                    .text(is)
                    .null()
                    .end();
                audit
                    .start()
                    .text(&id_at(&mut rng, at))
                    .at(at)
                    .text(actor)
                    .text(action)
                    .text("referral")
                    .text(&id)
                    .opt(was.map(|s| json!({"status": s}).to_string()).as_deref())
                    .text(&json!({"status": is}).to_string())
                    .null()
                    .end();
                if at >= recent {
                    outbox
                        .start()
                        .at(at)
                        .text(&format!("referral.{action}"))
                        .text("referral")
                        .text(&id)
                        .text(&audience)
                        .text(&json!({"id": id, "status": is}).to_string())
                        .end();
                }
            };
            log(created, sender, from, "submit", None, "submitted");
            let mut before = "submitted";
            for ((action, to_status), at) in steps.iter().zip(times) {
                log(at, receiver, to, action, Some(before), to_status);
                before = to_status;
            }
        }
        let n = copy_rows!(pg, referrals::table, referrals::table, &rows);
        tally.add("referrals", n, started);
        let started = Instant::now();
        let n = copy_rows!(
            pg,
            referral_history::table,
            referral_history::table,
            &history
        );
        tally.add("referral_history", n, started);
        crate::city_copy::copy_trail(pg, &audit, &outbox, tally)?;
    }
    eprintln!("  referrals {}", tally.rows("referrals"));
    Ok(())
}
