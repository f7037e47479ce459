//! The home sickbeds as the obligation engine reads them: a read model of the episodes table
//! (the episodes domain writes it and calls the engine; the engine never calls back).
use diesel::prelude::*;

use super::day;
use crate::db::schema::episodes;
use crate::db::DbConn;
use crate::programmes::model::engine::EpisodeCare;

/// The plan as stored (JSON): rounds per week and their service type, and the nursing items.
#[derive(Debug, Default, serde::Deserialize)]
struct StoredPlan {
    #[serde(default)]
    rounds_per_week: u32,
    #[serde(default)]
    round_service_type: String,
    #[serde(default)]
    nursing: Vec<StoredItem>,
}

#[derive(Debug, serde::Deserialize)]
struct StoredItem {
    service_type: String,
    per_week: u32,
}

/// id, resident, clinic, plan, opened on, until, closed on.
type CareRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

/// A sickbed's care and the clinic that owes it.
pub struct EpisodeOwing {
    pub resident_id: String,
    pub clinic_id: String,
    pub care: EpisodeCare,
}

/// The home sickbeds of one resident (Some) or all, open or closed: each owes from its opening to
/// its end (`until`, or the day it closed).
pub fn episode_care(conn: &mut DbConn, resident: Option<&str>) -> QueryResult<Vec<EpisodeOwing>> {
    let mut q = episodes::table
        .select((
            episodes::id,
            episodes::resident_id,
            episodes::clinic_id,
            episodes::plan,
            episodes::opened_on,
            episodes::until,
            episodes::closed_on,
        ))
        .into_boxed::<crate::db::MultiBackend>();
    if let Some(r) = resident {
        q = q.filter(episodes::resident_id.eq(r.to_string()));
    }
    let rows: Vec<CareRow> = q.order(episodes::id.asc()).load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, resident_id, clinic_id, plan, opened, until, closed)| {
                let plan: StoredPlan = serde_json::from_str(&plan).unwrap_or_default();
                let mut items = vec![];
                if plan.rounds_per_week > 0 && !plan.round_service_type.is_empty() {
                    items.push((plan.round_service_type, plan.rounds_per_week));
                }
                items.extend(
                    plan.nursing
                        .into_iter()
                        .map(|n| (n.service_type, n.per_week)),
                );
                let until = day(&until);
                EpisodeOwing {
                    resident_id,
                    clinic_id,
                    care: EpisodeCare {
                        episode_id: id,
                        opened_on: day(&opened),
                        ends_on: closed.map(|c| day(&c).min(until)).unwrap_or(until),
                        items,
                    },
                }
            },
        )
        .collect())
}
