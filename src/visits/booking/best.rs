//! Taking the best free slot of a window when many bookings want the same one (issue #19).
//!
//! On PostgreSQL a booking reads the clinicians' days without locks and ranks their best slots;
//! then it goes down that ranking one clinician at a time, under that clinician's lock alone (in a
//! savepoint, so a try that fails releases it): it searches the clinician's day as it now stands
//! and takes their best slot, unless that has become worse (by continuity, then added travel) than
//! the next clinician's. So concurrent bookings of one clinic spread over its clinicians instead
//! of queueing on one. The first rounds skip a clinician another booking holds, re-reading the
//! days between rounds; the last round waits for each in turn. Only when all of that fails does
//! it lock every candidate at once, in id order (so concurrent bookings cannot deadlock), and
//! search their days: before, that was the second step, and bookings queued behind it holding
//! clinicians the others then had to skip. On SQLite the immediate write transaction already
//! holds the single write lock.
use diesel::Connection;

use super::{able_clinicians, days, entitled, need, Ctx, Target};
use crate::db::{lock_row, lock_rows, try_lock_first, Backend, DbConn, LockableTable};
use crate::error::{AppError, AppResult};
use crate::people::flow::UserRow;
use crate::planning::slots::{self, Need, Slot};

/// How many clinicians a round tries at most.
const TRIES: usize = 16;

/// Rounds down the ranking, each on a fresh unlocked read: all but the last skip the clinicians
/// other bookings hold (one statement finds the first free one), the last waits for each in turn.
const ROUNDS: usize = 3;

/// Takes the best free slot in the window (of one clinician, or any able one), then checks the
/// resident's long-term care entitlement for it. None when nothing fits.
pub fn take_best(
    conn: &mut DbConn,
    ctx: &Ctx,
    t: &Target,
    only: Option<&str>,
    except: Option<&str>,
) -> AppResult<Option<Slot>> {
    let slot = take_best_slot(conn, ctx, t, only, except)?;
    if let Some(s) = &slot {
        entitled(conn, t, s, except)?;
    }
    Ok(slot)
}

fn take_best_slot(
    conn: &mut DbConn,
    ctx: &Ctx,
    t: &Target,
    only: Option<&str>,
    except: Option<&str>,
) -> AppResult<Option<Slot>> {
    let clinicians = able_clinicians(conn, t, only)?;
    let need = need(ctx, t);
    if conn.backend() == Backend::Postgres && clinicians.len() > 1 {
        for round in 0..ROUNDS {
            let unlocked = days(conn, t, &clinicians, except)?;
            let ranked = best_of_each(slots::candidates(&need, &unlocked, ctx.travel, TRIES * 8));
            if ranked.is_empty() {
                return Ok(None);
            }
            let mut from = 0;
            while from < ranked.len() {
                let try_ = Try {
                    need: &need,
                    clinicians: &clinicians,
                    ranked: &ranked[from..],
                    wait: round + 1 == ROUNDS,
                };
                match conn.transaction(|c| try_.take(c, ctx, t, except)) {
                    Ok(taken) => return Ok(Some(taken)),
                    Err(Attempt::Held) => break,
                    Err(Attempt::Lost(i)) => from += i + 1,
                    Err(Attempt::Failed(e)) => return Err(e),
                }
            }
        }
    }
    let ids: Vec<String> = clinicians.iter().map(|c| c.id.clone()).collect();
    lock_rows(conn, LockableTable::Users, &ids)?;
    let days = days(conn, t, &clinicians, except)?;
    Ok(slots::candidates(&need, &days, ctx.travel, 1)
        .into_iter()
        .next())
}

/// The best slot of each clinician, in the ranking's order, at most `TRIES`.
fn best_of_each(ranked: Vec<Slot>) -> Vec<Slot> {
    let mut best: Vec<Slot> = vec![];
    for slot in ranked {
        if best.len() < TRIES && best.iter().all(|b| b.clinician_id != slot.clinician_id) {
            best.push(slot);
        }
    }
    best
}

/// What ranks a slot before the start time: the family doctor first, then the least added travel.
fn rank(s: &Slot) -> (bool, i64) {
    (!s.family_doctor, s.added_travel_minutes)
}

/// One try down the rest of a round's ranking.
struct Try<'a> {
    need: &'a Need,
    clinicians: &'a [UserRow],
    /// The clinicians' best slots as the unlocked read ranked them, from this try's first.
    ranked: &'a [Slot],
    /// Wait for the first clinician's lock rather than skip the held ones.
    wait: bool,
}

/// Why one try did not take a slot; the savepoint rolls back, releasing the lock it took.
enum Attempt {
    /// Every clinician left in the ranking is held by another booking.
    Held,
    /// The clinician at this place in the ranking has no slot left, or one that has become worse
    /// than the next clinician's.
    Lost(usize),
    Failed(AppError),
}

impl From<diesel::result::Error> for Attempt {
    fn from(e: diesel::result::Error) -> Attempt {
        Attempt::Failed(e.into())
    }
}

impl Try<'_> {
    /// Locks the first clinician of the ranking that no other booking holds (or waits for the
    /// first) and takes their best slot in their day as it now stands, unless it ranks after the
    /// next clinician's.
    fn take(
        &self,
        conn: &mut DbConn,
        ctx: &Ctx,
        t: &Target,
        except: Option<&str>,
    ) -> Result<Slot, Attempt> {
        let i = if self.wait {
            lock_row(conn, LockableTable::Users, &self.ranked[0].clinician_id)?;
            0
        } else {
            let ids: Vec<String> = self.ranked.iter().map(|s| s.clinician_id.clone()).collect();
            let Some(id) = try_lock_first(conn, LockableTable::Users, &ids)? else {
                return Err(Attempt::Held);
            };
            ids.iter().position(|c| *c == id).unwrap_or(0)
        };
        let id = &self.ranked[i].clinician_id;
        let Some(clinician) = self.clinicians.iter().find(|c| c.id == *id) else {
            return Err(Attempt::Lost(i));
        };
        let day =
            days(conn, t, std::slice::from_ref(clinician), except).map_err(Attempt::Failed)?;
        let best = slots::candidates(self.need, &day, ctx.travel, 1)
            .into_iter()
            .next()
            .ok_or(Attempt::Lost(i))?;
        match self.ranked.get(i + 1) {
            Some(next) if rank(&best) > rank(next) => Err(Attempt::Lost(i)),
            _ => Ok(best),
        }
    }
}
