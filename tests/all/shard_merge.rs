//! Shards merged are the single run, to the byte: for random shard counts
//! (1 to 8), thread counts and trial counts, `run` (one cycle and
//! `--months`), `compare` and `sweep` split with `--shard I/N`, their
//! partials saved as JSON and merged in random order, give exactly the
//! results of one unsharded process. The library cases check the result
//! files' JSON; the command-line cases compare whole folders (CSVs, charts,
//! report) and stdout. Every refusal of `merge` is one line naming the
//! folder, exit 2, nothing on stdout, no output folder.

use assert_cmd::Command;
use flowcast::engine::{Shard, SimOptions};
use flowcast::planning::compare::{compare, compare_shard, finish_compare};
use flowcast::planning::grid::parse_axis;
use flowcast::planning::run::{finish_run, run, run_shard, RunPart, Trials};
use flowcast::planning::sweep::{finish_sweep, sweep, sweep_shard};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn opts(trials: u32, threads: usize) -> SimOptions {
    SimOptions {
        seed: 11,
        first_trial: 0,
        trials,
        threads: Some(threads),
        progress: false,
        per_run: false,
    }
}

/// Through the partial file's JSON and back, as a merge reads it.
fn roundtrip<T: serde::Serialize + serde::de::DeserializeOwned>(t: &T) -> T {
    serde_json::from_slice(&serde_json::to_vec(t).unwrap()).unwrap()
}

/// `order` rotated by `r`: shards merged in another order than their index.
fn rotated(n: u32, r: u32) -> Vec<u32> {
    (0..n).map(|i| (i + r) % n).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_sharded_run_merges_into_the_single_run(
        n in 1u32..=8, trials in 1u32..=4, months in prop::sample::select(vec![1u32, 3]),
        threads in 1usize..=3, r in 0u32..8,
    ) {
        let o = vec![("calendar.months".to_string(), months.to_string())];
        let s = flowcast::scenario::load_with(&path("default.toml"), &o).unwrap();
        let whole = run(&s, &opts(trials, 2), &Trials::Fixed).unwrap();
        let mut merged: Option<RunPart> = None;
        let mut team_months = 0;
        for i in rotated(n, r) {
            let shard = Shard::new(i, n).unwrap();
            let (sim, part) = run_shard(&s, &opts(trials, threads), shard).unwrap();
            team_months += sim.team_months;
            let part = roundtrip(&part);
            match &mut merged {
                None => merged = Some(part),
                Some(m) => m.merge(&part).unwrap(),
            }
        }
        // Every team-month simulated once, in exactly one shard.
        prop_assert_eq!(team_months, whole.sim.team_months);
        let got = finish_run(&s, &opts(trials, 1), whole.sim.clone(), merged.unwrap()).unwrap();
        prop_assert_eq!(got.summary.to_json(), whole.summary.to_json());
        prop_assert_eq!(
            serde_json::to_string(&got.alerts).unwrap(),
            serde_json::to_string(&whole.alerts).unwrap()
        );
        prop_assert_eq!(
            serde_json::to_string(&got.forecast).unwrap(),
            serde_json::to_string(&whole.forecast).unwrap()
        );
    }

    #[test]
    fn a_sharded_compare_and_sweep_merge_into_the_single_ones(
        n in 1u32..=8, trials in 1u32..=3, threads in 1usize..=3, r in 0u32..8,
    ) {
        let p = path("which-plan.toml");
        let plans: Vec<String> = ["solo", "team"].iter().map(|s| s.to_string()).collect();
        let rule = "suspension<=5%".parse().unwrap();
        let whole = compare(&p, &[], &plans, rule, &opts(trials, 2)).unwrap();
        let mut merged = None;
        for i in rotated(n, r) {
            let (_, part) = compare_shard(&p, &[], &plans, &opts(trials, threads), Shard::new(i, n).unwrap()).unwrap();
            let part = roundtrip(&part);
            match &mut merged {
                None => merged = Some(part),
                Some(m) => flowcast::planning::compare::ComparePart::merge(m, &part).unwrap(),
            }
        }
        let got = finish_compare(&p, &[], &plans, rule, &opts(trials, 1), merged.unwrap()).unwrap();
        prop_assert_eq!(serde_json::to_string(&got).unwrap(), serde_json::to_string(&whole).unwrap());

        let axes = vec![parse_axis("usage_multiplier=0.8,1.4").unwrap()];
        let d = path("default.toml");
        let whole = sweep(&d, &[], &axes, &opts(trials, 2)).unwrap();
        let mut merged = None;
        for i in rotated(n, r) {
            let (_, part) = sweep_shard(&d, &[], &axes, &opts(trials, threads), Shard::new(i, n).unwrap()).unwrap();
            // Each point is kept packed, and written as the state itself.
            for p in &part.points {
                prop_assert_eq!(
                    serde_json::to_string(p).unwrap(),
                    serde_json::to_string(&p.unpack().unwrap()).unwrap()
                );
            }
            let part = roundtrip(&part);
            match &mut merged {
                None => merged = Some(part),
                Some(m) => flowcast::planning::sweep::SweepPart::merge(m, &part).unwrap(),
            }
        }
        let got = finish_sweep(&d, &[], &axes, &opts(trials, 1), merged.unwrap()).unwrap();
        prop_assert_eq!(serde_json::to_string(&got).unwrap(), serde_json::to_string(&whole).unwrap());
    }
}

fn flowcast() -> Command {
    Command::cargo_bin("flowcast").unwrap()
}

/// Runs `args` whole and in `n` shards (alternating 1 and 2 threads),
/// merges the shards in reverse order, and compares folders and stdout.
fn same_folder(args: &[&str], n: u32) {
    let tmp = tempfile::tempdir().unwrap();
    let single = tmp.path().join("single");
    let out = flowcast()
        .args(args)
        .arg("--out")
        .arg(&single)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut dirs = Vec::new();
    for i in 0..n {
        let d = tmp.path().join(format!("shard-{i}"));
        let threads = (1 + i % 2).to_string();
        flowcast()
            .args(args)
            .args([
                "--shard",
                &format!("{i}/{n}"),
                "--threads",
                &threads,
                "--quiet",
                "--out",
            ])
            .arg(&d)
            .assert()
            .success()
            .stdout("");
        dirs.push(d);
    }
    dirs.reverse();
    let merged = tmp.path().join("merged");
    let m = flowcast()
        .arg("merge")
        .args(&dirs)
        .arg("--out")
        .arg(&merged)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    assert_eq!(
        String::from_utf8_lossy(&m.stdout),
        String::from_utf8_lossy(&out.stdout)
    );
    let (a, b) = (crate::tree_files(&single), crate::tree_files(&merged));
    let names = |v: &[(PathBuf, Vec<u8>)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    let differ: Vec<_> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.1 != y.1)
        .map(|(x, _)| x.0.display().to_string())
        .collect();
    assert!(
        differ.is_empty(),
        "{args:?} in {n} shards: {differ:?} differ"
    );
    assert!(
        a.iter().any(|(p, _)| p.ends_with("report.html")),
        "no report drawn"
    );
}

#[test]
fn merged_folders_equal_the_single_run_byte_for_byte() {
    let s = path("default.toml").display().to_string();
    let w = path("which-plan.toml").display().to_string();
    // Split by trial (3 shards of 6 trials) and within trials (5 of 2).
    same_folder(&["run", &s, "--trials", "6", "--months", "2"], 3);
    same_folder(&["compare", &w, "--trials", "2", "--plans", "solo,team"], 5);
    same_folder(
        &[
            "sweep",
            &s,
            "--trials",
            "2",
            "--set",
            "usage_multiplier=1,1.5",
        ],
        2,
    );
}

/// `merge` of `dirs` fails with one line that contains `says`.
fn refuses(dirs: &[PathBuf], says: &str) {
    let out_dir = dirs[0].parent().unwrap().join("merged");
    let out = flowcast()
        .arg("merge")
        .args(dirs)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(says), "expected '{says}' in: {err}");
    assert!(
        !out_dir.exists(),
        "a refused merge wrote {}",
        out_dir.display()
    );
}

#[test]
fn merge_refuses_an_incomplete_or_mixed_set_naming_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let s = path("default.toml").display().to_string();
    let shard = |i: u32, seed: &str, name: &str| {
        let d = tmp.path().join(name);
        flowcast()
            .args([
                "run", &s, "--trials", "2", "--seed", seed, "--quiet", "--shard",
            ])
            .arg(format!("{i}/3"))
            .arg("--out")
            .arg(&d)
            .assert()
            .success();
        d
    };
    let (a, b, c) = (shard(0, "5", "a"), shard(1, "5", "b"), shard(2, "5", "c"));
    let other = shard(2, "6", "other");
    refuses(&[a.clone(), b.clone()], "shard 2/3 missing");
    refuses(
        &[a.clone(), b.clone(), b.clone(), c.clone()],
        "shard 1/3 again",
    );
    refuses(&[a.clone(), b.clone(), other.clone()], "seed 6, not 5");
    refuses(&[a.clone(), b.clone(), other], "other");
    // A shard killed before it published: its folder has no partial.
    let unfinished = tmp.path().join("unfinished");
    std::fs::create_dir(&unfinished).unwrap();
    refuses(
        &[a.clone(), b.clone(), unfinished.clone()],
        "unfinished: no partial.json",
    );
    // A damaged (truncated) partial, and one from another flowcast version.
    let text = std::fs::read_to_string(c.join("partial.json")).unwrap();
    let cut = tmp.path().join("cut");
    std::fs::create_dir(&cut).unwrap();
    std::fs::write(cut.join("partial.json"), &text[..text.len() / 2]).unwrap();
    refuses(
        &[a.clone(), b.clone(), cut],
        "cut/partial.json: not a complete flowcast partial result",
    );
    let old = tmp.path().join("old");
    std::fs::create_dir(&old).unwrap();
    let version = format!("\"flowcast_version\":\"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(text.contains(&version));
    std::fs::write(
        old.join("partial.json"),
        text.replace(&version, "\"flowcast_version\":\"0.0.1\""),
    )
    .unwrap();
    refuses(
        &[a.clone(), b.clone(), old],
        "old: written by flowcast 0.0.1",
    );
    // The full set merges.
    flowcast()
        .arg("merge")
        .args([&a, &b, &c])
        .arg("--out")
        .arg(tmp.path().join("ok"))
        .arg("--quiet")
        .assert()
        .success();
}

/// A sweep's part keeps its points packed until the merge: a damaged point
/// (a histogram whose counts no longer add up) is blamed on its file, the
/// first one given as well as a later one.
#[test]
fn merge_blames_a_damaged_sweep_point_on_its_file() {
    let tmp = tempfile::tempdir().unwrap();
    let s = path("default.toml").display().to_string();
    let shard = |i: u32| {
        let d = tmp.path().join(format!("s{i}"));
        flowcast()
            .args([
                "sweep",
                &s,
                "--set",
                "usage_multiplier=1,2",
                "--trials",
                "2",
            ])
            .args(["--quiet", "--shard", &format!("{i}/2"), "--out"])
            .arg(&d)
            .assert()
            .success();
        d
    };
    let (a, b) = (shard(0), shard(1));
    let damaged = |from: &Path, name: &str| {
        let text = std::fs::read_to_string(from.join("partial.json")).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let n = &mut v["part"]["sweep"]["points"][1]["kinds"][0]["hit_secs"]["n"];
        *n = serde_json::json!(n.as_u64().unwrap() + 1);
        let d = tmp.path().join(name);
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("partial.json"), v.to_string()).unwrap();
        d
    };
    let bad_a = damaged(&a, "bad-a");
    let bad_b = damaged(&b, "bad-b");
    for (dirs, blamed) in [([bad_a, b.clone()], "bad-a"), ([a, bad_b], "bad-b")] {
        refuses(
            &dirs,
            &format!("{blamed}/partial.json: not a complete flowcast partial result"),
        );
    }
}

#[test]
fn shard_flags_are_checked_before_any_work() {
    let s = path("default.toml").display().to_string();
    for (args, says) in [
        (
            vec!["--shard", "3/3"],
            "shard index 3 is not below the count 3",
        ),
        (vec!["--shard", "1-3"], "not I/N"),
        (
            vec!["--shard", "0/2", "--precision", "1%"],
            "cannot be combined with --precision",
        ),
        (
            vec!["--shard", "0/2", "--shards", "2"],
            "--shards goes with --shard auto",
        ),
    ] {
        let out = flowcast().args(["run", &s]).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// `compare` and `sweep` keep a summary state per plan or grid point (every
/// one of them in a shard's part), and report no burn-up bands: their
/// collector keeps everything but the per-day credits. On the same
/// team-months its summary is the full one with empty bands, its state
/// holds no per-day histogram, and the two kinds of state do not mix.
#[test]
fn compare_and_sweep_keep_every_statistic_but_the_per_day_bands() {
    use flowcast::engine::simulate;
    use flowcast::statistics::SummaryCollector;
    let s = flowcast::scenario::load_with(
        &path("default.toml"),
        &[("calendar.months".to_string(), "2".to_string())],
    )
    .unwrap();
    let o = opts(6, 2);
    let mut full = SummaryCollector::new(&s, &o).unwrap();
    let mut headline = SummaryCollector::headline(&s, &o).unwrap();
    simulate(&s, &o, &mut (&mut full, &mut headline)).unwrap();
    let state = |c: &SummaryCollector| serde_json::to_value(c.state()).unwrap();
    let (full_state, headline_state) = (state(&full), state(&headline));
    for k in 0..s.kinds.len() {
        let days = |st: &serde_json::Value| st["kinds"][k]["daily"].as_array().unwrap().len();
        assert_eq!(days(&full_state), 31, "June and July: the longest cycle");
        assert_eq!(days(&headline_state), 0);
    }
    let mut whole = serde_json::to_value(full.clone().finish()).unwrap();
    let short = serde_json::to_value(headline.clone().finish()).unwrap();
    let empty = short["population"]["daily"].clone();
    assert_eq!(empty["day"].as_array().unwrap().len(), 0);
    // The full summary with every group's bands emptied is the headline one.
    let emptied = |bands: &mut serde_json::Value| {
        assert_eq!(bands["day"].as_array().unwrap().len(), 31);
        *bands = empty.clone();
    };
    for k in whole["kinds"].as_array_mut().unwrap() {
        emptied(&mut k["stats"]["daily"]);
    }
    emptied(&mut whole["population"]["daily"]);
    assert_eq!(whole, short);
    assert!(full.clone().resume(headline.state().clone()).is_err());
    assert!(headline.clone().resume(full.state().clone()).is_err());
    assert!(headline.clone().resume(headline.state().clone()).is_ok());
}
