//! The default search: reinterpretcat's vrp-core (a hyper-heuristic ruin-and-recreate evolution),
//! fed the model's travel matrix, windows, shifts, skills, pins, capacities and weights, and run
//! on one thread with a seeded random source.
use std::sync::Arc;

use vrp_core::construction::features::{
    CapacityFeatureBuilder, MinimizeUnassignedBuilder, TransportFeatureBuilder,
};
use vrp_core::construction::heuristics::{InsertionContext, MoveContext};
use vrp_core::models::common::{Cost, Demand, Dimensions, SingleDimLoad, TimeWindow};
use vrp_core::models::problem::{
    Actor, Job, SimpleTransportCost, SingleBuilder, Vehicle, VehicleBuilder, VehicleDetailBuilder,
};
use vrp_core::models::{
    ConstraintViolation, Feature, FeatureBuilder, FeatureConstraint, FeatureObjective, GoalBuilder,
    GoalContextBuilder, ProblemBuilder, ViolationCode,
};
use vrp_core::rosomaxa::evolution::TelemetryMode;
use vrp_core::rosomaxa::prelude::{Environment, Float, GenericError};
use vrp_core::rosomaxa::termination::{CompositeTermination, MaxGeneration, MaxTime, Termination};
use vrp_core::rosomaxa::utils::{Parallelism, Quota, TimeQuota};
use vrp_core::solver::{RefinementContext, Solver, VrpConfigBuilder};

use super::model::Problem;
use super::random::SeededRandom;
use super::{Search, SolveError, SolveOptions};

/// vrp-core behind the [`Search`] seam.
#[derive(Debug, Clone, Copy, Default)]
pub struct VrpCore;

impl Search for VrpCore {
    fn name(&self) -> &'static str {
        "vrp-core"
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
        // vrp-core fans out with rayon; inside a one-thread pool of its own the search stays on
        // one core, and the pool's fresh thread starts vrp-core's thread-local generator afresh.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .map_err(|e| SolveError::Engine(e.to_string()))?;
        // A panic inside the crate must not take the caller (a web worker) down with it.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.install(|| run(problem, candidates, options))
        }));
        match outcome {
            Ok(result) => result.map_err(|e| SolveError::Engine(e.to_string())),
            Err(_) => Err(SolveError::Engine("vrp-core panicked".into())),
        }
    }
}

/// vrp-core sizes its population by the CPUs it is told of: one gives a greedy hill-climber, more
/// its ROSOMAXA population, whose offspring our one thread then searches one after another. Four
/// did best here: a mean gap of 5.8% against 9.6% for one, on seven hard Solomon instances at 10 s.
const POPULATION_SELECTION: usize = 4;

/// Dimension keys: which visit a job is and which shift a vehicle is.
struct VisitKey;
struct ShiftKey;

fn visit_of(dimens: &Dimensions) -> Option<usize> {
    dimens.get_value::<VisitKey, usize>().copied()
}

fn shift_of(actor: &Actor) -> Option<usize> {
    actor.vehicle.dimens.get_value::<ShiftKey, usize>().copied()
}

fn run(
    problem: &Problem,
    candidates: &[usize],
    options: &SolveOptions,
) -> Result<Vec<Vec<usize>>, GenericError> {
    let travel = problem.travel();
    let size = travel.size();
    let (mut durations, mut distances) = (Vec::with_capacity(size * size), vec![]);
    for from in 0..size {
        for to in 0..size {
            durations.push(travel.duration(from, to) as Float);
            distances.push(travel.distance(from, to) as Float);
        }
    }
    let transport = Arc::new(SimpleTransportCost::new(durations, distances)?);
    let jobs = candidates
        .iter()
        .map(|&v| job(problem, v))
        .collect::<Result<Vec<_>, _>>()?;
    let vehicles = (0..problem.shifts().len())
        .map(|s| vehicle(problem, s))
        .collect::<Result<Vec<_>, _>>()?;
    let groups = problem.shift_groups();
    let vrp = ProblemBuilder::default()
        .add_jobs(jobs.into_iter())
        .add_vehicles(vehicles.into_iter())
        .with_vehicle_similarity(move |_| {
            let groups = groups.clone();
            Box::new(move |actor: &Actor| shift_of(actor).map_or(0, |s| groups[s]))
        })
        .with_goal(goal(problem, transport.clone())?)
        .with_transport_cost(transport)
        .with_logger(Arc::new(|_: &str| {}))
        .build()?;
    let vrp = Arc::new(vrp);

    let seconds = options.time_limit.as_secs_f64();
    let environment = Arc::new(Environment::new(
        Arc::new(SeededRandom::new(options.seed)),
        Some(Arc::new(TimeQuota::new(seconds)) as Arc<dyn Quota>),
        Parallelism::new_with_cpus(POPULATION_SELECTION),
        Arc::new(|_: &str| {}),
        false,
    ));
    let mut config = VrpConfigBuilder::new(vrp.clone())
        .set_environment(environment)
        .set_telemetry_mode(TelemetryMode::None)
        .prebuild()?
        .build()?;
    // The builder takes whole seconds only (and ignores `with_termination`), so set it here.
    let mut stops: Vec<Box<dyn Termination<Context = RefinementContext, Objective = _>>> =
        vec![Box::new(MaxTime::new(seconds))];
    if let Some(generations) = options.max_generations {
        stops.push(Box::new(MaxGeneration::new(generations)));
    }
    config.termination = Box::new(CompositeTermination::new(stops));
    let solution = Solver::new(vrp, config).solve()?;

    let mut orders = vec![vec![]; problem.shifts().len()];
    for route in &solution.routes {
        let Some(shift) = shift_of(&route.actor) else {
            continue;
        };
        orders[shift] = route
            .tour
            .all_activities()
            .filter_map(|a| a.job.as_ref().and_then(|single| visit_of(&single.dimens)))
            .collect();
    }
    Ok(orders)
}

fn job(problem: &Problem, visit: usize) -> Result<Job, GenericError> {
    let v = &problem.visits()[visit];
    let window = v.start_window();
    let demand = i32::try_from(v.demand).map_err(|_| "a demand does not fit in 32 bits")?;
    let mut builder = SingleBuilder::default()
        .id(&v.id)
        .location(v.place)?
        .duration(v.duration as Float)?
        .times(vec![TimeWindow::new(
            window.earliest_start as Float,
            window.latest_start as Float,
        )])?
        .dimension(|d| d.set_value::<VisitKey, usize>(visit));
    if problem.has_capacities() {
        builder = builder.demand(Demand::<SingleDimLoad>::delivery(demand));
    }
    builder.build_as_job()
}

fn vehicle(problem: &Problem, shift: usize) -> Result<Vehicle, GenericError> {
    let s = &problem.shifts()[shift];
    let detail = VehicleDetailBuilder::default()
        .set_start_location(s.start_place)
        .set_start_time(s.starts_at as Float)
        .set_end_location(s.end_place)
        .set_end_time(s.ends_at as Float)
        .build()?;
    let mut builder = VehicleBuilder::default()
        .id(&s.shift_id)
        .add_detail(detail)
        .set_distance_cost(1.)
        .dimension(|d| d.set_value::<ShiftKey, usize>(shift));
    if problem.has_capacities() {
        let capacity = s
            .capacity
            .map_or(i32::MAX / 2, |c| i32::try_from(c).unwrap_or(i32::MAX / 2));
        builder = builder.capacity(SingleDimLoad::new(capacity));
    }
    builder.build()
}

/// The goal, in order: most priority placed; then least distance, plus the continuity penalty
/// where residents prefer a clinician.
fn goal(
    problem: &Problem,
    transport: Arc<SimpleTransportCost>,
) -> Result<vrp_core::models::GoalContext, GenericError> {
    let visits = problem.visits();
    let all_weight: Float = visits.iter().map(|v| Float::from(v.priority)).sum();
    let weights: Vec<Float> = visits
        .iter()
        .map(|v| match v.pinned {
            // A pin outweighs every free visit together.
            Some(_) => all_weight + 1.,
            None => Float::from(v.priority),
        })
        .collect();
    let placed = MinimizeUnassignedBuilder::new("placed")
        .set_job_estimator(move |_, job| visit_of(job.dimens()).map_or(1., |v| weights[v]))
        .build()?;
    let travel = TransportFeatureBuilder::new("travel")
        .set_transport_cost(transport)
        .set_time_constrained(true)
        .build_minimize_distance()?;
    let shifts = problem.shifts().len();
    let allowed = (0..visits.len())
        .flat_map(|v| (0..shifts).map(move |s| (v, s)))
        .map(|(v, s)| problem.may_serve(s, v))
        .collect();
    let allowed = FeatureBuilder::default()
        .with_name("allowed")
        .with_constraint(Allowed { allowed, shifts })
        .build()?;
    let mut features = vec![placed.clone(), travel.clone(), allowed];
    if problem.has_capacities() {
        features.push(CapacityFeatureBuilder::<SingleDimLoad>::new("capacity").build()?);
    }
    let objective = |f: &Feature| f.objective.clone().ok_or("a feature has no objective");
    let mut builder = GoalBuilder::default().add_single(objective(&placed)?);
    if problem.has_preferences() {
        let penalty = (0..visits.len())
            .flat_map(|v| (0..shifts).map(move |s| (v, s)))
            .map(|(v, s)| problem.continuity_penalty(s, v) as Float)
            .collect();
        let continuity = FeatureBuilder::default()
            .with_name("continuity")
            .with_objective(Continuity { penalty, shifts })
            .build()?;
        builder = builder.add_multi(
            &[objective(&travel)?, objective(&continuity)?],
            |objectives, a, b| {
                let sum = |x| objectives.iter().map(|o| o.fitness(x)).sum::<Float>();
                sum(a).total_cmp(&sum(b))
            },
            |objectives, move_ctx| objectives.iter().map(|o| o.estimate(move_ctx)).sum(),
        );
        features.push(continuity);
    } else {
        builder = builder.add_single(objective(&travel)?);
    }
    GoalContextBuilder::with_features(&features)?
        .set_main_goal(builder.build()?)
        .build()
}

/// Hard rule: skills and pins, as the model's `may_serve` has them.
struct Allowed {
    allowed: Vec<bool>,
    shifts: usize,
}

impl FeatureConstraint for Allowed {
    fn evaluate(&self, move_ctx: &MoveContext<'_>) -> Option<ConstraintViolation> {
        match move_ctx {
            MoveContext::Route { route_ctx, job, .. } => {
                let ok = match (visit_of(job.dimens()), shift_of(&route_ctx.route().actor)) {
                    (Some(v), Some(s)) => self.allowed[v * self.shifts + s],
                    _ => false,
                };
                if ok {
                    None
                } else {
                    ConstraintViolation::fail(ViolationCode(1))
                }
            }
            MoveContext::Activity { .. } => None,
        }
    }
}

/// Soft rule: the travel a visit is worth keeping with the resident's preferred clinician.
struct Continuity {
    penalty: Vec<Float>,
    shifts: usize,
}

impl Continuity {
    fn of(&self, visit: Option<usize>, shift: Option<usize>) -> Float {
        match (visit, shift) {
            (Some(v), Some(s)) => self.penalty[v * self.shifts + s],
            _ => 0.,
        }
    }
}

impl FeatureObjective for Continuity {
    fn fitness(&self, solution: &InsertionContext) -> Cost {
        let routes = solution.solution.routes.iter();
        routes
            .flat_map(|r| {
                let shift = shift_of(&r.route().actor);
                r.route()
                    .tour
                    .jobs()
                    .map(move |j| self.of(visit_of(j.dimens()), shift))
            })
            .sum()
    }

    fn estimate(&self, move_ctx: &MoveContext<'_>) -> Cost {
        match move_ctx {
            MoveContext::Route { route_ctx, job, .. } => {
                self.of(visit_of(job.dimens()), shift_of(&route_ctx.route().actor))
            }
            MoveContext::Activity { .. } => 0.,
        }
    }
}
