//! Booking inside one transaction: find the serving clinic and the able clinicians, lock them,
//! check the slot against their day (shift, overlap, travel before and after), write.
//! PostgreSQL: a row lock on each clinician involved (plus the exclusion constraint as a backstop);
//! SQLite: the immediate write transaction (see docs/adr/0005-booking-invariant.md).
use chrono::NaiveDateTime;
use serde::Serialize;

mod best;

pub use best::take_best;

use super::model::VisitWindow;
use super::repo;
use crate::auth::{policy, CurrentUser, Role};
use crate::catalogue::model::ServiceType;

use crate::db::{lock_row, DbConn, LockableTable};
use crate::error::{AppError, AppResult};
use crate::network::flow::OrgRow;
use crate::people::flow::UserRow;
use crate::people::residents::ResidentRow;
use crate::planning::slots::{self, ClinicianDay, Need, Slot};
use crate::planning::travel::TravelModel;

/// What the search needs beyond the request.
pub struct Ctx<'a> {
    pub travel: &'a dyn TravelModel,
    pub step_minutes: i64,
    pub max_slots: usize,
    /// Check-in/out farther than this from home flags a location exception.
    pub location_radius_m: f64,
    pub now: NaiveDateTime,
}

/// A candidate slot as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AvailableSlot {
    pub clinician_id: String,
    pub starts_at: crate::time::Time,
    pub ends_at: crate::time::Time,
    pub travel_minutes_before: i64,
    pub travel_minutes_after: i64,
    pub added_travel_minutes: i64,
    /// The resident's family doctor (ranks first: continuity of care).
    pub family_doctor: bool,
    /// Higher is better: family doctor, then least added travel, then earliest.
    pub score: i64,
}

impl From<&Slot> for AvailableSlot {
    fn from(s: &Slot) -> AvailableSlot {
        AvailableSlot {
            clinician_id: s.clinician_id.clone(),
            starts_at: s.starts_at.and_utc().into(),
            ends_at: s.ends_at.and_utc().into(),
            travel_minutes_before: s.travel_minutes_before,
            travel_minutes_after: s.travel_minutes_after,
            added_travel_minutes: s.added_travel_minutes,
            family_doctor: s.family_doctor,
            score: s.score,
        }
    }
}

/// A visit to place: for whom, what, where, by which clinic.
pub struct Target {
    pub resident: ResidentRow,
    pub service: ServiceType,
    pub clinic: OrgRow,
    pub window: VisitWindow,
    /// The resident pays for the visit: no long-term care entitlement is checked or spent.
    pub self_paid: bool,
}

/// Resolves the resident (in the caller's scope, else 404), the service type (else 422) and the
/// clinic that serves the resident.
pub fn target(
    conn: &mut DbConn,
    user: &CurrentUser,
    resident_id: &str,
    service_type: &str,
    window: VisitWindow,
) -> AppResult<Target> {
    let scope = policy::resident_scope(user);
    let resident = crate::people::residents::find_scoped(conn, &scope, resident_id)?
        .ok_or_else(|| AppError::missing("resident"))?;
    let service = crate::catalogue::repo::find(conn, service_type)?
        .ok_or_else(|| AppError::invalid("service_type", "unknown service type"))?;
    let clinic = serving_clinic(conn, user, &resident)?;
    Ok(Target {
        resident,
        service,
        clinic,
        window,
        self_paid: false,
    })
}

/// The clinic that serves a resident: the caller's own clinic for clinic staff; otherwise the
/// family doctor's clinic, the clinic the care home signed with, or the community's first clinic.
pub fn serving_clinic(
    conn: &mut DbConn,
    user: &CurrentUser,
    resident: &ResidentRow,
) -> AppResult<OrgRow> {
    use crate::network::flow as orgs;
    let mut id = match (user.role, &user.organization_id) {
        (Role::Scheduler | Role::Clinician, Some(clinic)) => Some(clinic.clone()),
        _ => None,
    };
    if id.is_none() {
        if let Some(doc) = &resident.family_doctor_id {
            id = crate::people::flow::find_user(conn, doc)?.and_then(|d| d.organization_id);
        }
    }
    if id.is_none() {
        if let Some(home) = &resident.care_home_id {
            id = orgs::find(conn, home)?.and_then(|h| h.contracted_clinic_id);
        }
    }
    if let Some(id) = id {
        if let Some(org) = orgs::find(conn, &id)? {
            return Ok(org);
        }
    }
    let filter = orgs::OrgFilter {
        kind: Some(crate::network::model::OrgKind::Clinic),
        community_id: Some(resident.community_id.clone()),
        code: None,
    };
    let mut clinics = orgs::list(
        conn,
        &filter,
        &crate::http::pagination::PageRequest {
            limit: 100,
            after: None,
        },
    )?;
    clinics.sort_by(|a, b| a.code.cmp(&b.code));
    clinics.into_iter().next().ok_or_else(|| {
        AppError::conflict(
            "no_serving_clinic",
            "No clinic serves this resident's community.",
        )
    })
}

/// The clinicians who may make this visit: active, of the clinic, with the skill (or the one named).
pub fn able_clinicians(
    conn: &mut DbConn,
    t: &Target,
    only: Option<&str>,
) -> AppResult<Vec<UserRow>> {
    let all = repo::clinicians_with_skill(conn, &t.clinic.id, &t.service.required_skill)?;
    match only {
        None => Ok(all),
        Some(id) => {
            let one: Vec<UserRow> = all.into_iter().filter(|c| c.id == id).collect();
            if one.is_empty() {
                return Err(AppError::invalid(
                    "clinician_id",
                    format!(
                        "must be an active clinician of the serving clinic with the skill {}",
                        t.service.required_skill
                    ),
                ));
            }
            Ok(one)
        }
    }
}

pub fn need(ctx: &Ctx, t: &Target) -> Need {
    Need {
        location: t.resident.location(),
        minutes: t.service.duration_minutes as i64,
        window_start: t.window.start,
        window_end: t.window.end,
        not_before: ctx.now,
        step_minutes: ctx.step_minutes,
    }
}

/// The clinicians' days around the window, leaving out one visit (the one being moved).
pub fn days(
    conn: &mut DbConn,
    t: &Target,
    clinicians: &[UserRow],
    except: Option<&str>,
) -> AppResult<Vec<ClinicianDay>> {
    // Two queries for all the clinicians together, not two each.
    let ids: Vec<String> = clinicians.iter().map(|c| c.id.clone()).collect();
    let shifts = repo::shifts_of_many(conn, &ids, t.window.start, t.window.end)?;
    let (Some(first), Some(last)) = (
        shifts.iter().map(|s| s.1).min(),
        shifts.iter().map(|s| s.2).max(),
    ) else {
        return Ok(vec![]);
    };
    let stops = repo::stops_of_many(conn, &ids, first, last, except)?;
    let mut out = vec![];
    for c in clinicians {
        let own: Vec<_> = shifts
            .iter()
            .filter(|s| s.0 == c.id)
            .map(|s| (s.1, s.2))
            .collect();
        if own.is_empty() {
            continue;
        }
        out.push(ClinicianDay {
            clinician_id: c.id.clone(),
            base: t.clinic.location(),
            shifts: own,
            visits: stops
                .iter()
                .filter(|s| s.0 == c.id)
                .map(|s| s.1.clone())
                .collect(),
            family_doctor: t.resident.family_doctor_id.as_deref() == Some(c.id.as_str()),
        });
    }
    Ok(out)
}

/// Candidate slots, best first (read only).
pub fn availability(
    conn: &mut DbConn,
    ctx: &Ctx,
    t: &Target,
    only: Option<&str>,
    except: Option<&str>,
) -> AppResult<Vec<Slot>> {
    let clinicians = able_clinicians(conn, t, only)?;
    let days = days(conn, t, &clinicians, except)?;
    Ok(slots::candidates(
        &need(ctx, t),
        &days,
        ctx.travel,
        ctx.max_slots,
    ))
}

/// Takes one exact slot, holding the clinician's lock until the transaction ends. A slot that is
/// no longer free is 409 `visit_conflict` with the best alternatives in the body; a covered visit
/// past the resident's long-term care entitlement for its month, 409 `entitlement_exceeded`.
pub fn take_exact(
    conn: &mut DbConn,
    ctx: &Ctx,
    t: &Target,
    clinician_id: &str,
    starts_at: NaiveDateTime,
    except: Option<&str>,
) -> AppResult<Slot> {
    let slot = take_exact_slot(conn, ctx, t, clinician_id, starts_at, except)?;
    entitled(conn, t, &slot, except)?;
    Ok(slot)
}

/// The long-term care entitlement check of a slot about to be booked, in the booking's
/// transaction (the resident's row is locked there, so concurrent bookings cannot both take the
/// last unit).
fn entitled(conn: &mut DbConn, t: &Target, slot: &Slot, except: Option<&str>) -> AppResult<()> {
    crate::ltc::flow::check_booking(
        conn,
        &crate::ltc::flow::Booking {
            resident_id: &t.resident.id,
            category: t.service.category.as_str(),
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            except,
            self_paid: t.self_paid,
        },
    )
}

fn take_exact_slot(
    conn: &mut DbConn,
    ctx: &Ctx,
    t: &Target,
    clinician_id: &str,
    starts_at: NaiveDateTime,
    except: Option<&str>,
) -> AppResult<Slot> {
    let clinicians = able_clinicians(conn, t, Some(clinician_id))?;
    lock_row(conn, LockableTable::Users, clinician_id)?;
    let days = days(conn, t, &clinicians, except)?;
    let need = need(ctx, t);
    let why = match days.first() {
        Some(day) => match slots::fits(&need, day, starts_at, ctx.travel) {
            Ok(slot) => return Ok(slot),
            Err(m) => format!("{m:?}"),
        },
        None => "NoShift".to_string(),
    };
    let all = able_clinicians(conn, t, None)?;
    let all_days = self::days(conn, t, &all, except)?;
    let alternatives: Vec<AvailableSlot> = slots::candidates(&need, &all_days, ctx.travel, 5)
        .iter()
        .map(AvailableSlot::from)
        .collect();
    Err(
        AppError::conflict("visit_conflict", format!("That slot is not free ({why})."))
            .with_extra(serde_json::json!({ "alternatives": alternatives })),
    )
}
