//! The city's residents (aged 55-95, spread over every district's communities and clinics, some
//! in a care home) and their family-doctor contracts, as district_year.rs makes them for one
//! district.
use std::time::Instant;

use chrono::{Datelike, Days, NaiveDate};
use diesel::PgConnection;
use serde_json::json;

use crate::city::Frame;
use crate::city_copy::{id_at, Rows, Tally};
use crate::city_network::Network;
use crate::copy_rows;
use crate::lcg::Lcg;
use carelink::db::schema::{contracts, residents};

/// Residents per COPY.
const CHUNK: usize = 50_000;

pub struct People {
    pub ids: Vec<String>,
    /// Index into `Network::clinics`.
    pub clinic: Vec<u32>,
    /// Index into `Network::orgs`, for residents of a care home.
    pub care_home: Vec<Option<u32>>,
    /// Resident indices by clinic.
    pub by_clinic: Vec<Vec<u32>>,
}

pub fn residents(
    pg: &mut PgConnection,
    f: &Frame,
    net: &mut Network,
    tally: &mut Tally,
) -> Result<People, String> {
    let mut rng = Lcg::stream(f.seed, 4);
    let districts = net.hospitals.len();
    // Each district's communities, each with its clinics and care homes.
    let communities: Vec<Vec<usize>> = (0..districts)
        .map(|d| {
            (0..net.community_places.len())
                .filter(|&i| net.community_places[i].1 == d)
                .collect()
        })
        .collect();
    let clinics_of = |community: &str, d: usize| -> Vec<u32> {
        let own: Vec<u32> = (0..net.clinics.len() as u32)
            .filter(|&c| net.clinics[c as usize].community == community)
            .collect();
        if own.is_empty() {
            (0..net.clinics.len() as u32)
                .filter(|&c| net.clinics[c as usize].district == d)
                .collect()
        } else {
            own
        }
    };
    let places: Vec<(Vec<u32>, Vec<u32>)> = net
        .community_places
        .iter()
        .map(|(id, d, ..)| {
            let homes = net
                .care_homes
                .iter()
                .filter(|&&h| net.orgs[h].community.as_deref() == Some(id))
                .map(|&h| h as u32)
                .collect();
            (clinics_of(id, *d), homes)
        })
        .collect();
    let mut people = People {
        ids: Vec::with_capacity(f.residents),
        clinic: Vec::with_capacity(f.residents),
        care_home: Vec::with_capacity(f.residents),
        by_clinic: vec![vec![]; net.clinics.len()],
    };
    let mut started = Instant::now();
    let (mut rows, mut signed) = (Rows::default(), Rows::default());
    for i in 0..f.residents {
        let d = i % districts;
        let ci = communities[d][(i / districts) % communities[d].len()];
        let (cid, _, address, lat, lon) = &net.community_places[ci];
        let (clinics, homes) = &places[ci];
        let clinic = clinics[rng.below(clinics.len())];
        let home = (!homes.is_empty() && rng.chance(0.05)).then(|| homes[rng.below(homes.len())]);
        let age = 55 + rng.below(41) as i32;
        let birth = NaiveDate::from_yo_opt(f.today.year() - age, 1 + rng.below(365) as u32)
            .unwrap_or(f.today);
        let registered = f.now - chrono::Duration::days(f.days + rng.below(5 * 365) as i64);
        let id = id_at(&mut rng, registered);
        let conditions: &[&str] = if rng.chance(0.25) {
            match rng.below(4) {
                0 | 1 => &["hypertension"],
                2 => &["diabetes"],
                _ => &["hypertension", "diabetes"],
            }
        } else {
            &[]
        };
        let c = &net.clinics[clinic as usize];
        let gps: Vec<&String> = c
            .clinicians
            .iter()
            .filter(|(_, r)| *r == 0 || *r == 2)
            .map(|(u, _)| u)
            .collect();
        let doctor =
            (!gps.is_empty() && rng.chance(0.6)).then(|| gps[rng.below(gps.len())].clone());
        if let Some(doctor) = &doctor {
            let mut codes = vec!["basic"];
            codes.extend(conditions.iter().copied());
            let price = 12000 * conditions.contains(&"hypertension") as i64
                + 15000 * conditions.contains(&"diabetes") as i64;
            let starts = f.today - Days::new(1 + rng.below(360) as u64);
            let renewed = rng.chance(0.2);
            let mut contract = |starts: NaiveDate, status: &str, renewals: i32| {
                let made = f.at(starts, 9 * 60);
                signed
                    .start()
                    .text(&id_at(&mut rng, made))
                    .text(&id)
                    .text(&c.id)
                    .text(doctor)
                    .text(&json!(codes).to_string())
                    .text(&starts.to_string())
                    .text(&(starts + Days::new(364)).to_string())
                    .text(status)
                    .null()
                    .num(renewals)
                    .num(price)
                    .num(1)
                    .at(made)
                    .at(made)
                    .end();
            };
            // A fifth signed the year before too: that contract has expired.
            if renewed {
                contract(starts - Days::new(365), "expired", 0);
            }
            contract(starts, "active", 0);
        }
        rows.start()
            .text(&id)
            .text(&format!("长者{i:07}"))
            .text(["female", "male"][rng.below(2)])
            .text(&birth.to_string())
            .text(&format!("139{:08}", i))
            .text(&format!("{address}附近{}号", i / 100 + 1))
            .num(lat + (rng.below(2000) as f64 - 1000.0) / 111_000.0)
            .num(lon + (rng.below(2000) as f64 - 1000.0) / 100_000.0)
            .text(cid)
            .opt(home.map(|h| net.orgs[h as usize].id.as_str()))
            .opt(doctor.as_deref())
            .text(&json!(conditions).to_string())
            .text("[]")
            .flag(true)
            .null()
            .num(1)
            .at(registered)
            .at(registered)
            .end();
        people.by_clinic[clinic as usize].push(i as u32);
        people.ids.push(id);
        people.clinic.push(clinic);
        people.care_home.push(home);
        if rows.count == CHUNK || i + 1 == f.residents {
            let n = copy_rows!(pg, residents::table, residents::table, &rows);
            tally.add("residents", n, started);
            started = Instant::now();
            let n = copy_rows!(pg, contracts::table, contracts::table, &signed);
            tally.add("contracts", n, started);
            eprintln!("  residents {}/{}", i + 1, f.residents);
            (rows, signed, started) = (Rows::default(), Rows::default(), Instant::now());
        }
    }
    Ok(people)
}
