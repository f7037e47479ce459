//! What a home sickbed owes: each item per week, in windows of whole days.
use super::super::engine::{episode_items, owed_all, EpisodeCare, Owed, Source, EPISODE_RULE};
use super::*;

fn sickbed(opened: &str, ends: &str) -> EpisodeCare {
    EpisodeCare {
        episode_id: "e1".into(),
        opened_on: d(opened),
        ends_on: d(ends),
        items: vec![
            ("home_sickbed_round".into(), 2),
            ("pressure_ulcer_care".into(), 3),
        ],
    }
}

fn windows(list: &[Owed], service: &str) -> Vec<(String, String)> {
    list.iter()
        .filter(|o| o.service_type == service)
        .map(|o| (o.earliest.to_string(), o.latest.to_string()))
        .collect()
}

#[test]
fn a_sickbed_owes_each_item_per_week_in_windows_of_whole_days() {
    let list = episode_items(&sickbed("2027-01-04", "2027-01-17"));
    assert_eq!(list.len(), 2 * 2 + 3 * 2);
    assert!(list.iter().all(|o| o.source == Source::Episode
        && o.rule == EPISODE_RULE
        && o.source_id.as_deref() == Some("e1")));
    let w = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        windows(&list, "home_sickbed_round"),
        [
            w("2027-01-04", "2027-01-06"),
            w("2027-01-07", "2027-01-10"),
            w("2027-01-11", "2027-01-13"),
            w("2027-01-14", "2027-01-17")
        ]
    );
    assert_eq!(
        windows(&list, "pressure_ulcer_care")[..3],
        [
            w("2027-01-04", "2027-01-05"),
            w("2027-01-06", "2027-01-07"),
            w("2027-01-08", "2027-01-10")
        ]
    );
    let periods: std::collections::HashSet<&str> = list.iter().map(|o| o.period.as_str()).collect();
    assert_eq!(periods.len(), list.len(), "each window its own period");
}

#[test]
fn a_sickbed_s_last_week_ends_with_it_and_owes_no_window_opening_after() {
    let list = episode_items(&sickbed("2027-01-04", "2027-01-12"));
    let w = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        windows(&list, "home_sickbed_round"),
        [
            w("2027-01-04", "2027-01-06"),
            w("2027-01-07", "2027-01-10"),
            w("2027-01-11", "2027-01-12")
        ]
    );
    assert!(episode_items(&sickbed("2027-01-04", "2027-01-03")).is_empty());
}

#[test]
fn a_round_done_meets_the_sickbed_window_holding_its_day() {
    let p = person("1940-05-01", &[], "2020-01-01");
    let round = Done {
        visit_id: "v1".into(),
        service_type: "home_sickbed_round".into(),
        on: d("2027-01-08"),
        readings: Readings::default(),
    };
    let list = owed_all(
        &rules(),
        &p,
        None,
        &[sickbed("2027-01-04", "2027-01-17")],
        &[round],
        year_2027(),
    );
    let met: Vec<_> = list
        .iter()
        .filter(|o| o.met_by.is_some())
        .map(|o| (o.service_type.as_str(), o.earliest.to_string()))
        .collect();
    assert_eq!(met, [("home_sickbed_round", "2027-01-07".to_string())]);
}
