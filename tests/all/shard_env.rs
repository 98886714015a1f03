//! `--shard auto` under each batch system's environment (the variables
//! Slurm array jobs, Kubernetes Indexed Jobs and AWS Batch array jobs set),
//! and its refusals: one line, exit 2, nothing on stdout, nothing written.

use assert_cmd::Command;

const VARS: [&str; 5] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_COUNT",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
];

/// `flowcast run default --shard auto ARGS` with only `env` set of the
/// batch variables.
fn run(env: &[(&str, &str)], args: &[&str], out: &std::path::Path) -> std::process::Output {
    let mut c = Command::cargo_bin("flowcast").unwrap();
    for v in VARS {
        c.env_remove(v);
    }
    c.envs(env.iter().copied())
        .args([
            "run",
            &crate::scenario("default.toml"),
            "--trials",
            "2",
            "--shard",
            "auto",
        ])
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn each_platform_gives_its_shard_and_says_which_variables() {
    let tmp = tempfile::tempdir().unwrap();
    for (env, args, says, index, count) in [
        (
            vec![
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_MIN", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ],
            vec![],
            "Slurm array task: SLURM_ARRAY_TASK_ID=3 (min 2), SLURM_ARRAY_TASK_COUNT=3",
            1,
            3,
        ),
        (
            vec![("JOB_COMPLETION_INDEX", "2")],
            vec!["--shards", "4"],
            "Kubernetes Indexed Job: JOB_COMPLETION_INDEX=2, --shards 4",
            2,
            4,
        ),
        (
            vec![("AWS_BATCH_JOB_ARRAY_INDEX", "0")],
            vec!["--shards", "2"],
            "AWS Batch array job: AWS_BATCH_JOB_ARRAY_INDEX=0, --shards 2",
            0,
            2,
        ),
    ] {
        let dir = tmp.path().join(format!("s{index}-{count}"));
        let out = run(&env, &args, &dir);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(out.stdout.is_empty());
        assert!(err.contains(says), "{err}");
        let p: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("partial.json")).unwrap()).unwrap();
        assert_eq!(p["shard"]["index"], index, "{says}");
        assert_eq!(p["shard"]["count"], count, "{says}");
    }
}

#[test]
fn auto_without_a_usable_index_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for (env, args, says) in [
        (vec![], vec![], "found none of SLURM_ARRAY_TASK_ID"),
        (
            vec![("JOB_COMPLETION_INDEX", "1")],
            vec![],
            "pass --shards N",
        ),
        (
            vec![("AWS_BATCH_JOB_ARRAY_INDEX", "4")],
            vec!["--shards", "4"],
            "shard index 4 is not below the count 4",
        ),
        (
            vec![
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            vec![],
            "--array=0-3",
        ),
        (
            vec![
                ("SLURM_ARRAY_TASK_ID", "one"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            vec![],
            "is not a whole number",
        ),
    ] {
        let dir = tmp.path().join("refused");
        let out = run(&env, &args, &dir);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{env:?}: {err}");
        assert!(out.stdout.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(says), "{env:?}: {err}");
        assert!(!dir.exists());
    }
}
