//! The problem as the search sees it: clients (the candidate visits, renumbered 0..n), a start
//! and an end node per shift, which shift may take which client, continuity costs, the prize of
//! placing each client, and each client's granular neighbours.
use crate::planning::optimiser::model::{Problem, TravelMatrix};

/// A stop: a client (service with a start window) or a shift's depot (window = the shift).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// The stop's place among the places of this search (0..places), not the problem's.
    pub place: usize,
    pub service: i64,
    pub early: i64,
    pub late: i64,
    pub demand: i64,
}

pub struct Data<'p> {
    travel: &'p TravelMatrix,
    /// Per place of this search, the problem's place.
    places: Vec<usize>,
    /// Distance and travel time between this search's places, side by side and in 32 bits: a
    /// move's cost reads both for each arc it makes, and at 1,000 clients the problem's two
    /// 64-bit matrices (16 MB) missed the cache on most reads (46% of the time in evaluating
    /// moves at 400 clients). Empty when a figure does not fit (then the problem's matrices).
    arcs: Vec<(i32, i32)>,
    /// Client -> the problem's visit index.
    pub visits: Vec<usize>,
    /// Clients `0..n`, then per shift `s` its start (`n + 2s`) and end (`n + 2s + 1`).
    pub nodes: Vec<Node>,
    pub n: usize,
    pub m: usize,
    allowed: Vec<bool>,
    pub all_allowed: bool,
    cont: Vec<i64>,
    pub has_cont: bool,
    /// Per shift; `i64::MAX` when unlimited.
    pub capacity: Vec<i64>,
    /// What leaving a client out costs: more than any travel it could save.
    pub prize: Vec<f64>,
    /// Per client, the weight its absence counts in the plan's first objective.
    pub weight: Vec<u64>,
    /// Shifts with the same group are interchangeable (same places, times, skills, capacity).
    pub group: Vec<usize>,
    pub neighbours: Vec<Vec<usize>>,
    pub max_dist: i64,
    pub max_demand: i64,
}

impl<'p> Data<'p> {
    pub fn new(problem: &'p Problem, candidates: &[usize], granular: usize) -> Data<'p> {
        let travel = problem.travel();
        let visits: Vec<usize> = candidates.to_vec();
        let (n, m) = (visits.len(), problem.shifts().len());
        let mut nodes: Vec<Node> = visits
            .iter()
            .map(|&v| {
                let visit = &problem.visits()[v];
                let window = visit.start_window();
                Node {
                    place: visit.place,
                    service: visit.duration,
                    early: window.earliest_start,
                    late: window.latest_start,
                    demand: visit.demand,
                }
            })
            .collect();
        for s in problem.shifts() {
            for place in [s.start_place, s.end_place] {
                nodes.push(Node {
                    place,
                    service: 0,
                    early: s.starts_at,
                    late: s.ends_at,
                    demand: 0,
                });
            }
        }
        let mut places: Vec<usize> = nodes.iter().map(|n| n.place).collect();
        places.sort_unstable();
        places.dedup();
        for node in &mut nodes {
            node.place = places.binary_search(&node.place).unwrap_or(0);
        }
        let arcs = compact_arcs(travel, &places);
        let allowed: Vec<bool> = (0..m)
            .flat_map(|s| visits.iter().map(move |&v| (s, v)))
            .map(|(s, v)| problem.may_serve(s, v))
            .collect();
        let all_allowed = allowed.iter().all(|a| *a);
        let has_cont = problem.has_preferences();
        let cont = if has_cont {
            (0..m)
                .flat_map(|s| visits.iter().map(move |&v| (s, v)))
                .map(|(s, v)| problem.continuity_penalty(s, v))
                .collect()
        } else {
            vec![]
        };
        let capacity = problem
            .shifts()
            .iter()
            .map(|s| match s.capacity {
                Some(c) if problem.has_capacities() => c,
                _ => i64::MAX,
            })
            .collect();
        let mut max_dist = 0;
        for &a in &places {
            for &b in &places {
                max_dist = max_dist.max(travel.distance(a, b));
            }
        }
        // Dropping a client saves at most a detour of twice the longest arc and a continuity
        // penalty; the prize outweighs that, so placing comes first.
        let unit = (2 * max_dist + problem.continuity_weight() + 1) as f64;
        let total_priority: u64 = visits
            .iter()
            .map(|&v| u64::from(problem.visits()[v].priority))
            .sum();
        let weight: Vec<u64> = visits
            .iter()
            .map(|&v| {
                let visit = &problem.visits()[v];
                match visit.pinned {
                    // A pin outweighs every free visit together.
                    Some(_) => total_priority + 1,
                    None => u64::from(visit.priority),
                }
            })
            .collect();
        let prize = weight.iter().map(|&w| w as f64 * unit).collect();
        let max_demand = nodes.iter().map(|n| n.demand).max().unwrap_or(0);
        let mut data = Data {
            travel,
            places,
            arcs,
            visits,
            nodes,
            n,
            m,
            allowed,
            all_allowed,
            cont,
            has_cont,
            capacity,
            prize,
            weight,
            group: problem.shift_groups(),
            neighbours: vec![],
            max_dist,
            max_demand,
        };
        data.neighbours = data.granular(granular);
        data
    }

    pub fn start(&self, shift: usize) -> usize {
        self.n + 2 * shift
    }

    pub fn end(&self, shift: usize) -> usize {
        self.n + 2 * shift + 1
    }

    pub fn allowed(&self, shift: usize, client: usize) -> bool {
        self.all_allowed || self.allowed[shift * self.n + client]
    }

    pub fn cont(&self, shift: usize, client: usize) -> i64 {
        if self.has_cont {
            self.cont[shift * self.n + client]
        } else {
            0
        }
    }

    pub fn dist(&self, a: usize, b: usize) -> i64 {
        let (from, to) = (self.nodes[a].place, self.nodes[b].place);
        if self.arcs.is_empty() {
            self.travel.distance(self.places[from], self.places[to])
        } else {
            i64::from(self.arcs[from * self.places.len() + to].0)
        }
    }

    /// Travel time between two places (segments carry places, not nodes).
    pub fn time(&self, from_place: usize, to_place: usize) -> i64 {
        if self.arcs.is_empty() {
            self.travel
                .duration(self.places[from_place], self.places[to_place])
        } else {
            i64::from(self.arcs[from_place * self.places.len() + to_place].1)
        }
    }

    /// Each client's nearest clients by PyVRP's correlation: travel, plus a fifth of the wait
    /// and all of the time warp that going from one to the other would cause, the smaller of the
    /// two directions. Pairs no shift may take together are no neighbours.
    fn granular(&self, k: usize) -> Vec<Vec<usize>> {
        let n = self.n;
        let directed = |i: usize, j: usize| -> f64 {
            let (a, b) = (&self.nodes[i], &self.nodes[j]);
            let t = self.time(a.place, b.place);
            let wait = (b.early - a.service - t - a.late).max(0);
            let warp = (a.early + a.service + t - b.late).max(0);
            self.dist(i, j) as f64 + 0.2 * wait as f64 + warp as f64
        };
        (0..n)
            .map(|i| {
                let mut near: Vec<(f64, usize)> = (0..n)
                    .filter(|&j| j != i && self.share_a_shift(i, j))
                    .map(|j| (directed(i, j).min(directed(j, i)), j))
                    .collect();
                near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                near.truncate(k);
                near.into_iter().map(|(_, j)| j).collect()
            })
            .collect()
    }

    fn share_a_shift(&self, i: usize, j: usize) -> bool {
        self.all_allowed || (0..self.m).any(|s| self.allowed(s, i) && self.allowed(s, j))
    }
}

/// (distance, time) between every two of `places`, row by row, or nothing if one does not fit
/// in 32 bits.
fn compact_arcs(travel: &TravelMatrix, places: &[usize]) -> Vec<(i32, i32)> {
    let mut arcs = Vec::with_capacity(places.len() * places.len());
    for &a in places {
        for &b in places {
            match (
                i32::try_from(travel.distance(a, b)),
                i32::try_from(travel.duration(a, b)),
            ) {
                (Ok(d), Ok(t)) => arcs.push((d, t)),
                _ => return vec![],
            }
        }
    }
    arcs
}
