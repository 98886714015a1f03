//! The files flowcast wrote into a result folder, listed in the folder's
//! `.flowcast-files` (one path per line, relative, `/`-separated, sorted).
//! Written last, when the folder is published (see
//! [`publish`](super::publish)). Whatever else is in the folder belongs to
//! the user: flowcast keeps it and never deletes it.

use std::collections::BTreeSet;
use std::path::Path;

/// The manifest's file name.
pub const NAME: &str = ".flowcast-files";

/// The files `dir`'s manifest lists (none when it has no manifest, as a
/// folder from before manifests existed).
pub fn read(dir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join(NAME))
        .map(|t| {
            t.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `files` as `dir`'s manifest (atomically).
pub(crate) fn write(dir: &Path, files: &BTreeSet<String>) -> std::io::Result<()> {
    let mut text = String::new();
    for f in files {
        text.push_str(f);
        text.push('\n');
    }
    super::write_atomic(&dir.join(NAME), text.as_bytes())
}

/// Removes `dir/rel` if flowcast wrote it (the manifest lists it); a file of
/// the same name that the user put there stays. Returns whether it removed.
pub fn remove_own(dir: &Path, rel: &str) -> bool {
    read(dir).contains(rel) && std::fs::remove_file(dir.join(rel)).is_ok()
}
