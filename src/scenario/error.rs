//! Scenario errors: one line naming the file, the line (or the `--set`
//! override that brought the value in), the key path and the problem.
//!
//! Positions come from the spans the TOML parser records. A value brought in
//! by an override has no line in the file, so it carries a sentinel span that
//! [`Locator`] turns back into "the override number k".

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Spans at or above this offset point at an override, not into the file
/// (offset `OVERRIDE_BASE + k` is override `k`). No real file is this large.
pub(crate) const OVERRIDE_BASE: usize = usize::MAX / 2;

/// A scenario that cannot be simulated, phrased for one line of stderr:
/// `FILE:LINE: key.path: problem`, or `FILE: --set K=V: key.path: problem`
/// when the offending value came from an override.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// The scenario file.
    pub path: PathBuf,
    /// The 1-based line of the offending key, when it is in the file.
    pub line: Option<usize>,
    /// The `KEY=VALUE` override the offending value came from, if any.
    pub set: Option<String>,
    /// The dotted key path (array elements by their `name`), when known:
    /// the same path `--set` accepts.
    pub key: Option<String>,
    /// What is wrong, on one line.
    pub problem: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(s) = &self.set {
            write!(f, ": --set {s}")?;
        }
        if let Some(k) = &self.key {
            if !k.is_empty() {
                write!(f, ": {k}")?;
            }
        }
        write!(f, ": {}", self.problem)
    }
}

/// Turns spans into positions for one scenario text and its overrides.
#[derive(Clone, Debug)]
pub(crate) struct Locator<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    /// The overrides as given (`KEY=VALUE`), in order.
    pub sets: Vec<String>,
    /// The document after overrides, to find a key's own span.
    pub doc: Option<&'a toml::de::DeTable<'a>>,
}

impl Locator<'_> {
    /// An error at `span` (None: the whole file) about `key`. When the
    /// value at `key` came from an override, the override is named instead.
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        key: Option<&str>,
        problem: impl Into<String>,
    ) -> ScenarioError {
        let own = self.key_span(key);
        let span = match own {
            Some(s) if s.start >= OVERRIDE_BASE => Some(s),
            _ => span,
        };
        self.at(span, key, problem)
    }

    /// Like [`Locator::error`], but at the key's own span whenever the
    /// document has the key (for values read from a `toml::Value`, which
    /// keeps no inner spans: a distribution's parameters).
    pub(crate) fn error_at_key(
        &self,
        span: Option<Range<usize>>,
        key: Option<&str>,
        problem: impl Into<String>,
    ) -> ScenarioError {
        let span = self.key_span(key).or(span);
        self.at(span, key, problem)
    }

    fn key_span(&self, key: Option<&str>) -> Option<Range<usize>> {
        super::overrides::span_of(self.doc?, key?)
    }

    fn at(
        &self,
        span: Option<Range<usize>>,
        key: Option<&str>,
        problem: impl Into<String>,
    ) -> ScenarioError {
        let (line, set) = match span {
            Some(s) if s.start >= OVERRIDE_BASE => {
                (None, self.sets.get(s.start - OVERRIDE_BASE).cloned())
            }
            Some(s) => (Some(crate::files::line_of(self.text, s.start)), None),
            None => (None, None),
        };
        ScenarioError {
            path: self.path.to_path_buf(),
            line,
            set,
            key: key.map(crate::files::one_line),
            problem: crate::files::one_line(&problem.into()),
        }
    }
}
