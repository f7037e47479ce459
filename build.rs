//! Tells the integration tests which PostgreSQL tests can run here, so that `cargo test` lists the
//! others as ignored, with the reason, instead of counting tests that did not run as passed.
//!
//! - `carelink_pg_tests`: CARELINK_TEST_POSTGRES_URL is set (a server the tests may create databases on).
//! - `carelink_pg_cluster`: PostgreSQL's server binaries (initdb, pg_ctl) are installed under
//!   /usr/lib/postgresql, so the outage test can make a private cluster to stop and start.
//!
//! Changing the variable rebuilds the crate (cargo reruns this script), so the test list follows it.
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARELINK_TEST_POSTGRES_URL");
    println!("cargo:rustc-check-cfg=cfg(carelink_pg_tests)");
    println!("cargo:rustc-check-cfg=cfg(carelink_pg_cluster)");
    if std::env::var("CARELINK_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo:rustc-cfg=carelink_pg_tests");
    }
    let has_initdb = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.flatten()
                .any(|d| Path::new(&d.path()).join("bin/initdb").exists())
        })
        .unwrap_or(false);
    if has_initdb {
        println!("cargo:rustc-cfg=carelink_pg_cluster");
    }
}
