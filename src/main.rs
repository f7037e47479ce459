//! The `carelink` binary: parse the command line, load settings, start logging, run the command.
use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::process::ExitCode;

use carelink::auth::Role;
use carelink::{app, cli, config, telemetry};

#[derive(Parser)]
#[command(
    name = "carelink",
    version,
    about = "Medical-elderly care integration service"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate and (on an empty database) seed, then serve (the default).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080 (overrides server.listen).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Add the pilot network and service catalogue where missing.
    Seed,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Add demo staff, residents, shifts, a week of visits and referrals; print the demo logins.
    Demo,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin, scheduler, clinician, care_home, hospital, resident
        #[arg(long)]
        role: String,
        /// For a resident (or family) login: the resident record's id.
        #[arg(long)]
        resident: Option<String>,
        /// Organisation code, e.g. WH-CL-01.
        #[arg(long)]
        org: Option<String>,
        /// Comma-separated skills, e.g. nursing,wound_care.
        #[arg(long, value_delimiter = ',')]
        skills: Vec<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    carelink::ops::memory::limit_malloc_arenas();
    let cli = Cli::parse();
    let mut settings = match config::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::Serve { listen: Some(addr) }) = &cli.command {
        settings.server.listen = addr.clone();
        if let Err(e) = settings.validate() {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    telemetry::init(&settings.log);
    match run(
        cli.command.unwrap_or(Command::Serve { listen: None }),
        settings,
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("carelink: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command, mut settings: config::Settings) -> Result<(), String> {
    let pool = cli::open_pool(&settings)?;
    let wait = std::time::Duration::from_secs(30);
    match command {
        Command::Migrate => {
            let n = cli::migrate(&pool, wait)?;
            println!("applied {n} migration(s)");
        }
        Command::Seed => {
            cli::migrate(&pool, wait)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let s = cli::seed(&mut conn).map_err(|e| e.to_string())?;
            println!(
                "seeded {} organisation(s), {} service type(s), {} package(s)",
                s.organizations, s.service_types, s.packages
            );
        }
        Command::Demo => {
            cli::migrate(&pool, wait)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            cli::seed(&mut conn).map_err(|e| e.to_string())?;
            let (logins, added) = cli::demo(&mut conn, &settings).map_err(|e| e.to_string())?;
            cli::print_logins(&logins, settings.seed.demo_password.expose(), added);
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    org,
                    skills,
                    resident,
                    ..
                },
        } => {
            let role =
                Role::parse(&role).ok_or_else(|| format!("--role: unknown role {role:?}"))?;
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            let password = line.trim_end_matches(['\r', '\n']);
            cli::migrate(&pool, wait)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let spec = cli::UserSpec {
                username: &username,
                role,
                org_code: org.as_deref(),
                skills,
                resident_id: resident,
            };
            let id = cli::add_user(&mut conn, &settings, spec, password)
                .map_err(|e| format!("{e}{}", field_errors(&e)))?;
            println!("created {username} ({id})");
        }
        Command::Serve { .. } => {
            settings.ensure_jwt_secret().map_err(|e| e.to_string())?;
            let n = cli::migrate(&pool, wait)?;
            tracing::info!(migrations = n, "database migrated");
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            // Packages added by an upgrade are seeded into an existing database too.
            carelink::programmes::flow::seed(&mut conn).map_err(|e| e.to_string())?;
            if cli::is_empty(&mut conn).map_err(|e| e.to_string())? {
                let s = cli::seed(&mut conn).map_err(|e| e.to_string())?;
                tracing::info!(
                    organizations = s.organizations,
                    service_types = s.service_types,
                    "seeded the pilot network"
                );
                if settings.seed.demo && !settings.is_production() {
                    let (logins, added) =
                        cli::demo(&mut conn, &settings).map_err(|e| e.to_string())?;
                    cli::print_logins(&logins, settings.seed.demo_password.expose(), added);
                }
            }
            drop(conn);
            let listener =
                std::net::TcpListener::bind(settings.listen_addr().map_err(|e| e.to_string())?)
                    .map_err(|e| {
                        format!(
                            "setting `server.listen`: cannot listen on {}: {e}",
                            settings.server.listen
                        )
                    })?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let state = app::AppState::new(settings, pool);
            actix_web::rt::System::new().block_on(async move {
                carelink::ops::housekeeping::spawn(state.clone());
                carelink::referrals::deadlines::spawn(state.clone());
                carelink::programmes::job::spawn(state.clone());
                carelink::field::job::spawn(state.clone());
                tracing::info!(%addr, "carelink listening; API docs at /docs/");
                println!("carelink listening on http://{addr} (docs: http://{addr}/docs/)");
                let server = app::serve(state.clone(), listener).map_err(|e| e.to_string())?;
                actix_web::rt::spawn(app::stop_on_signal(state, server.handle()));
                server.await.map_err(|e| e.to_string())
            })?;
        }
    }
    Ok(())
}

fn field_errors(e: &carelink::error::AppError) -> String {
    e.errors
        .iter()
        .map(|f| format!("\n  {}: {}", f.field, f.message))
        .collect()
}
