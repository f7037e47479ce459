//! The search's settings, after HGS-CVRP (Vidal 2022) and PyVRP's defaults.

#[derive(Debug, Clone)]
pub struct Params {
    /// Granular neighbourhood: each client is moved next to its nearest clients only.
    pub granular: usize,
    /// Smallest size of each subpopulation (feasible, infeasible).
    pub mu: usize,
    /// Offspring added before survivor selection shrinks a subpopulation back to `mu`.
    pub lambda: usize,
    /// Individuals protected by cost alone in the biased fitness.
    pub elite: usize,
    /// Closest individuals that make up an individual's diversity contribution.
    pub close: usize,
    /// Random individuals that seed the population (and each restart).
    pub initial: usize,
    /// The share of offspring that should come out of local search feasible.
    pub target_feasible: f64,
    pub penalty_increase: f64,
    pub penalty_decrease: f64,
    /// Offspring between penalty updates.
    pub penalty_interval: usize,
    /// Iterations without a better feasible plan before the population restarts.
    pub restart_after: usize,
    /// Chance that an infeasible offspring is repaired with heavier penalties.
    pub repair_probability: f64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            granular: 40,
            mu: 25,
            lambda: 40,
            elite: 4,
            close: 5,
            initial: 100,
            target_feasible: 0.43,
            penalty_increase: 1.2,
            penalty_decrease: 0.85,
            penalty_interval: 100,
            restart_after: 20_000,
            repair_probability: 0.5,
        }
    }
}
