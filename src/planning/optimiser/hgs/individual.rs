//! A solution in the population: routes per shift, its figures, and the neighbours of each
//! client (for the broken-pairs distance between two solutions).
use super::data::Data;
use super::plan::{Penalties, Plan};

#[derive(Debug, Clone)]
pub struct Individual {
    /// Per shift, clients in visiting order.
    pub routes: Vec<Vec<usize>>,
    pub dist: i64,
    pub cont: i64,
    pub time_warp: i64,
    pub excess: i64,
    /// Prizes of the clients left out (penalised-cost units).
    pub missed_prize: f64,
    /// Weights of the clients left out (the plan's first objective).
    pub missed_weight: u64,
    succ: Vec<usize>,
    pred: Vec<usize>,
}

impl Individual {
    pub fn from_plan(data: &Data, plan: &Plan) -> Individual {
        let (depot, out) = (data.n, data.n + 1);
        let mut ind = Individual {
            routes: plan.routes.iter().map(|r| r.clients.clone()).collect(),
            dist: 0,
            cont: 0,
            time_warp: 0,
            excess: 0,
            missed_prize: 0.0,
            missed_weight: 0,
            succ: vec![out; data.n],
            pred: vec![out; data.n],
        };
        for route in &plan.routes {
            let e = route.eval();
            ind.dist += e.dist;
            ind.cont += e.cont;
            ind.time_warp += e.time_warp;
            ind.excess += e.excess(data.capacity[route.shift]);
            let c = &route.clients;
            for (i, &client) in c.iter().enumerate() {
                ind.pred[client] = if i == 0 { depot } else { c[i - 1] };
                ind.succ[client] = c.get(i + 1).copied().unwrap_or(depot);
            }
        }
        for (client, at) in plan.at.iter().enumerate() {
            if at.is_none() {
                ind.missed_prize += data.prize[client];
                ind.missed_weight += data.weight[client];
            }
        }
        ind
    }

    pub fn is_feasible(&self) -> bool {
        self.time_warp == 0 && self.excess == 0
    }

    pub fn penalised(&self, pen: Penalties) -> f64 {
        (self.dist + self.cont) as f64
            + self.missed_prize
            + pen.time_warp * self.time_warp as f64
            + pen.load * self.excess as f64
    }

    /// The plan's own order: most weight placed, then least distance and continuity penalty.
    pub fn key(&self) -> (u64, i64) {
        (self.missed_weight, self.dist + self.cont)
    }

    /// Broken-pairs distance (HGS-CVRP): the share of clients whose neighbours differ; a client
    /// placed in one and left out in the other counts as broken.
    pub fn distance(&self, other: &Individual) -> f64 {
        let n = self.succ.len();
        if n == 0 {
            return 0.0;
        }
        let (depot, out) = (n, n + 1);
        let mut broken = 0usize;
        for j in 0..n {
            let (sa, pa, sb, pb) = (self.succ[j], self.pred[j], other.succ[j], other.pred[j]);
            if sa == out || sb == out {
                broken += usize::from((sa == out) != (sb == out));
                continue;
            }
            if sa != sb && sa != pb {
                broken += 1;
            }
            if pa == depot && pb != depot && sb != depot {
                broken += 1;
            }
        }
        broken as f64 / n as f64
    }
}
