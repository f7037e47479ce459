//! `carelink-bench`: the optimiser's benchmarks (see docs/BENCH.md). `solomon` solves
//! Solomon VRPTW files in the CVRPLIB convention and checks each result independently;
//! `district-day` plans a generated day for the whole pilot network. Figures go to standard
//! output as one JSON line each; everything else goes to standard error. `programmes` times the
//! care-programme engine over a generated district year (bench/programmes.rs). `generate` writes
//! Solomon-format instances of any size in the Gehring & Homberger shape (bench/generate.rs).
//! `repair` repairs booked district days after an absence or urgent visits, beside a re-plan from
//! scratch (bench/repair.rs); `week` plans a generated clinic week and exports it for the peers
//! (bench/week.rs).
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

#[path = "bench/district_year.rs"]
mod district_year;
#[path = "bench/generate.rs"]
mod generate;
#[path = "bench/programmes.rs"]
mod programmes;
#[path = "bench/repair.rs"]
mod repair;
#[path = "bench/week.rs"]
mod week;

use carelink::network::model::Location;
use carelink::planning::optimiser::district::{self, DistrictParams};
use carelink::planning::optimiser::solomon::{self, check};
#[cfg(feature = "vrp-core")]
use carelink::planning::optimiser::VrpCore;
use carelink::planning::optimiser::{solve_with, Hgs, Search, SolveOptions};
use carelink::planning::travel::GreatCircle;

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
            run_solomon(search.as_ref(), &options, best_known, &files)
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
            run_district(
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
            let days = district_days(&params, &network)?;
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

fn run_solomon(
    search: &dyn Search,
    options: &SolveOptions,
    best_known: Option<PathBuf>,
    files: &[PathBuf],
) -> Result<(), String> {
    let table_path = best_known.or_else(|| {
        let dir = files.first()?.parent().unwrap_or(Path::new("."));
        Some(dir.join("best_known.csv"))
    });
    let table = table_path
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|t| solomon::read_best_known(&t))
        .unwrap_or_default();
    let mut failed = 0;
    for file in files {
        match solve_file(search, file, options, &table) {
            Ok(line) => match serde_json::to_string(&line) {
                Ok(json) => println!("{json}"),
                Err(e) => return Err(e.to_string()),
            },
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e}", file.display());
            }
        }
    }
    if failed > 0 {
        return Err(format!("{failed} of {} files failed", files.len()));
    }
    Ok(())
}

fn solve_file(
    search: &dyn Search,
    file: &Path,
    options: &SolveOptions,
    table: &BTreeMap<String, f64>,
) -> Result<SolomonLine, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let instance = solomon::read_instance(&text).map_err(|e| e.to_string())?;
    let problem = instance.to_problem().map_err(|e| e.to_string())?;
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    let solution = solve_with(search, &problem, options).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| round(after - before, 2));
    let routes = instance.routes_of(&solution);
    let checked = check::check(&instance, &routes);
    for fault in &checked.faults {
        eprintln!("{}: {fault}", instance.name);
    }
    let distance = round(checked.distance, 1);
    let best = table.get(&instance.name).copied();
    let gap = best.map(|b| round((distance - b) / b * 100.0, 2));
    Ok(SolomonLine {
        instance: instance.name,
        vehicles: checked.vehicles,
        distance,
        feasible: checked.feasible,
        seconds: round(seconds, 2),
        cpu_seconds: cpu,
        routes,
        best_known: best,
        gap_percent: gap,
        unplaced: solution.figures.unplaced,
        seed: options.seed,
        search: search.name(),
    })
}

/// One instance's line, fields in the order of BENCH.md.
#[derive(serde::Serialize)]
struct SolomonLine {
    instance: String,
    vehicles: usize,
    distance: f64,
    feasible: bool,
    seconds: f64,
    /// CPU time the search got within `seconds` (less on a loaded machine).
    cpu_seconds: Option<f64>,
    routes: Vec<Vec<u32>>,
    best_known: Option<f64>,
    gap_percent: Option<f64>,
    unplaced: usize,
    seed: u64,
    search: &'static str,
}

fn run_district(
    search: &dyn Search,
    params: &DistrictParams,
    clinic_count: usize,
    seconds: f64,
    stall: Option<usize>,
    network: &Path,
) -> Result<(), String> {
    let (total, cpu_before) = (Instant::now(), cpu_seconds());
    let clinics = read_clinics(network)?;
    if clinic_count == 0 || clinic_count > clinics.len() {
        return Err(format!(
            "--clinics: between 1 and {} (the clinics in {})",
            clinics.len(),
            network.display()
        ));
    }
    let travel = GreatCircle {
        road_factor: 1.4,
        speed_kmh: 20.0,
        minimum_minutes: 3,
    };
    let days =
        district::generate(&clinics[..clinic_count], params, &travel).map_err(|e| e.to_string())?;
    // Nine tenths of the budget for the searches; the rest covers generating and timing.
    let per_clinic = options(seconds * 0.9 / clinic_count as f64, params.seed, stall)?;
    let (mut placed, mut unplaced, mut travel_seconds, mut shifts) = (0, 0, 0, 0);
    let (mut kept, mut missed) = (0, 0);
    let mut clinicians = BTreeSet::new();
    let mut reasons = BTreeMap::new();
    for day in &days {
        let solution = solve_with(search, &day.problem, &per_clinic).map_err(|e| e.to_string())?;
        let f = &solution.figures;
        placed += f.placed;
        unplaced += f.unplaced;
        travel_seconds += f.total_travel_time;
        kept += f.continuity_kept;
        missed += f.continuity_missed;
        shifts += day.problem.shifts().len();
        clinicians.extend(day.problem.shifts().iter().map(|s| s.clinician_id.clone()));
        for (reason, n) in &f.unplaced_reasons {
            *reasons.entry(reason.code()).or_insert(0) += n;
        }
    }
    let line = DistrictLine {
        visits: placed + unplaced,
        placed,
        unplaced,
        unplaced_reasons: reasons,
        travel_minutes: travel_seconds / 60,
        seconds: round(total.elapsed().as_secs_f64(), 2),
        cpu_seconds: cpu_seconds()
            .zip(cpu_before)
            .map(|(after, before)| round(after - before, 2)),
        clinics: days.len(),
        clinicians: clinicians.len(),
        shifts,
        continuity_kept: kept,
        continuity_missed: missed,
        seed: params.seed,
        search: search.name(),
    };
    println!(
        "{}",
        serde_json::to_string(&line).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// The day's line, fields in the order of BENCH.md.
#[derive(serde::Serialize)]
struct DistrictLine {
    visits: usize,
    placed: usize,
    unplaced: usize,
    unplaced_reasons: BTreeMap<&'static str, usize>,
    travel_minutes: i64,
    seconds: f64,
    cpu_seconds: Option<f64>,
    clinics: usize,
    clinicians: usize,
    shifts: usize,
    continuity_kept: usize,
    continuity_missed: usize,
    seed: u64,
    search: &'static str,
}

/// Every clinic's generated day of the district, as `district-day` plans it.
fn district_days(
    params: &DistrictParams,
    network: &Path,
) -> Result<Vec<district::ClinicDay>, String> {
    let clinics = read_clinics(network)?;
    let travel = GreatCircle {
        road_factor: 1.4,
        speed_kmh: 20.0,
        minimum_minutes: 3,
    };
    district::generate(&clinics, params, &travel).map_err(|e| e.to_string())
}

fn read_clinics(path: &Path) -> Result<Vec<(String, Location)>, String> {
    #[derive(serde::Deserialize)]
    struct Network {
        clinics: Vec<Clinic>,
    }
    #[derive(serde::Deserialize)]
    struct Clinic {
        code: String,
        location: Location,
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let network: Network =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(network
        .clinics
        .into_iter()
        .map(|c| (c.code, c.location))
        .collect())
}
