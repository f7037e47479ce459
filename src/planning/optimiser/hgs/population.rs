//! The population: a feasible and an infeasible subpopulation, each ranked by biased fitness
//! (cost rank plus diversity rank, HGS-CVRP), trimmed back to `mu` after `lambda` offspring by
//! removing clones first, then the worst.
use super::individual::Individual;
use super::params::Params;
use super::plan::Penalties;
use super::rng::Rng;

#[derive(Default)]
pub struct SubPopulation {
    pub members: Vec<Individual>,
    /// Broken-pairs distances between members (symmetric).
    distances: Vec<Vec<f64>>,
}

impl SubPopulation {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn clear(&mut self) {
        self.members.clear();
        self.distances.clear();
    }

    pub fn add(&mut self, ind: Individual, params: &Params, pen: Penalties) {
        let row: Vec<f64> = self.members.iter().map(|m| m.distance(&ind)).collect();
        for (d, existing) in row.iter().zip(self.distances.iter_mut()) {
            existing.push(*d);
        }
        let mut own = row;
        own.push(0.0);
        self.distances.push(own);
        self.members.push(ind);
        if self.members.len() > params.mu + params.lambda {
            while self.members.len() > params.mu {
                let fitness = self.fitness(params, pen);
                let worst = |candidates: &mut dyn Iterator<Item = usize>| {
                    candidates.max_by(|&a, &b| fitness[a].total_cmp(&fitness[b]).then(a.cmp(&b)))
                };
                let clones = &mut (0..self.members.len()).filter(|&i| self.has_clone(i));
                let victim = worst(clones).or_else(|| worst(&mut (0..self.members.len())));
                match victim {
                    Some(i) => self.remove(i),
                    None => break,
                }
            }
        }
    }

    fn has_clone(&self, i: usize) -> bool {
        self.distances[i]
            .iter()
            .enumerate()
            .any(|(j, d)| j != i && *d < 1e-9)
    }

    fn remove(&mut self, i: usize) {
        self.members.remove(i);
        self.distances.remove(i);
        for row in &mut self.distances {
            row.remove(i);
        }
    }

    /// Biased fitness, lower is better: the cost rank plus, weighted, the rank of the average
    /// distance to the `close` nearest members (more diverse ranks better).
    pub fn fitness(&self, params: &Params, pen: Penalties) -> Vec<f64> {
        let n = self.members.len();
        if n <= 1 {
            return vec![0.0; n];
        }
        let costs: Vec<f64> = self.members.iter().map(|m| m.penalised(pen)).collect();
        let mut by_cost: Vec<usize> = (0..n).collect();
        by_cost.sort_by(|&a, &b| costs[a].total_cmp(&costs[b]).then(a.cmp(&b)));
        let diversity: Vec<f64> = (0..n)
            .map(|i| {
                let mut d: Vec<f64> = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| self.distances[i][j])
                    .collect();
                d.sort_by(|a, b| a.total_cmp(b));
                let k = params.close.min(d.len()).max(1);
                d.iter().take(k).sum::<f64>() / k as f64
            })
            .collect();
        let mut by_diversity: Vec<usize> = (0..n).collect();
        by_diversity.sort_by(|&a, &b| diversity[b].total_cmp(&diversity[a]).then(a.cmp(&b)));
        let mut fitness = vec![0.0; n];
        let scale = (n - 1) as f64;
        let weight = if n <= params.elite {
            0.0
        } else {
            1.0 - params.elite as f64 / n as f64
        };
        for (rank, &i) in by_cost.iter().enumerate() {
            fitness[i] += rank as f64 / scale;
        }
        for (rank, &i) in by_diversity.iter().enumerate() {
            fitness[i] += weight * rank as f64 / scale;
        }
        fitness
    }
}

#[derive(Default)]
pub struct Population {
    pub feasible: SubPopulation,
    pub infeasible: SubPopulation,
}

impl Population {
    pub fn add(&mut self, ind: Individual, params: &Params, pen: Penalties) {
        if ind.is_feasible() {
            self.feasible.add(ind, params, pen);
        } else {
            self.infeasible.add(ind, params, pen);
        }
    }

    pub fn len(&self) -> usize {
        self.feasible.len() + self.infeasible.len()
    }

    pub fn clear(&mut self) {
        self.feasible.clear();
        self.infeasible.clear();
    }

    /// Two parents, each the winner of a binary tournament on biased fitness over both
    /// subpopulations; the second differs from the first when a few draws allow.
    pub fn parents(
        &self,
        params: &Params,
        pen: Penalties,
        rng: &mut Rng,
    ) -> Option<(&Individual, &Individual)> {
        let f_fit = self.feasible.fitness(params, pen);
        let i_fit = self.infeasible.fitness(params, pen);
        let total = self.len();
        if total == 0 {
            return None;
        }
        let pick = |i: usize| -> (f64, usize) {
            if i < f_fit.len() {
                (f_fit[i], i)
            } else {
                (i_fit[i - f_fit.len()], i)
            }
        };
        let tournament = |rng: &mut Rng| {
            let (a, b) = (pick(rng.below(total)), pick(rng.below(total)));
            if b.0 < a.0 {
                b.1
            } else {
                a.1
            }
        };
        let first = tournament(rng);
        let mut second = first;
        for _ in 0..10 {
            second = tournament(rng);
            if second != first {
                break;
            }
        }
        let get = |i: usize| -> &Individual {
            if i < f_fit.len() {
                &self.feasible.members[i]
            } else {
                &self.infeasible.members[i - f_fit.len()]
            }
        };
        Some((get(first), get(second)))
    }
}
