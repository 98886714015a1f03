//! One file written atomically: into a temporary file in the same folder
//! (named `.NAME.tmpPID`, so a killed process's leftovers can be recognised
//! and swept), synced, then renamed over the destination. The temporary file
//! is registered with [`super::cleanup`] while it exists, so an
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
    cleanup::unless_interrupted(|| std::fs::create_dir_all(dir))?;
    cleanup::sweep_once(dir);
    fault::before_write()?;
    let tmp = temp_name(path);
    cleanup::register(tmp.clone());
    let result = (|| {
        let file = cleanup::unless_interrupted(|| std::fs::File::create(&tmp))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let value = fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        cleanup::unless_interrupted(|| std::fs::rename(&tmp, path))?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    cleanup::unregister(&tmp);
    result
}

/// A file written and synced under its temporary name beside `path`, not
/// yet in place: [`commit`](Self::commit) renames it over `path`; dropped
/// uncommitted (an error elsewhere), it is removed and `path` is untouched.
/// For a file that must appear only together with something else (the
/// `--xlsx` workbook, only once its result folder is published): the write,
/// which can fail, happens first; the rename, which does not fail short of
/// the folder vanishing, last.
#[derive(Debug)]
pub struct PendingFile {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
}

/// Writes `bytes` beside `path` under the temporary name, synced; the file
/// appears at `path` on [`PendingFile::commit`].
pub fn write_pending(path: &Path, bytes: &[u8]) -> std::io::Result<PendingFile> {
    let dir = folder_of(path);
    cleanup::unless_interrupted(|| std::fs::create_dir_all(dir))?;
    cleanup::sweep_once(dir);
    fault::before_write()?;
    let tmp = temp_name(path);
    cleanup::register(tmp.clone());
    // From here the drop removes the temporary file, whatever fails.
    let pending = PendingFile {
        tmp,
        path: path.to_path_buf(),
        committed: false,
    };
    let mut f = cleanup::unless_interrupted(|| std::fs::File::create(&pending.tmp))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(pending)
}

impl PendingFile {
    /// Renames the file into place.
    pub fn commit(mut self) -> std::io::Result<()> {
        std::fs::rename(&self.tmp, &self.path)?;
        self.committed = true;
        cleanup::unregister(&self.tmp);
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
            cleanup::unregister(&self.tmp);
        }
    }
}

#[cfg(test)]
mod pending_tests {
    use super::*;

    #[test]
    fn a_pending_file_appears_on_commit_and_vanishes_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        std::fs::write(&path, b"old").unwrap();
        let p = write_pending(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        p.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        drop(write_pending(&path, b"newer").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "temporary file left");
    }
}
