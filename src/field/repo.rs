//! The field's own record: the alarms it raised by itself about a visit, one per visit and kind
//! (the primary key decides, also between instances scanning at once).
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::visit_alarms;
use crate::db::DbConn;

/// Raises an alarm of `kind` for a visit unless it was raised already; true when this call raised
/// it.
pub fn raise(
    conn: &mut DbConn,
    visit_id: &str,
    kind: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let row = (
        visit_alarms::visit_id.eq(visit_id),
        visit_alarms::kind.eq(kind),
        visit_alarms::raised_at.eq(at),
    );
    let n = match conn {
        DbConn::Pg(c) => diesel::insert_into(visit_alarms::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_or_ignore_into(visit_alarms::table)
            .values(row)
            .execute(c)?,
    };
    Ok(n == 1)
}
