//! A contract's package items, the order in which a visit meets what is owed, and the checks on a
//! contract before it is stored.
use super::super::engine::{owed, Source, Terms};
use super::super::packages::{Item, PackageItem};
use super::super::{NewContract, WaiveBody, WaiveReason};
use super::*;

#[test]
fn a_contract_owes_its_package_items_but_not_twice_what_a_rule_owes() {
    let p = person("1950-01-01", &["hypertension"], "2027-01-01");
    let mut items = PackageItem::of(&package(
        "hypertension",
        vec![Item {
            service_type: "blood_pressure_check".into(),
            per_year: 12,
            min_age: None,
            conditions_any: vec![],
        }],
    ));
    items.extend(PackageItem::of(&package(
        "diabetes",
        vec![Item {
            service_type: "chronic_disease_follow_up".into(),
            per_year: 4,
            min_age: None,
            conditions_any: vec![],
        }],
    )));
    let terms = Terms {
        contract_id: "c1".into(),
        starts_on: d("2027-01-01"),
        ends_on: d("2027-12-31"),
        items,
    };
    let list = owed(&rules(), &p, Some(&terms), &[], year_2027());
    let monthly: Vec<_> = list
        .iter()
        .filter(|o| o.source == Source::Contract)
        .collect();
    assert_eq!(monthly.len(), 12);
    assert!(monthly
        .iter()
        .all(|o| o.service_type == "blood_pressure_check" && o.rule == "package:hypertension"));
    assert_eq!(
        (monthly[1].earliest, monthly[1].latest),
        (d("2027-02-01"), d("2027-02-28"))
    );
    assert_eq!(of_rule(&list, "chronic_quarterly_follow_up").len(), 4);
}

#[test]
fn a_visit_meets_the_current_period_before_an_overdue_one() {
    let p = person("1950-01-01", &["hypertension"], "2027-01-01");
    let visit = follow_up("v1", "2027-05-10", 128.0, 80.0);
    let list = owed(
        &rules(),
        &p,
        None,
        std::slice::from_ref(&visit),
        year_2027(),
    );
    let met: Vec<_> = list
        .iter()
        .filter(|o| o.met_by.is_some())
        .map(|o| o.period.as_str())
        .collect();
    assert_eq!(met, ["2027-Q2"], "Q1 stays missed");
    let late = follow_up("v2", "2027-07-01", 128.0, 80.0);
    let list = owed(&rules(), &p, None, &[visit, late.clone()], year_2027());
    let q3 = list.iter().find(|o| o.period == "2027-Q3").unwrap();
    assert_eq!(q3.met_by.as_ref().map(|m| m.0.as_str()), Some("v2"));
    let only_late = owed(
        &rules(),
        &p,
        None,
        &[follow_up("v3", "2027-04-02", 128.0, 80.0)],
        Span {
            from: d("2027-01-01"),
            to: d("2027-03-31"),
        },
    );
    assert_eq!(
        only_late[0].met_by.as_ref().map(|m| m.0.as_str()),
        Some("v3"),
        "met late when nothing else is open"
    );
}

#[test]
fn contracts_are_checked_before_anything_is_stored() {
    let new = NewContract {
        resident_id: "r".into(),
        package_codes: vec![],
        family_doctor_id: "d".into(),
        starts_on: d("2027-01-01"),
        ends_on: Some(d("2026-12-01")),
    };
    let err = new.check(d("2027-01-01")).unwrap_err();
    let fields: Vec<_> = err.fields().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["package_codes", "ends_on"]);
    let ok = NewContract {
        package_codes: vec!["basic".into()],
        ends_on: None,
        ..new
    };
    assert_eq!(ok.check(d("2027-01-01")).unwrap(), d("2027-12-31"));
    let other = WaiveBody {
        reason: WaiveReason::Other,
        comment: Some("  ".into()),
    };
    assert!(other.check().is_err());
}
