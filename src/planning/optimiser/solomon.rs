//! Solomon VRPTW instances as planning problems: a reader of the instance files, of published
//! solutions (.sol) and of the best-known table, the CVRPLIB convention (each arc's Euclidean
//! distance truncated to one decimal, travel time equal to it), and an independent checker.
use std::collections::BTreeMap;

use thiserror::Error;

use super::model::{ClinicianShift, Problem, ProblemError, TravelMatrix, Visit, Window};
use super::solution::Solution;

pub mod check;

/// One line of the customer table; the depot is customer 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub number: u32,
    pub x: f64,
    pub y: f64,
    pub demand: i64,
    pub ready: f64,
    pub due: f64,
    pub service: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub name: String,
    pub vehicles: usize,
    pub capacity: i64,
    /// The depot first, then the customers in file order.
    pub customers: Vec<Customer>,
}

/// A published solution: routes of customer numbers and the cost the file states.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub routes: Vec<Vec<u32>>,
    pub cost: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum SolomonError {
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    #[error("no vehicle line (NUMBER CAPACITY) found")]
    NoVehicles,
    #[error("no customers found")]
    NoCustomers,
    #[error("customer {0} has a time that is not a whole number of tenths")]
    Fraction(u32),
    #[error(transparent)]
    Problem(#[from] ProblemError),
}

fn numbers(line: &str) -> Option<Vec<f64>> {
    line.split_whitespace().map(|w| w.parse().ok()).collect()
}

/// Reads a Solomon instance: a name line, the VEHICLE section with number and capacity, and the
/// CUSTOMER table of seven numbers a line.
pub fn read_instance(text: &str) -> Result<Instance, SolomonError> {
    let mut lines = text.lines().enumerate();
    let name = lines
        .by_ref()
        .map(|(_, l)| l.trim())
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_string();
    let mut fleet = None;
    let mut customers = vec![];
    for (i, line) in lines {
        let Some(row) = numbers(line) else { continue };
        match row.len() {
            0 => {}
            2 if fleet.is_none() => fleet = Some((row[0] as usize, row[1] as i64)),
            7 => customers.push(Customer {
                number: row[0] as u32,
                x: row[1],
                y: row[2],
                demand: row[3] as i64,
                ready: row[4],
                due: row[5],
                service: row[6],
            }),
            n => {
                return Err(SolomonError::Syntax {
                    line: i + 1,
                    message: format!("expected 2 or 7 numbers, found {n}"),
                })
            }
        }
    }
    let (vehicles, capacity) = fleet.ok_or(SolomonError::NoVehicles)?;
    if customers.len() < 2 {
        return Err(SolomonError::NoCustomers);
    }
    Ok(Instance {
        name,
        vehicles,
        capacity,
        customers,
    })
}

/// Reads a .sol file: `Route #k: a b c` lines and an optional `Cost x` line.
pub fn read_solution(text: &str) -> Result<Published, SolomonError> {
    let mut published = Published {
        routes: vec![],
        cost: None,
    };
    for (i, line) in text.lines().enumerate() {
        let syntax = |message: &str| SolomonError::Syntax {
            line: i + 1,
            message: message.into(),
        };
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Route") {
            let (_, stops) = rest.split_once(':').ok_or_else(|| syntax("no ':'"))?;
            let route = stops
                .split_whitespace()
                .map(|w| {
                    w.parse::<u32>()
                        .map_err(|_| syntax("a stop is not a number"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            published.routes.push(route);
        } else if let Some(rest) = line.strip_prefix("Cost") {
            let cost = rest
                .trim()
                .parse()
                .map_err(|_| syntax("the cost is not a number"))?;
            published.cost = Some(cost);
        }
    }
    Ok(published)
}

/// Reads `instance,best_known_distance` lines (a header line is skipped).
pub fn read_best_known(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter_map(|l| {
            let (name, value) = l.split_once(',')?;
            Some((name.trim().to_string(), value.trim().parse().ok()?))
        })
        .collect()
}

/// An arc's length in the CVRPLIB convention, in tenths: `floor(10 * d)`.
pub fn arc_tenths(a: &Customer, b: &Customer) -> i64 {
    (10.0 * (a.x - b.x).hypot(a.y - b.y)).floor() as i64
}

fn tenths(customer: u32, value: f64) -> Result<i64, SolomonError> {
    let scaled = (value * 10.0).round();
    if (scaled - value * 10.0).abs() > 1e-6 {
        return Err(SolomonError::Fraction(customer));
    }
    Ok(scaled as i64)
}

impl Instance {
    /// The instance as a planning problem on a clock of tenths: one shift per vehicle over the
    /// depot's window with the file's capacity, one visit per customer (visit `i` is customer
    /// `customers[i + 1]`), travel time and distance both the truncated arc length.
    pub fn to_problem(&self) -> Result<Problem, SolomonError> {
        let n = self.customers.len();
        let mut arcs = Vec::with_capacity(n * n);
        for a in &self.customers {
            for b in &self.customers {
                arcs.push(arc_tenths(a, b));
            }
        }
        let travel = TravelMatrix::new(n, arcs.clone(), arcs)?;
        let depot = &self.customers[0];
        let (open, close) = (tenths(0, depot.ready)?, tenths(0, depot.due)?);
        let shifts = (1..=self.vehicles)
            .map(|k| ClinicianShift {
                clinician_id: format!("vehicle-{k}"),
                shift_id: format!("vehicle-{k}"),
                starts_at: open,
                ends_at: close,
                start_place: 0,
                end_place: 0,
                skills: vec![],
                capacity: Some(self.capacity),
            })
            .collect();
        let visits = self.customers[1..]
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let window = Window {
                    earliest_start: tenths(c.number, c.ready)?,
                    latest_start: tenths(c.number, c.due)?,
                };
                let mut visit = Visit::new(
                    c.number.to_string(),
                    i + 1,
                    tenths(c.number, c.service)?,
                    window,
                );
                visit.demand = c.demand;
                Ok(visit)
            })
            .collect::<Result<Vec<_>, SolomonError>>()?;
        Ok(Problem::new(shifts, visits, travel, 0)?)
    }

    /// A plan's routes as customer numbers, in visiting order.
    pub fn routes_of(&self, solution: &Solution) -> Vec<Vec<u32>> {
        solution
            .orders()
            .iter()
            .map(|order| {
                order
                    .iter()
                    .map(|&v| self.customers[v + 1].number)
                    .collect()
            })
            .collect()
    }
}
