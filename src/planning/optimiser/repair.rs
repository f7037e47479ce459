//! A last pass over the search's routes: any visit the search left out that still fits somewhere
//! as the routes stand goes in at its cheapest place, highest priority first. The search is a
//! heuristic; this makes "left out for want of room" mean exactly that.
use super::model::Problem;

/// Inserts every left-out candidate that fits, and returns the routes (one per shift).
pub fn fill_gaps(
    problem: &Problem,
    mut orders: Vec<Vec<usize>>,
    candidates: &[usize],
) -> Vec<Vec<usize>> {
    let shifts = problem.shifts().len();
    orders.resize(shifts, vec![]);
    let mut placed = vec![false; problem.visits().len()];
    for v in orders.iter().flatten() {
        if let Some(p) = placed.get_mut(*v) {
            *p = true;
        }
    }
    let mut left: Vec<usize> = candidates.iter().copied().filter(|&v| !placed[v]).collect();
    // Highest priority first; pins before everything.
    left.sort_by_key(|&v| {
        let visit = &problem.visits()[v];
        (visit.pinned.is_none(), std::cmp::Reverse(visit.priority), v)
    });
    let cost = |shift: usize, order: &[usize]| -> Option<i64> {
        if order.is_empty() {
            return Some(0);
        }
        let times = problem.schedule(shift, order).ok()?;
        let continuity: i64 = order
            .iter()
            .map(|&v| problem.continuity_penalty(shift, v))
            .sum();
        Some(times.distance + continuity)
    };
    for visit in left {
        let mut best: Option<(i64, usize, usize)> = None;
        for (shift, order) in orders.iter().enumerate() {
            if !problem.may_serve(shift, visit) {
                continue;
            }
            let Some(before) = cost(shift, order) else {
                continue;
            };
            for at in 0..=order.len() {
                let mut trial = order.clone();
                trial.insert(at, visit);
                if let Some(after) = cost(shift, &trial) {
                    if best.is_none_or(|(c, _, _)| after - before < c) {
                        best = Some((after - before, shift, at));
                    }
                }
            }
        }
        if let Some((_, shift, at)) = best {
            orders[shift].insert(at, visit);
        }
    }
    orders
}
