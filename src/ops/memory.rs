//! The allocator's setting for a long-running service.

/// Arenas glibc's malloc may use when `MALLOC_ARENA_MAX` is not set.
pub const MALLOC_ARENAS: i32 = 2;

/// glibc gives threads that contend for malloc arenas of their own, up to eight per core, and
/// keeps what each arena once held. actix's blocking pool starts and retires threads as load comes
/// and goes, so the service's memory crept up in steps under a steady load. With two arenas it
/// stays flat, at no measurable cost in latency (bench/README.md, "Memory"). An explicit
/// `MALLOC_ARENA_MAX` still wins. Call before any other thread starts.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only tunes the allocator, and no other thread exists yet to race it.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, MALLOC_ARENAS);
        }
    }
}
