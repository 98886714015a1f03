//! Injected failures, for the tests that show a crash or a full disk leaves
//! the old result whole: `FLOWCAST_FAULT` set to
//!
//! - `abort-before-publish`: the process aborts (as if killed with SIGKILL:
//!   no handler runs) after staging a result folder, just before publishing
//!   it;
//! - `enospc-after=N`: every atomic file write after the first `N` fails
//!   with the operating system's "No space left on device".
//!
//! A testing hook, not a setting: unset (the normal case), nothing changes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    AbortBeforePublish,
    NoSpaceAfter(usize),
}

fn fault() -> Fault {
    static FAULT: OnceLock<Fault> = OnceLock::new();
    *FAULT.get_or_init(|| {
        let v = std::env::var("FLOWCAST_FAULT").unwrap_or_default();
        if v == "abort-before-publish" {
            Fault::AbortBeforePublish
        } else if let Some(n) = v.strip_prefix("enospc-after=").and_then(|n| n.parse().ok()) {
            Fault::NoSpaceAfter(n)
        } else {
            Fault::None
        }
    })
}

/// Called before a result folder is published.
pub(crate) fn before_publish() {
    if fault() == Fault::AbortBeforePublish {
        std::process::abort();
    }
}

/// Called before each atomic file write: the injected "disk full", if due.
pub(crate) fn before_write() -> std::io::Result<()> {
    static WRITES: AtomicUsize = AtomicUsize::new(0);
    if let Fault::NoSpaceAfter(n) = fault() {
        if WRITES.fetch_add(1, Ordering::SeqCst) >= n {
            return Err(std::io::Error::from_raw_os_error(libc::ENOSPC));
        }
    }
    Ok(())
}
