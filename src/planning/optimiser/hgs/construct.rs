//! A feasible plan built greedily: pins first, then by priority, each visit at its cheapest
//! place that keeps every rule, or left out. The search's fallback and one of its seeds.
use std::cmp::Reverse;

use super::data::Data;
use super::plan::{fwd, Piece, Plan};

pub fn greedy(data: &Data, plan: &mut Plan, step: u64) {
    plan.load(data, &[], step);
    let mut order: Vec<usize> = (0..data.n).collect();
    order.sort_by_key(|&c| {
        let node = &data.nodes[c];
        (
            Reverse(data.weight[c]),
            node.late - node.early,
            node.late,
            c,
        )
    });
    for u in order {
        let mut best: Option<(i64, usize, usize)> = None;
        for r in 0..data.m {
            if !data.allowed(r, u) {
                continue;
            }
            let route = &plan.routes[r];
            let k = route.len();
            let old = route.eval();
            for p in 0..=k {
                let pieces = [fwd(r, 0, p), Piece::Node(u), fwd(r, p + 1, k + 1)];
                let Some(e) = plan.eval(data, r, &pieces) else {
                    continue;
                };
                if e.time_warp > 0 || e.load > data.capacity[r] {
                    continue;
                }
                let delta = e.dist + e.cont - old.dist - old.cont;
                if best.is_none_or(|(d, _, _)| delta < d) {
                    best = Some((delta, r, p));
                }
            }
        }
        if let Some((_, r, p)) = best {
            let k = plan.routes[r].len();
            let pieces = [fwd(r, 0, p), Piece::Node(u), fwd(r, p + 1, k + 1)];
            plan.apply(data, &[(r, &pieces)], step);
        }
    }
}
