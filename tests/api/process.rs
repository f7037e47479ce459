//! The process itself: it must end cleanly whatever its threads are doing with the database.
use crate::helpers::require_postgres_url;

const CHILD: &str = "CARELINK_TEST_EXIT_RACE_CHILD";

/// In the child: threads keep opening and closing TLS connections while the process exits.
/// Without `db::connect_pg`'s OpenSSL set-up, about one such exit in six aborted here
/// ("double free or corruption" or a segfault in OpenSSL's exit handler).
fn exit_while_threads_churn_connections(url: &str) -> ! {
    drop(carelink::db::connect_pg(url).expect("PostgreSQL reachable"));
    for _ in 0..6 {
        let url = url.to_string();
        std::thread::spawn(move || loop {
            drop(carelink::db::connect_pg(&url));
        });
    }
    std::thread::sleep(std::time::Duration::from_millis(150));
    std::process::exit(0)
}

#[test]
#[cfg_attr(
    not(carelink_pg_tests),
    ignore = "CARELINK_TEST_POSTGRES_URL unset: PostgreSQL not run"
)]
fn a_process_exiting_while_threads_close_postgresql_connections_exits_cleanly() {
    let url = require_postgres_url();
    if std::env::var_os(CHILD).is_some() {
        exit_while_threads_churn_connections(&url);
    }
    let me = std::env::current_exe().unwrap();
    let name =
        "process::a_process_exiting_while_threads_close_postgresql_connections_exits_cleanly";
    for run in 0..30 {
        let out = std::process::Command::new(&me)
            .args(["--exact", name, "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "exit {run} ended with {:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
