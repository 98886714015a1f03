//! One file written atomically: into a temporary file in the same folder
//! (named `.NAME.tmpPID`, so a killed process's leftovers can be recognised
//! and swept), synced, then renamed over the destination. The temporary file
//! is registered with [`cleanup`](super::cleanup) while it exists, so an
//! interrupted run removes it.

use super::{cleanup, fault};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// The temporary name of `path` for this process: `.NAME.tmpPID` beside it.
fn temp_name(path: &Path) -> PathBuf {
    let dir = folder_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.tmp{}", std::process::id()))
}

/// The folder `path` is in (`.` for a bare name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Streams a file into `path` atomically: `fill` writes a temporary file in
/// the same folder (buffered), which is synced and renamed over `path` only
/// when `fill` succeeds; on any error it is removed and `path` is untouched.
/// Leftover temporary files of killed processes in that folder are swept
/// at this process's first write there.
pub fn write_atomic_with<T>(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let dir = folder_of(path);
    std::fs::create_dir_all(dir)?;
    cleanup::sweep_once(dir);
    fault::before_write()?;
    let tmp = temp_name(path);
    cleanup::register(tmp.clone());
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
    cleanup::unregister(&tmp);
    result
}
