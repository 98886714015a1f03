//! What a result was computed from: the command, the input file and its
//! SHA-256, the `--set` overrides, the seed and the trials, and the flowcast
//! version. Every result file (`summary.json`, `compare.json`, ...) records
//! its own, so a folder that holds a run and then a compare made with other
//! settings says so, and the report warns when its sections disagree.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// The inputs of one result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// The command that computed it (`run`, `compare`, ...).
    pub command: String,
    /// The scenario file (or the usage log, for `backtest`), as given.
    pub input_file: String,
    /// SHA-256 of that file's bytes, hex.
    pub input_sha256: String,
    /// The `--set` overrides, `KEY=VALUE`, in order.
    pub overrides: Vec<String>,
    /// The seed.
    pub seed: u64,
    /// The trials.
    pub trials: u32,
    /// The flowcast version that computed it.
    pub flowcast_version: String,
    /// Whether every run was simulated (`--per-run`, the reference path)
    /// rather than frozen cycles drawn in aggregate: the same distribution,
    /// other draws. Written only when set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_run: bool,
}

impl Inputs {
    /// The inputs of a result `command` computed from the file at `path`.
    pub fn new(
        command: &str,
        path: &Path,
        overrides: &[(String, String)],
        seed: u64,
        trials: u32,
    ) -> std::io::Result<Inputs> {
        Ok(Inputs {
            command: command.to_string(),
            input_file: path.display().to_string(),
            input_sha256: sha256_file(path)?,
            overrides: overrides.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            seed,
            trials,
            flowcast_version: env!("CARGO_PKG_VERSION").to_string(),
            per_run: false,
        })
    }

    /// The same inputs, computed run by run (`--per-run`) or not.
    pub fn with_per_run(self, per_run: bool) -> Inputs {
        Inputs { per_run, ..self }
    }

    /// What makes two results comparable: the same input bytes and the same
    /// overrides (seeds and trials may differ: a compare with more trials
    /// still describes the same teams).
    pub(crate) fn same_model(&self, other: &Inputs) -> bool {
        self.input_sha256 == other.input_sha256 && self.overrides == other.overrides
    }

    /// One line for people: `run of scenarios/x.toml (sha256 1a2b3c4d5e6f),
    /// --set a=1, seed 7, 200 trials`.
    pub fn describe(&self) -> String {
        let sets = if self.overrides.is_empty() {
            String::from("no overrides")
        } else {
            format!("--set {}", self.overrides.join(" --set "))
        };
        format!(
            "{} of {} (sha256 {}), {sets}, seed {}, {} trials{}",
            self.command,
            self.input_file,
            &self.input_sha256[..self.input_sha256.len().min(12)],
            self.seed,
            self.trials,
            if self.per_run {
                ", every run simulated (--per-run)"
            } else {
                ""
            }
        )
    }
}

/// SHA-256 of a file's bytes, hex; `-` (standard input) hashes as empty.
fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut h = Sha256::new();
    if path != Path::new("-") {
        let mut f = std::fs::File::open(path)?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_the_file_and_describes_the_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, b"abc").unwrap();
        let i = Inputs::new("run", &path, &[("a".into(), "1".into())], 7, 200).unwrap();
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            i.input_sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(i
            .describe()
            .ends_with("(sha256 ba7816bf8f01), --set a=1, seed 7, 200 trials"));
        let mut j = i.clone();
        j.seed = 8;
        assert!(i.same_model(&j));
        j.overrides.clear();
        assert!(!i.same_model(&j));
    }
}
