//! Ctrl-C and termination signals (SIGINT, SIGTERM, SIGHUP): they set cancel flags instead of
//! killing the process, so that a command can stop cleanly and remove its temporary folder.
//!
//! The signal handler can be installed only once per process, but each command has its own
//! cancel flag; [`watch`] installs the handler on first use and lets every watched flag be set.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static WATCHED: Mutex<Vec<&'static AtomicBool>> = Mutex::new(Vec::new());
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static INSTALLED: std::sync::Once = std::sync::Once::new();

/// Sets `flag` when the process is interrupted (Ctrl-C, SIGTERM, SIGHUP), also if that
/// happened already. If the handler cannot be installed (e.g. another one exists), signals keep
/// their default action: the process ends, and outputs stay unwritten.
pub fn watch(flag: &'static AtomicBool) {
    WATCHED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(flag);
    INSTALLED.call_once(|| {
        // ctrlc runs the handler on a thread of its own, not in signal context: locking is fine.
        let _ = ctrlc::set_handler(|| {
            INTERRUPTED.store(true, Ordering::SeqCst);
            for f in WATCHED
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .iter()
            {
                f.store(true, Ordering::SeqCst);
            }
        });
    });
    if INTERRUPTED.load(Ordering::SeqCst) {
        flag.store(true, Ordering::SeqCst);
    }
}

/// Whether the process has been interrupted since [`watch`] was first called.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
