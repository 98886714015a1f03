//! A result folder published whole: a reader of `--out` sees either the old
//! complete result or the new complete one, never a mix.
//!
//! [`StagedDir::begin`] makes a staging folder beside the destination
//! (`.NAME.stagingPID`) holding the destination's current files as hard
//! links (so results of other commands and the user's own files carry over,
//! at no copying cost, even an emitted log of gigabytes). A hard link shares
//! its file with the old folder, so files in the staging folder are only
//! ever replaced, never written in place: every writer goes through
//! [`write_atomic`](super::write_atomic), which writes a new file and
//! renames it over the old name. The command writes its files into the staging
//! folder; [`StagedDir::publish`] writes the manifest ([`super::manifest`]),
//! syncs the folders, and swaps the staging folder with the destination in
//! one atomic step (Linux `renameat2(RENAME_EXCHANGE)`; where a file system
//! lacks it, two renames, between which the destination is briefly absent
//! rather than mixed). The old folder is then removed. A staging folder that
//! is dropped unpublished (an error) is removed; one left by a killed
//! process is swept by the next run (see [`super::cleanup`]).

use super::atomic::folder_of;
use super::{cleanup, fault, manifest};
use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};

/// Most entries a destination may hold: it is republished whole, so a
/// folder of many unrelated files (a home folder given as `--out`) is
/// refused rather than relinked.
pub(crate) const MAX_ENTRIES: usize = 100_000;

/// A result folder being written: its files go into [`path`](Self::path)
/// until [`publish`](Self::publish).
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    /// Files carried over from the destination, with their identity, to
    /// tell them from files written since.
    carried: HashMap<String, FileId>,
    published: bool,
}

type FileId = (u64, u64);

#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn file_id(m: &std::fs::Metadata) -> FileId {
    let t = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    (m.len(), t)
}

fn refuse(problem: String) -> io::Error {
    io::Error::other(problem)
}

impl StagedDir {
    /// Starts writing the result folder `target` (created on publish if it
    /// does not exist). Sweeps what killed runs left beside and inside it.
    pub fn begin(target: &Path) -> io::Result<StagedDir> {
        // A symbolic link to a folder: publish into the folder it names;
        // `.` or `..`: into the folder they stand for.
        let target = match std::fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() || target.file_name().is_none() => {
                std::fs::canonicalize(target)?
            }
            _ => target.to_path_buf(),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| refuse("not a folder flowcast can replace (give it a name)".into()))?;
        let parent = folder_of(&target).to_path_buf();
        std::fs::create_dir_all(&parent)?;
        let exists = match std::fs::metadata(&target) {
            Ok(m) if m.is_dir() => true,
            Ok(_) => return Err(refuse("exists and is not a folder".into())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e),
        };
        if exists {
            let here = std::env::current_dir().and_then(std::fs::canonicalize)?;
            if here.starts_with(std::fs::canonicalize(&target)?) {
                return Err(refuse(
                    "is the current folder or holds it; flowcast replaces a result folder whole, so give --out a folder of its own".into(),
                ));
            }
        }
        cleanup::sweep(&parent);
        let staging = parent.join(format!(".{name}.staging{}", std::process::id()));
        cleanup::register(staging.clone());
        let mut staged = StagedDir {
            target,
            staging,
            carried: HashMap::new(),
            published: false,
        };
        cleanup::unless_interrupted(|| std::fs::create_dir(&staged.staging))?;
        if exists {
            cleanup::sweep(&staged.target);
            cleanup::sweep(&staged.target.join("charts"));
            let mut count = 0;
            carry(
                &staged.target,
                &staged.staging,
                "",
                &mut staged.carried,
                &mut count,
            )?;
        }
        Ok(staged)
    }

    /// Where the command writes its files until it publishes.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The result folder as the user named it.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// `text` (say an error message) with the staging folder's path replaced
    /// by the destination's, which is what the user knows.
    pub fn shown(&self, text: &str) -> String {
        text.replace(
            &self.staging.display().to_string(),
            &self.target.display().to_string(),
        )
    }

    /// Publishes the staged folder in place of the destination.
    pub fn publish(mut self) -> io::Result<()> {
        let mut files: BTreeSet<String> = manifest::read(&self.staging)
            .into_iter()
            .filter(|f| self.staging.join(f).is_file())
            .collect();
        let mut written = Vec::new();
        walk_files(&self.staging, "", &mut written)?;
        for (rel, id) in written {
            if rel != manifest::NAME && self.carried.get(&rel) != Some(&id) {
                files.insert(rel);
            }
        }
        manifest::write(&self.staging, &files)?;
        sync_dirs(&self.staging)?;
        fault::before_publish();
        let parent = folder_of(&self.target).to_path_buf();
        let name = self
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let old = parent.join(format!(".{name}.old{}", std::process::id()));
        // Under the interrupt handler's lock: an interrupt now waits, then
        // removes whichever folder is the old one.
        let leftover = cleanup::with_pending(|pending| -> io::Result<Option<PathBuf>> {
            if !self.target.exists() {
                std::fs::rename(&self.staging, &self.target)?;
                pending.retain(|p| p != &self.staging);
                return Ok(None);
            }
            match exchange(&self.staging, &self.target) {
                // The staging path now holds the old folder (still pending).
                Ok(()) => Ok(Some(self.staging.clone())),
                Err(e) if unsupported(&e) => {
                    pending.push(old.clone());
                    std::fs::rename(&self.target, &old)?;
                    std::fs::rename(&self.staging, &self.target)?;
                    pending.retain(|p| p != &self.staging);
                    Ok(Some(old.clone()))
                }
                Err(e) => Err(e),
            }
        })?;
        self.published = true;
        sync_dir(&parent)?;
        if let Some(old) = leftover {
            let _ = std::fs::remove_dir_all(&old);
            cleanup::unregister(&old);
        }
        Ok(())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.staging);
            cleanup::unregister(&self.staging);
        }
    }
}

/// Recreates the tree under `from` in `to`: folders made, files hard-linked
/// (copied where links are not possible), symbolic links recreated; the
/// temporary files of killed runs left out.
fn carry(
    from: &Path,
    to: &Path,
    rel: &str,
    carried: &mut HashMap<String, FileId>,
    count: &mut usize,
) -> io::Result<()> {
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        let name_s = name.to_string_lossy().into_owned();
        if cleanup::owner_pid(&name_s).is_some() {
            continue;
        }
        *count += 1;
        if *count > MAX_ENTRIES {
            return Err(refuse(format!(
                "holds more than {MAX_ENTRIES} files; flowcast republishes a result folder whole, so give --out a folder of its own"
            )));
        }
        let sub = if rel.is_empty() {
            name_s.clone()
        } else {
            format!("{rel}/{name_s}")
        };
        let (src, dst) = (e.path(), to.join(&name));
        let ft = e.file_type()?;
        if ft.is_dir() {
            cleanup::unless_interrupted(|| std::fs::create_dir(&dst))?;
            carry(&src, &dst, &sub, carried, count)?;
        } else if ft.is_symlink() {
            let points_to = std::fs::read_link(&src)?;
            cleanup::unless_interrupted(|| link_symlink(&points_to, &dst))?;
        } else {
            if cleanup::unless_interrupted(|| std::fs::hard_link(&src, &dst)).is_err() {
                cleanup::unless_interrupted(|| std::fs::copy(&src, &dst))?;
            }
            carried.insert(sub, file_id(&std::fs::metadata(&dst)?));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn link_symlink(points_to: &Path, at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(points_to, at)
}

#[cfg(not(unix))]
fn link_symlink(points_to: &Path, at: &Path) -> io::Result<()> {
    std::fs::copy(points_to, at).map(drop)
}

/// Every regular file under `dir` with its identity, as relative paths.
fn walk_files(dir: &Path, rel: &str, out: &mut Vec<(String, FileId)>) -> io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let sub = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let ft = e.file_type()?;
        if ft.is_dir() {
            walk_files(&e.path(), &sub, out)?;
        } else if ft.is_file() {
            out.push((sub, file_id(&e.metadata()?)));
        }
    }
    Ok(())
}

/// Syncs `dir` and every folder under it, so the names of the files
/// written (each already synced) survive a crash once published.
fn sync_dirs(dir: &Path) -> io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            sync_dirs(&e.path())?;
        }
    }
    sync_dir(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Swaps two paths atomically.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths; renameat2 reads them only.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Whether `e` says the file system cannot exchange (fall back to renames).
fn unsupported(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported
        || matches!(
            e.raw_os_error(),
            Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut list = Vec::new();
        walk_files(dir, "", &mut list).unwrap();
        let mut files: Vec<_> = list
            .into_iter()
            .map(|(rel, _)| (rel.clone(), std::fs::read(dir.join(&rel)).unwrap()))
            .collect();
        files.sort();
        files
    }

    #[test]
    fn publishes_new_files_and_keeps_the_users() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir_all(out.join("charts")).unwrap();
        std::fs::write(out.join("summary.json"), b"old").unwrap();
        std::fs::write(out.join("notes.txt"), b"mine").unwrap();
        std::fs::write(out.join("charts/mine.png"), b"png").unwrap();

        let staged = StagedDir::begin(&out).unwrap();
        crate::files::write_atomic(&staged.path().join("summary.json"), b"new").unwrap();
        crate::files::write_atomic(&staged.path().join("teams.csv"), b"t").unwrap();
        // Until published, the destination is untouched.
        assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), b"old");
        staged.publish().unwrap();

        let tree = read_tree(&out);
        let names: Vec<&str> = tree.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                ".flowcast-files",
                "charts/mine.png",
                "notes.txt",
                "summary.json",
                "teams.csv"
            ]
        );
        assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), b"new");
        // Only what flowcast wrote is listed as its own.
        assert_eq!(
            manifest::read(&out).into_iter().collect::<Vec<_>>(),
            ["summary.json", "teams.csv"]
        );
        // Nothing is left beside the folder.
        let beside: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(beside.len(), 1);
    }

    #[test]
    fn an_unpublished_stage_leaves_the_old_folder_whole() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("summary.json"), b"old").unwrap();
        {
            let staged = StagedDir::begin(&out).unwrap();
            crate::files::write_atomic(&staged.path().join("summary.json"), b"half").unwrap();
        }
        assert_eq!(
            read_tree(&out),
            [("summary.json".to_string(), b"old".to_vec())]
        );
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_in_the_way_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::write(&out, b"x").unwrap();
        let e = StagedDir::begin(&out).unwrap_err();
        assert_eq!(e.to_string(), "exists and is not a folder");
    }
}
