//! What an interrupted or killed flowcast leaves behind, and its removal.
//!
//! While it writes, a process registers its temporary files and staging
//! folders here. [`install_signal_handler`] removes them on SIGINT, SIGTERM
//! or SIGHUP before exiting; a process killed outright (SIGKILL, power loss)
//! cannot, so [`sweep`] removes, in a folder about to be written, what
//! processes that no longer exist left there. Only names flowcast makes are
//! touched: `.NAME.tmpPID…` files, `.NAME.stagingPID` and `.NAME.oldPID`
//! folders and `.flowcast-probePID` files, and only when process PID is gone.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Exit status after an interrupt (128 + SIGINT, as shells report it).
pub const INTERRUPTED: i32 = 130;

/// Set first thing by the interrupt handler.
static INTERRUPT_SEEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether an interrupt is being handled. The handler removes the staging
/// folder under the main thread's feet, so the main thread's next write
/// fails; that failure is the interrupt's doing, not an error to report
/// (and must not exit 2 before the handler exits 130).
pub fn interrupt_seen() -> bool {
    INTERRUPT_SEEN.load(std::sync::atomic::Ordering::SeqCst)
}

/// Remembers `path` (a temporary file or staging folder) for removal on an
/// interrupt.
pub(crate) fn register(path: PathBuf) {
    with_pending(|p| p.push(path));
}

/// Forgets `path` (renamed into place or removed).
pub(crate) fn unregister(path: &Path) {
    with_pending(|p| p.retain(|q| q != path));
}

/// Runs `f` on the pending list, holding its lock: the interrupt handler
/// waits, so a publish in progress completes before anything is removed.
pub(crate) fn with_pending<T>(f: impl FnOnce(&mut Vec<PathBuf>) -> T) -> T {
    let mut guard = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut guard)
}

/// Runs `create`, which makes a folder or file on disk at or inside a
/// [`register`]ed path, unless an interrupt has been seen. It runs under
/// the pending list's lock, which the handler takes before it removes
/// anything and holds until the process exits: nothing is created after
/// the handler's removal (a write that recreated a removed staging folder
/// on its way would have left it behind). `create` must not register.
pub(crate) fn unless_interrupted<T>(
    create: impl FnOnce() -> std::io::Result<T>,
) -> std::io::Result<T> {
    with_pending(|_| {
        if interrupt_seen() {
            return Err(std::io::Error::other("interrupted"));
        }
        create()
    })
}

fn remove(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Installs the SIGINT/SIGTERM/SIGHUP handler: remove this process's
/// temporary files and staging folders, say so, exit with [`INTERRUPTED`].
/// It holds the pending list's lock from before its removal to the exit,
/// and the writes that create anything take that lock and give up once an
/// interrupt is seen: nothing appears after the removal.
pub fn install_signal_handler() -> Result<(), String> {
    ctrlc::set_handler(|| {
        with_pending(|p| {
            INTERRUPT_SEEN.store(true, std::sync::atomic::Ordering::SeqCst);
            for path in p.drain(..) {
                remove(&path);
            }
            eprintln!("flowcast: interrupted; nothing was published");
            std::process::exit(INTERRUPTED);
        })
    })
    .map_err(|e| e.to_string())
}

/// The process id in a name flowcast gives its temporary files and staging
/// folders, or `None` for any other name.
pub(crate) fn owner_pid(name: &str) -> Option<i32> {
    if let Some(rest) = name.strip_prefix(".flowcast-probe") {
        return rest.parse().ok();
    }
    if !name.starts_with('.') {
        return None;
    }
    for marker in [".tmp", ".staging", ".old"] {
        if let Some(at) = name.rfind(marker) {
            let digits: String = name[at + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let rest = &name[at + marker.len() + digits.len()..];
            // `.tmpPID`, `.tmpPID-N.png` (charts of earlier versions),
            // `.stagingPID`, `.oldPID`.
            let tail_ok = rest.is_empty() || (marker == ".tmp" && rest.starts_with('-'));
            if !digits.is_empty() && tail_ok && at > 0 {
                return digits.parse().ok();
            }
        }
    }
    None
}

/// Whether process `pid` exists (a process we may not signal still does).
fn alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// [`sweep`], the first time this process writes into `dir` only: a folder
/// swept once holds no leftovers of dead processes that appear later (their
/// PIDs are gone), so sweeping again before each of a run's many file writes
/// would only repeat the folder listing.
pub(crate) fn sweep_once(dir: &Path) {
    static SWEPT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let mut swept = SWEPT.lock().unwrap_or_else(|e| e.into_inner());
    if !swept.iter().any(|d| d == dir) {
        sweep(dir);
        swept.push(dir.to_path_buf());
    }
}

/// Removes from `dir` what killed flowcast processes left there: their
/// temporary files and staging folders (see the module documentation).
/// Returns how many it removed. Errors are ignored: sweeping is tidying,
/// never a reason to fail.
pub fn sweep(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let me = std::process::id() as i32;
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(owner_pid) else {
            continue;
        };
        if pid != me && !alive(pid) {
            remove(&e.path());
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_flowcast_names() {
        assert_eq!(owner_pid(".summary.json.tmp123"), Some(123));
        assert_eq!(owner_pid(".daily-credits.tmp77-3.png"), Some(77));
        assert_eq!(owner_pid(".default.staging9"), Some(9));
        assert_eq!(owner_pid(".default.old9"), Some(9));
        assert_eq!(owner_pid(".flowcast-probe42"), Some(42));
        for other in [
            "summary.json.tmp123",
            ".tmp123",
            ".notes.tmp",
            ".x.tmp12a",
            ".x.staging12.bak",
            "chart.png",
            ".bashrc",
        ] {
            assert_eq!(owner_pid(other), None, "{other}");
        }
    }

    #[test]
    fn sweeps_the_dead_and_spares_the_living() {
        let dir = tempfile::tempdir().unwrap();
        // A pid far above any pid_max (4194304) is never alive.
        let dead = 999_999_999;
        let live = std::process::id();
        for name in [
            format!(".a.csv.tmp{dead}"),
            format!(".b.csv.tmp{live}"),
            "notes.txt".to_string(),
            format!("a.csv.tmp{dead}"),
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join(format!(".out.staging{dead}"))).unwrap();
        std::fs::write(
            dir.path()
                .join(format!(".out.staging{dead}"))
                .join("summary.json"),
            b"{}",
        )
        .unwrap();
        assert_eq!(sweep(dir.path()), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![
                format!(".b.csv.tmp{live}"),
                format!("a.csv.tmp{dead}"),
                "notes.txt".to_string()
            ]
        );
    }
}
