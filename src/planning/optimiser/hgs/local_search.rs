//! The education step: first-improvement local search over granular neighbourhoods with
//! relocate (1 and 2 clients, either order), swap (1-1, 2-1, 2-2), 2-opt within a route and
//! 2-opt* between routes, plus, since not every visit must be placed, insertion, removal and
//! replacement of clients. Moves are judged on the penalised cost (time warp and excess load
//! priced, a left-out client costing its prize).
use std::time::Instant;

use super::data::Data;
use super::plan::{fwd, Penalties, Piece, Plan};
use super::rng::Rng;

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

    /// Every move of `u` (at `pu` in `ru`) against the stop at `pv` of `rv` (0: the start).
    fn moves(&mut self, u: usize, ru: usize, pu: usize, rv: usize, pv: usize) -> bool {
        let (ku, kv) = (self.plan.routes[ru].len(), self.plan.routes[rv].len());
        if self.relocate(u, ru, pu, rv, pv, 1, false)
            || (pu < ku && self.relocate(u, ru, pu, rv, pv, 2, false))
            || (pu < ku && self.relocate(u, ru, pu, rv, pv, 2, true))
        {
            return true;
        }
        if ru != rv {
            if pv >= 1 {
                let one_one = self.swap(ru, pu, 1, rv, pv, 1);
                if one_one
                    || (pu < ku && self.swap(ru, pu, 2, rv, pv, 1))
                    || (pu < ku && pv < kv && self.swap(ru, pu, 2, rv, pv, 2))
                {
                    return true;
                }
            }
            return self.two_opt_star(ru, pu, rv, pv);
        }
        if pv >= 1 && self.swap_within(ru, pu, pv) {
            return true;
        }
        self.two_opt(ru, pu.min(pv), pu.max(pv))
    }

    /// Moves `len` clients from `pu` (reversed if asked) to after `pv`.
    #[allow(clippy::too_many_arguments)]
    fn relocate(
        &mut self,
        u: usize,
        ru: usize,
        pu: usize,
        rv: usize,
        pv: usize,
        len: usize,
        reversed: bool,
    ) -> bool {
        let ku = self.plan.routes[ru].len();
        let last = pu + len - 1;
        let moved = if len == 1 {
            Piece::Node(u)
        } else if reversed {
            Piece::Rev {
                route: ru,
                from: pu,
                to: last,
            }
        } else {
            fwd(ru, pu, last)
        };
        if ru != rv {
            let kv = self.plan.routes[rv].len();
            let from_u = [fwd(ru, 0, pu - 1), fwd(ru, last + 1, ku + 1)];
            let to_v = [fwd(rv, 0, pv), moved, fwd(rv, pv + 1, kv + 1)];
            return self.attempt(&[(ru, &from_u), (rv, &to_v)], 0.0);
        }
        let r = ru;
        if pv + 1 == pu && reversed && len == 2 {
            let pieces = [fwd(r, 0, pu - 1), moved, fwd(r, last + 1, ku + 1)];
            return self.attempt(&[(r, &pieces)], 0.0);
        }
        if pv + 1 >= pu && pv <= last {
            return false;
        }
        let pieces = if pv < pu {
            [
                fwd(r, 0, pv),
                moved,
                fwd(r, pv + 1, pu - 1),
                fwd(r, last + 1, ku + 1),
            ]
        } else {
            [
                fwd(r, 0, pu - 1),
                fwd(r, last + 1, pv),
                moved,
                fwd(r, pv + 1, ku + 1),
            ]
        };
        self.attempt(&[(r, &pieces)], 0.0)
    }

    /// Exchanges `lu` clients from `pu` of `ru` with `lv` clients from `pv` of `rv` (two routes).
    fn swap(&mut self, ru: usize, pu: usize, lu: usize, rv: usize, pv: usize, lv: usize) -> bool {
        let (ku, kv) = (self.plan.routes[ru].len(), self.plan.routes[rv].len());
        let (eu, ev) = (pu + lu - 1, pv + lv - 1);
        let new_u = [fwd(ru, 0, pu - 1), fwd(rv, pv, ev), fwd(ru, eu + 1, ku + 1)];
        let new_v = [fwd(rv, 0, pv - 1), fwd(ru, pu, eu), fwd(rv, ev + 1, kv + 1)];
        self.attempt(&[(ru, &new_u), (rv, &new_v)], 0.0)
    }

    /// Exchanges the clients at two positions of one route.
    fn swap_within(&mut self, r: usize, pa: usize, pb: usize) -> bool {
        let (a, b) = (pa.min(pb), pa.max(pb));
        if a == b {
            return false;
        }
        let k = self.plan.routes[r].len();
        let (na, nb) = (
            self.plan.routes[r].clients[a - 1],
            self.plan.routes[r].clients[b - 1],
        );
        let pieces = [
            fwd(r, 0, a - 1),
            Piece::Node(nb),
            fwd(r, a + 1, b - 1),
            Piece::Node(na),
            fwd(r, b + 1, k + 1),
        ];
        self.attempt(&[(r, &pieces)], 0.0)
    }

    /// Reverses the clients after `a` up to `b` within one route.
    fn two_opt(&mut self, r: usize, a: usize, b: usize) -> bool {
        if b < a + 2 {
            return false;
        }
        let k = self.plan.routes[r].len();
        let pieces = [
            fwd(r, 0, a),
            Piece::Rev {
                route: r,
                from: a + 1,
                to: b,
            },
            fwd(r, b + 1, k + 1),
        ];
        self.attempt(&[(r, &pieces)], 0.0)
    }

    /// Exchanges the tails after `pu` of `ru` and after `pv` of `rv`.
    fn two_opt_star(&mut self, ru: usize, pu: usize, rv: usize, pv: usize) -> bool {
        let (ku, kv) = (self.plan.routes[ru].len(), self.plan.routes[rv].len());
        if pu == ku && pv == kv {
            return false;
        }
        let new_u = [fwd(ru, 0, pu), fwd(rv, pv + 1, kv), fwd(ru, ku + 1, ku + 1)];
        let new_v = [fwd(rv, 0, pv), fwd(ru, pu + 1, ku), fwd(rv, kv + 1, kv + 1)];
        self.attempt(&[(ru, &new_u), (rv, &new_v)], 0.0)
    }

    /// Moves of `u` that need no neighbour: leaving it out, or opening an empty route with it.
    fn alone(&mut self, u: usize) -> bool {
        if let Some((ru, pu)) = self.plan.at[u] {
            let ku = self.plan.routes[ru].len();
            let without = [fwd(ru, 0, pu - 1), fwd(ru, pu + 1, ku + 1)];
            if self.attempt(&[(ru, &without)], self.data.prize[u]) {
                return true;
            }
        }
        let mut tried_groups: Vec<usize> = vec![];
        for r in 0..self.plan.routes.len() {
            let group = self.data.group[r];
            if !self.plan.routes[r].is_empty()
                || tried_groups.contains(&group)
                || !self.data.allowed(r, u)
            {
                continue;
            }
            tried_groups.push(group);
            let alone = [fwd(r, 0, 0), Piece::Node(u), fwd(r, 1, 1)];
            let moved = match self.plan.at[u] {
                Some((ru, pu)) => {
                    let ku = self.plan.routes[ru].len();
                    if ku == 1 && self.data.group[ru] == group {
                        continue;
                    }
                    let without = [fwd(ru, 0, pu - 1), fwd(ru, pu + 1, ku + 1)];
                    self.attempt(&[(ru, &without), (r, &alone)], 0.0)
                }
                None => self.attempt(&[(r, &alone)], -self.data.prize[u]),
            };
            if moved {
                return true;
            }
        }
        false
    }

    /// Puts each client in at its cheapest place (penalised), or leaves it out when its prize
    /// is worth less than that place. On a large instance only the places next to the client's
    /// granular neighbours and an empty route are tried (all of them if none of those exists).
    pub fn insert_all(&mut self, clients: &[usize], pen: Penalties) {
        self.pen = pen;
        for &u in clients {
            if self.plan.at[u].is_some() {
                continue;
            }
            let near = if self.data.n > NEAR_INSERTION_FROM {
                self.cheapest_near(u)
            } else {
                None
            };
            if let Some((delta, r, p)) = near.or_else(|| self.cheapest_anywhere(u)) {
                if delta < self.data.prize[u] {
                    let k = self.plan.routes[r].len();
                    let pieces = [fwd(r, 0, p), Piece::Node(u), fwd(r, p + 1, k + 1)];
                    self.step += 1;
                    self.plan.apply(self.data, &[(r, &pieces)], self.step);
                }
            }
        }
    }

    /// The penalised cost of putting `u` after position `p` of route `r`.
    fn insertion(&self, u: usize, r: usize, p: usize) -> Option<f64> {
        let k = self.plan.routes[r].len();
        let pieces = [fwd(r, 0, p), Piece::Node(u), fwd(r, p + 1, k + 1)];
        let e = self.plan.eval(self.data, r, &pieces)?;
        Some(e.cost(self.pen, self.data.capacity[r]) - self.route_cost(r))
    }

    fn cheapest_anywhere(&self, u: usize) -> Option<(f64, usize, usize)> {
        let mut best: Option<(f64, usize, usize)> = None;
        for r in 0..self.plan.routes.len() {
            if !self.data.allowed(r, u) {
                continue;
            }
            for p in 0..=self.plan.routes[r].len() {
                if let Some(delta) = self.insertion(u, r, p) {
                    if best.is_none_or(|(d, _, _)| delta < d) {
                        best = Some((delta, r, p));
                    }
                }
            }
        }
        best
    }

    /// Before or after each placed neighbour, or alone on an empty route (one per group).
    fn cheapest_near(&self, u: usize) -> Option<(f64, usize, usize)> {
        let mut best: Option<(f64, usize, usize)> = None;
        let mut consider = |delta: Option<f64>, r: usize, p: usize| {
            if let Some(delta) = delta {
                if best.is_none_or(|(d, _, _)| delta < d) {
                    best = Some((delta, r, p));
                }
            }
        };
        for &v in &self.data.neighbours[u] {
            if let Some((rv, pv)) = self.plan.at[v] {
                consider(self.insertion(u, rv, pv - 1), rv, pv - 1);
                consider(self.insertion(u, rv, pv), rv, pv);
            }
        }
        let mut tried_groups: Vec<usize> = vec![];
        for r in 0..self.plan.routes.len() {
            let group = self.data.group[r];
            if self.plan.routes[r].is_empty()
                && !tried_groups.contains(&group)
                && self.data.allowed(r, u)
            {
                tried_groups.push(group);
                consider(self.insertion(u, r, 0), r, 0);
            }
        }
        best
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
