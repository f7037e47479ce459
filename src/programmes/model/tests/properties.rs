//! Properties of the engine over random residents, contracts and histories.
use chrono::{Datelike, Duration};
use rand::{Rng, SeedableRng};

use super::super::engine::{owed, Done, Person, Source, Span, Terms};
use super::super::packages::{Item, PackageItem};
use super::super::rules::Readings;
use super::*;

/// Random residents, contracts and histories.
fn random_case(rng: &mut rand::rngs::StdRng) -> (Person, Option<Terms>, Vec<Done>) {
    let birth = d("1925-01-01") + Duration::days(rng.random_range(0..365 * 80));
    let pool = ["hypertension", "diabetes", "E11.9", "I10", "骨质疏松"];
    let conditions = pool
        .iter()
        .filter(|_| rng.random_bool(0.3))
        .map(|c| c.to_string())
        .collect();
    let enrolled = d("2026-01-01") + Duration::days(rng.random_range(0..700));
    let terms = rng.random_bool(0.6).then(|| Terms {
        contract_id: "c".into(),
        starts_on: enrolled,
        ends_on: super::super::year_after(enrolled),
        items: PackageItem::of(&package(
            "p",
            vec![Item {
                service_type: "rehabilitation_training".into(),
                per_year: rng.random_range(1..=12),
                min_age: None,
                conditions_any: vec![],
            }],
        )),
    });
    let services = [
        "chronic_disease_follow_up",
        "health_check",
        "rehabilitation_training",
    ];
    let history = (0..rng.random_range(0..8))
        .map(|i| Done {
            visit_id: format!("v{i}"),
            service_type: services[rng.random_range(0..services.len())].into(),
            on: enrolled + Duration::days(rng.random_range(0..400)),
            readings: Readings {
                systolic_mmhg: Some(rng.random_range(100.0..180.0)),
                diastolic_mmhg: Some(rng.random_range(60.0..99.0)),
                fasting_glucose_mmol_l: Some(rng.random_range(4.0..12.0)),
            },
        })
        .collect();
    (
        Person {
            birth_date: birth,
            conditions,
            enrolled_on: enrolled,
        },
        terms,
        history,
    )
}

#[test]
fn for_any_resident_the_engine_is_deterministic_and_its_obligations_are_unique_well_formed_and_met_by_fitting_visits(
) {
    let rules = rules();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261202);
    for _ in 0..2000 {
        let (p, terms, history) = random_case(&mut rng);
        let today = d("2026-06-01") + Duration::days(rng.random_range(0..700));
        let span = Span::around(today, 14);
        let a = owed(&rules, &p, terms.as_ref(), &history, span);
        let b = owed(&rules, &p, terms.as_ref(), &history, span);
        assert_eq!(a, b, "the same inputs give the same obligations");
        let mut keys: Vec<_> = a
            .iter()
            .map(|o| (o.rule.clone(), o.period.clone()))
            .collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "one obligation per rule and period");
        for o in &a {
            assert!(o.earliest <= o.due && o.due <= o.latest, "{o:?}");
            assert!(
                o.latest >= p.enrolled_on,
                "nothing owed before enrolment: {o:?}"
            );
            assert!(
                o.latest >= span.from && (o.source == Source::Contract || o.earliest <= span.to)
            );
            if let Some((visit, on)) = &o.met_by {
                let v = history.iter().find(|h| &h.visit_id == visit).unwrap();
                assert_eq!(v.service_type, o.service_type);
                assert!(*on >= o.earliest, "a visit meets only what was open: {o:?}");
            }
        }
        let age_end = span.to.year() - p.birth_date.year();
        if age_end < 65 {
            assert!(of_rule(&a, "elderly_annual_check").is_empty());
        }
    }
}
