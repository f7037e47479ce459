//! `carelink-bench`: the optimiser's benchmarks (see docs/BENCH.md). `solomon` solves
//! Solomon VRPTW files in the CVRPLIB convention and checks each result independently;
//! `district-day` plans a generated day for the whole pilot network. Figures go to standard
//! output as one JSON line each; everything else goes to standard error. `programmes` times the
//! care-programme engine over a generated district year (bench/programmes.rs). `generate` writes
//! Solomon-format instances of any size in the Gehring & Homberger shape (bench/generate.rs).
//! `repair` repairs booked district days after an absence or urgent visits, beside a re-plan from
//! scratch (bench/repair.rs); `week` plans a generated clinic week and exports it for the peers
//! (bench/week.rs). `city` fills a PostgreSQL database with a city's data (bench/city.rs).
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

#[path = "bench/city.rs"]
mod city;
#[path = "bench/city_copy.rs"]
mod city_copy;
#[path = "bench/city_network.rs"]
mod city_network;
#[path = "bench/city_people.rs"]
mod city_people;
#[path = "bench/city_referrals.rs"]
mod city_referrals;
#[cfg(test)]
#[path = "bench/city_tests.rs"]
mod city_tests;
#[path = "bench/city_visits.rs"]
mod city_visits;
#[path = "bench/days.rs"]
mod days;
#[path = "bench/district_year.rs"]
mod district_year;
#[path = "bench/generate.rs"]
mod generate;
#[path = "bench/lcg.rs"]
mod lcg;
#[path = "bench/programmes.rs"]
mod programmes;
#[path = "bench/repair/mod.rs"]
mod repair;
#[path = "bench/week.rs"]
mod week;

use carelink::planning::optimiser::district::DistrictParams;
#[cfg(feature = "vrp-core")]
use carelink::planning::optimiser::VrpCore;
use carelink::planning::optimiser::{Hgs, Search, SolveOptions};

#[derive(Parser)]
#[command(
    name = "carelink-bench",
    about = "Benchmarks of the day-plan optimiser and the care-programme engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solve Solomon VRPTW instances and print one JSON line each.
    Solomon {
        /// Seconds per instance.
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Stop after this many generations as well (for reproducible runs).
        #[arg(long)]
        max_generations: Option<usize>,
        /// Stop once this many offspring in a row found no better plan (as the service does).
        #[arg(long)]
        stall: Option<usize>,
        /// The search to run: hgs (our hybrid genetic search) or vrp-core.
        #[arg(long, default_value = "hgs")]
        search: String,
        /// The table of best-known distances (default: best_known.csv beside the first file).
        #[arg(long)]
        best_known: Option<PathBuf>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Generate a day for the pilot network, plan every clinic, print one JSON line.
    DistrictDay {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 22)]
        clinics: usize,
        #[arg(long, default_value_t = 5)]
        clinicians_per_clinic: usize,
        #[arg(long, default_value_t = 900)]
        visits: usize,
        /// Seconds for the whole day, shared out between the clinics.
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        /// Stop each clinic's search once this many offspring in a row found no better plan.
        #[arg(long)]
        stall: Option<usize>,
        /// The search to run: hgs (our hybrid genetic search) or vrp-core.
        #[arg(long, default_value = "hgs")]
        search: String,
        /// The pilot network (clinic locations).
        #[arg(long, default_value = "config/seed/network.json")]
        network: PathBuf,
    },
    /// Write a Solomon-format VRPTW instance of any size in the Gehring & Homberger shape.
    Generate {
        #[arg(long)]
        customers: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value = "random")]
        shape: generate::Shape,
        #[arg(long, value_enum, default_value = "short")]
        horizon: generate::Horizon,
        /// Where to write it.
        out: PathBuf,
    },
    /// Repair each clinic's booked day after an absence or urgent visits, beside a re-plan from
    /// scratch; one JSON line per clinic and scenario, then one per scenario.
    Repair {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Seconds for one repair and for one re-plan from scratch (and to plan the booked day).
        #[arg(long, default_value_t = 2.0)]
        time_limit: f64,
        /// The first K clinics of the district day (all 22 by default).
        #[arg(long, default_value_t = 22)]
        clinics: usize,
        #[arg(long, default_value_t = 5)]
        clinicians_per_clinic: usize,
        /// Visits of the whole district day (as district-day), shared between all its clinics.
        #[arg(long, default_value_t = 900)]
        visits: usize,
        /// Urgent visits inserted in the second scenario.
        #[arg(long, default_value_t = 3)]
        urgent: usize,
        #[arg(long, default_value = "config/seed/network.json")]
        network: PathBuf,
    },
    /// Plan a generated clinic week (split days, multi-day windows); print one JSON line.
    Week {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 5)]
        clinicians: usize,
        #[arg(long, default_value_t = 150)]
        visits: usize,
        #[arg(long, default_value_t = 5)]
        days: usize,
        #[arg(long, default_value_t = 30.0)]
        time_limit: f64,
        /// Write the instance as JSON for the peers and the checker.
        #[arg(long)]
        export: Option<PathBuf>,
        /// The search's seed, when it should differ from the instance's (`--seed`).
        #[arg(long)]
        solver_seed: Option<u64>,
        /// Diagnosis: the search's population size (mu), offspring per generation (lambda),
        /// random starting plans and granular neighbours, instead of its defaults.
        #[arg(long)]
        hgs_mu: Option<usize>,
        #[arg(long)]
        hgs_lambda: Option<usize>,
        #[arg(long)]
        hgs_initial: Option<usize>,
        #[arg(long)]
        hgs_granular: Option<usize>,
    },
    /// Time the care-programme engine over a generated district year; print one JSON line.
    Programmes {
        #[arg(long, default_value_t = 20_000)]
        residents: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The share of residents with an active contract.
        #[arg(long, default_value_t = 0.6)]
        contracted: f64,
        /// The share with hypertension or diabetes.
        #[arg(long, default_value_t = 0.25)]
        chronic: f64,
        /// An empty database: sqlite://PATH or postgres://...
        database_url: String,
    },
    /// Fill an empty PostgreSQL database with a city's network, people and history (COPY);
    /// print one JSON line with the row counts and the seconds.
    City(city::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Solomon {
            time_limit,
            seed,
            max_generations,
            stall,
            search,
            best_known,
            files,
        } => search_named(&search).and_then(|search| {
            let mut options = options(time_limit, seed, stall)?;
            options.max_generations = max_generations;
            days::run_solomon(search.as_ref(), &options, best_known, &files)
        }),
        Command::DistrictDay {
            seed,
            clinics,
            clinicians_per_clinic,
            visits,
            time_limit,
            stall,
            search,
            network,
        } => search_named(&search).and_then(|search| {
            let params = DistrictParams {
                seed,
                clinicians_per_clinic,
                visits,
                continuity_weight: 10 * 60,
            };
            days::run_district(
                search.as_ref(),
                &params,
                clinics,
                time_limit,
                stall,
                &network,
            )
        }),
        Command::Generate {
            customers,
            seed,
            shape,
            horizon,
            out,
        } => generate::run(
            &generate::Params {
                customers,
                seed,
                shape,
                horizon,
            },
            &out,
        ),
        Command::Repair {
            seed,
            time_limit,
            clinics,
            clinicians_per_clinic,
            visits,
            urgent,
            network,
        } => options(time_limit, seed, None).and_then(|o| {
            let params = DistrictParams {
                seed,
                clinicians_per_clinic,
                visits,
                continuity_weight: 10 * 60,
            };
            let days = days::district_days(&params, &network)?;
            if clinics == 0 || clinics > days.len() {
                return Err(format!("--clinics: between 1 and {}", days.len()));
            }
            repair::run(
                &days[..clinics],
                &repair::Params {
                    seed,
                    time_limit: o.time_limit,
                    urgent,
                },
            )
        }),
        Command::Week {
            seed,
            clinicians,
            visits,
            days,
            time_limit,
            export,
            solver_seed,
            hgs_mu,
            hgs_lambda,
            hgs_initial,
            hgs_granular,
        } => options(time_limit, solver_seed.unwrap_or(seed), None).and_then(|o| {
            let mut hgs = Hgs::default();
            let p = &mut hgs.params;
            p.mu = hgs_mu.unwrap_or(p.mu);
            p.lambda = hgs_lambda.unwrap_or(p.lambda);
            p.initial = hgs_initial.unwrap_or(p.initial);
            p.granular = hgs_granular.unwrap_or(p.granular);
            week::run(
                &week::Params {
                    seed,
                    clinicians,
                    visits,
                    days,
                },
                &hgs,
                &o,
                export.as_deref(),
            )
        }),
        Command::Programmes {
            residents,
            seed,
            contracted,
            chronic,
            database_url,
        } => {
            let params = programmes::Params {
                residents,
                seed,
                contracted,
                chronic,
            };
            programmes::run(&params, &database_url)
        }
        Command::City(args) => city::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("carelink-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn search_named(name: &str) -> Result<Box<dyn Search>, String> {
    match name {
        "hgs" => Ok(Box::new(Hgs::default())),
        #[cfg(feature = "vrp-core")]
        "vrp-core" => Ok(Box::new(VrpCore)),
        #[cfg(not(feature = "vrp-core"))]
        "vrp-core" => Err(
            "--search vrp-core: this binary was built without it (cargo build --release --features vrp-core)"
                .into(),
        ),
        other => Err(format!("--search: hgs or vrp-core, not {other}")),
    }
}

fn options(seconds: f64, seed: u64, stall: Option<usize>) -> Result<SolveOptions, String> {
    let limit = Duration::try_from_secs_f64(seconds).map_err(|e| format!("--time-limit: {e}"))?;
    let options = SolveOptions::new(limit, seed).map_err(|e| format!("--time-limit: {e}"))?;
    Ok(SolveOptions {
        stall_limit: stall,
        ..options
    })
}

/// CPU seconds this process has used (Linux; clock ticks at the usual 100 Hz), to show how much
/// of the wall-clock limit a loaded machine actually gave the search.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let (_, after_name) = stat.rsplit_once(") ")?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}
