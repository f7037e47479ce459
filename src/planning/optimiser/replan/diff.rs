//! What a repair changed: each visit's place before and after, and the day's travel as booked.
use std::collections::BTreeMap;

use super::{Change, ChangeKind, Disruption, Place, ReplanFigures};
use crate::planning::optimiser::model::{Problem, Ticks};
use crate::planning::optimiser::Solution;

/// Each visit's place before (its pin in `current`) and after (its stop in `solution`), as
/// changes and counts. Free visits left out that the disruption did not name are not changes.
pub fn diff(
    current: &Problem,
    solution: &Solution,
    disruption: &Disruption,
    tolerance: Ticks,
) -> (Vec<Change>, ReplanFigures) {
    let mut after: BTreeMap<usize, Place> = BTreeMap::new();
    for r in &solution.routes {
        for s in &r.stops {
            after.insert(s.visit, (r.clinician_id.clone(), s.start));
        }
    }
    let named =
        |i: usize| matches!(disruption, Disruption::Insert { visits } if visits.contains(&i));
    let mut changes = vec![];
    let mut f = ReplanFigures {
        travel_after: solution.figures.total_travel_time,
        ..ReplanFigures::default()
    };
    for (i, v) in current.visits().iter().enumerate() {
        let before = v
            .pinned
            .as_ref()
            .map(|p| (p.clinician_id.clone(), p.starts_at));
        let now = after.get(&i).cloned();
        let kind = match (&before, &now) {
            (Some(b), Some(a)) if b == a => ChangeKind::Kept,
            (Some(b), Some(a)) if b.0 == a.0 => ChangeKind::Moved,
            (Some(_), Some(_)) => ChangeKind::Reassigned,
            (Some(_), None) => ChangeKind::Unplaced,
            (None, Some(_)) => ChangeKind::Added,
            (None, None) if named(i) => ChangeKind::Unplaced,
            (None, None) => continue,
        };
        if let (Some(b), Some(a)) = (&before, &now) {
            if (a.1 - b.1).abs() > tolerance {
                f.shifted_over_tolerance += 1;
            }
        }
        match kind {
            ChangeKind::Kept => f.kept += 1,
            ChangeKind::Moved => f.moved += 1,
            ChangeKind::Reassigned => f.reassigned += 1,
            ChangeKind::Unplaced => f.unplaced += 1,
            ChangeKind::Added => f.added += 1,
        }
        if kind != ChangeKind::Kept {
            changes.push(Change {
                visit: i,
                visit_id: v.id.clone(),
                kind,
                before,
                after: now,
            });
        }
    }
    (changes, f)
}

/// The travel of the day as booked: each shift's pinned visits in start order.
pub fn booked_travel(current: &Problem) -> Option<Ticks> {
    let mut orders = vec![vec![]; current.shifts().len()];
    for (i, v) in current.visits().iter().enumerate() {
        if let (Some(shift), Some(p)) = (current.pinned_shift(i), &v.pinned) {
            orders[shift].push((p.starts_at, i));
        }
    }
    let mut total = 0;
    for (shift, mut order) in orders.into_iter().enumerate() {
        if order.is_empty() {
            continue;
        }
        order.sort();
        let order: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
        total += current.schedule(shift, &order).ok()?.travel_time;
    }
    Some(total)
}
