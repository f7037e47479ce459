//! The append-only tables by month on PostgreSQL (ADR 0015): the audit log and the outbox keep each
//! month in its own partition, made ahead by the upkeep every instance runs, and retention drops
//! old months whole, the rows of other months untouched and the audit log still append-only.
use carelink::auth::Role;
use carelink::db::partitions;
use chrono::{Months, NaiveDate};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::pg_test;

fn month(d: NaiveDate) -> String {
    d.format("%Y%m").to_string()
}

#[derive(QueryableByName)]
struct Part {
    #[diesel(sql_type = Text)]
    part: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut carelink::db::DbConn, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

pg_test! {
    async fn the_audit_log_and_the_outbox_keep_each_month_apart_and_retention_drops_old_months_whole(app) {
        let mut pooled = app.conn();
        let conn: &mut carelink::db::DbConn = &mut pooled;
        let today = carelink::db::now().date();
        // The migration and the upkeep made this month and the next three.
        for table in partitions::TABLES {
            let names = partitions::list(conn, table).unwrap();
            for k in 0..=partitions::MONTHS_AHEAD {
                let m = today.checked_add_months(Months::new(k)).unwrap();
                assert!(names.contains(&format!("{table}_{}", month(m))), "{table} lacks {}: {names:?}", month(m));
            }
        }

        // A change through the API lands in this month's partitions.
        let token = app.token_for("sched.months", Role::Scheduler, Some("WH-CL-01")).await;
        let resident = app.resident_of(&token, "WH-CL-01", "分区测试").await;
        let day = today.checked_add_days(chrono::Days::new(7)).unwrap();
        let visit = app
            .client
            .post(format!("{}/api/v1/visits", app.address))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "resident_id": resident, "service_type": "blood_pressure_check", "auto_assign": false,
                "window_start": format!("{day}T08:00:00+08:00"), "window_end": format!("{day}T17:00:00+08:00"),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(visit.status(), 201);
        let part = diesel::sql_query("SELECT tableoid::regclass::text AS part FROM audit_log WHERE entity_id = $1")
            .bind::<Text, _>(&resident)
            .get_result::<Part>(conn)
            .unwrap();
        assert_eq!(part.part, format!("audit_log_{}", month(today)));
        let recent_audit = count(conn, "SELECT count(*) AS n FROM audit_log");
        let recent_events = count(conn, "SELECT count(*) AS n FROM events");
        assert!(recent_events > 0);

        // History of fourteen months ago, in its own month.
        let old = today.checked_sub_months(Months::new(14)).unwrap();
        for table in partitions::TABLES {
            assert_eq!(partitions::ensure(conn, table, old, old).unwrap(), 1);
            assert_eq!(partitions::ensure(conn, table, old, old).unwrap(), 0, "made once");
        }
        conn.batch_execute(&format!(
            "INSERT INTO audit_log (id, at, action, entity, entity_id) VALUES ('old-audit', '{old} 10:00', 'create', 'visit', 'old-visit'); \
             INSERT INTO events (at, kind, entity, entity_id, audience, payload) VALUES ('{old} 10:00', 'visit.booked', 'visit', 'old-visit', '[]', '{{}}');"
        ))
        .unwrap();
        let old_part = format!("SELECT count(*) AS n FROM audit_log_{}", month(old));
        assert_eq!(count(conn, &old_part), 1, "the old record is in its month's partition");

        // Upkeep with the default audit retention (0: kept for ever) drops the old events' month only.
        let mut settings = app.settings.clone();
        let upkeep = carelink::ops::housekeeping::run_once(conn, &settings).unwrap();
        assert!(upkeep.events >= 1, "{upkeep:?}");
        assert_eq!(upkeep.audit_months, 0);
        assert!(!partitions::list(conn, "events").unwrap().contains(&format!("events_{}", month(old))));
        assert_eq!(count(conn, "SELECT count(*) AS n FROM events WHERE entity_id = 'old-visit'"), 0);
        assert_eq!(count(conn, "SELECT count(*) AS n FROM audit_log WHERE entity_id = 'old-visit'"), 1);

        // With twelve months' retention the old audit month goes too; this month's records stay.
        settings.audit.retention_months = 12;
        let upkeep = carelink::ops::housekeeping::run_once(conn, &settings).unwrap();
        assert_eq!(upkeep.audit_months, 1, "{upkeep:?}");
        assert!(!partitions::list(conn, "audit_log").unwrap().contains(&format!("audit_log_{}", month(old))));
        assert_eq!(count(conn, "SELECT count(*) AS n FROM audit_log WHERE entity_id = 'old-visit'"), 0);
        assert!(count(conn, "SELECT count(*) AS n FROM audit_log") >= recent_audit);
        assert!(count(conn, "SELECT count(*) AS n FROM events") >= recent_events);

        // The audit log is still append-only, row by row.
        let err = conn
            .batch_execute(&format!("DELETE FROM audit_log WHERE entity_id = '{resident}'"))
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        let err = conn
            .batch_execute(&format!("UPDATE audit_log SET action = 'x' WHERE entity_id = '{resident}'"))
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
}
