//! A result folder is the old complete result or the new complete one, never
//! a mix: a run killed at any moment (SIGKILL, SIGINT, or an injected abort
//! just before publishing), or one that runs out of disk, leaves the old
//! folder byte for byte; leftovers of killed runs are swept by the next run;
//! files the user put in the folder are kept and never deleted.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::scenario;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("flowcast")
}

/// `flowcast run default.toml` with `seed` and `trials` into `out`.
fn run_args(out: &Path, seed: u64, trials: u32) -> Vec<String> {
    vec![
        "run".into(),
        scenario("default.toml"),
        "--seed".into(),
        seed.to_string(),
        "--trials".into(),
        trials.to_string(),
        "--quiet".into(),
        "--out".into(),
        out.display().to_string(),
    ]
}

fn run(out: &Path, seed: u64, trials: u32) {
    Command::new(bin())
        .args(run_args(out, seed, trials))
        .assert()
        .success();
}

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, rel: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().into_string().unwrap();
            let sub = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), &sub, out);
            } else {
                out.insert(sub, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

/// Names in `dir` other than `keep`.
fn others(dir: &Path, keep: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != keep)
        .collect()
}

/// The results of seeds 1 and 2, each as a fresh run writes them into a
/// folder named `out` (the report's title is the folder's name).
fn reference(trials: u32) -> (BTreeMap<String, Vec<u8>>, BTreeMap<String, Vec<u8>>) {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    run(&a.path().join("out"), 1, trials);
    run(&b.path().join("out"), 2, trials);
    (tree(&a.path().join("out")), tree(&b.path().join("out")))
}

#[test]
fn an_abort_just_before_publishing_leaves_the_old_result_and_the_next_run_sweeps() {
    let (old, new) = reference(20);
    assert_ne!(old, new);
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    run(&out, 1, 20);
    assert_eq!(tree(&out), old);

    let killed = Command::new(bin())
        .args(run_args(&out, 2, 20))
        .env("FLOWCAST_FAULT", "abort-before-publish")
        .output()
        .unwrap();
    assert!(!killed.status.success());
    assert_eq!(tree(&out), old, "the old result, whole");
    let left = others(root.path(), "out");
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with(".out.staging"), "{left:?}");

    run(&out, 2, 20);
    assert_eq!(tree(&out), new, "the new result, whole");
    assert!(
        others(root.path(), "out").is_empty(),
        "the killed run's staging folder is swept"
    );
}

#[cfg(unix)]
#[test]
fn killed_at_any_moment_the_folder_is_the_old_or_the_new_result() {
    let trials = 150;
    let (old, new) = reference(trials);
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    run(&out, 1, trials);
    // How long a whole run takes here, to spread the kills over it.
    let t0 = std::time::Instant::now();
    let probe = tempfile::tempdir().unwrap();
    run(&probe.path().join("out"), 2, trials);
    let whole = t0.elapsed();
    let (mut saw_old, mut saw_new) = (0, 0);
    for k in 0..12u32 {
        let mut child = std::process::Command::new(bin())
            .args(run_args(&out, if k % 2 == 0 { 2 } else { 1 }, trials))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Spread over the run's second half and past its end, where the
        // writing and publishing happen.
        std::thread::sleep(whole.mul_f64(0.3 + f64::from(k) / 10.0));
        let _ = child.kill(); // SIGKILL: no handler runs
        let _ = child.wait();
        let now = tree(&out);
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            let differ: Vec<_> = now
                .keys()
                .filter(|k| old.get(*k) != now.get(*k) && new.get(*k) != now.get(*k))
                .collect();
            panic!("kill {k}: a mixed folder; files neither old nor new: {differ:?}");
        }
        // Put the old result back for the next kill.
        if now != old {
            run(&out, 1, trials);
        }
    }
    assert!(saw_old > 0, "some kills landed before publishing");
    // Sweeping happens at the next start: a clean run leaves nothing beside.
    run(&out, 1, trials);
    assert!(others(root.path(), "out").is_empty());
    eprintln!("old {saw_old}, new {saw_new}");
}

#[cfg(unix)]
#[test]
fn an_interrupt_removes_the_staging_folder_and_keeps_the_old_result() {
    let trials = 2000;
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    run(&out, 1, 5);
    let old = tree(&out);
    let child = std::process::Command::new(bin())
        .args(run_args(&out, 2, trials))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the staging folder to appear, then interrupt.
    let t0 = std::time::Instant::now();
    while others(root.path(), "out").is_empty() && t0.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        !others(root.path(), "out").is_empty(),
        "no staging folder seen"
    );
    // SAFETY: sending SIGINT to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(130), "{:?}", done);
    assert!(done.stdout.is_empty());
    let err = String::from_utf8(done.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert_eq!(tree(&out), old);
    assert!(others(root.path(), "out").is_empty(), "staging removed");
}

#[test]
fn a_full_disk_is_one_line_and_leaves_the_old_result() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    run(&out, 1, 5);
    let old = tree(&out);
    // Fail at the 1st, 4th and 10th file: tables, alerts, charts.
    for after in [0, 3, 9] {
        let a = Command::new(bin())
            .args(run_args(&out, 2, 5))
            .env("FLOWCAST_FAULT", format!("enospc-after={after}"))
            .assert()
            .code(2)
            .stdout("");
        let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("No space left on device"), "{err}");
        assert!(
            err.contains(&out.display().to_string()),
            "names the result folder: {err}"
        );
        assert!(!err.contains("staging"), "{err}");
        assert_eq!(tree(&out), old, "after {after} files");
        assert!(others(root.path(), "out").is_empty());
    }
}

/// A tmpfs of `size` mounted at `dir/name`, unmounted when dropped; `None`
/// (the caller skips, saying so) where it cannot be mounted (not root).
#[cfg(target_os = "linux")]
struct Tmpfs(PathBuf);

#[cfg(target_os = "linux")]
impl Tmpfs {
    fn mount(dir: &Path, name: &str, size: &str) -> Option<Tmpfs> {
        let mnt = dir.join(name);
        std::fs::create_dir(&mnt).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&mnt)
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            eprintln!("skipped: cannot mount a tmpfs here (not root?)");
        }
        mounted.then_some(Tmpfs(mnt))
    }
}

#[cfg(target_os = "linux")]
impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// The same on a real full file system: a 1 MB tmpfs (needs root to mount;
/// skipped, saying so, where it cannot be mounted).
#[cfg(target_os = "linux")]
#[test]
fn a_real_full_file_system_leaves_the_old_result() {
    let root = tempfile::tempdir().unwrap();
    let Some(small) = Tmpfs::mount(root.path(), "small", "1m") else {
        return;
    };
    let mnt = small.0.clone();
    let out = mnt.join("out");
    // A small first result (no charts), then a run whose charts and report
    // do not fit beside it.
    Command::new(bin())
        .args(run_args(&out, 1, 5))
        .arg("--no-charts")
        .assert()
        .success();
    let old = tree(&out);
    std::fs::write(mnt.join("filler"), vec![0u8; 700_000]).unwrap();
    let a = Command::new(bin())
        .args(run_args(&out, 2, 5))
        .assert()
        .code(2)
        .stdout("");
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        !err.contains("Error {") && !err.contains("IOError"),
        "no debug dump: {err}"
    );
    assert_eq!(tree(&out), old);
    assert_eq!(others(&mnt, "out"), ["filler"]);
}

/// A read-only result folder is refused before any work, in one line naming
/// it (it used to say "Permission denied" twice, after simulating). A
/// read-only tmpfs stands in for permissions, which root bypasses; skipped,
/// saying so, where it cannot be mounted.
#[cfg(target_os = "linux")]
#[test]
fn a_read_only_folder_is_one_line_before_any_work() {
    let root = tempfile::tempdir().unwrap();
    let Some(ro) = Tmpfs::mount(root.path(), "ro", "4m") else {
        return;
    };
    let mnt = ro.0.clone();
    let out = mnt.join("out");
    run(&out, 1, 5);
    let old = tree(&out);
    let remounted = std::process::Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    assert!(remounted, "remount read-only");
    for args in [
        run_args(&out, 2, 5),
        vec!["report".into(), out.display().to_string()],
    ] {
        let a = Command::new(bin()).args(&args).assert().code(2).stdout("");
        let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("Read-only file system"), "{err}");
        assert!(
            err.contains(&format!("cannot write into {}", out.display())),
            "{err}"
        );
        assert_eq!(err.matches("Read-only").count(), 1, "said once: {err}");
    }
    assert_eq!(tree(&out), old);
}

#[test]
fn files_the_user_put_in_the_folder_are_kept() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let three = |out: &Path| {
        Command::new(bin())
            .args(run_args(out, 1, 5))
            .args(["--months", "3"])
            .assert()
            .success();
    };
    three(&out);
    assert!(tree(&out).keys().any(|k| k.starts_with("charts/forecast")));
    std::fs::write(out.join("notes.txt"), b"mine").unwrap();
    std::fs::write(out.join("charts/my-chart.png"), b"mine").unwrap();
    std::fs::write(out.join("charts/my-chart.svg"), b"mine").unwrap();
    // A one-month run: the forecast's files and charts go, the user's stay.
    run(&out, 1, 5);
    let now = tree(&out);
    assert!(
        !now.keys().any(|k| k.starts_with("forecast")),
        "{:?}",
        now.keys()
    );
    assert!(
        !now.keys().any(|k| k.starts_with("charts/forecast")),
        "{:?}",
        now.keys()
    );
    for mine in ["notes.txt", "charts/my-chart.png", "charts/my-chart.svg"] {
        assert_eq!(
            now.get(mine).map(Vec::as_slice),
            Some(&b"mine"[..]),
            "{mine}"
        );
    }
    let listed = String::from_utf8(now[".flowcast-files"].clone()).unwrap();
    assert!(listed.lines().any(|l| l == "summary.json"));
    assert!(
        !listed.contains("notes.txt") && !listed.contains("my-chart"),
        "{listed}"
    );
}

#[test]
fn the_current_folder_is_not_replaced() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("notes.txt"), b"mine").unwrap();
    let a = Command::new(bin())
        .current_dir(root.path())
        .args(run_args(Path::new("."), 1, 5))
        .assert()
        .code(2)
        .stdout("");
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(err.contains("current folder"), "{err}");
    assert_eq!(others(root.path(), ""), ["notes.txt"]);
}
