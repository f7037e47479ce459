//! The education step: first-improvement local search over granular neighbourhoods with
//! relocate (1 and 2 clients, either order), swap (1-1, 2-1, 2-2), 2-opt within a route and
//! 2-opt* between routes, plus, since not every visit must be placed, insertion, removal and
//! replacement of clients. Moves are judged on the penalised cost (time warp and excess load
//! priced, a left-out client costing its prize).
use std::time::Instant;

use super::data::Data;
use super::plan::{fwd, Penalties, Piece, Plan};
use super::rng::Rng;

mod insertion;
mod moves;

/// Improvements smaller than this are rounding, not progress (and would let moves cycle).
const EPSILON: f64 = 1e-3;

/// From this many clients on, a client is inserted next to its neighbours only.
const NEAR_INSERTION_FROM: usize = 200;

pub struct LocalSearch<'d, 'p> {
    data: &'d Data<'p>,
    pub plan: Plan,
    pen: Penalties,
    step: u64,
    tested: Vec<u64>,
    removed_at: Vec<u64>,
    neighbours: Vec<Vec<usize>>,
    order: Vec<usize>,
    deadline: Instant,
}

impl<'d, 'p> LocalSearch<'d, 'p> {
    pub fn new(data: &'d Data<'p>, deadline: Instant) -> LocalSearch<'d, 'p> {
        LocalSearch {
            data,
            plan: Plan::new(data),
            pen: Penalties {
                time_warp: 1.0,
                load: 1.0,
            },
            step: 1,
            tested: vec![0; data.n],
            removed_at: vec![0; data.n],
            neighbours: data.neighbours.clone(),
            order: (0..data.n).collect(),
            deadline,
        }
    }

    pub fn load(&mut self, orders: &[Vec<usize>]) {
        self.step += 1;
        self.plan.load(self.data, orders, self.step);
        self.tested.iter_mut().for_each(|t| *t = 0);
        self.removed_at.iter_mut().for_each(|t| *t = self.step);
    }

    /// Loads a crossover's child. Pairs of clients both on routes kept whole from an educated
    /// parent were searched when that parent was: they count as tested, so the search looks only
    /// at what the crossover changed (on a large instance, most routes are kept).
    pub fn load_child(&mut self, orders: &[Vec<usize>], kept: &[bool]) {
        self.load(orders);
        let searched = self.step;
        self.step += 1;
        for (r, route) in self.plan.routes.iter_mut().enumerate() {
            if kept.get(r).copied().unwrap_or(false) {
                for &c in &route.clients {
                    self.tested[c] = searched;
                }
            } else {
                route.modified = self.step;
            }
        }
    }

    fn route_cost(&self, r: usize) -> f64 {
        let route = &self.plan.routes[r];
        route.eval().cost(self.pen, self.data.capacity[route.shift])
    }

    /// Applies the change if it lowers the penalised cost; `prize` is what it adds in prizes of
    /// left-out clients (negative when it places one).
    fn attempt(&mut self, changes: &[(usize, &[Piece])], prize: f64) -> bool {
        // Time warp and excess load only add to a route's cost: a move whose new routes' distance
        // and continuity (and excess load) alone cost no less than it saves is rejected before
        // its time warp is worked out.
        let mut delta = prize;
        // A move changes one route or two.
        let mut driven = [false; 2];
        for (i, &(r, pieces)) in changes.iter().enumerate() {
            let Some((e, clients)) = self.plan.figures(self.data, r, pieces) else {
                return false;
            };
            driven[i] = clients > 0;
            delta += e.cost(self.pen, self.data.capacity[r]) - self.route_cost(r);
        }
        if delta >= -EPSILON {
            return false;
        }
        for (i, &(_, pieces)) in changes.iter().enumerate() {
            if !driven[i] {
                continue;
            }
            delta += self.pen.time_warp * self.plan.time_warp(self.data, pieces) as f64;
            if delta >= -EPSILON {
                return false;
            }
        }
        self.step += 1;
        let before: Vec<usize> = changes
            .iter()
            .flat_map(|(r, _)| self.plan.routes[*r].clients.iter().copied())
            .collect();
        self.plan.apply(self.data, changes, self.step);
        for c in before {
            if self.plan.at[c].is_none() {
                self.removed_at[c] = self.step;
            }
        }
        true
    }

    /// Runs until no move improves (or the deadline passes).
    pub fn improve(&mut self, pen: Penalties, rng: &mut Rng) {
        self.pen = pen;
        for list in &mut self.neighbours {
            rng.shuffle(list);
        }
        loop {
            let mut improved = false;
            rng.shuffle(&mut self.order);
            for i in 0..self.order.len() {
                if i % 16 == 0 && Instant::now() >= self.deadline {
                    return;
                }
                let u = self.order[i];
                let started = self.step;
                for j in 0..self.neighbours[u].len() {
                    let v = self.neighbours[u][j];
                    if self.pair(u, v) {
                        improved = true;
                    }
                }
                if self.alone(u) {
                    improved = true;
                }
                self.tested[u] = started;
            }
            if !improved {
                return;
            }
        }
    }

    fn stale(&self, u: usize, ru: Option<usize>, rv: usize) -> bool {
        let t = self.tested[u];
        let u_changed = match ru {
            Some(r) => self.plan.routes[r].modified,
            None => self.removed_at[u],
        };
        t >= u_changed && t >= self.plan.routes[rv].modified
    }

    fn pair(&mut self, u: usize, v: usize) -> bool {
        let Some((rv, pv)) = self.plan.at[v] else {
            return false;
        };
        match self.plan.at[u] {
            None => {
                if self.stale(u, None, rv) {
                    return false;
                }
                let prize = self.data.prize[u];
                let kv = self.plan.routes[rv].len();
                let insert = |after: usize| {
                    [
                        fwd(rv, 0, after),
                        Piece::Node(u),
                        fwd(rv, after + 1, kv + 1),
                    ]
                };
                if self.attempt(&[(rv, &insert(pv))], -prize) {
                    return true;
                }
                if pv == 1 && self.attempt(&[(rv, &insert(0))], -prize) {
                    return true;
                }
                let replace = [fwd(rv, 0, pv - 1), Piece::Node(u), fwd(rv, pv + 1, kv + 1)];
                self.attempt(&[(rv, &replace)], self.data.prize[v] - prize)
            }
            Some((ru, pu)) => {
                if self.stale(u, Some(ru), rv) {
                    return false;
                }
                if self.moves(u, ru, pu, rv, pv) {
                    return true;
                }
                pv == 1 && self.moves(u, ru, pu, rv, 0)
            }
        }
    }
}

impl LocalSearch<'_, '_> {
    /// Replaces the plan with the greedy feasible one.
    pub fn greedy(&mut self) {
        self.step += 1;
        super::construct::greedy(self.data, &mut self.plan, self.step);
        self.tested.iter_mut().for_each(|t| *t = 0);
        self.removed_at.iter_mut().for_each(|t| *t = self.step);
    }
}
