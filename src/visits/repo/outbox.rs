//! A visit's changes in the outbox: who hears of them, and what the event carries.
use diesel::prelude::*;

use super::VisitRow;
use crate::db::schema::residents;
use crate::db::DbConn;
use crate::ids::ResidentId;

/// Who hears of a visit's changes: its clinic, the resident, and the resident's care home.
pub fn audience(conn: &mut DbConn, v: &VisitRow) -> QueryResult<Vec<String>> {
    let home: Option<Option<String>> = residents::table
        .find(&v.resident_id)
        .select(residents::care_home_id)
        .first(conn)
        .optional()?;
    let mut a = vec![
        v.clinic_id.to_string(),
        format!("resident:{}", v.resident_id),
    ];
    a.extend(home.flatten());
    Ok(a)
}

/// What a visit event carries.
fn payload(v: &VisitRow) -> serde_json::Value {
    serde_json::json!({
        "id": v.id, "status": v.status, "clinic_id": v.clinic_id, "clinician_id": v.clinician_id,
        "resident_id": v.resident_id, "starts_at": v.starts_at.map(crate::time::Time::from),
        "ends_at": v.ends_at.map(crate::time::Time::from), "priority": v.priority, "version": v.version,
    })
}

/// Publishes `visit.<what>` for a visit, in the caller's transaction.
pub fn publish(conn: &mut DbConn, what: &str, v: &VisitRow) -> QueryResult<()> {
    let audience = audience(conn, v)?;
    crate::events::publish(
        conn,
        &format!("visit.{what}"),
        "visit",
        v.id.as_str(),
        &audience,
        &payload(v),
    )
}

/// Publishes `visit.<what>` for many visits, in batched inserts, with each visit's audience
/// (the care homes read in one query).
pub fn publish_many(conn: &mut DbConn, what: &str, vs: &[VisitRow]) -> QueryResult<()> {
    let mut homes = std::collections::HashMap::new();
    let residents_of: Vec<&ResidentId> = vs.iter().map(|v| &v.resident_id).collect();
    for chunk in residents_of.chunks(500) {
        let rows: Vec<(String, Option<String>)> = residents::table
            .filter(residents::id.eq_any(chunk))
            .select((residents::id, residents::care_home_id))
            .load(conn)?;
        homes.extend(rows);
    }
    let items: Vec<_> = vs
        .iter()
        .map(|v| {
            let mut a = vec![
                v.clinic_id.to_string(),
                format!("resident:{}", v.resident_id),
            ];
            a.extend(homes.get(v.resident_id.as_str()).cloned().flatten());
            (v.id.to_string(), a, payload(v))
        })
        .collect();
    crate::events::publish_many(conn, &format!("visit.{what}"), "visit", &items)
}
