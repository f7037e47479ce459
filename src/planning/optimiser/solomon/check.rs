//! An independent check of a Solomon solution, written from the instance's definition and not
//! from the planner's model: every customer exactly once, capacity, windows (an early arrival
//! waits; service starts by the due date), back at the depot by its due date, the vehicle count,
//! and the distance in the CVRPLIB convention.
use std::collections::BTreeSet;

use super::Instance;

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub feasible: bool,
    /// Sum of the arcs, each `floor(10 * d) / 10`, from and back to the depot.
    pub distance: f64,
    /// Routes with at least one customer.
    pub vehicles: usize,
    /// What is wrong, one line per fault (empty when feasible).
    pub faults: Vec<String>,
}

/// A small slack for comparing times built from sums of tenths in floating point.
const EPSILON: f64 = 1e-6;

pub fn check(instance: &Instance, routes: &[Vec<u32>]) -> Check {
    let mut faults = vec![];
    let customers = &instance.customers;
    let depot = &customers[0];
    let find = |number: u32| customers.iter().skip(1).find(|c| c.number == number);
    let arc = |ax: f64, ay: f64, bx: f64, by: f64| {
        let d = ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt();
        (d * 10.0).floor() / 10.0
    };
    let mut seen = BTreeSet::new();
    let mut distance = 0.0;
    let used: Vec<&Vec<u32>> = routes.iter().filter(|r| !r.is_empty()).collect();
    for (k, route) in used.iter().enumerate() {
        let (mut x, mut y, mut time, mut load) = (depot.x, depot.y, depot.ready, 0);
        for &number in route.iter() {
            let Some(c) = find(number) else {
                faults.push(format!("route {}: no customer {number}", k + 1));
                continue;
            };
            if !seen.insert(number) {
                faults.push(format!("customer {number} is visited more than once"));
            }
            let leg = arc(x, y, c.x, c.y);
            distance += leg;
            time = (time + leg).max(c.ready);
            if time > c.due + EPSILON {
                faults.push(format!(
                    "customer {number} starts at {time:.1}, due {}",
                    c.due
                ));
            }
            time += c.service;
            load += c.demand;
            (x, y) = (c.x, c.y);
        }
        let leg = arc(x, y, depot.x, depot.y);
        distance += leg;
        time += leg;
        if time > depot.due + EPSILON {
            faults.push(format!(
                "route {} is back at {time:.1}, depot due {}",
                k + 1,
                depot.due
            ));
        }
        if load > instance.capacity {
            faults.push(format!(
                "route {} carries {load} > {}",
                k + 1,
                instance.capacity
            ));
        }
    }
    for c in customers.iter().skip(1) {
        if !seen.contains(&c.number) {
            faults.push(format!("customer {} is not visited", c.number));
        }
    }
    if used.len() > instance.vehicles {
        faults.push(format!(
            "{} routes > {} vehicles",
            used.len(),
            instance.vehicles
        ));
    }
    Check {
        feasible: faults.is_empty(),
        distance,
        vehicles: used.len(),
        faults,
    }
}
