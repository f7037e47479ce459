//! The obligation engine: from a resident's age, conditions, contract and visit history, what
//! visits they are owed, each with its window and the rule (and version) that owes it. Pure: the
//! flow loads the inputs, runs this and stores what is new (the database refuses duplicates by
//! `(resident, rule, period)`, so running it twice, or on two instances at once, changes nothing).
use chrono::{Datelike, Duration, Months, NaiveDate};

use super::packages::PackageItem;
pub use super::person::{age_on, Person};
use super::rules::{Kind, Readings, Rule, RuleSet};

/// Where an obligation comes from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Contract,
    Rule,
    Episode,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Contract => "contract",
            Source::Rule => "rule",
            Source::Episode => "episode",
        }
    }
}

/// The resident's active contract, its packages' items merged.
#[derive(Debug, Clone)]
pub struct Terms {
    pub contract_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub items: Vec<PackageItem>,
}

/// A completed visit of the resident.
#[derive(Debug, Clone)]
pub struct Done {
    pub visit_id: String,
    pub service_type: String,
    pub on: NaiveDate,
    pub readings: Readings,
}

/// One thing owed.
#[derive(Debug, Clone, PartialEq)]
pub struct Owed {
    pub source: Source,
    pub source_id: Option<String>,
    pub rule: String,
    pub rule_version: i32,
    pub service_type: String,
    /// Unique per resident and rule: the period (`2026`, `2026-Q3`, `<contract>:<item>:3`) or the
    /// follow-up it answers (`after:<visit>`).
    pub period: String,
    pub earliest: NaiveDate,
    pub due: NaiveDate,
    pub latest: NaiveDate,
    /// The follow-up out of control that made this (re-checks and referrals).
    pub trigger_visit_id: Option<String>,
    /// Two follow-ups out of control in a row: a draft up-referral goes with it.
    pub draft_referral: bool,
    /// A completed visit that already meets it.
    pub met_by: Option<(String, NaiveDate)>,
}

/// What to compute: periods that end on or after `from` and start on or before `to`.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Span {
    /// From the start of last year (nothing older is made) up to the end of this year, or
    /// `horizon_days` ahead if that reaches into the next.
    pub fn around(today: NaiveDate, horizon_days: i64) -> Span {
        let from = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today);
        let year_end = NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today);
        Span {
            from,
            to: year_end.max(today + Duration::days(horizon_days)),
        }
    }
}

/// The day a resident born on `birth` reaches `age` (29 February: 1 March in other years).
fn birthday(birth: NaiveDate, age: u32) -> NaiveDate {
    birth
        .checked_add_months(Months::new(age * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// A home sickbed (家庭病床) as the engine reads it: each item is owed `per_week` times in each
/// week from the day it opened, up to the day it ends (its `until`, or the day it closed).
#[derive(Debug, Clone)]
pub struct EpisodeCare {
    pub episode_id: String,
    pub opened_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// (service type, times per week): its rounds (查床) and its nursing.
    pub items: Vec<(String, u32)>,
}

/// The rule code of what a home sickbed owes.
pub const EPISODE_RULE: &str = "episode:home_sickbed";

/// Everything owed to `person` in `span`, met where a completed visit already meets it.
pub fn owed(
    rules: &RuleSet,
    person: &Person,
    terms: Option<&Terms>,
    history: &[Done],
    span: Span,
) -> Vec<Owed> {
    owed_all(rules, person, terms, &[], history, span)
}

/// As `owed`, with what the resident's home sickbeds owe besides.
pub fn owed_all(
    rules: &RuleSet,
    person: &Person,
    terms: Option<&Terms>,
    episodes: &[EpisodeCare],
    history: &[Done],
    span: Span,
) -> Vec<Owed> {
    let groups = rules.groups(&person.conditions);
    let start = person.enrolled_on.max(span.from);
    let mut out = vec![];
    for year in start.year()..=span.to.year() {
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(start);
        for rule in rules.in_force(jan1) {
            match rule.kind {
                Kind::Annual => out.extend(annual(rule, person, year, start)),
                Kind::Quarterly if rule.conditions_any.iter().any(|c| groups.contains(c)) => {
                    out.extend(quarterly(rule, year, start))
                }
                _ => {}
            }
        }
    }
    out.extend(after_follow_ups(rules, &groups, history, start));
    if let Some(t) = terms {
        let by_rule: Vec<String> = out.iter().map(|o| o.service_type.clone()).collect();
        out.extend(contract_items(t, person, &groups, &by_rule, start));
    }
    for e in episodes {
        out.extend(episode_items(e));
    }
    // A contract or an episode owes its whole term from the day it starts; the rules, year by year.
    out.retain(|o| {
        o.latest >= span.from
            && (o.source != Source::Rule || o.earliest <= span.to)
            && o.earliest <= o.latest
    });
    meet(&mut out, history);
    out
}

fn period(rule: &Rule, period: String, earliest: NaiveDate, latest: NaiveDate) -> Owed {
    Owed {
        source: Source::Rule,
        source_id: None,
        rule: rule.code.clone(),
        rule_version: rule.version,
        service_type: rule.service_type.clone(),
        period,
        earliest,
        due: latest,
        latest,
        trigger_visit_id: None,
        draft_referral: false,
        met_by: None,
    }
}

fn annual(rule: &Rule, person: &Person, year: i32, start: NaiveDate) -> Option<Owed> {
    let min_age = rule.min_age?;
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31)?;
    if age_on(person.birth_date, dec31) < min_age as i32 {
        return None;
    }
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let earliest = jan1.max(birthday(person.birth_date, min_age)).max(start);
    Some(period(rule, year.to_string(), earliest, dec31))
}

fn quarterly(rule: &Rule, year: i32, start: NaiveDate) -> Vec<Owed> {
    (0..4)
        .filter_map(|q| {
            let first = NaiveDate::from_ymd_opt(year, q * 3 + 1, 1)?;
            let last = first.checked_add_months(Months::new(3))? - Duration::days(1);
            (last >= start)
                .then(|| period(rule, format!("{year}-Q{}", q + 1), first.max(start), last))
        })
        .collect()
}

/// Re-checks after follow-ups out of control, and the referral after `in_a_row` in a row.
fn after_follow_ups(
    rules: &RuleSet,
    groups: &[String],
    history: &[Done],
    start: NaiveDate,
) -> Vec<Owed> {
    let mut out = vec![];
    let mut run = 0usize;
    let mut follow_ups: Vec<&Done> = history.iter().collect();
    follow_ups.sort_by(|a, b| (a.on, &a.visit_id).cmp(&(b.on, &b.visit_id)));
    for f in follow_ups {
        let in_force = rules.in_force(f.on);
        let recheck = in_force.iter().find(|r| r.kind == Kind::Recheck);
        let referral = in_force.iter().find(|r| r.kind == Kind::Referral);
        let follows_up = [recheck, referral]
            .iter()
            .flatten()
            .any(|r| r.service_type == f.service_type);
        if !follows_up {
            continue;
        }
        match rules.uncontrolled(groups, &f.readings) {
            Some(true) => run += 1,
            _ => {
                run = 0;
                continue;
            }
        }
        let twice = referral.filter(|r| r.in_a_row.is_some_and(|n| run >= n));
        let Some(rule) = twice.or(recheck) else {
            continue;
        };
        let days = rule.within_days.unwrap_or(14);
        let mut o = period(
            rule,
            format!("after:{}", f.visit_id),
            f.on,
            f.on + Duration::days(days),
        );
        o.trigger_visit_id = Some(f.visit_id.clone());
        o.draft_referral = twice.is_some();
        if o.latest >= start {
            out.push(o);
        }
    }
    out
}

/// The contract's items that no rule owes already: `per_year` periods of equal length from the
/// contract's start (months when 12 divides evenly, else days), within the contract.
fn contract_items(
    t: &Terms,
    person: &Person,
    groups: &[String],
    by_rule: &[String],
    start: NaiveDate,
) -> Vec<Owed> {
    let mut out = vec![];
    for item in &t.items {
        if by_rule.contains(&item.service_type) || !item.applies(person, groups, t.ends_on) {
            continue;
        }
        let n = item.per_year.clamp(1, 366);
        let bounds = |i: u32| -> Option<NaiveDate> {
            if 12 % n == 0 {
                t.starts_on.checked_add_months(Months::new(i * 12 / n))
            } else {
                Some(t.starts_on + Duration::days(i64::from(i) * 365 / i64::from(n)))
            }
        };
        let mut i = 0;
        while let (Some(first), Some(next)) = (bounds(i), bounds(i + 1)) {
            if first > t.ends_on {
                break;
            }
            let last = (next - Duration::days(1)).min(t.ends_on);
            if last >= start {
                out.push(Owed {
                    source: Source::Contract,
                    source_id: Some(t.contract_id.clone()),
                    rule: format!("package:{}", item.package),
                    rule_version: item.package_version,
                    service_type: item.service_type.clone(),
                    period: format!("{}:{}:{}", t.contract_id, item.service_type, i + 1),
                    earliest: first.max(start),
                    due: last,
                    latest: last,
                    trigger_visit_id: None,
                    draft_referral: false,
                    met_by: None,
                });
            }
            i += 1;
        }
    }
    out
}

/// A sickbed's items week by week: a week of `n` visits is cut into `n` windows of whole days
/// (two a week: days 1-3 and 4-7 of the week), each owed once; the last week ends with the
/// episode, and a window that would open after that is not owed.
pub fn episode_items(e: &EpisodeCare) -> Vec<Owed> {
    let mut out = vec![];
    if e.ends_on < e.opened_on {
        return out;
    }
    let weeks = (e.ends_on - e.opened_on).num_days() / 7 + 1;
    for (service, per_week) in &e.items {
        let n = i64::from((*per_week).clamp(1, 7));
        for week in 0..weeks {
            let monday = e.opened_on + Duration::days(7 * week);
            for i in 0..n {
                let earliest = monday + Duration::days(7 * i / n);
                let latest = (monday + Duration::days(7 * (i + 1) / n - 1)).min(e.ends_on);
                if earliest > e.ends_on {
                    break;
                }
                out.push(Owed {
                    source: Source::Episode,
                    source_id: Some(e.episode_id.clone()),
                    rule: EPISODE_RULE.into(),
                    rule_version: 1,
                    service_type: service.clone(),
                    period: format!("{}:{service}:{}:{}", e.episode_id, week + 1, i + 1),
                    earliest,
                    due: latest,
                    latest,
                    trigger_visit_id: None,
                    draft_referral: false,
                    met_by: None,
                });
            }
        }
    }
    out
}

/// A completed visit meets, for each rule, one open obligation of its service type: the one whose
/// window holds its day and closes first, else (late) the overdue one that closed first. One visit
/// may meet a quarter's follow-up and a re-check, never the re-check it made itself (a re-check
/// may come the same day).
fn meet(owed: &mut [Owed], history: &[Done]) {
    let mut done: Vec<&Done> = history.iter().collect();
    done.sort_by(|a, b| (a.on, &a.visit_id).cmp(&(b.on, &b.visit_id)));
    for d in done {
        let mut rules_met: Vec<String> = vec![];
        loop {
            let pick = owed
                .iter_mut()
                .filter(|o| {
                    o.met_by.is_none()
                        && o.service_type == d.service_type
                        && o.trigger_visit_id.as_deref() != Some(d.visit_id.as_str())
                        && o.earliest <= d.on
                        && !rules_met.contains(&o.rule)
                })
                // the window holding the day first; else the overdue one closed first (met late)
                .min_by_key(|o| (o.latest < d.on, o.latest, o.period.clone()));
            match pick {
                Some(o) => {
                    rules_met.push(o.rule.clone());
                    o.met_by = Some((d.visit_id.clone(), d.on));
                }
                None => break,
            }
        }
    }
}

/// The status an open obligation has on `today`.
pub fn open_status(earliest: NaiveDate, latest: NaiveDate, today: NaiveDate) -> &'static str {
    if today < earliest {
        "upcoming"
    } else if today <= latest {
        "due"
    } else {
        "overdue"
    }
}
