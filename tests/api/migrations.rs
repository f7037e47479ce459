//! Migrations: idempotent, and safe when several instances start on one PostgreSQL together.
use diesel::connection::SimpleConnection;

use crate::db_test;
use crate::helpers::{require_postgres_url, with_database};

db_test! {
    async fn running_the_migrations_again_is_a_no_op(app) {
        let before = app.count("organizations");
        let again = carelink::cli::migrate(&app.pool, std::time::Duration::from_secs(5)).expect("migrate");
        assert_eq!(again, 0);
        assert_eq!(app.count("organizations"), before);
    }
}

#[test]
#[cfg_attr(
    not(carelink_pg_tests),
    ignore = "CARELINK_TEST_POSTGRES_URL unset: PostgreSQL not run"
)]
fn four_instances_migrating_one_postgresql_at_once_all_succeed() {
    let admin_url = require_postgres_url();
    let name = format!("t_mig_{}", uuid::Uuid::new_v4().simple());
    let mut admin = carelink::db::connect_pg(&admin_url).expect("PostgreSQL reachable");
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .unwrap();
    let url = with_database(&admin_url, &name);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let (url, barrier) = (url.clone(), barrier.clone());
            std::thread::spawn(move || {
                let pool = carelink::db::pool(&url, 1, std::time::Duration::from_secs(10)).unwrap();
                let conn = pool.get().expect("connect");
                drop(conn);
                barrier.wait();
                carelink::cli::migrate(&pool, std::time::Duration::from_secs(10))
            })
        })
        .collect();
    let results: Vec<_> = runs
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .collect();
    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
    let applied: Vec<usize> = results
        .into_iter()
        .map(|r| r.expect("every instance succeeds"))
        .collect();
    assert_eq!(
        applied.iter().filter(|&&n| n > 0).count(),
        1,
        "exactly one instance applied them: {applied:?}"
    );
}
