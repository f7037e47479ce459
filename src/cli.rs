//! The commands of the `carelink` binary: serve, migrate, seed, user add, demo (in `crate::demo`).
use crate::auth::{password, Role};
use crate::config::Settings;
use crate::db::{self, write_tx, DbConn, Pool};
use crate::error::{AppError, AppResult};
use crate::people::model::NewStaff;

/// Opens the pool for a command, or explains why not.
pub fn open_pool(settings: &Settings) -> Result<Pool, String> {
    db::pool(
        &settings.database.url,
        settings.database.pool_size,
        std::time::Duration::from_secs(settings.database.pool_timeout_seconds),
    )
    .ok_or_else(|| "setting `database.url`: must start with sqlite:// or postgres://".to_string())
}

/// Runs migrations, waiting up to `wait` for the database to come up (containers start together).
pub fn migrate(pool: &Pool, wait: std::time::Duration) -> Result<usize, String> {
    let deadline = std::time::Instant::now() + wait;
    loop {
        match pool.get() {
            Ok(mut conn) => return db::migrate::run(&mut conn),
            Err(e) if std::time::Instant::now() >= deadline => {
                return Err(format!("database unreachable: {e}"))
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(500)),
        }
    }
}

/// Seeds the pilot network, the service catalogue and the contract packages (each only where
/// missing, so a second run changes nothing).
pub fn seed(conn: &mut DbConn) -> AppResult<crate::network::seed::Seeded> {
    let mut seeded = crate::network::seed::run(conn)?;
    seeded.packages = crate::programmes::flow::seed(conn)?;
    Ok(seeded)
}

/// What `carelink user add` names on its command line.
pub struct UserSpec<'a> {
    pub username: &'a str,
    pub role: Role,
    /// An organisation's code, e.g. WH-CL-01.
    pub org_code: Option<&'a str>,
    pub skills: Vec<String>,
    /// For a resident (or family) login: the resident record's id.
    pub resident_id: Option<String>,
}

/// `carelink user add`: creates an account from the command line (password from stdin).
pub fn add_user(
    conn: &mut DbConn,
    settings: &Settings,
    spec: UserSpec,
    password_text: &str,
) -> AppResult<String> {
    let organization_id = match spec.org_code {
        Some(code) => Some(
            crate::network::flow::find_by_code(conn, code)?
                .ok_or_else(|| {
                    AppError::invalid("org", format!("no organisation has the code {code}"))
                })?
                .id,
        ),
        None => None,
    };
    let new = NewStaff {
        username: spec.username.to_string(),
        display_name: spec.username.to_string(),
        role: spec.role,
        organization_id,
        skills: spec.skills,
        password: password_text.to_string(),
        resident_id: spec.resident_id,
    };
    new.validate(settings.auth.min_password_length)?;
    let hash = password::hash(&new.password).map_err(AppError::internal)?;
    write_tx(conn, |conn| {
        Ok(crate::people::flow::add_login(conn, None, &new, &hash)?.id)
    })
}

pub use crate::demo::{print_logins, Added, DemoLogin};

/// `carelink demo`: see [`crate::demo`]. Idempotent; refused in production.
pub fn demo(conn: &mut DbConn, settings: &Settings) -> AppResult<(Vec<DemoLogin>, Added)> {
    crate::demo::run(conn, settings)
}

/// Is this a fresh database (no organisations)?
pub fn is_empty(conn: &mut DbConn) -> AppResult<bool> {
    Ok(crate::network::seed::is_empty(conn)?)
}
