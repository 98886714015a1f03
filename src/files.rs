//! Input and output files: one-line errors that name the file and line, and
//! atomic writes (a temporary file renamed into place), so that bad input
//! never leaves half-written output behind.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A problem with an input file, already phrased for one line of stderr:
/// `FILE:LINE: problem` (or `FILE: problem` when no line applies).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// What is wrong, on one line.
    pub problem: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path.display(), l, self.problem),
            None => write!(f, "{}: {}", self.path.display(), self.problem),
        }
    }
}

impl InputError {
    /// An error at `line` of `path`.
    pub fn at(path: &Path, line: Option<usize>, problem: impl Into<String>) -> InputError {
        InputError {
            path: path.to_path_buf(),
            line,
            problem: one_line(&problem.into()),
        }
    }
}

/// Folds a possibly multi-line message onto one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads a UTF-8 text file, naming it in the error.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError::at(path, None, e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        InputError::at(path, Some(line), "not valid UTF-8")
    })
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A TOML parse error as one line naming the file, the line and the key.
pub fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> InputError {
    let line = err.span().map(|s| line_of(text, s.start));
    InputError::at(path, line, err.message())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed, then renamed over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Streams a file into `path` atomically: `fill` writes a temporary file in
/// the same folder (buffered), which is synced and renamed over `path` only
/// when `fill` succeeds; on any error it is removed and `path` is untouched.
pub fn write_atomic_with<T>(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
        let value = fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
