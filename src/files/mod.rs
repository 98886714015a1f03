//! Input and output files: one-line errors that name the file and line, and
//! output that is never seen half-written.
//!
//! - [`atomic`]: one file written atomically (a temporary file, synced, then
//!   renamed into place);
//! - [`publish`]: a whole result folder staged beside its place and
//!   published in one step, so a reader sees the old result or the new one;
//! - [`manifest`]: the list of files flowcast wrote into a result folder,
//!   so it never deletes a file it did not write;
//! - [`cleanup`]: the temporary files and staging folders of this process,
//!   removed on SIGINT/SIGTERM, and those of killed processes, swept;
//! - [`fault`]: injected failures for the crash and disk-full tests.

pub mod atomic;
pub mod cleanup;
pub mod fault;
pub mod manifest;
pub mod publish;

pub use atomic::{write_atomic, write_atomic_with, write_pending, PendingFile};
pub use publish::StagedDir;

use std::fmt;
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
pub(crate) fn read_text(path: &Path) -> Result<String, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError::at(path, None, e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        InputError::at(path, Some(line), "not valid UTF-8")
    })
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A TOML parse error as one line naming the file, the line and the key.
pub(crate) fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> InputError {
    let line = err.span().map(|s| line_of(text, s.start));
    InputError::at(path, line, err.message())
}
