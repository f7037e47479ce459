//! Our own hybrid genetic search (after Vidal's HGS-CVRP and PyVRP) behind [`Search`]: a
//! population of plans, SREX crossover, local search with time-warp and load penalties managed
//! towards a target share of feasible offspring, survivor selection by cost and diversity, and
//! restarts when stuck. One thread, its own seeded random source: with an iteration bound the
//! same seed gives the same routes. Only a plan that keeps every rule is ever returned.
use std::time::{Duration, Instant};

use super::model::Problem;
use super::{Search, SolveError, SolveOptions};

mod construct;
mod crossover;
mod data;
mod individual;
mod local_search;
mod params;
mod plan;
mod population;
mod rng;
mod segment;

#[cfg(test)]
mod large_tests;
#[cfg(test)]
mod move_tests;
#[cfg(test)]
mod tests;

use data::Data;
use individual::Individual;
use local_search::LocalSearch;
pub use params::Params;
use plan::Penalties;
use population::Population;
use rng::Rng;

/// The hybrid genetic search behind the [`Search`] seam.
#[derive(Debug, Clone, Default)]
pub struct Hgs {
    pub params: Params,
}

impl Search for Hgs {
    fn name(&self) -> &'static str {
        "hgs"
    }

    fn search(
        &self,
        problem: &Problem,
        candidates: &[usize],
        options: &SolveOptions,
    ) -> Result<Vec<Vec<usize>>, SolveError> {
        if candidates.is_empty() || problem.shifts().is_empty() {
            return Ok(vec![vec![]; problem.shifts().len()]);
        }
        // The fields are public, so the limit may be anything: a sum past the clock's range means
        // no time limit, not a panic.
        let now = Instant::now();
        let deadline = now
            .checked_add(options.time_limit)
            .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 3600)))
            .unwrap_or(now);
        let params = self.params.sized(candidates.len(), problem.shifts().len());
        let data = Data::new(problem, candidates, params.granular);
        let mut run = Run::new(&data, &params, options, deadline);
        let (best, fallback) = run.solve();
        let visits = |ind: &Individual| -> Vec<Vec<usize>> {
            ind.routes
                .iter()
                .map(|r| r.iter().map(|&c| data.visits[c]).collect())
                .collect()
        };
        let keeps_rules = |orders: &[Vec<usize>]| {
            orders
                .iter()
                .enumerate()
                .all(|(s, order)| order.is_empty() || problem.schedule(s, order).is_ok())
        };
        // The search's own reading of time and load agrees with the model's by construction;
        // this check makes a disagreement cost quality, never a broken plan.
        for ind in [best, Some(fallback)].into_iter().flatten() {
            let orders = visits(&ind);
            if keeps_rules(&orders) {
                return Ok(orders);
            }
        }
        Ok(vec![vec![]; problem.shifts().len()])
    }
}

struct Run<'d, 'p> {
    data: &'d Data<'p>,
    params: &'d Params,
    max_iterations: Option<usize>,
    deadline: Instant,
    rng: Rng,
    ls: LocalSearch<'d, 'p>,
    pen: Penalties,
    population: Population,
    best: Option<Individual>,
    /// Per offspring since the last penalty update: (no time warp, no excess load).
    recent: Vec<(bool, bool)>,
    iterations: usize,
    /// The iteration of the last better plan since the last restart, and since the start.
    improved_at: usize,
    best_at: usize,
    stall_limit: Option<usize>,
}

const MIN_PENALTY: f64 = 0.1;
/// The fewest random plans the population starts from (at 1,000 clients and more).
const MIN_INITIAL: usize = 10;
const MAX_PENALTY: f64 = 100_000.0;

impl<'d, 'p> Run<'d, 'p> {
    fn new(
        data: &'d Data<'p>,
        params: &'d Params,
        options: &SolveOptions,
        deadline: Instant,
    ) -> Run<'d, 'p> {
        let load = if data.max_demand > 0 {
            (data.max_dist as f64 / data.max_demand as f64).clamp(MIN_PENALTY, 1000.0)
        } else {
            1.0
        };
        Run {
            data,
            params,
            max_iterations: options.max_generations,
            deadline,
            rng: Rng::new(options.seed),
            ls: LocalSearch::new(data, deadline),
            pen: Penalties {
                time_warp: 1.0,
                load,
            },
            population: Population::default(),
            best: None,
            recent: vec![],
            iterations: 0,
            improved_at: 0,
            best_at: 0,
            stall_limit: options.stall_limit,
        }
    }

    fn stopped(&self) -> bool {
        self.max_iterations.is_some_and(|m| self.iterations >= m)
            || self
                .stall_limit
                .is_some_and(|n| self.iterations - self.best_at >= n.max(self.best_at))
            || Instant::now() >= self.deadline
    }

    /// The best feasible plan found (if any) and the greedy one.
    fn solve(&mut self) -> (Option<Individual>, Individual) {
        let started = Instant::now();
        self.ls.greedy();
        let greedy = Individual::from_plan(self.data, &self.ls.plan);
        self.consider(&greedy);
        self.educate();
        self.initialise();
        let initialised = started.elapsed();
        while !self.stopped() {
            self.iterations += 1;
            self.offspring();
            if self.recent.len() >= self.params.penalty_interval {
                self.update_penalties();
            }
            if self.iterations - self.improved_at > self.params.restart_after {
                self.population.clear();
                self.initialise();
                self.improved_at = self.iterations;
            }
        }
        if std::env::var_os("CARELINK_HGS_TRACE").is_some() {
            eprintln!(
                "hgs: {} clients, {} shifts; initialised in {:.2} s; {} offspring in {:.2} s; best at offspring {} ({:?})",
                self.data.n,
                self.data.m,
                initialised.as_secs_f64(),
                self.iterations,
                started.elapsed().as_secs_f64(),
                self.best_at,
                self.best.as_ref().map(|b| b.key()),
            );
        }
        (self.best.take(), greedy)
    }

    /// Random plans, each educated: every client on a random shift that may take it. Educating
    /// a random plan costs more than linearly in the clients (0.45 s at 1,000, where 100 of them
    /// took 45 s of a 60 s run), so a large instance starts from fewer, down to 10 at 1,000
    /// clients, and never spends more than a fifth of its time on them unless the run is bounded
    /// by iterations (where the same seed must give the same plan).
    fn initialise(&mut self) {
        let data = self.data;
        let mut clients: Vec<usize> = (0..data.n).collect();
        let count = (self.params.initial * 100 / data.n.max(1))
            .clamp(self.params.initial.min(MIN_INITIAL), self.params.initial);
        let started = Instant::now();
        let share = self.deadline.saturating_duration_since(started) / 5;
        for i in 0..count {
            if self.stopped()
                || (i >= MIN_INITIAL.min(count)
                    && self.max_iterations.is_none()
                    && started.elapsed() > share)
            {
                return;
            }
            self.rng.shuffle(&mut clients);
            let mut routes = vec![vec![]; data.m];
            for &c in &clients {
                let allowed: Vec<usize> = (0..data.m).filter(|&s| data.allowed(s, c)).collect();
                if let Some(&s) = allowed.get(self.rng.below(allowed.len())) {
                    routes[s].push(c);
                }
            }
            self.ls.load(&routes);
            self.educate();
        }
    }

    fn offspring(&mut self) {
        let (params, pen) = (self.params, self.pen);
        let Some((a, b)) = self.population.parents(params, pen, &mut self.rng) else {
            return;
        };
        let child = crossover::srex(self.data, a, b, &mut self.rng);
        self.ls.load_child(&child.routes, &child.kept);
        self.ls.insert_all(&child.missing, pen);
        self.educate();
    }

    /// Local search on the plan in hand, then into the population; an infeasible result is
    /// sometimes repaired under heavier penalties and added again.
    fn educate(&mut self) {
        let (data, params) = (self.data, self.params);
        self.ls.improve(self.pen, &mut self.rng);
        let ind = Individual::from_plan(data, &self.ls.plan);
        self.recent.push((ind.time_warp == 0, ind.excess == 0));
        let feasible = ind.is_feasible();
        self.consider(&ind);
        self.population.add(ind, params, self.pen);
        if feasible || self.rng.unit() >= params.repair_probability {
            return;
        }
        for factor in [10.0, 100.0] {
            self.ls.improve(self.pen.scaled(factor), &mut self.rng);
            let repaired = Individual::from_plan(data, &self.ls.plan);
            if repaired.is_feasible() {
                self.consider(&repaired);
                self.population.add(repaired, params, self.pen);
                return;
            }
        }
    }

    fn consider(&mut self, ind: &Individual) {
        if !ind.is_feasible() {
            return;
        }
        if self.best.as_ref().is_none_or(|b| ind.key() < b.key()) {
            self.best = Some(ind.clone());
            self.improved_at = self.iterations;
            self.best_at = self.iterations;
        }
    }

    /// Raises a penalty when too few offspring keep its rule, lowers it when too many do.
    fn update_penalties(&mut self) {
        let share = |pick: fn(&(bool, bool)) -> bool, recent: &[(bool, bool)]| {
            recent.iter().filter(|r| pick(r)).count() as f64 / recent.len().max(1) as f64
        };
        let target = self.params.target_feasible;
        let adjust = |penalty: f64, share: f64| -> f64 {
            let p = if share < target - 0.05 {
                penalty * self.params.penalty_increase
            } else if share > target + 0.05 {
                penalty * self.params.penalty_decrease
            } else {
                penalty
            };
            p.clamp(MIN_PENALTY, MAX_PENALTY)
        };
        self.pen.time_warp = adjust(self.pen.time_warp, share(|r| r.0, &self.recent));
        if self.data.max_demand > 0 {
            self.pen.load = adjust(self.pen.load, share(|r| r.1, &self.recent));
        }
        self.recent.clear();
    }
}
