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

impl Params {
    /// The settings for `n` clients: up to 100 as they are; past that a smaller population
    /// (`mu` and `lambda` shrink with 100 / n, to 12 and 20 at 200 and 10 and 20 from 400 on),
    /// which in a search of a minute or less turns over often enough to converge. On GRC1, seed
    /// one, at equal offspring, 25/40 against a smaller one: 4,436.1 against 4,430.4 (12/20) at
    /// 200 clients and 3,000 offspring, 10,296.4 against 10,167.9 (12/20) at 400 and 1,400,
    /// and 34,145.2 against 33,817.7 (10/20) at 1,000 and 900.
    ///
    /// With short routes (`shifts` at least a third of `n`: a clinic's week with a lunch break has
    /// 50 shift parts for 150 visits) an offspring costs more, since a client may try every empty
    /// shift: there a smaller population, fewer starting plans and 20 neighbours turn over
    /// enough. On the generated clinic weeks of bench/week.sh at 30 s (bench/README.md) the
    /// defaults ended about 1 % above PyVRP and these settings about 1 % below it; Solomon's
    /// instances (25 vehicles for 100 clients) and the district's days do not qualify.
    pub fn sized(&self, n: usize, shifts: usize) -> Params {
        let mut p = self.clone();
        if n > SIZED_FROM {
            let shrink =
                |value: usize, floor: usize| (value * SIZED_FROM / n).max(floor.min(value));
            p.mu = shrink(self.mu, 10);
            p.lambda = shrink(self.lambda, 20);
        }
        if n > 0 && shifts * SHORT_ROUTES >= n {
            p.initial = p.initial.min(20);
            p.mu = p.mu.min(10);
            p.lambda = p.lambda.min(20);
            p.granular = p.granular.min(20);
        }
        p
    }
}

/// Routes are short when there are at most this many clients per shift.
const SHORT_ROUTES: usize = 3;

/// Up to this many clients (Solomon's instances) the settings are used as given.
const SIZED_FROM: usize = 100;
