//! Writing a file so that it is either complete or not there at all.

use anyhow::{Context, Result, anyhow};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temporary files made by different calls in one process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// How many names to try before giving up on finding a free temporary name.
const TEMP_NAME_ATTEMPTS: u32 = 100;

/// Removes the temporary file when dropped, unless it has been renamed into place.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            // Best effort: the error that got us here is the one worth reporting.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes `path` by calling `write` on a temporary file in the same directory, syncing it, and
/// renaming it over `path`. On any error (including one returned by `write`) the temporary file
/// is removed and `path` is left as it was. Every error names `path`; `what` says what was being
/// saved ("PNG", "GIF", ...).
pub(crate) fn write_atomically(
    path: &Path,
    what: &str,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    (|| {
        let mut file = AtomicFile::create(path)?;
        write(file.writer())?;
        file.commit()
    })()
    .with_context(|| format!("cannot save {what} to {}", path.display()))
}

/// A file being written under a temporary name next to `path`, renamed into place by
/// [`AtomicFile::commit`]. Dropped without a commit, the temporary file is removed.
pub(crate) struct AtomicFile {
    path: PathBuf,
    out: BufWriter<File>,
    temp: TempFile,
}

impl AtomicFile {
    /// Creates the temporary file for `path`, written through a buffer of the default size.
    pub(crate) fn create(path: &Path) -> Result<Self> {
        Self::with_buffer(path, 8 * 1024)
    }

    /// Creates the temporary file for `path`, written through a buffer of `capacity` bytes.
    pub(crate) fn with_buffer(path: &Path, capacity: usize) -> Result<Self> {
        let file_name = path
            .file_name()
            .ok_or_else(|| anyhow!("the path does not end in a file name"))?;
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let (file, temp) = create_temp(dir, &file_name.to_string_lossy())?;
        Ok(Self {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(capacity, file),
            temp: TempFile {
                path: temp,
                keep: false,
            },
        })
    }

    /// Where the bytes go.
    pub(crate) fn writer(&mut self) -> &mut BufWriter<File> {
        &mut self.out
    }

    /// Flushes, syncs and renames the file into place.
    pub(crate) fn commit(self) -> Result<()> {
        let Self {
            path,
            out,
            mut temp,
        } = self;
        let file = out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing temporary file {}", temp.path.display()))?;
        file.sync_all()
            .with_context(|| format!("syncing temporary file {}", temp.path.display()))?;
        drop(file);
        fs::rename(&temp.path, &path).with_context(|| {
            format!("renaming temporary file {} into place", temp.path.display())
        })?;
        temp.keep = true;
        Ok(())
    }
}

/// Creates a new, empty, hidden temporary file in `dir` whose name starts with `base`.
fn create_temp(dir: &Path, base: &str) -> Result<(File, PathBuf)> {
    let mut attempt = 0;
    loop {
        let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{base}.{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((file, temp)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempt < TEMP_NAME_ATTEMPTS => {
                attempt += 1;
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("creating temporary file {}", temp.display()));
            }
        }
    }
}
