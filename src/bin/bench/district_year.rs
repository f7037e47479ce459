//! The district year that `carelink-bench programmes` measures: the seeded network, a family
//! doctor per clinic, residents, contracts and a year of completed visits, deterministic for a
//! seed and written by batched inserts.
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use diesel::prelude::*;
use serde_json::json;

use carelink::auth::{password, Role};
use carelink::db::schema::{residents, visits};
use carelink::db::{new_id, now, write_tx, DbConn};
use carelink::network::flow as orgs;
use carelink::network::model::OrgKind;
use carelink::people::model::NewStaff;
use carelink::programmes::repo::ContractRow;

use crate::lcg::Lcg;

pub const FOLLOW_UP: &str = "chronic_disease_follow_up";
/// Residents whose follow-up is timed one by one.
pub const FOLLOW_UPS: usize = 50;
/// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters.
const CHUNK: usize = 500;

pub struct Params {
    pub residents: usize,
    pub seed: u64,
    pub contracted: f64,
    pub chronic: f64,
}

#[derive(Insertable)]
#[diesel(table_name = residents)]
struct ResidentInsert {
    id: String,
    name: String,
    sex: String,
    birth_date: String,
    phone: String,
    address: String,
    lat: f64,
    lon: f64,
    community_id: String,
    family_doctor_id: Option<String>,
    conditions: String,
    consent: bool,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A completed visit, documented as check-out stores it.
#[derive(Insertable)]
#[diesel(table_name = visits)]
pub struct VisitInsert {
    id: String,
    resident_id: String,
    clinic_id: String,
    clinician_id: Option<String>,
    service_type: String,
    status: String,
    priority: String,
    window_start: NaiveDateTime,
    window_end: NaiveDateTime,
    starts_at: Option<NaiveDateTime>,
    ends_at: Option<NaiveDateTime>,
    check_in_at: Option<NaiveDateTime>,
    check_out_at: Option<NaiveDateTime>,
    documentation: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Inserts rows of one table in chunks, on either backend (batch inserts do not compile on the
/// connection enum).
macro_rules! insert_all {
    ($conn:expr, $table:path, $rows:expr) => {{
        let mut n = 0;
        for chunk in $rows.chunks(CHUNK) {
            n += match &mut *$conn {
                DbConn::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
        n
    }};
}

/// A clinic and its family doctor.
pub struct Clinic {
    pub id: String,
    pub doctor: String,
}

/// What the generated district holds (the counts printed, the residents whose follow-up is timed).
pub struct District {
    pub residents: usize,
    pub contracted: usize,
    pub chronic: usize,
    pub visits: usize,
    /// Contracted residents with a chronic condition: (resident, clinic, doctor).
    pub follow_up: Vec<(String, String, String)>,
}

/// The readings of a follow-up: blood pressure and fasting glucose, out of control or not.
pub fn documentation(out_of_control: bool) -> String {
    let (s, d, g) = if out_of_control {
        (168.0, 98.0, 9.6)
    } else {
        (128.0, 78.0, 5.8)
    };
    json!({"tasks": [{"task": "测血压、血糖", "done": true, "reason": null}],
        "vital_signs": {"systolic_mmhg": s, "diastolic_mmhg": d, "fasting_glucose_mmol_l": g},
        "notes": "随访"})
    .to_string()
}

pub fn completed(
    resident: &str,
    clinic: &Clinic,
    service: &str,
    at: NaiveDateTime,
    doc: Option<String>,
) -> VisitInsert {
    let (start, end) = (at - chrono::Duration::minutes(30), at);
    VisitInsert {
        id: new_id(),
        resident_id: resident.into(),
        clinic_id: clinic.id.clone(),
        clinician_id: Some(clinic.doctor.clone()),
        service_type: service.into(),
        status: "completed".into(),
        priority: "routine".into(),
        window_start: start - chrono::Duration::hours(2),
        window_end: end + chrono::Duration::hours(2),
        starts_at: Some(start),
        ends_at: Some(end),
        check_in_at: Some(start),
        check_out_at: Some(end),
        documentation: doc,
        version: 1,
        created_at: start - chrono::Duration::days(3),
        updated_at: end,
    }
}

/// Each doctor's visits of a day, 30 minutes each from 08:00 district time, one after another
/// (PostgreSQL refuses a clinician's overlapping visits); a full day moves the visit a day back.
struct Slots {
    tz: chrono_tz::Tz,
    today: NaiveDate,
    taken: HashMap<(String, NaiveDate), u32>,
}

impl Slots {
    /// The end of `doctor`'s next free slot about `days_ago` days before today, as stored (UTC).
    fn next(&mut self, doctor: &str, days_ago: u64) -> NaiveDateTime {
        let mut day = self.today - Days::new(days_ago);
        loop {
            let n = self.taken.entry((doctor.to_string(), day)).or_default();
            if *n < 20 {
                *n += 1;
                let minutes = 8 * 60 + 30 * i64::from(*n);
                let t = day.and_time(NaiveTime::MIN) + chrono::Duration::minutes(minutes);
                return self
                    .tz
                    .from_local_datetime(&t)
                    .earliest()
                    .map_or(t, |t| t.naive_utc());
            }
            day = day - Days::new(1);
        }
    }
}

pub fn generate(conn: &mut DbConn, p: &Params, tz: chrono_tz::Tz) -> Result<District, String> {
    let e = |e: carelink::error::AppError| e.to_string();
    let page = carelink::db::page::PageRequest {
        limit: 10_000,
        after: None,
    };
    let mut of_kind = |kind| -> Result<Vec<orgs::OrgRow>, String> {
        let filter = orgs::OrgFilter {
            kind: Some(kind),
            ..Default::default()
        };
        let mut rows = orgs::list(conn, &filter, &page).map_err(|e| e.to_string())?;
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(rows)
    };
    let (communities, clinic_rows) = (of_kind(OrgKind::Community)?, of_kind(OrgKind::Clinic)?);
    let hash = password::hash(&new_id()).map_err(|e| e.to_string())?;
    let skills = vec!["general_practice".to_string(), "nursing".to_string()];
    // Each community's clinics, each with one family doctor.
    let mut serving: BTreeMap<String, Vec<Clinic>> = BTreeMap::new();
    for (i, c) in clinic_rows.iter().enumerate() {
        let Some(community) = c.community_id.clone() else {
            continue;
        };
        let new = NewStaff {
            username: format!("bench.doctor.{i:02}"),
            display_name: format!("家庭医生{i:02}"),
            role: Role::Clinician,
            organization_id: Some(c.id.clone()),
            skills: skills.clone(),
            password: String::new(),
            resident_id: None,
        };
        let doctor = carelink::people::repo::insert(conn, &new, &hash).map_err(e)?;
        serving.entry(community).or_default().push(Clinic {
            id: c.id.clone(),
            doctor: doctor.id,
        });
    }
    let communities: Vec<_> = communities
        .iter()
        .filter(|c| serving.contains_key(&c.id))
        .collect();
    if communities.is_empty() {
        return Err("the seeded network has no community with a clinic".into());
    }
    let mut rng = Lcg(p.seed);
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let t = now();
    let mut slots = Slots {
        tz,
        today,
        taken: HashMap::new(),
    };
    let (mut people, mut contracts, mut history) = (vec![], vec![], vec![]);
    let mut district = District {
        residents: p.residents,
        contracted: 0,
        chronic: 0,
        visits: 0,
        follow_up: vec![],
    };
    for i in 0..p.residents {
        let community = communities[i % communities.len()];
        let clinics = &serving[&community.id];
        let clinic = &clinics[rng.below(clinics.len())];
        let id = new_id();
        // Ages 55 to 95 at the end of this year; registered one to six years ago.
        let age = 55 + rng.below(41) as u64;
        let birth = NaiveDate::from_yo_opt(today.year() - age as i32, 1 + rng.below(365) as u32)
            .unwrap_or(today);
        let registered = t - chrono::Duration::days(365 + rng.below(5 * 365) as i64);
        let conditions: Vec<&str> = if rng.chance(p.chronic) {
            match rng.below(4) {
                0 | 1 => vec!["hypertension"],
                2 => vec!["diabetes"],
                _ => vec!["hypertension", "diabetes"],
            }
        } else {
            vec![]
        };
        let contracted = rng.chance(p.contracted);
        if contracted {
            let mut codes = vec!["basic"];
            codes.extend(conditions.iter().copied());
            let price = 12000 * conditions.contains(&"hypertension") as i64
                + 15000 * conditions.contains(&"diabetes") as i64;
            let starts = today - Days::new(1 + rng.below(360) as u64);
            contracts.push(ContractRow {
                id: new_id(),
                resident_id: id.clone(),
                clinic_id: clinic.id.clone(),
                family_doctor_id: clinic.doctor.clone(),
                package_codes: json!(codes).to_string(),
                starts_on: starts.to_string(),
                ends_on: (starts + Days::new(365) - Days::new(1)).to_string(),
                status: "active".into(),
                ended_reason: None,
                renewals: 0,
                price_fen: price,
                version: 1,
                created_at: t,
                updated_at: t,
            });
            district.contracted += 1;
        }
        // A year of quarterly follow-ups (a fifth out of control), and last year's health check.
        if !conditions.is_empty() {
            district.chronic += 1;
            for quarter in 0..4u64 {
                if rng.chance(0.85) {
                    let days_ago = 20 + quarter * 91 + rng.below(40) as u64;
                    let at = slots.next(&clinic.doctor, days_ago);
                    let doc = Some(documentation(rng.chance(0.2)));
                    history.push(completed(&id, clinic, FOLLOW_UP, at, doc));
                }
            }
            if contracted && district.follow_up.len() < FOLLOW_UPS && i % 7 == 0 {
                let who = (id.clone(), clinic.id.clone(), clinic.doctor.clone());
                district.follow_up.push(who);
            }
        }
        if age >= 65 && rng.chance(0.6) {
            let at = slots.next(&clinic.doctor, 300 + rng.below(300) as u64);
            history.push(completed(&id, clinic, "health_check", at, None));
        }
        people.push(ResidentInsert {
            id,
            name: format!("长者{i:05}"),
            sex: ["female", "male"][rng.below(2)].into(),
            birth_date: birth.to_string(),
            phone: format!("139{:08}", i),
            address: format!("{}附近{}号", community.address, i + 1),
            lat: community.lat + (rng.below(2000) as f64 - 1000.0) / 111_000.0,
            lon: community.lon + (rng.below(2000) as f64 - 1000.0) / 100_000.0,
            community_id: community.id.clone(),
            family_doctor_id: contracted.then(|| clinic.doctor.clone()),
            conditions: json!(conditions).to_string(),
            consent: true,
            version: 1,
            created_at: registered,
            updated_at: registered,
        });
    }
    district.visits = history.len();
    let inserted: QueryResult<()> = write_tx(conn, |conn| {
        insert_all!(conn, residents::table, people);
        insert_all!(conn, carelink::db::schema::contracts::table, contracts);
        insert_all!(conn, visits::table, history);
        Ok(())
    });
    inserted.map_err(|e| format!("inserting the district: {e}"))?;
    Ok(district)
}

/// Inserts completed visits in one write transaction.
pub fn insert_visits(conn: &mut DbConn, rows: &[VisitInsert]) -> QueryResult<usize> {
    write_tx(conn, |conn| Ok(insert_all!(conn, visits::table, rows)))
}
