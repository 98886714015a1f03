//! Flags shared by the commands that simulate, and the output folder.

use flowcast::engine::SimOptions;
use flowcast::files::StagedDir;
use flowcast::scenario::Scenario;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Simulation flags: trials, seed, threads, output folder, quiet.
#[derive(Debug, clap::Args)]
pub struct SimFlags {
    /// Trials (default: the scenario's).
    #[arg(long)]
    pub trials: Option<u32>,
    /// Seed of the random streams (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<scenario name>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar and no notes on standard error.
    #[arg(long)]
    pub quiet: bool,
    /// Run work estimated at more than 1e11 runs (hours) instead of refusing it.
    #[arg(long)]
    pub allow_large: bool,
    /// Simulate every run, also after a team's state is frozen for the rest
    /// of its cycle (the reference path: same distribution, slower).
    #[arg(long)]
    pub per_run: bool,
}

impl SimFlags {
    /// The simulation options for `s`.
    pub fn options(&self, s: &Scenario) -> SimOptions {
        SimOptions {
            seed: self.seed.unwrap_or(s.seed),
            first_trial: 0,
            trials: self.trials.unwrap_or(s.trials),
            threads: self.threads,
            progress: !self.quiet && std::io::stderr().is_terminal(),
            per_run: self.per_run,
        }
    }

    /// Refuses `variants` simulations of `s` (read from `path`) that add up
    /// to hours of work, unless --allow-large.
    pub fn check_work(
        &self,
        path: &Path,
        s: &Scenario,
        trials: u32,
        variants: f64,
    ) -> anyhow::Result<()> {
        flowcast::engine::guard::check_work(s, trials, variants, self.allow_large)
            .map_err(|e| flowcast::scenario::place(path, &[], None, &e).into())
    }

    /// The output folder for scenario `name`.
    pub fn out_dir(&self, name: &str) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| Path::new("output").join(name))
    }

    /// The output folder for scenario `name`, staged before any simulating
    /// (so a read-only folder is found at once, not after the work).
    pub fn staged_out_dir(&self, name: &str) -> anyhow::Result<StagedDir> {
        stage(&self.out_dir(name))
    }
}

/// Starts writing the result folder `dir`: files go into a staging folder
/// beside it, published whole by [`publish`].
pub fn stage(dir: &Path) -> anyhow::Result<StagedDir> {
    StagedDir::begin(dir).map_err(|e| anyhow::anyhow!("cannot write into {}: {e}", dir.display()))
}

/// Publishes a staged result folder in place of the old one.
pub fn publish(out: StagedDir) -> anyhow::Result<()> {
    let shown = out.target().display().to_string();
    out.publish()
        .map_err(|e| anyhow::anyhow!("publishing {shown}: {e}"))
}

/// Everything the engine refuses in scenario `s` (read from `path` with
/// `overrides`) simulated with `trials` trials, refused before any work,
/// at the file's line of the key to blame.
pub fn validate(
    path: &Path,
    overrides: &[(String, String)],
    s: &Scenario,
    trials: u32,
) -> anyhow::Result<()> {
    flowcast::engine::validate(s, trials).map_err(|e| placed(path, overrides, e))
}

/// An engine error about a scenario key, placed at the key's line in
/// `path` (or at the `--set` that brought the value in).
pub fn placed(
    path: &Path,
    overrides: &[(String, String)],
    e: flowcast::engine::EngineError,
) -> anyhow::Error {
    match e {
        flowcast::engine::EngineError::Scenario {
            key: Some(key),
            problem,
            ..
        } => flowcast::scenario::place(path, overrides, Some(&key), &problem).into(),
        other => other.into(),
    }
}

/// What a result of `command` is computed from (recorded in the result).
pub fn inputs(
    command: &str,
    path: &Path,
    overrides: &[(String, String)],
    seed: u64,
    trials: u32,
    per_run: bool,
) -> anyhow::Result<flowcast::provenance::Inputs> {
    flowcast::provenance::Inputs::new(command, path, overrides, seed, trials)
        .map(|i| i.with_per_run(per_run))
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Parses `--set KEY=VALUE` flags.
pub fn overrides(set: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    set.iter()
        .map(|s| flowcast::scenario::split_override(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("--set: {e}"))
}

/// Writes `files` (name, bytes) into the staged folder `out`, each
/// atomically; errors name the files where they will be published.
pub fn write_all(out: &StagedDir, files: &[(&str, Vec<u8>)]) -> anyhow::Result<()> {
    for (name, bytes) in files {
        flowcast::files::write_atomic(&out.path().join(name), bytes)
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.target().join(name).display()))?;
    }
    Ok(())
}

/// JSON with a final newline.
pub fn json<T: serde::Serialize>(v: &T) -> anyhow::Result<Vec<u8>> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// `--xlsx FILE`: its folder is made now, as `--out`'s is (a workbook
/// beside the output folder, `output/x.xlsx`, works on a fresh clone); a
/// folder that cannot be made or takes no new file (probed with an empty
/// temporary file, removed at once), or a path that is a folder, is refused
/// before any work rather than after a long simulation.
pub fn check_xlsx(path: Option<&Path>) -> anyhow::Result<()> {
    if let Some(p) = path {
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| {
            anyhow::anyhow!(
                "--xlsx {}: cannot make {}: {e}",
                p.display(),
                parent.display()
            )
        })?;
        if p.is_dir() {
            anyhow::bail!("--xlsx {}: is a folder, not a file", p.display());
        }
        // Named as write_atomic's temporary files are, so a run killed in
        // between leaves one the next run sweeps.
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let probe = parent.join(format!(".{name}.tmp{}", std::process::id()));
        std::fs::File::create(&probe).map_err(|e| {
            anyhow::anyhow!(
                "--xlsx {}: cannot write in {} ({e})",
                p.display(),
                parent.display()
            )
        })?;
        let _ = std::fs::remove_file(&probe);
    }
    Ok(())
}

/// Builds the workbook `book` and writes it beside `path` under a
/// temporary name, before the result folder is published (a failure
/// leaves neither); [`commit_xlsx`] puts it in place once the folder is.
pub fn stage_xlsx(
    path: Option<&Path>,
    book: impl FnOnce() -> Result<Vec<u8>, String>,
) -> anyhow::Result<Option<flowcast::files::PendingFile>> {
    let Some(p) = path else { return Ok(None) };
    let bytes = book().map_err(|e| anyhow::anyhow!("--xlsx {}: {e}", p.display()))?;
    flowcast::files::write_pending(p, &bytes)
        .map(Some)
        .map_err(|e| anyhow::anyhow!("--xlsx {}: {e}", p.display()))
}

/// Puts the workbook [`stage_xlsx`] wrote in place.
pub fn commit_xlsx(
    path: Option<&Path>,
    pending: Option<flowcast::files::PendingFile>,
) -> anyhow::Result<()> {
    match (path, pending) {
        (Some(p), Some(f)) => f
            .commit()
            .map_err(|e| anyhow::anyhow!("--xlsx {}: {e}", p.display())),
        _ => Ok(()),
    }
}
