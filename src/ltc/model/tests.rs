//! The assessment standard: the shipped data's consistency, worked examples for each grade,
//! each band's boundary, and bad forms.
use std::collections::BTreeMap;

use serde_json::Value;

use super::{Assessment, Standard};

const SHIPPED: &str = include_str!("../../../config/seed/ltc_assessment.json");

fn standard() -> &'static Standard {
    Standard::embedded().expect("the shipped standard parses")
}

/// A form scoring `adl`, `cognition` and `perception` in total: every item starts at its best
/// and points are taken off item by item, in the standard's order, until the total is reached.
fn form(adl: i32, cognition: i32, perception: i32) -> BTreeMap<String, i32> {
    let mut scores = BTreeMap::new();
    for (code, target) in [
        ("adl", adl),
        ("cognition", cognition),
        ("perception", perception),
    ] {
        let ind = standard().indicator(code).unwrap();
        let mut deficit = ind.range().1 - target;
        for item in &ind.items {
            let best = item.points()[0];
            let p = *item
                .points()
                .iter()
                .rev()
                .find(|&&p| best - p <= deficit)
                .unwrap();
            deficit -= best - p;
            scores.insert(item.code.clone(), p);
        }
        assert_eq!(deficit, 0, "{code} cannot total {target}");
    }
    scores
}

fn graded(adl: i32, cognition: i32, perception: i32) -> Assessment {
    standard().score(&form(adl, cognition, perception)).unwrap()
}

fn levels(a: &Assessment) -> (u8, u8, u8) {
    let l = |c| a.indicator(c).unwrap().level;
    (l("adl"), l("cognition"), l("perception"))
}

fn edited(change: impl FnOnce(&mut Value)) -> Result<Standard, String> {
    let mut v: Value = serde_json::from_str(SHIPPED).unwrap();
    change(&mut v);
    Standard::parse(&v.to_string())
}

#[test]
fn the_shipped_standard_parses_with_17_items_in_three_indicators_and_a_full_grid() {
    let s = standard();
    let shape: Vec<(&str, usize, (i32, i32))> = s
        .indicators()
        .iter()
        .map(|i| (i.code.as_str(), i.items.len(), i.range()))
        .collect();
    assert_eq!(
        shape,
        [
            ("adl", 10, (0, 100)),
            ("cognition", 4, (0, 16)),
            ("perception", 3, (0, 12))
        ]
    );
    let c = s.combination();
    assert_eq!(c.rows, "adl");
    assert_eq!(c.columns_worst_of, ["cognition", "perception"]);
    assert_eq!(c.cells.len(), 4);
    assert!(c.cells.iter().all(|row| row.len() == 4));
    let grades: Vec<u8> = c.cells.iter().flatten().copied().collect();
    assert!(
        (0..=5).all(|g| grades.contains(&g)),
        "every grade is reachable"
    );
    assert_eq!(s.grades().len(), 6);
    assert_eq!(s.id().document_no, "医保办发〔2021〕37号");
}

#[test]
fn every_possible_total_of_every_indicator_falls_in_exactly_one_band() {
    for ind in standard().indicators() {
        let totals = super::standard::totals(ind);
        let (lo, hi) = ind.range();
        assert_eq!((totals.first(), totals.last()), (Some(&lo), Some(&hi)));
        for total in totals {
            let n = ind
                .levels
                .iter()
                .filter(|b| b.min <= total && total <= b.max)
                .count();
            assert_eq!(n, 1, "{} total {total} is in {n} bands", ind.code);
        }
    }
}

#[test]
fn a_resident_independent_in_everything_is_grade_0_basically_normal() {
    let a = graded(100, 16, 12);
    assert_eq!(levels(&a), (0, 0, 0));
    assert_eq!((a.grade, a.grade_name_zh.as_str()), (0, "基本正常"));
}

#[test]
fn mild_forgetfulness_alone_is_still_grade_0() {
    let a = graded(100, 13, 12);
    assert_eq!((levels(&a), a.grade), ((0, 1, 0), 0));
}

#[test]
fn needing_help_to_bathe_and_with_stairs_is_grade_1_mild_disability() {
    let mut scores = form(100, 16, 12);
    scores.insert("bathing".into(), 0);
    scores.insert("stairs".into(), 5);
    let a = standard().score(&scores).unwrap();
    assert_eq!(a.indicator("adl").unwrap().total, 90);
    assert_eq!((a.grade, a.grade_name_en.as_str()), (1, "Mild disability"));
}

#[test]
fn the_worse_of_cognition_and_perception_picks_the_column() {
    // Intact in daily living and cognition, but blind and nearly deaf: perception 3, moderate.
    let mut scores = form(100, 16, 12);
    scores.insert("vision".into(), 0);
    scores.insert("hearing".into(), 1);
    scores.insert("communication".into(), 2);
    let a = standard().score(&scores).unwrap();
    assert_eq!(levels(&a), (0, 0, 2));
    assert_eq!(a.grade, 1);
}

#[test]
fn a_resident_who_needs_help_in_half_of_daily_living_is_grade_2_moderate_disability() {
    let a = graded(50, 16, 12);
    assert_eq!(
        (levels(&a), a.grade, a.grade_name_zh.as_str()),
        ((2, 0, 0), 2, "中度失能")
    );
}

#[test]
fn severe_dependence_in_daily_living_with_a_clear_mind_is_grade_3_severe_level_i() {
    let a = graded(30, 16, 12);
    assert_eq!(
        (levels(&a), a.grade, a.grade_name_zh.as_str()),
        ((3, 0, 0), 3, "重度失能Ⅰ级")
    );
}

#[test]
fn moderate_dependence_with_severe_cognitive_loss_is_grade_3() {
    let a = graded(50, 1, 12);
    assert_eq!((levels(&a), a.grade), ((2, 3, 0), 3));
}

#[test]
fn severe_dependence_with_moderate_cognitive_loss_is_grade_4_severe_level_ii() {
    let a = graded(20, 3, 12);
    assert_eq!(
        (levels(&a), a.grade, a.grade_name_en.as_str()),
        ((3, 2, 0), 4, "Severe disability, level II")
    );
}

#[test]
fn a_bedridden_resident_who_knows_no_one_is_grade_5_severe_level_iii() {
    let a = graded(0, 0, 0);
    assert_eq!(
        (levels(&a), a.grade, a.grade_name_zh.as_str()),
        ((3, 3, 3), 5, "重度失能Ⅲ级")
    );
}

#[test]
fn each_band_gives_its_level_at_its_threshold_and_the_next_level_just_below() {
    // (indicator, total, level): each threshold, then the total just under it.
    let cases = [
        ("adl", 100, 0),
        ("adl", 95, 1),
        ("adl", 65, 1),
        ("adl", 60, 2),
        ("adl", 45, 2),
        ("adl", 40, 3),
        ("adl", 0, 3),
        ("cognition", 16, 0),
        ("cognition", 15, 1),
        ("cognition", 4, 1),
        ("cognition", 3, 2),
        ("cognition", 2, 2),
        ("cognition", 1, 3),
        ("cognition", 0, 3),
        ("perception", 12, 0),
        ("perception", 11, 1),
        ("perception", 4, 1),
        ("perception", 3, 2),
        ("perception", 2, 2),
        ("perception", 1, 3),
        ("perception", 0, 3),
    ];
    for (code, total, level) in cases {
        let (adl, cog, per) = match code {
            "adl" => (total, 16, 12),
            "cognition" => (100, total, 12),
            _ => (100, 16, total),
        };
        let i = graded(adl, cog, per).indicator(code).unwrap().clone();
        assert_eq!((i.total, i.level), (total, level), "{code} {total}");
    }
}

#[test]
fn each_grid_cell_is_the_grade_of_its_levels() {
    // One form per cell, made from a total inside each band; the column is set by cognition.
    let adl = [100, 80, 50, 20];
    let cognition = [16, 10, 3, 0];
    let expected = [[0, 0, 1, 1], [1, 1, 1, 2], [2, 2, 2, 3], [3, 3, 4, 5]];
    for (r, &a) in adl.iter().enumerate() {
        for (c, &cog) in cognition.iter().enumerate() {
            assert_eq!(
                graded(a, cog, 12).grade,
                expected[r][c],
                "adl {a} cognition {cog}"
            );
        }
    }
}

#[test]
fn a_missing_item_is_named_as_scores_dot_its_code() {
    let mut scores = form(100, 16, 12);
    scores.remove("memory");
    let errors = standard().score(&scores).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "scores.memory");
    assert!(
        errors[0].message.contains("required"),
        "{}",
        errors[0].message
    );
}

#[test]
fn a_value_the_item_does_not_allow_is_refused_with_the_values_it_does() {
    let mut scores = form(100, 16, 12);
    scores.insert("walking".into(), 7);
    let errors = standard().score(&scores).unwrap_err();
    assert_eq!(errors[0].field, "scores.walking");
    assert_eq!(
        errors[0].message,
        "must be one of 15, 10, 5, 0 (Walking on level ground), not 7"
    );
}

#[test]
fn an_unknown_item_is_refused() {
    let mut scores = form(100, 16, 12);
    scores.insert("consciousness".into(), 0);
    let errors = standard().score(&scores).unwrap_err();
    assert_eq!(errors[0].field, "scores.consciousness");
    assert_eq!(errors[0].message, "is not an item of the assessment");
}

#[test]
fn every_bad_field_is_reported_in_one_answer() {
    let mut scores = form(100, 16, 12);
    scores.remove("feeding");
    scores.insert("vision".into(), -1);
    scores.insert("bathing".into(), 10);
    scores.insert("mood".into(), 2);
    let mut fields: Vec<String> = standard()
        .score(&scores)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "scores.bathing",
            "scores.feeding",
            "scores.mood",
            "scores.vision"
        ]
    );
}

#[test]
fn an_empty_form_names_all_17_items() {
    assert_eq!(standard().score(&BTreeMap::new()).unwrap_err().len(), 17);
}

#[test]
fn an_assessment_serializes_with_the_standard_it_was_scored_under() {
    let v = serde_json::to_value(graded(50, 16, 12)).unwrap();
    assert_eq!(v["standard"]["code"], "cn_nhsa_ltc_2021");
    assert_eq!(v["standard"]["version"], 1);
    assert_eq!(v["grade"], 2);
    assert_eq!(v["indicators"][0]["code"], "adl");
    assert_eq!(v["indicators"][0]["total"], 50);
    assert_eq!(v["indicators"][0]["level_name_zh"], "中度受损");
}

#[test]
fn a_gap_between_bands_is_refused() {
    let e = edited(|v| v["indicators"][0]["levels"][1]["min"] = 70.into()).unwrap_err();
    assert_eq!(e, "indicator adl: a total of 65 falls in no band");
}

#[test]
fn overlapping_bands_are_refused() {
    let e = edited(|v| v["indicators"][1]["levels"][2]["max"] = 5.into()).unwrap_err();
    assert!(e.contains("cognition") && e.contains("overlap"), "{e}");
}

#[test]
fn a_missing_grid_cell_is_refused() {
    let e = edited(|v| {
        v["combination"]["cells"][3].as_array_mut().unwrap().pop();
    })
    .unwrap_err();
    assert!(e.contains("row 3"), "{e}");
}

#[test]
fn a_grid_cell_that_is_no_grade_is_refused() {
    let e = edited(|v| v["combination"]["cells"][3][3] = 6.into()).unwrap_err();
    assert!(e.contains("no grade"), "{e}");
}

#[test]
fn a_grid_that_grades_a_worse_level_better_is_refused() {
    let e = edited(|v| v["combination"]["cells"][2][0] = 0.into()).unwrap_err();
    assert!(e.contains("worse level better"), "{e}");
}

#[test]
fn an_item_code_used_twice_is_refused() {
    let e = edited(|v| v["indicators"][2]["items"][0]["code"] = "memory".into()).unwrap_err();
    assert!(e.contains("memory"), "{e}");
}
