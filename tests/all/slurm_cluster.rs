//! A real Slurm cluster: `deploy/slurm/submit.sh` queues a 4-shard array of
//! a shipped scenario and the merge job that depends on it; the merged
//! folder must equal a single-process run byte for byte. A second case
//! makes one shard fail: the merge job must not run, and `flowcast merge`
//! by hand must refuse, naming the missing shard.
//!
//! Ignored by default (it needs a cluster): `.ci/run` brings up a one-node
//! cluster with `deploy/slurm/local-cluster.sh` and runs these with
//! `cargo test --profile ci --test all -- --ignored slurm_cluster`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_flowcast");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Submits `n` shards of `args` with `deploy/slurm/submit.sh` into `work`
/// (`env`: extra variables for the jobs); returns (array id, merge id).
fn submit(n: u32, work: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let out = Command::new(Path::new(ROOT).join("deploy/slurm/submit.sh"))
        .arg(n.to_string())
        .arg(work)
        .arg(BIN)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(ROOT)
        .output()
        .expect("deploy/slurm/submit.sh runs (is Slurm installed? deploy/slurm/local-cluster.sh)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "submit.sh failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = |what: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(what))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| panic!("no '{what}' id in: {text}"))
    };
    (id("array "), id("merge "))
}

/// Waits (polling squeue every half second: `sbatch --wait` polls at 2, 10
/// and 42 s) until job `id` has left the queue; returns its final state.
fn wait_for(id: &str, limit: Duration) -> String {
    let start = Instant::now();
    loop {
        let q = Command::new("squeue")
            .args(["-h", "-j", id])
            .output()
            .unwrap();
        if q.stdout.is_empty() {
            break;
        }
        assert!(
            start.elapsed() < limit,
            "job {id} still queued after {limit:?}: is the cluster up (deploy/slurm/local-cluster.sh)? squeue says: {}",
            String::from_utf8_lossy(&q.stdout)
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let show = Command::new("scontrol")
        .args(["show", "job", id])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&show.stdout);
    text.split_whitespace()
        .find_map(|w| w.strip_prefix("JobState="))
        .unwrap_or("unknown")
        .to_string()
}

/// A folder slurmd (root here) can write and the test can read.
fn work_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(name)
        .tempdir_in("/tmp")
        .unwrap()
}

/// The jobs' logs in `work` (`*.out`), for a failure message.
fn logs(work: &Path) -> String {
    let mut out = String::new();
    for e in std::fs::read_dir(work).into_iter().flatten().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "out") {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            out += &format!("--- {}\n{text}", p.display());
        }
    }
    out
}

#[test]
#[ignore = "needs a Slurm cluster: deploy/slurm/local-cluster.sh"]
fn slurm_cluster_array_and_merge_equal_one_process() {
    let tmp = work_dir("flowcast-slurm-ok");
    let work = tmp.path().join("work");
    let args = [
        "run",
        "scenarios/next-quarter-overage.toml",
        "--trials",
        "8",
        "--seed",
        "7",
    ];
    let started = Instant::now();
    let (array, merge) = submit(4, &work, &args, &[]);
    let state = wait_for(&merge, Duration::from_secs(120));
    assert_eq!(
        state,
        "COMPLETED",
        "merge job {merge} (array {array}):\n{}",
        logs(&work)
    );
    eprintln!(
        "4 shards and the merge took {:.1} s on the cluster",
        started.elapsed().as_secs_f64()
    );
    let single = tmp.path().join("single");
    let out = Command::new(BIN)
        .args(args)
        .arg("--out")
        .arg(&single)
        .arg("--quiet")
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "single run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (a, b) = (
        crate::tree_files(&single),
        crate::tree_files(&work.join("merged")),
    );
    let (a_map, b_map): (BTreeMap<_, _>, BTreeMap<_, _>) =
        (a.iter().cloned().collect(), b.iter().cloned().collect());
    let mut differ: Vec<String> = a_map
        .keys()
        .chain(b_map.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|p| a_map.get(*p) != b_map.get(*p))
        .map(|p| match (a_map.contains_key(p), b_map.contains_key(p)) {
            (true, false) => format!("{} (only in the single run)", p.display()),
            (false, true) => format!("{} (only in the merge)", p.display()),
            _ => p.display().to_string(),
        })
        .collect();
    differ.sort();
    if !differ.is_empty() {
        let _ = tmp.keep(); // kept for a look
    }
    assert!(
        differ.is_empty(),
        "merged on the cluster ({}), these differ from one process ({}): {differ:?}",
        work.join("merged").display(),
        single.display()
    );
    assert!(a.iter().any(|(p, _)| p.ends_with("report.html")));
    // The merge job's output is the single run's stdout.
    let log = std::fs::read_to_string(work.join(format!("flowcast-merge-{merge}.out"))).unwrap();
    assert!(
        log.contains(String::from_utf8_lossy(&out.stdout).trim()),
        "{log}"
    );
}

#[test]
#[ignore = "needs a Slurm cluster: deploy/slurm/local-cluster.sh"]
fn slurm_cluster_a_failed_shard_stops_the_merge() {
    let tmp = work_dir("flowcast-slurm-fail");
    let work = tmp.path().join("work");
    let args = ["run", "scenarios/default.toml", "--trials", "4"];
    let (array, merge) = submit(4, &work, &args, &[("FLOWCAST_FAIL_SHARD", "2")]);
    let state = wait_for(&merge, Duration::from_secs(120));
    // afterok with --kill-on-invalid-dep: cancelled, never run.
    assert_ne!(
        state, "COMPLETED",
        "merge {merge} ran although shard 2 of {array} failed"
    );
    assert!(!work.join("merged").exists());
    assert!(!work.join("shard-2").exists());
    let dirs: Vec<PathBuf> = (0..4).map(|i| work.join(format!("shard-{i}"))).collect();
    let out = Command::new(BIN)
        .arg("merge")
        .args(&dirs)
        .arg("--out")
        .arg(work.join("by-hand"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("shard-2"), "{err}");
    assert!(!work.join("by-hand").exists());
}
