//! The figures of a unit, its score and the ranking (pure). The score is documented in
//! docs/adr/0007-unit-score.md; change both together.
use serde::Serialize;
use std::collections::BTreeMap;

/// A visit counts as on time when the clinician checked in at most this long after its start.
pub const ON_TIME_GRACE_MINUTES: i64 = 15;
/// How many units the red and the black list hold.
pub const LIST_LENGTH: usize = 3;

#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct VisitFigures {
    /// Visits that held a clinician's time in the period (scheduled, in progress, completed, missed).
    pub planned: u32,
    pub done: u32,
    pub done_on_time: u32,
    pub missed: u32,
    pub missed_by_reason: BTreeMap<String, u32>,
    pub location_exceptions: u32,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ResponseFigures {
    pub answered: u32,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ReferralFigures {
    pub sent: u32,
    pub received: u32,
    /// Received referrals answered before their deadline.
    pub answered_in_time: u32,
    pub overdue: u32,
    /// By priority: time from submission to a triage answer, of referrals received.
    pub response: BTreeMap<String, ResponseFigures>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ContractFigures {
    /// Residents whose family doctor works at this clinic.
    pub signed: u32,
    /// Of those, how many had no completed visit in the period (signed but not served, 只签不约).
    pub unserved: u32,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct UnitFigures {
    pub visits: VisitFigures,
    pub referrals: ReferralFigures,
    pub contracts: ContractFigures,
    /// What the clinic owed residents under contracts and the public-health rules (a clinic's).
    pub programme: crate::programmes::model::report::ProgrammeFigures,
    /// What residents and families said: ratings of the clinic's visits, complaints about the unit.
    pub voice: crate::family::model::VoiceFigures,
}

fn rate(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// 1 - complaints per completed visit (at least 0), for a unit that completed visits and whose
/// residents' families spoke in the period (a rating or a complaint): without any, the part is
/// left out rather than counted as a perfect 1 for everyone.
fn complaint_free(v: &crate::family::model::VoiceFigures, done: u32) -> Option<f64> {
    (done > 0 && v.ratings + v.complaints > 0)
        .then(|| (1.0 - v.complaints as f64 / done as f64).max(0.0))
}

/// 0-100: the mean of the rates the unit has data for — visits done of planned, done on time,
/// contracted residents served, received referrals answered in time, obligations met on time
/// (of those met or closed unmet), ratings of 4 or 5 (of the ratings), and one less the complaints
/// per completed visit. None without any data.
pub fn score(f: &UnitFigures) -> Option<f64> {
    let parts: Vec<f64> = [
        rate(f.visits.done, f.visits.planned),
        rate(f.visits.done_on_time, f.visits.done),
        rate(
            f.contracts.signed - f.contracts.unserved,
            f.contracts.signed,
        ),
        rate(f.referrals.answered_in_time, f.referrals.received),
        rate(
            f.programme.met_on_time,
            f.programme.met_on_time + f.programme.met_late + f.programme.overdue,
        ),
        rate(f.voice.satisfied, f.voice.ratings),
        complaint_free(&f.voice, f.visits.done),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        return None;
    }
    let mean = parts.iter().sum::<f64>() / parts.len() as f64;
    Some((mean * 1000.0).round() / 10.0)
}

/// Ranks scored units (best first; ties by id, so the order is stable) and picks the red list
/// (the best LIST_LENGTH) and black list (the worst LIST_LENGTH, worst first), never overlapping.
pub fn rank(scores: &[(String, Option<f64>)]) -> (Vec<(String, usize)>, Vec<String>, Vec<String>) {
    let mut scored: Vec<(&String, f64)> = scores
        .iter()
        .filter_map(|(id, s)| s.map(|s| (id, s)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let ranks = scored
        .iter()
        .enumerate()
        .map(|(i, (id, _))| ((*id).clone(), i + 1))
        .collect();
    let n = scored.len();
    let red_len = LIST_LENGTH.min(n / 2);
    let red = scored[..red_len]
        .iter()
        .map(|(id, _)| (*id).clone())
        .collect();
    let black = scored[n - red_len..]
        .iter()
        .rev()
        .map(|(id, _)| (*id).clone())
        .collect();
    (ranks, red, black)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_is_the_mean_of_the_rates_a_unit_has() {
        let mut f = UnitFigures::default();
        assert_eq!(score(&f), None);
        f.visits = VisitFigures {
            planned: 4,
            done: 2,
            done_on_time: 1,
            ..Default::default()
        };
        assert_eq!(score(&f), Some(50.0));
        f.contracts = ContractFigures {
            signed: 4,
            unserved: 1,
        };
        assert_eq!(score(&f), Some(58.3)); // (0.5 + 0.5 + 0.75) / 3
        f.programme.met_on_time = 3;
        f.programme.overdue = 1;
        assert_eq!(score(&f), Some(62.5)); // (0.5 + 0.5 + 0.75 + 0.75) / 4
                                           // The families' voice: 1 of 2 ratings satisfied, 1 complaint for 2 completed visits.
        f.voice.rate(5);
        f.voice.rate(2);
        f.voice.complaints = 1;
        assert_eq!(score(&f), Some(58.3)); // (0.5 + 0.5 + 0.75 + 0.75 + 0.5 + 0.5) / 6
    }

    #[test]
    fn the_red_and_black_lists_take_the_ends_of_the_ranking_and_never_overlap() {
        let scores: Vec<(String, Option<f64>)> = [
            ("a", Some(90.0)),
            ("b", Some(10.0)),
            ("c", None),
            ("d", Some(50.0)),
            ("e", Some(70.0)),
        ]
        .iter()
        .map(|(id, s)| (id.to_string(), *s))
        .collect();
        let (ranks, red, black) = rank(&scores);
        assert_eq!(ranks[0], ("a".to_string(), 1));
        assert_eq!(red, ["a", "e"]);
        assert_eq!(black, ["b", "d"]);
    }
}
