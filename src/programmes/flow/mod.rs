//! The care-programme use cases, each run by its caller in one transaction: packages, contracts,
//! obligations, draft referrals, and the engine's run over one resident or the whole district.
use chrono::NaiveDate;
use std::sync::OnceLock;

use super::model::packages::Package;
use super::model::rules::RuleSet;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

mod contracts;
mod drafts;
mod figures;
mod obligations;
mod packages;
mod reconcile;

pub use contracts::{contract, contracts, renew, sign, terminate};
pub use drafts::{discard, draft, drafts, send};
pub use figures::figures;
pub use obligations::{end_source, obligation, obligations, of_source, waive};
pub use packages::{packages, update_package};
pub use reconcile::{daily, reconcile, Summary};

const RULES: &str = include_str!("../../../config/seed/programme_rules.json");
const PACKAGES: &str = include_str!("../../../config/seed/service_packages.json");

/// What the use cases need besides the connection and the caller.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub rules: &'a RuleSet,
    pub tz: chrono_tz::Tz,
    pub horizon_days: i64,
    /// The district's today.
    pub today: NaiveDate,
    pub referrals: &'a crate::config::Referrals,
    /// Whose action made the run (its audit records name them); None: the daily pass.
    pub actor: Option<&'a crate::auth::CurrentUser>,
}

impl<'a> Ctx<'a> {
    pub fn new(settings: &'a crate::config::Settings, tz: chrono_tz::Tz) -> AppResult<Ctx<'a>> {
        Ok(Ctx {
            rules: rules()?,
            tz,
            horizon_days: settings.programmes.horizon_days,
            today: chrono::Utc::now().with_timezone(&tz).date_naive(),
            referrals: &settings.referrals,
            actor: None,
        })
    }

    /// The same context, for a run that `user`'s action caused.
    pub fn by(self, user: &'a crate::auth::CurrentUser) -> Ctx<'a> {
        Ctx {
            actor: Some(user),
            ..self
        }
    }
}

fn seed_text(name: &str, embedded: &'static str) -> String {
    std::fs::read_to_string(crate::config::config_dir().join("seed").join(name))
        .unwrap_or_else(|_| embedded.to_string())
}

/// The rules (config/seed/programme_rules.json, else the copy built in), read once.
pub fn rules() -> AppResult<&'static RuleSet> {
    static SET: OnceLock<Result<RuleSet, String>> = OnceLock::new();
    SET.get_or_init(|| RuleSet::parse(&seed_text("programme_rules.json", RULES)))
        .as_ref()
        .map_err(|e| AppError::internal(format!("config/seed/programme_rules.json: {e}")))
}

#[derive(serde::Deserialize)]
struct PackageFile {
    packages: Vec<SeedPackage>,
}

#[derive(serde::Deserialize)]
struct SeedPackage {
    code: String,
    name: String,
    price_yuan: f64,
    eligibility: super::model::packages::Eligibility,
    items: Vec<super::model::packages::Item>,
}

/// Seeds the packages of config/seed/service_packages.json that are not there yet (an admin's
/// edits stay); checks the rules file too, so a broken one stops start-up. Returns how many.
pub fn seed(conn: &mut DbConn) -> AppResult<usize> {
    rules()?;
    let file: PackageFile = serde_json::from_str(&seed_text("service_packages.json", PACKAGES))
        .map_err(|e| AppError::internal(format!("config/seed/service_packages.json: {e}")))?;
    let mut made = 0;
    for p in file.packages {
        let p = Package {
            code: p.code,
            name: p.name,
            price_yuan: p.price_yuan,
            eligibility: p.eligibility,
            items: p.items,
            active: true,
            version: 1,
        };
        if super::repo::seed_package(conn, &p)? {
            made += 1;
        }
    }
    Ok(made)
}
