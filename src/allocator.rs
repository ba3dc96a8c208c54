//! The memory allocator of every binary, test and benchmark of the crate: mimalloc.
//!
//! Each replication allocates and frees a few large vectors (tickets, jobs). glibc's malloc
//! hands blocks of that size back to the kernel on free and faults them in again for the next
//! replication: about 90 page faults per replication of mustermann-gmbh, 6 % of its time in the
//! kernel. mimalloc reuses them, and [`keep_freed_memory`] stops it from handing them back
//! after a delay too.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    fn mi_version() -> std::ffi::c_int;
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc 3 (`mi_option_e` in `mimalloc.h`).
const PURGE_DELAY: std::ffi::c_int = 15;

/// Keeps freed memory in the process instead of returning it to the kernel (which faulted it
/// in again for the next replications: 3 % of a run's time). Memory use stays at its peak,
/// which a run reaches in its first replications anyway. Call once, early.
pub fn keep_freed_memory() {
    // SAFETY: plain calls into the linked mimalloc; setting an option is allowed at any time.
    // The option's index is only known for mimalloc 3.x (`mi_version` 30000..40000: major,
    // two digits of minor, two of patch); with another version this does nothing.
    unsafe {
        if (30000..40000).contains(&mi_version()) {
            mi_option_set(PURGE_DELAY, -1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" {
        fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    }

    /// `keep_freed_memory` knows the option's index only for mimalloc 3: an upgrade beyond it
    /// must look the index up again rather than silently lose the setting.
    #[test]
    fn the_purge_delay_option_is_set_on_the_linked_mimalloc() {
        // SAFETY: plain calls into the linked mimalloc.
        let version = unsafe { mi_version() };
        assert!(
            (30000..40000).contains(&version),
            "mimalloc {version}: check PURGE_DELAY against its mimalloc.h"
        );
        keep_freed_memory();
        // SAFETY: as above.
        assert_eq!(unsafe { mi_option_get(PURGE_DELAY) }, -1);
    }
}
