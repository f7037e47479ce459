//! `solomon` and `district-day`: solving Solomon files and the generated district day, each
//! result checked and printed as one JSON line.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{cpu_seconds, options, round};
use carelink::network::model::Location;
use carelink::planning::optimiser::district::{self, DistrictParams};
use carelink::planning::optimiser::solomon::{self, check};
use carelink::planning::optimiser::{solve_with, Search, SolveOptions};
use carelink::planning::travel::GreatCircle;

pub fn run_solomon(
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

pub fn run_district(
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
pub fn district_days(
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
