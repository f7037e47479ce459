//! HTTP: `GET /api/v1/demo`, so that the console's login page can suggest the demo logins.
use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;

use super::people::{DEMO_STAFF, RESIDENT_LOGIN};
use crate::config::Settings;
use crate::db::schema::{organizations, users};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::http;
use crate::state::AppState;

/// A demo login that still works with the demo password.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DemoAccount {
    pub username: String,
    pub display_name: String,
    pub role: crate::auth::Role,
    pub organization_code: Option<String>,
    pub organization_name: Option<String>,
}

/// Whether this database holds the demo data, and if so the logins to try.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"demo": true, "password": "carelink-demo-2026", "logins": [
    {"username": "sched01", "display_name": "张调度", "role": "scheduler",
     "organization_code": "WH-CL-01", "organization_name": "华山街道社区卫生服务中心"},
    {"username": "home01", "display_name": "养老院护理员", "role": "care_home",
     "organization_code": "WH-CH-01", "organization_name": "五华区翠湖颐养院"}]}))]
pub struct DemoInfo {
    /// True when the database holds the demo data (never in production).
    pub demo: bool,
    /// The password every listed login shares; null without demo data.
    pub password: Option<String>,
    /// Empty without demo data.
    pub logins: Vec<DemoAccount>,
}

impl DemoInfo {
    fn none() -> DemoInfo {
        DemoInfo {
            demo: false,
            password: None,
            logins: vec![],
        }
    }
}

type LoginRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// Which password hashes match the demo password: hashing is slow by design and the route is
/// public, so each hash is checked once per process (a changed password is a new hash).
static CHECKED: Mutex<Option<HashMap<String, bool>>> = Mutex::new(None);

fn is_demo_password(password: &str, hash: &str) -> bool {
    let key = format!("{password}\u{0}{hash}");
    let known = CHECKED
        .lock()
        .ok()
        .and_then(|m| m.as_ref().and_then(|m| m.get(&key).copied()));
    if let Some(ok) = known {
        return ok;
    }
    let ok = crate::auth::password::verify(password, hash);
    if let Ok(mut m) = CHECKED.lock() {
        let m = m.get_or_insert_with(HashMap::new);
        if m.len() > 256 {
            m.clear();
        }
        m.insert(key, ok);
    }
    ok
}

/// The demo logins that exist, are active and still take the demo password. None of them on a
/// database where the demo never ran (even one with accounts named like the demo's), and nothing
/// at all in production.
pub fn info(conn: &mut DbConn, settings: &Settings) -> QueryResult<DemoInfo> {
    if settings.is_production() {
        return Ok(DemoInfo::none());
    }
    let password = settings.seed.demo_password.expose().to_string();
    let names: Vec<&str> = DEMO_STAFF
        .iter()
        .map(|s| s.username)
        .chain([RESIDENT_LOGIN])
        .collect();
    let rows: Vec<LoginRow> = users::table
        .left_join(organizations::table)
        .filter(users::username.eq_any(&names))
        .filter(users::active.eq(true))
        .select((
            users::username,
            users::display_name,
            users::role,
            users::password_hash,
            organizations::code.nullable(),
            organizations::name.nullable(),
        ))
        .load(conn)?;
    let mut logins = vec![];
    for name in &names {
        let Some(r) = rows.iter().find(|r| r.0 == *name) else {
            continue;
        };
        let Some(role) = crate::auth::Role::parse(&r.2) else {
            continue;
        };
        if !is_demo_password(&password, &r.3) {
            continue;
        }
        logins.push(DemoAccount {
            username: r.0.clone(),
            display_name: r.1.clone(),
            role,
            organization_code: r.4.clone(),
            organization_name: r.5.clone(),
        });
    }
    if logins.is_empty() {
        return Ok(DemoInfo::none());
    }
    Ok(DemoInfo {
        demo: true,
        password: Some(password),
        logins,
    })
}

/// Demo logins, when this database holds the demo data
///
/// Public and read-only: tells a sign-in page whether the database holds the demo data made by
/// `carelink demo` (or by `carelink serve` on an empty database), and if so which logins still
/// work with the demo password, and that password. Without demo data, and always in production
/// (`CARELINK_ENV=production`), it answers `{"demo": false, "password": null, "logins": []}`.
#[utoipa::path(get, tag = "demo",
    responses((status = 200, description = "Whether demo data is present, and its logins", body = DemoInfo)))]
#[get("/demo")]
pub async fn demo_info(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let settings = state.settings.clone();
    let info = http::db(&state, move |conn| Ok(info(conn, &settings)?)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(info))
}
