//! The city's organisations (each district a copy of the pilot network, config/seed/network.json,
//! under its own code prefix and moved to its own place), their staff, and the clinicians'
//! shifts: five days in seven, 08:00-17:30, over the whole history and the days ahead.
use std::time::Instant;

use chrono::Days;
use diesel::PgConnection;
use serde_json::{json, Value};

use crate::city::{Frame, AHEAD, PASSWORD};
use crate::city_copy::{id_at, Rows, Tally};
use crate::copy_rows;
use crate::lcg::Lcg;
use carelink::db::schema::{organizations, shifts, users};

/// Kunming's districts, counties and county-level city: code prefix, name, a central point.
pub const DISTRICTS: [(&str, &str, f64, f64); 14] = [
    ("WH", "五华区", 25.04, 102.70),
    ("PL", "盘龙区", 25.12, 102.75),
    ("GD", "官渡区", 24.95, 102.75),
    ("XS", "西山区", 24.97, 102.62),
    ("CG", "呈贡区", 24.89, 102.82),
    ("JN", "晋宁区", 24.67, 102.60),
    ("DC", "东川区", 26.08, 103.19),
    ("AN", "安宁市", 24.92, 102.48),
    ("FM", "富民县", 25.22, 102.55),
    ("YL", "宜良县", 24.92, 103.14),
    ("SL", "石林县", 24.77, 103.29),
    ("SM", "嵩明县", 25.34, 103.04),
    ("LQ", "禄劝县", 25.55, 102.47),
    ("XD", "寻甸县", 25.56, 103.26),
];

const TEMPLATE: &str = include_str!("../../../config/seed/network.json");

/// Clinician roles in turn at every clinic (as the district day has them): their skills.
pub const ROLES: [&[&str]; 5] = [
    &["general_practice", "tcm"],
    &["nursing", "wound_care"],
    &["general_practice"],
    &["rehabilitation", "nursing"],
    &["nursing"],
];

pub struct Org {
    pub id: String,
    pub district: usize,
    pub community: Option<String>,
    pub contracted_clinic: Option<String>,
}

pub struct Clinic {
    pub id: String,
    pub district: usize,
    pub community: String,
    /// (user id, role index into ROLES)
    pub clinicians: Vec<(String, usize)>,
    pub schedulers: Vec<String>,
}

pub struct Network {
    pub orgs: Vec<Org>,
    pub clinics: Vec<Clinic>,
    /// Organisation indices by district.
    pub hospitals: Vec<Vec<usize>>,
    pub care_homes: Vec<usize>,
    /// Hospital staff by organisation index.
    pub hospital_staff: Vec<(usize, String)>,
    /// Each community: its id, district, address and place.
    pub community_places: Vec<(String, usize, String, f64, f64)>,
    pub logins: Vec<Value>,
}

fn groups(template: &Value) -> Vec<(&'static str, Vec<Value>)> {
    let list = |k: &str| template[k].as_array().cloned().unwrap_or_default();
    vec![
        ("authority", vec![template["authority"].clone()]),
        ("community", list("communities")),
        ("clinic", list("clinics")),
        ("care_home", list("care_homes")),
        ("hospital", list("hospitals")),
    ]
}

pub fn clinics_per_district() -> usize {
    let template: Value = serde_json::from_str(TEMPLATE).unwrap_or_default();
    template["clinics"].as_array().map_or(0, |c| c.len())
}

impl Network {
    /// Every district's organisations, by COPY; Wuhua's keep the pilot codes (WH-...).
    pub fn organisations(
        pg: &mut PgConnection,
        f: &Frame,
        districts: usize,
        tally: &mut Tally,
    ) -> Result<Network, String> {
        let started = Instant::now();
        let template: Value =
            serde_json::from_str(TEMPLATE).map_err(|e| format!("network.json: {e}"))?;
        let mut rng = Lcg::stream(f.seed, 1);
        let created = f.at(f.today - Days::new(f.days as u64 + 400), 9 * 60);
        let mut net = Network {
            orgs: vec![],
            clinics: vec![],
            hospitals: vec![vec![]; districts],
            care_homes: vec![],
            hospital_staff: vec![],
            community_places: vec![],
            logins: vec![],
        };
        let mut rows = Rows::default();
        for (d, (prefix, name, lat, lon)) in DISTRICTS.iter().take(districts).enumerate() {
            let (dlat, dlon) = (lat - DISTRICTS[0].2, lon - DISTRICTS[0].3);
            let mut by_code = std::collections::HashMap::new();
            for (kind, orgs) in groups(&template) {
                for o in orgs {
                    let code = |c: &Value| {
                        c.as_str()
                            .map(|c| c.replacen("WH-", &format!("{prefix}-"), 1))
                    };
                    let own = code(&o["code"]).unwrap_or_default();
                    let local = |s: &str| {
                        if d == 0 {
                            s.to_string()
                        } else if s.contains("五华区") {
                            s.replace("五华区", name)
                        } else {
                            format!("{name}{s}")
                        }
                    };
                    let id = id_at(&mut rng, created);
                    by_code.insert(own.clone(), id.clone());
                    let link = |c: &Value| code(c).and_then(|c| by_code.get(&c).cloned());
                    let (community, contracted) =
                        (link(&o["community"]), link(&o["contracted_clinic"]));
                    let (la, lo) = (
                        o["location"]["lat"].as_f64().unwrap_or(*lat) + dlat,
                        o["location"]["lon"].as_f64().unwrap_or(*lon) + dlon,
                    );
                    let address = local(o["address"].as_str().unwrap_or(""));
                    rows.start()
                        .text(&id)
                        .text(&own)
                        .text(&local(o["name"].as_str().unwrap_or(&own)))
                        .text(kind)
                        .opt(community.as_deref())
                        .text(&address)
                        .num(la)
                        .num(lo)
                        .opt(contracted.as_deref())
                        .flag(kind != "authority")
                        .flag(true)
                        .num(1)
                        .at(created)
                        .at(created)
                        .end();
                    let index = net.orgs.len();
                    match kind {
                        "clinic" => net.clinics.push(Clinic {
                            id: id.clone(),
                            district: d,
                            community: community.clone().unwrap_or_default(),
                            clinicians: vec![],
                            schedulers: vec![],
                        }),
                        "hospital" => net.hospitals[d].push(index),
                        "care_home" => net.care_homes.push(index),
                        "community" => net.community_places.push((id.clone(), d, address, la, lo)),
                        _ => {}
                    }
                    net.orgs.push(Org {
                        id,
                        district: d,
                        community,
                        contracted_clinic: contracted,
                    });
                }
            }
        }
        let n = copy_rows!(pg, organizations::table, organizations::table, &rows);
        tally.add("organizations", n, started);
        Ok(net)
    }

    /// Schedulers and clinicians of every clinic, staff of every hospital and care home, one
    /// admin; then the clinicians' shifts.
    pub fn staff(
        &mut self,
        pg: &mut PgConnection,
        f: &Frame,
        tally: &mut Tally,
    ) -> Result<(), String> {
        let started = Instant::now();
        let known = carelink::auth::password::hash(PASSWORD)?;
        let other = carelink::auth::password::hash(&format!("city-{}-{}", f.seed, f.today))?;
        let mut rng = Lcg::stream(f.seed, 2);
        let created = f.at(f.today - Days::new(f.days as u64 + 300), 9 * 60);
        let mut rows = Rows::default();
        let mut user = |rows: &mut Rows,
                        name: &str,
                        display: &str,
                        role: &str,
                        org: Option<&str>,
                        skills: &[&str]| {
            let id = id_at(&mut rng, created);
            let login = name.ends_with(".s1")
                || name.ends_with(".c01")
                || name.ends_with(".h1")
                || role == "admin";
            let first = login && (role == "admin" || name.contains("-01."));
            rows.start()
                .text(&id)
                .text(name)
                .text(if first { &known } else { &other })
                .text(display)
                .text(role)
                .opt(org)
                .null()
                .text(&json!(skills).to_string())
                .flag(true)
                .num(0)
                .null()
                .num(1)
                .at(created)
                .at(created)
                .end();
            (id, first)
        };
        let (admin, _) = user(
            &mut rows,
            "city.admin",
            "市卫健委管理员",
            "admin",
            None,
            &[],
        );
        self.logins
            .push(json!({"username": "city.admin", "role": "admin", "id": admin}));
        let per_clinic = f.clinicians_per_clinic;
        let mut clinic_codes = vec![0usize; DISTRICTS.len()];
        for c in &mut self.clinics {
            clinic_codes[c.district] += 1;
            let code = format!(
                "{}-cl-{:02}",
                DISTRICTS[c.district].0.to_lowercase(),
                clinic_codes[c.district]
            );
            for k in 1..=1 + per_clinic / 20 {
                let (id, first) = user(
                    &mut rows,
                    &format!("{code}.s{k}"),
                    &format!("调度{code}-{k}"),
                    "scheduler",
                    Some(&c.id),
                    &[],
                );
                if first {
                    self.logins.push(json!({"username": format!("{code}.s{k}"), "role": "scheduler", "id": id, "organization_id": c.id}));
                }
                c.schedulers.push(id);
            }
            for k in 0..per_clinic {
                let role = k % ROLES.len();
                let name = format!("{code}.c{:02}", k + 1);
                let (id, first) = user(
                    &mut rows,
                    &name,
                    &format!("医护{code}-{:02}", k + 1),
                    "clinician",
                    Some(&c.id),
                    ROLES[role],
                );
                if first {
                    self.logins.push(json!({"username": name, "role": "clinician", "id": id, "organization_id": c.id}));
                }
                c.clinicians.push((id, role));
            }
        }
        let mut counters = vec![(0usize, 0usize); DISTRICTS.len()];
        for (i, o) in self.orgs.iter().enumerate() {
            let is_hospital = self.hospitals[o.district].contains(&i);
            if !is_hospital && !self.care_homes.contains(&i) {
                continue;
            }
            let c = &mut counters[o.district];
            let (code, role, n) = if is_hospital {
                c.0 += 1;
                (
                    format!("{}-ho-{:02}", DISTRICTS[o.district].0.to_lowercase(), c.0),
                    "hospital",
                    2,
                )
            } else {
                c.1 += 1;
                (
                    format!("{}-ch-{:02}", DISTRICTS[o.district].0.to_lowercase(), c.1),
                    "care_home",
                    1,
                )
            };
            for k in 1..=n {
                let name = format!("{code}.h{k}");
                let (id, first) = user(
                    &mut rows,
                    &name,
                    &format!("职员{code}-{k}"),
                    role,
                    Some(&o.id),
                    &[],
                );
                if first && is_hospital {
                    self.logins.push(
                        json!({"username": name, "role": role, "id": id, "organization_id": o.id}),
                    );
                }
                if is_hospital {
                    self.hospital_staff.push((i, id));
                }
            }
        }
        let n = copy_rows!(pg, users::table, users::table, &rows);
        tally.add("users", n, started);
        self.shifts(pg, f, tally)
    }

    /// Whether clinician `k` of a clinic works on day `day` (days counted from the history's start).
    pub fn works(k: usize, day: i64) -> bool {
        (day + k as i64).rem_euclid(7) < 5
    }

    fn shifts(&self, pg: &mut PgConnection, f: &Frame, tally: &mut Tally) -> Result<(), String> {
        let mut rng = Lcg::stream(f.seed, 3);
        for day in 0..f.days + AHEAD + 1 {
            let started = Instant::now();
            let date = f.today - Days::new(f.days as u64) + Days::new(day as u64);
            let (start, end) = (f.at(date, 8 * 60), f.at(date, 17 * 60 + 30));
            let made = start - chrono::Duration::days(14);
            let mut rows = Rows::default();
            for c in &self.clinics {
                for (k, (who, _)) in c.clinicians.iter().enumerate() {
                    if Self::works(k, day) {
                        rows.start()
                            .text(&id_at(&mut rng, made))
                            .text(who)
                            .text(&c.id)
                            .at(start)
                            .at(end)
                            .num(1)
                            .at(made)
                            .text("[]")
                            .end();
                    }
                }
            }
            let n = copy_rows!(pg, shifts::table, shifts::table, &rows);
            tally.add("shifts", n, started);
        }
        Ok(())
    }
}
