//! The city generator at a tiny scale, twice with one seed into two fresh PostgreSQL databases
//! (on the server CARELINK_TEST_POSTGRES_URL names; listed as ignored without it): the same rows
//! both times, and rows the service's own rules accept.
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::city::{run, Args};

/// A fresh database on the test server, dropped when the test ends.
struct Scratch {
    admin: String,
    name: String,
}

impl Scratch {
    fn new(admin: &str) -> Scratch {
        let name = format!("t_city_{}", uuid::Uuid::new_v4().simple());
        let mut c = PgConnection::establish(admin).expect("CARELINK_TEST_POSTGRES_URL: reachable");
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut c)
            .expect("create a scratch database");
        Scratch {
            admin: admin.into(),
            name,
        }
    }
    fn url(&self) -> String {
        let base = self.admin.rsplit_once('/').map_or(&*self.admin, |(b, _)| b);
        format!("{base}/{}", self.name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(mut c) = PgConnection::establish(&self.admin) {
            let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
            let _ = diesel::sql_query(sql).execute(&mut c);
        }
    }
}

#[derive(QueryableByName)]
struct Digest {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    digest: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(c: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(c).expect(sql).n
}

/// Each generated table's rows in id order, hashed (less what the server or a salt decides).
fn digests(c: &mut PgConnection) -> Vec<(String, String)> {
    let tables = [
        ("organizations", "t"),
        ("residents", "t"),
        (
            "users",
            "(t.id, t.username, t.role, t.organization_id, t.skills, t.created_at)",
        ),
        ("shifts", "t"),
        ("contracts", "t"),
        ("visits", "t"),
        ("audit_log", "t"),
        (
            "events",
            "(t.at, t.kind, t.entity_id, t.audience, t.payload)",
        ),
        ("referrals", "t"),
        ("referral_history", "t"),
    ];
    let sql: Vec<String> = tables
        .iter()
        .map(|(t, row)| {
            format!(
                "SELECT '{t}' AS name, count(*) || ':' || coalesce(md5(string_agg({row}::text, '|' ORDER BY t.id)), '') AS digest FROM {t} t"
            )
        })
        .collect();
    diesel::sql_query(sql.join(" UNION ALL "))
        .load::<Digest>(c)
        .expect("digests")
        .into_iter()
        .map(|d| (d.name, d.digest))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect()
}

fn args(url: String) -> Args {
    Args {
        seed: 7,
        districts: 2,
        residents: 1_000_000,
        days: 20,
        visits_per_day: 90_000,
        scale: 0.0005,
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
        database_url: url,
    }
}

#[test]
#[cfg_attr(
    not(carelink_pg_tests),
    ignore = "CARELINK_TEST_POSTGRES_URL unset: PostgreSQL not run"
)]
fn a_tiny_city_is_the_same_for_a_seed_and_keeps_the_services_rules() {
    let admin = std::env::var("CARELINK_TEST_POSTGRES_URL").expect("CARELINK_TEST_POSTGRES_URL");
    let (one, two) = (Scratch::new(&admin), Scratch::new(&admin));
    run(&args(one.url())).expect("the first city");
    run(&args(two.url())).expect("the second city");
    let mut a = PgConnection::establish(&one.url()).expect("first");
    let mut b = PgConnection::establish(&two.url()).expect("second");
    let (da, db) = (digests(&mut a), digests(&mut b));
    assert_eq!(da, db, "two runs with one seed differ");
    let visits = count(&mut a, "SELECT count(*) AS n FROM visits");
    assert!(visits > 1_000, "45 visits a day for 35 days, not {visits}");
    // A second run into a filled database refuses.
    let again = run(&args(one.url())).expect_err("a filled database");
    assert!(again.contains("not empty"), "{again}");
    let rules = [
        // Every booked visit inside a shift of its clinician, at its clinic.
        "SELECT count(*) AS n FROM visits v WHERE v.clinician_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM shifts s \
         WHERE s.clinician_id = v.clinician_id AND s.clinic_id = v.clinic_id AND s.starts_at <= v.starts_at AND s.ends_at >= v.ends_at)",
        // ... by a clinician with the skill its service needs.
        "SELECT count(*) AS n FROM visits v JOIN users u ON u.id = v.clinician_id JOIN service_types st ON st.code = v.service_type \
         WHERE NOT (u.skills::jsonb ? st.required_skill)",
        // Past visits are done, missed or cancelled; requested ones have no clinician.
        "SELECT count(*) AS n FROM visits WHERE (starts_at < '2026-11-30 16:00' AND status IN ('scheduled', 'requested')) \
         OR (status = 'requested' AND clinician_id IS NOT NULL) OR (status = 'completed' AND check_out_at IS NULL)",
        // Every visit and referral has its audit record of creation.
        "SELECT count(*) AS n FROM visits v WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_id = v.id AND a.action = 'create')",
        "SELECT count(*) AS n FROM referrals r WHERE NOT EXISTS (SELECT 1 FROM referral_history h WHERE h.referral_id = r.id)",
        // Only the outbox's retention window has events.
        "SELECT count(*) AS n FROM events WHERE at < timestamp '2026-12-01 00:00' - interval '72 hours'",
    ];
    for sql in rules {
        assert_eq!(count(&mut a, sql), 0, "{sql}");
    }
    for t in ["events", "audit_log", "referrals", "contracts", "shifts"] {
        assert!(
            count(&mut a, &format!("SELECT count(*) AS n FROM {t}")) > 0,
            "{t} is empty"
        );
    }
}
