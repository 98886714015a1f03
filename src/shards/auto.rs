//! `--shard auto`: the shard index and count from the batch system that
//! started this process. All three run N copies of one command with an
//! index counting from 0; only Slurm also exports the count.

use crate::engine::Shard;

/// Where `--shard auto` found its shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The shard.
    pub shard: Shard,
    /// The variables it came from, in words.
    pub source: String,
}

/// The shard from the environment (`var` looks a variable up), with
/// `shards` from `--shards N` where the platform does not export the count:
/// Slurm array jobs (`SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN`,
/// `SLURM_ARRAY_TASK_COUNT`), Kubernetes Indexed Jobs
/// (`JOB_COMPLETION_INDEX`) and AWS Batch array jobs
/// (`AWS_BATCH_JOB_ARRAY_INDEX`).
pub fn from_env(
    var: impl Fn(&str) -> Option<String>,
    shards: Option<u32>,
) -> Result<Found, String> {
    let num = |name: &str| -> Result<Option<u32>, String> {
        match var(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u32>()
                .map(Some)
                .map_err(|_| format!("{name}={v:?} is not a whole number")),
        }
    };
    if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let count =
            match (num("SLURM_ARRAY_TASK_COUNT")?, shards) {
                (Some(c), None) => c,
                (Some(c), Some(n)) if c == n => c,
                (Some(c), Some(n)) => {
                    return Err(format!(
                        "--shards {n} disagrees with SLURM_ARRAY_TASK_COUNT={c}"
                    ))
                }
                (None, Some(n)) => n,
                (None, None) => return Err(
                    "SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT; pass --shards N"
                        .to_string(),
                ),
            };
        let index = id.checked_sub(min).ok_or_else(|| {
            format!("SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}")
        })?;
        let shard = Shard::new(index, count).map_err(|e| {
            format!("{e} (SLURM_ARRAY_TASK_ID={id}, SLURM_ARRAY_TASK_MIN={min}, count {count}: submit with --array=0-{})", count.saturating_sub(1))
        })?;
        return Ok(Found {
            shard,
            source: format!(
                "Slurm array task: SLURM_ARRAY_TASK_ID={id} (min {min}), SLURM_ARRAY_TASK_COUNT={count}"
            ),
        });
    }
    for (name, platform) in [
        ("JOB_COMPLETION_INDEX", "Kubernetes Indexed Job"),
        ("AWS_BATCH_JOB_ARRAY_INDEX", "AWS Batch array job"),
    ] {
        if let Some(index) = num(name)? {
            let Some(count) = shards else {
                return Err(format!(
                    "{name}={index} is set but {platform}s do not export the count; pass --shards N"
                ));
            };
            let shard = Shard::new(index, count).map_err(|e| format!("{e} ({name}={index})"))?;
            return Ok(Found {
                shard,
                source: format!("{platform}: {name}={index}, --shards {count}"),
            });
        }
    }
    Err("--shard auto found none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX; give --shard I/N".to_string())
}

/// Parses `I/N` (I from 0).
pub fn parse(s: &str) -> Result<Shard, String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("'{s}' is not I/N (e.g. 0/4) or auto"))?;
    let whole = |t: &str| {
        t.trim()
            .parse::<u32>()
            .map_err(|_| format!("'{s}' is not I/N with whole numbers (e.g. 0/4)"))
    };
    Shard::new(whole(i)?, whole(n)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn each_platform_names_its_variables() {
        let f = from_env(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "7"),
                ("SLURM_ARRAY_TASK_MIN", "5"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(f.shard, Shard::new(2, 4).unwrap());
        assert!(f.source.contains("SLURM_ARRAY_TASK_ID=7"), "{}", f.source);
        let k = from_env(env(&[("JOB_COMPLETION_INDEX", "3")]), Some(8)).unwrap();
        assert_eq!(k.shard, Shard::new(3, 8).unwrap());
        assert!(k.source.contains("Kubernetes"));
        let a = from_env(env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "0")]), Some(2)).unwrap();
        assert!(a.source.contains("AWS Batch"));
    }

    #[test]
    fn missing_counts_and_bad_indices_are_refused() {
        for (vars, shards, says) in [
            (vec![("JOB_COMPLETION_INDEX", "1")], None, "--shards N"),
            (
                vec![("AWS_BATCH_JOB_ARRAY_INDEX", "4")],
                Some(4),
                "not below",
            ),
            (
                vec![("SLURM_ARRAY_TASK_ID", "x")],
                None,
                "not a whole number",
            ),
            (vec![], Some(4), "found none"),
        ] {
            let e = from_env(env(&vars), shards).unwrap_err();
            assert!(e.contains(says), "{e}");
        }
        assert_eq!(parse("1/4"), Ok(Shard::new(1, 4).unwrap()));
        assert!(parse("4/4").is_err());
        assert!(parse("1-4").is_err());
        assert!(parse("0/0").is_err());
    }
}
