//! Files: reading only regular files, and writing so that a failure leaves
//! nothing half-written.
//!
//! * Reading: a path that is a FIFO, a device or a folder is refused before
//!   anything blocks on it ([`open_regular`], [`read_text`]).
//! * Writing: every output file (a count table, a synthetic data set) is
//!   written into a hidden temporary sibling and renamed into place only when
//!   complete; the temporary is removed if anything fails before that
//!   ([`AtomicFile`], [`write_atomically`]). Audit packs, which are folders,
//!   follow the same rule with a temporary sibling folder.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What a path that is not a regular file is, for the error.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading if it is a regular file (following symlinks).
///
/// The type is checked before opening, because opening a FIFO for reading
/// blocks until a writer appears, and checked again on the open handle, in
/// case the path changed in between.
pub fn open_regular(path: &Path) -> Result<File> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::not_a_file(path, kind_of(&meta)));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::not_a_file(path, kind_of(&meta)));
    }
    Ok(file)
}

/// Reads at most `limit + 1` bytes of a regular file: enough to know
/// whether it holds more than `limit`, never more (a pack file replaced by
/// a link to `/dev/zero`, or a huge one, is not read to the end).
pub fn read_prefix(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// Reads a regular file as UTF-8 text, at most `limit` bytes.
pub fn read_text_bounded(path: &Path, limit: u64) -> Result<String> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::input(
            crate::error::Position::file(path),
            format!("the file is larger than {limit} bytes, more than a file of this kind can be"),
        )
        .with_hint("check that the right file is named"));
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::input(
            crate::error::Position::file(path),
            format!(
                "the file is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
        .with_hint("save it as UTF-8")
    })
}

/// The most bytes a spec or another small text file of fairaudit's may
/// have: far more than any real one, and a bound on what a wrong path can
/// make the tool read.
pub const MAX_TEXT_FILE: u64 = 16 << 20;

/// Reads a small regular text file (a spec): at most [`MAX_TEXT_FILE`] bytes.
pub fn read_text(path: &Path) -> Result<String> {
    read_text_bounded(path, MAX_TEXT_FILE)
}

#[cfg(unix)]
pub mod interrupt {
    //! Clean-up when the process is interrupted (SIGINT, SIGTERM, SIGHUP).
    //!
    //! The library installs no signal handler: the program does (the
    //! `fairaudit` binary does), and calls [`on_signal`] from it. Two
    //! mechanisms, both safe to use from a signal handler:
    //!
    //! * temporary files being written register their paths; an interrupt
    //!   outside a critical section unlinks them before the process ends;
    //! * a pack's final writes and renames run in a critical section
    //!   ([`critical`]): an interrupt during it is recorded and acted on when
    //!   the section ends (the program asks [`take_pending`]), so that a pack
    //!   is either complete or absent, never half-written.

    use std::cell::UnsafeCell;
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};

    const SLOTS: usize = 8;
    const PATH_BYTES: usize = 4096;

    struct Slot {
        used: AtomicBool,
        path: UnsafeCell<[u8; PATH_BYTES]>,
    }

    // The buffer is written only while `used` is false and only by the
    // thread that then sets it; the handler reads it only while `used` is
    // true.
    unsafe impl Sync for Slot {}

    #[allow(clippy::declare_interior_mutable_const)]
    const EMPTY: Slot = Slot {
        used: AtomicBool::new(false),
        path: UnsafeCell::new([0; PATH_BYTES]),
    };

    static TEMPORARIES: [Slot; SLOTS] = [EMPTY; SLOTS];
    static CLAIMED: [AtomicBool; SLOTS] = [const { AtomicBool::new(false) }; SLOTS];
    static CRITICAL: AtomicUsize = AtomicUsize::new(0);
    static PENDING: AtomicI32 = AtomicI32::new(0);

    /// A temporary file registered for clean-up; unregisters on drop.
    #[derive(Debug)]
    pub struct Registered(Option<usize>);

    impl Drop for Registered {
        fn drop(&mut self) {
            if let Some(i) = self.0 {
                TEMPORARIES[i].used.store(false, Ordering::Release);
                CLAIMED[i].store(false, Ordering::Release);
            }
        }
    }

    /// Registers a temporary file to unlink if the process is interrupted.
    /// A path too long for the buffer, or more than a handful at once, is
    /// simply not registered (the next run removes stale temporaries).
    pub fn register(path: &Path) -> Registered {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if bytes.len() >= PATH_BYTES || bytes.contains(&0) {
            return Registered(None);
        }
        for i in 0..SLOTS {
            if CLAIMED[i]
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                // SAFETY: this thread claimed the slot; the handler reads it
                // only after `used` is set below.
                unsafe {
                    let buf = &mut *TEMPORARIES[i].path.get();
                    buf[..bytes.len()].copy_from_slice(bytes);
                    buf[bytes.len()] = 0;
                }
                TEMPORARIES[i].used.store(true, Ordering::Release);
                return Registered(Some(i));
            }
        }
        Registered(None)
    }

    /// A critical section: interrupts are deferred until it ends.
    pub struct Critical(());

    impl Drop for Critical {
        fn drop(&mut self) {
            CRITICAL.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Enters a critical section.
    pub fn critical() -> Critical {
        CRITICAL.fetch_add(1, Ordering::AcqRel);
        Critical(())
    }

    /// A signal deferred by a critical section, to act on now.
    pub fn take_pending() -> Option<i32> {
        match PENDING.swap(0, Ordering::AcqRel) {
            0 => None,
            s => Some(s),
        }
    }

    /// To call from a signal handler. In a critical section the signal is
    /// recorded and `true` returned (carry on; see [`take_pending`]);
    /// otherwise the registered temporaries are unlinked and `false`
    /// returned (end the process). Only async-signal-safe calls are made.
    pub fn on_signal(signal: i32) -> bool {
        if CRITICAL.load(Ordering::Acquire) > 0 {
            PENDING.store(signal, Ordering::Release);
            return true;
        }
        for slot in &TEMPORARIES {
            if slot.used.load(Ordering::Acquire) {
                // SAFETY: a registered slot holds a NUL-terminated path;
                // unlink(2) is async-signal-safe.
                unsafe {
                    libc::unlink((*slot.path.get()).as_ptr().cast());
                }
            }
        }
        false
    }
}

/// A temporary file beside its target, removed on drop unless committed.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    file: File,
    done: bool,
    #[cfg(unix)]
    _registered: interrupt::Registered,
}

/// The hidden temporary sibling of `path` owned by this process:
/// `.NAME.TAG-PID`.
pub fn temporary_sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Whether process `pid` is running (on Linux, from `/proc`; elsewhere
/// every process is taken to be running, so nothing of another's is
/// touched).
fn running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// The temporary siblings `.NAME.TAG-PID` of `path` left by processes that
/// are no longer running (a run killed outright), for the next run to
/// remove or recover.
pub fn stale_siblings(path: &Path, tag: &str) -> Vec<PathBuf> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let prefix = format!(".{}.{tag}-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            let pid: u32 = n.strip_prefix(&prefix)?.parse().ok()?;
            (pid != std::process::id() && !running(pid)).then(|| e.path())
        })
        .collect();
    out.sort();
    out
}

impl AtomicFile {
    /// Creates the temporary file for `path`, first removing any that a
    /// killed run left behind.
    pub fn create(path: &Path) -> Result<AtomicFile> {
        for stale in stale_siblings(path, "tmp") {
            let _ = std::fs::remove_file(stale);
        }
        let tmp = temporary_sibling(path, "tmp");
        let file = File::create(&tmp).map_err(|e| {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let missing = e.kind() == std::io::ErrorKind::NotFound;
            let err = Error::write(path, e);
            if missing {
                err.with_hint(format!(
                    "the folder `{}` does not exist; create it first",
                    parent.display()
                ))
            } else {
                err
            }
        })?;
        Ok(AtomicFile {
            target: path.to_path_buf(),
            #[cfg(unix)]
            _registered: interrupt::register(&tmp),
            tmp,
            file,
            done: false,
        })
    }

    /// The file to write into (wrap it in a `BufWriter` by reference, and
    /// flush that before committing).
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Renames the file into place. (It is not fsynced: the rename is what
    /// makes it appear whole; durability across a power cut is the file
    /// system's business, and syncing gigabytes of benchmark input would
    /// dominate the run.)
    pub fn commit(mut self) -> Result<()> {
        std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::write(&self.target, e))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.done {
            // Best effort: the run has already failed, and its error is the
            // one worth reporting.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = AtomicFile::create(path)?;
    out.file()
        .write_all(bytes)
        .map_err(|e| Error::write(path, e))?;
    out.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_file_leaves_nothing_and_a_committed_one_appears_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.csv");
        {
            let mut f = AtomicFile::create(&target).unwrap();
            f.file().write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        write_atomically(&target, b"whole").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_atomically(&dir.path().join("no/such/t.csv"), b"x").unwrap_err();
        assert!(
            e.to_string().contains("does not exist; create it first"),
            "{e}"
        );
    }
}

#[cfg(all(test, unix))]
mod unix_tests {
    use super::*;

    #[test]
    fn devices_folders_and_fifos_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("is a device"), "{e}");
        let e = read_text(dir.path()).unwrap_err();
        assert!(e.to_string().contains("is a folder"), "{e}");
        let fifo = dir.path().join("x.toml");
        let ok = std::process::Command::new("mkfifo").arg(&fifo).status();
        if ok.is_ok_and(|s| s.success()) {
            let e = read_text(&fifo).unwrap_err();
            assert!(e.to_string().contains("FIFO"), "{e}");
        }
    }
}
