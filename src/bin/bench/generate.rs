//! `carelink-bench generate`: Solomon-format VRPTW instances of any size in the shape of the
//! Gehring & Homberger extended set (docs/BENCH.md), deterministic for a seed.
//!
//! The shape, as that set scales Solomon's 100-customer instances: the square grid's side grows
//! with the square root of the count (100 at 100 customers), the depot sits in its middle, the
//! fleet is a quarter of the customers, and the horizon and the time windows scale with the grid.
//! `random` scatters customers uniformly (Solomon's R), `clustered` around a tenth as many centres
//! (C), `mixed` half and half (RC). `short` horizons (type 1: capacity 200) make many short routes,
//! `long` (type 2: capacity 700 clustered, 1,000 otherwise) few long ones. Service takes 90 for
//! clustered instances and 10 otherwise, as in Solomon's. Every customer's window leaves room to
//! come from the depot, serve it and go back, so each is feasible alone.
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    Random,
    Clustered,
    Mixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Horizon {
    Short,
    Long,
}

pub struct Params {
    pub customers: usize,
    pub seed: u64,
    pub shape: Shape,
    pub horizon: Horizon,
}

/// Solomon's horizons (the depot's due date) at 100 customers: R1 230, C1 1236, RC1 240; R2 1000,
/// C2 3390, RC2 960.
fn base_horizon(shape: Shape, horizon: Horizon) -> f64 {
    match (shape, horizon) {
        (Shape::Random, Horizon::Short) => 230.0,
        (Shape::Clustered, Horizon::Short) => 1236.0,
        (Shape::Mixed, Horizon::Short) => 240.0,
        (Shape::Random, Horizon::Long) => 1000.0,
        (Shape::Clustered, Horizon::Long) => 3390.0,
        (Shape::Mixed, Horizon::Long) => 960.0,
    }
}

fn name(p: &Params) -> String {
    let kind = match p.shape {
        Shape::Random => "R",
        Shape::Clustered => "C",
        Shape::Mixed => "RC",
    };
    let class = match p.horizon {
        Horizon::Short => 1,
        Horizon::Long => 2,
    };
    format!("G{kind}{class}_{}_{}", p.customers, p.seed)
}

/// The instance as Solomon-format text.
pub fn generate(p: &Params) -> Result<String, String> {
    if !(10..=10_000).contains(&p.customers) {
        return Err("--customers: 10 to 10,000".into());
    }
    let mut rng = StdRng::seed_from_u64(p.seed);
    let scale = (p.customers as f64 / 100.0).sqrt();
    let side = (100.0 * scale).round();
    let depot = (side / 2.0).round();
    let horizon = (base_horizon(p.shape, p.horizon) * scale).round();
    let service = if p.shape == Shape::Clustered {
        90.0
    } else {
        10.0
    };
    let vehicles = p.customers.div_ceil(4);
    let capacity = match (p.horizon, p.shape) {
        (Horizon::Short, _) => 200,
        (Horizon::Long, Shape::Clustered) => 700,
        (Horizon::Long, _) => 1000,
    };
    let centres: Vec<(f64, f64)> = (0..(p.customers / 10).max(1))
        .map(|_| {
            (
                rng.random_range(0.1..0.9) * side,
                rng.random_range(0.1..0.9) * side,
            )
        })
        .collect();
    let spread = side / 25.0;
    // The widest half-window, as a share of the horizon: short horizons have tight windows.
    let half_width = match p.horizon {
        Horizon::Short => horizon * 0.06,
        Horizon::Long => horizon * 0.15,
    };
    let mut text = format!(
        "{}\n\nVEHICLE\nNUMBER     CAPACITY\n{vehicles:>5}{capacity:>13}\n\nCUSTOMER\n\
         CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n",
        name(p)
    );
    let line = |t: &mut String, n: usize, x: f64, y: f64, d: i64, r: f64, due: f64, s: f64| {
        let _ = writeln!(t, "{n:>5}{x:>11}{y:>11}{d:>11}{r:>11}{due:>11}{s:>11}");
    };
    line(&mut text, 0, depot, depot, 0, 0.0, horizon, 0.0);
    for n in 1..=p.customers {
        let clustered = match p.shape {
            Shape::Random => false,
            Shape::Clustered => true,
            Shape::Mixed => n % 2 == 0,
        };
        let (x, y) = if clustered {
            let (cx, cy) = centres[rng.random_range(0..centres.len())];
            // A rough normal: the mean of three uniforms.
            let mut off =
                || (0..3).map(|_| rng.random_range(-1.0..1.0)).sum::<f64>() / 3.0 * 3.0 * spread;
            (
                (cx + off()).clamp(0.0, side).round(),
                (cy + off()).clamp(0.0, side).round(),
            )
        } else {
            (
                rng.random_range(0.0..=side).round(),
                rng.random_range(0.0..=side).round(),
            )
        };
        let demand = if clustered {
            10 * rng.random_range(1..=4)
        } else {
            rng.random_range(1..=41)
        };
        // Room to come from the depot, serve and go back (distances rounded up to whole units).
        let trip = ((x - depot).hypot(y - depot)).ceil() + 1.0;
        let latest_start = horizon - trip - service;
        if latest_start < trip {
            return Err(format!("customer {n} cannot be served within the horizon"));
        }
        let centre = rng.random_range(trip..=latest_start);
        let half = rng.random_range(half_width * 0.25..=half_width).round();
        let ready = (centre - half).max(0.0).floor();
        let due = (centre + half).min(latest_start).ceil().max(ready);
        line(&mut text, n, x, y, demand, ready, due.max(trip), service);
    }
    Ok(text)
}

/// Writes the instance to `out` and says so on standard error.
pub fn run(p: &Params, out: &Path) -> Result<(), String> {
    let text = generate(p)?;
    std::fs::write(out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {} ({} customers)", out.display(), p.customers);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use carelink::planning::optimiser::solomon::read_instance;

    fn params(customers: usize, shape: Shape, horizon: Horizon) -> Params {
        Params {
            customers,
            seed: 7,
            shape,
            horizon,
        }
    }

    #[test]
    fn every_shape_reads_as_a_solomon_instance_whose_customers_are_each_feasible_alone() {
        for shape in [Shape::Random, Shape::Clustered, Shape::Mixed] {
            for horizon in [Horizon::Short, Horizon::Long] {
                let text = generate(&params(400, shape, horizon)).unwrap();
                let inst = read_instance(&text).unwrap();
                assert_eq!(inst.customers.len(), 401);
                assert_eq!(inst.vehicles, 100, "a quarter of the customers");
                let depot = &inst.customers[0];
                let side = 200.0;
                for c in &inst.customers[1..] {
                    assert!((0.0..=side).contains(&c.x) && (0.0..=side).contains(&c.y));
                    assert!(c.ready <= c.due && c.demand > 0 && c.demand <= inst.capacity);
                    let d = (c.x - depot.x).hypot(c.y - depot.y);
                    let start = c.ready.max(d);
                    assert!(start <= c.due, "reachable in its window: {c:?}");
                    assert!(
                        start + c.service + d <= depot.due,
                        "and back in time: {c:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_seed_gives_the_same_instance_and_another_seed_another() {
        let a = generate(&params(200, Shape::Mixed, Horizon::Short)).unwrap();
        assert_eq!(
            a,
            generate(&params(200, Shape::Mixed, Horizon::Short)).unwrap()
        );
        let mut other = params(200, Shape::Mixed, Horizon::Short);
        other.seed = 8;
        assert_ne!(a, generate(&other).unwrap());
        assert!(a.starts_with("GRC1_200_7\n"));
    }
}
