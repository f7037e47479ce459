//! Settings: config/default.toml, then config/{CARELINK_ENV}.toml, then CARELINK_* variables, then DATABASE_URL.
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

mod validate;

const EMBEDDED_DEFAULTS: &str = include_str!("../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: Server,
    pub database: Database,
    pub auth: Auth,
    pub district: District,
    pub seed: Seed,
    pub travel: Travel,
    pub visits: Visits,
    pub referrals: Referrals,
    pub programmes: Programmes,
    pub ltc: Ltc,
    pub episodes: Episodes,
    pub planning: Planning,
    pub shifts: Shifts,
    pub events: Events,
    pub audit: Audit,
    pub idempotency: Idempotency,
    pub log: Log,
    /// The name of the environment (CARELINK_ENV), e.g. "production"; not read from files.
    #[serde(skip)]
    pub env: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Server {
    pub listen: String,
    pub workers: usize,
    pub body_limit_bytes: usize,
    pub shutdown_timeout_seconds: u64,
    /// Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed (ADR 0010).
    pub trusted_proxies: Vec<String>,
}

impl Server {
    /// The trusted proxies, parsed (a single address is a /32 or /128 range).
    pub fn proxies(&self) -> Vec<ipnet::IpNet> {
        self.trusted_proxies
            .iter()
            .filter_map(|p| parse_net(p))
            .collect()
    }
}

fn parse_net(s: &str) -> Option<ipnet::IpNet> {
    s.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

#[derive(Debug, Clone, Deserialize)]
pub struct Database {
    pub url: String,
    pub pool_size: u32,
    pub pool_timeout_seconds: u64,
}

#[derive(Clone, Deserialize)]
pub struct Auth {
    pub jwt_secret: Secret,
    pub issuer: String,
    pub audience: String,
    pub access_token_minutes: i64,
    pub refresh_token_days: i64,
    /// Seconds after its rotation during which a spent refresh token still rotates (see ADR 0002).
    pub refresh_reuse_grace_seconds: i64,
    pub leeway_seconds: u64,
    pub max_failed_logins: i32,
    pub lockout_minutes: i64,
    pub max_failed_logins_per_address: i64,
    /// Failed logins of one account from anywhere (within `lockout_minutes`) after which each
    /// login of it waits a little longer; it never locks (ADR 0010).
    pub slow_logins_after: i64,
    pub max_login_delay_seconds: u64,
    pub min_password_length: usize,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("jwt_secret", &self.jwt_secret)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// A secret value: never printed, never logged.
#[derive(Clone, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Secret {
        Secret(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct District {
    pub name: String,
    pub timezone: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Seed {
    pub demo: bool,
    pub demo_password: Secret,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Travel {
    pub road_factor: f64,
    pub speed_kmh: f64,
    pub minimum_minutes: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Visits {
    pub location_radius_meters: f64,
    pub slot_step_minutes: i64,
    pub max_slots: usize,
    pub max_window_days: i64,
    pub max_bookings_per_user_per_minute: i64,
    /// A visit still under way this many minutes past its booked end raises the overrun alarm.
    pub overrun_alarm_minutes: i64,
    /// How often each instance looks for such visits.
    pub overrun_scan_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Planning {
    /// A run stops once its search has gone this many offspring (and as many as it took to find
    /// its best plan) without a better one; 0 runs every search to its time limit.
    pub stall_offspring: usize,
    /// A repair for a visit running over, given no `until`, assumes it ends this many minutes
    /// past the later of its booked end and now.
    pub overrun_assumed_minutes: i64,
}

/// Shifts: the district's lunch break (docs/adr/0014-same-day-and-week-plans.md).
#[derive(Debug, Clone, Deserialize)]
pub struct Shifts {
    /// "HH:MM-HH:MM" in district time, given to a new shift that spans it and names no breaks;
    /// empty for none.
    pub lunch_break: String,
}

impl Shifts {
    pub fn lunch(&self) -> Option<crate::shifts::model::LunchBreak> {
        crate::shifts::model::LunchBreak::parse(&self.lunch_break)
            .ok()
            .flatten()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Referrals {
    pub routine_minutes: i64,
    pub urgent_minutes: i64,
    pub green_channel_minutes: i64,
    pub second_level_factor: i64,
    pub scan_interval_seconds: u64,
}

/// Care programmes (docs/API.md "Care programmes").
#[derive(Debug, Clone, Deserialize)]
pub struct Programmes {
    /// Obligations whose window opens within this many days get their visit requested.
    pub horizon_days: i64,
    /// How often each instance runs the daily pass (contracts expiring, obligations made and
    /// requested, overdue ones announced); every step of it is safe to run concurrently.
    pub scan_interval_seconds: u64,
}

/// Home sickbeds (docs/API.md "Episodes", ADR 0013).
#[derive(Debug, Clone, Deserialize)]
pub struct Episodes {
    /// The longest an episode runs from its opening (or its last extension) without an extension.
    pub max_days: i64,
    /// The service type of a sickbed's rounds (查床), a code of the catalogue.
    pub round_service_type: String,
    /// Rounds per week of a sickbed that a down-referral's acceptance opens.
    pub referral_rounds_per_week: u32,
}

/// Long-term care (docs/API.md "Episodes", ADR 0012).
#[derive(Debug, Clone, Deserialize)]
pub struct Ltc {
    /// How long a disability assessment stays valid (a newer one supersedes it sooner).
    pub assessment_valid_days: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Events {
    pub poll_milliseconds: u64,
    pub retention_hours: i64,
    pub max_streams_per_user: usize,
    pub max_streams: usize,
    pub heartbeat_seconds: u64,
}

/// The audit log (ADR 0015).
#[derive(Debug, Clone, Deserialize)]
pub struct Audit {
    /// Months of audit records kept on PostgreSQL, dropped a month at a time; 0 keeps them all.
    pub retention_months: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Idempotency {
    pub retention_hours: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Log {
    pub level: String,
    pub format: String,
}

/// A setting that stops start-up, named so the operator knows what to fix.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

fn bad(setting: &str, why: impl fmt::Display) -> ConfigError {
    ConfigError(format!("setting `{setting}`: {why}"))
}

/// The folder holding default.toml and the per-environment files (CARELINK_CONFIG_DIR, else ./config).
pub fn config_dir() -> PathBuf {
    std::env::var_os("CARELINK_CONFIG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("config"))
}

/// Loads and validates the settings from files and the process environment.
pub fn load() -> Result<Settings, ConfigError> {
    let env = std::env::var("CARELINK_ENV").unwrap_or_else(|_| "development".into());
    let dir = config_dir();
    let defaults = dir.join("default.toml");
    let mut builder = config::Config::builder();
    builder = if defaults.exists() {
        builder.add_source(config::File::from(defaults))
    } else {
        builder.add_source(config::File::from_str(
            EMBEDDED_DEFAULTS,
            config::FileFormat::Toml,
        ))
    };
    builder = builder
        .add_source(config::File::from(dir.join(format!("{env}.toml"))).required(false))
        .add_source(
            config::Environment::with_prefix("CARELINK")
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("server.trusted_proxies"),
        );
    if let Ok(url) = std::env::var("DATABASE_URL") {
        builder = builder
            .set_override("database.url", url)
            .map_err(|e| bad("DATABASE_URL", e))?;
    }
    let raw = builder.build().map_err(|e| ConfigError(e.to_string()))?;
    let mut settings: Settings = raw
        .try_deserialize()
        .map_err(|e| ConfigError(e.to_string()))?;
    settings.env = env;
    settings.validate()?;
    Ok(settings)
}

impl Settings {
    pub fn is_production(&self) -> bool {
        self.env == "production"
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.server.listen.parse().map_err(|e| {
            bad(
                "server.listen",
                format!("{:?} is not HOST:PORT ({e})", self.server.listen),
            )
        })
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.district
            .timezone
            .parse()
            .unwrap_or(chrono_tz::Asia::Shanghai)
    }

    /// Without a configured secret, one is generated once and kept in a file beside the SQLite
    /// database (or under data/ for PostgreSQL in development), readable by the owner only.
    pub fn ensure_jwt_secret(&mut self) -> Result<(), ConfigError> {
        if !self.auth.jwt_secret.expose().is_empty() {
            return Ok(());
        }
        let path = match crate::db::Backend::of_url(&self.database.url) {
            Some(crate::db::Backend::Sqlite) => PathBuf::from(format!(
                "{}.jwt-secret",
                crate::db::sqlite_path(&self.database.url)
            )),
            _ => PathBuf::from("data/jwt-secret"),
        };
        let secret = read_or_create_secret(&path).map_err(|e| bad("auth.jwt_secret", e))?;
        self.auth.jwt_secret = Secret(secret);
        Ok(())
    }
}

fn read_or_create_secret(path: &Path) -> Result<String, String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim().to_string();
        if existing.len() >= 32 {
            return Ok(existing);
        }
    }
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
    }
    // 32 random bytes, URL-safe base64 (as auth::tokens makes its tokens; written here so that
    // settings do not depend on the auth module, which depends on them).
    let secret = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    };
    std::fs::write(path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(secret)
}

impl Settings {
    /// The built-in defaults alone, ignoring files and the environment (for tests and tools).
    pub fn defaults() -> Settings {
        let raw = config::Config::builder()
            .add_source(config::File::from_str(
                EMBEDDED_DEFAULTS,
                config::FileFormat::Toml,
            ))
            .build()
            .expect("config/default.toml is valid TOML");
        let mut s: Settings = raw
            .try_deserialize()
            .expect("config/default.toml has every setting");
        s.env = "test".into();
        s
    }
}
