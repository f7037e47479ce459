//! The moves that place or leave out a client: removal, a route of its own, and the cheapest
//! insertion (next to its granular neighbours only on a large instance).
use super::super::plan::{fwd, Penalties, Piece};
use super::{LocalSearch, NEAR_INSERTION_FROM};

impl LocalSearch<'_, '_> {
    /// Moves of `u` that need no neighbour: leaving it out, or opening an empty route with it.
    pub(super) fn alone(&mut self, u: usize) -> bool {
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
