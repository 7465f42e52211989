//! Writing a pack: render every file to bytes, hash the bytes, write them
//! into a temporary sibling folder and rename it into place.
//!
//! The rename is the only step that makes a pack appear, so a run that fails
//! (or is stopped) before it leaves no pack and no partial files under the
//! pack's name; a failure removes the temporary folder too. A process that
//! is killed outright can leave the hidden `.NAME.tmp-PID` folder behind,
//! which is safe to delete.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::pack::manifest::{Created, InputEntry, Manifest, hash_file};
use crate::pack::{MANIFEST_FILE, pack_error, render_files};
use crate::plan::Plan;
use crate::results::Results;
use crate::spec::AuditSpec;

/// How to write a pack.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Replace an existing pack at the destination. Even then, a folder that
    /// is not an audit pack is never replaced.
    pub force: bool,
    /// `SOURCE_DATE_EPOCH`, recorded in the manifest's `created` member. The
    /// library never reads the clock or the environment: the caller decides.
    pub source_date_epoch: Option<u64>,
    /// Test seam: fail while writing the file with this 0-based index (the
    /// spec, then the outputs, then the manifest), after writing half of it,
    /// as a full disk would.
    #[doc(hidden)]
    pub fail_at_file: Option<usize>,
    /// The inputs' manifest entries, hashed before the audit counted them
    /// (set by [`run`]); `None`: hash them now.
    #[doc(hidden)]
    pub inputs: Option<Vec<InputEntry>>,
}

/// The spec as it will stand in a pack at `pack_dir`: checked, with every
/// input path rewritten relative to the pack folder (or to its bare file
/// name, see the [module docs](crate::pack)), while each input still opens
/// the file where it is now.
///
/// Run the audit on this spec, not on `spec.check(..)`: the results name the
/// inputs as the pack's `audit.toml` does, which is what `verify` reproduces.
pub fn relocate(spec: &AuditSpec, spec_dir: &Path, pack_dir: &Path) -> Result<Plan> {
    // Check the spec as written first, so that its errors name the user's
    // own paths and keys, and so that the inputs are resolved exactly as an
    // ordinary run resolves them.
    let original = Plan::check(spec, spec_dir)?;
    let pack = absolute(pack_dir).map_err(|e| Error::io(pack_dir, e))?;
    let mut relative = Vec::new();
    for input in original.inputs() {
        relative.push(pack_relative(&pack, &input.path)?);
    }
    let mut source = spec.clone();
    // `check` lists `input.path` first, then `input.paths`, in order.
    let mut rewritten = relative.into_iter();
    if source.input.path.is_some() {
        source.input.path = rewritten.next();
    }
    for p in &mut source.input.paths {
        if let Some(r) = rewritten.next() {
            *p = r;
        }
    }
    let valid = Plan::check(&source, pack_dir)?;
    let here = original.inputs().iter().map(|i| i.path.clone()).collect();
    Ok(valid.reading_inputs_from(here))
}

/// Checks that a pack may be written at `dir`: nothing is there, or `force`
/// is set and an audit pack is there. Callers may check early, before a long
/// audit; [`write()`] checks again.
pub fn check_destination(dir: &Path, force: bool) -> Result<()> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(dir, e)),
        Ok(_) if !force => Err(pack_error(dir, "already exists").with_hint(
            "choose a new folder, or pass --force to replace the audit pack that is there",
        )),
        Ok(meta) if meta.is_dir() && Manifest::read(dir).is_ok() => Ok(()),
        Ok(_) => Err(pack_error(
            dir,
            format!("exists and is not an audit pack (no valid {MANIFEST_FILE}); not replacing it, even with --force"),
        )
        .with_hint("choose a new folder for the pack")),
    }
}

/// Writes the pack of `results` (computed from `spec`) to `dir`, atomically,
/// and returns its manifest. `spec` must come from [`relocate`] for this
/// `dir`, so that the pack's `audit.toml` finds the inputs.
pub fn write(
    dir: &Path,
    spec: &Plan,
    results: &Results,
    options: &WriteOptions,
) -> Result<Manifest> {
    let target = absolute(dir).map_err(|e| Error::io(dir, e))?;
    let (Some(parent), Some(_)) = (target.parent(), target.file_name()) else {
        return Err(pack_error(dir, "does not name a folder for the pack")
            .with_hint("give a new folder, e.g. --out compas-pack"));
    };
    check_destination(dir, options.force)?;
    let inputs = match &options.inputs {
        Some(hashed) => hashed.clone(),
        None => hash_inputs(&target, spec)?,
    };
    let files = render_files(spec, results)?;
    let manifest = Manifest::build(
        spec,
        inputs,
        results,
        &files,
        options.source_date_epoch.map(Created::from_epoch),
    );
    let manifest_bytes = manifest.render();
    let all = files
        .iter()
        .map(|f| (f.name, f.bytes.as_slice()))
        .chain([(MANIFEST_FILE, manifest_bytes.as_slice())]);

    // From here to the rename, an interrupt is deferred (when the program
    // routes signals to `file::interrupt`): the pack is complete or absent.
    #[cfg(unix)]
    let _critical = crate::file::interrupt::critical();
    recover_stale(&target);
    let created = create_parents(parent)?;
    let tmp = crate::file::temporary_sibling(&target, "tmp");
    // A folder of this name can only be left by an earlier failure in this
    // same process (the name carries the process id).
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| Error::write(&tmp, e))?;
    }
    let written = fs::create_dir(&tmp)
        .map_err(|e| Error::write(&tmp, e))
        .and_then(|()| {
            for (i, (file, bytes)) in all.enumerate() {
                let path = tmp.join(file);
                write_file(&path, bytes, options.fail_at_file == Some(i))
                    .map_err(|e| Error::write(&path, e))?;
            }
            let aside = crate::file::temporary_sibling(&target, "old");
            place(&tmp, &target, dir, &aside, options.force)
        });
    if written.is_err() {
        let _ = fs::remove_dir_all(&tmp);
        // Folders made for the pack go too (the deepest first; only if
        // empty, so nothing of anyone else's is touched).
        for d in created.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    }
    written.map(|()| manifest)
}

/// What identifies a file's contents without reading it: size, modification
/// time and (on unix) device and inode.
fn stamp(path: &Path) -> Result<(u64, Option<std::time::SystemTime>, u64, u64)> {
    let m = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    let (dev, ino) = {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    };
    #[cfg(not(unix))]
    let (dev, ino) = (0, 0);
    Ok((m.len(), m.modified().ok(), dev, ino))
}

/// Audits `spec` (read from `spec_dir`) into a new pack at `dir`: what
/// `fairaudit run --out` does. The inputs are hashed before they are
/// counted and checked after: an input rewritten during the run is an
/// error, never a hash beside results from other bytes.
pub fn run(
    spec: &AuditSpec,
    spec_dir: &Path,
    dir: &Path,
    run: &crate::count::RunOptions<'_>,
    options: &WriteOptions,
) -> Result<(Results, Manifest)> {
    check_destination(dir, options.force)?;
    let plan = relocate(spec, spec_dir, dir)?;
    let target = absolute(dir).map_err(|e| Error::io(dir, e))?;
    let before: Vec<_> = plan
        .inputs()
        .iter()
        .map(|i| stamp(&i.path))
        .collect::<Result<_>>()?;
    let hashed = hash_inputs(&target, &plan)?;
    let results = crate::audit(&plan, run)?;
    for (input, was) in plan.inputs().iter().zip(&before) {
        if stamp(&input.path)? != *was {
            return Err(Error::input(
                crate::error::Position::file(&input.path),
                "the file changed while it was being audited",
            )
            .with_hint("run the audit again once whatever is writing the file has finished"));
        }
    }
    let options = WriteOptions {
        inputs: Some(hashed),
        ..options.clone()
    };
    let manifest = write(dir, &plan, &results, &options)?;
    Ok((results, manifest))
}

/// Each input's entry in the manifest: its path from the pack, size and
/// SHA-256.
fn hash_inputs(target: &Path, spec: &Plan) -> Result<Vec<InputEntry>> {
    let mut inputs = Vec::new();
    for input in spec.inputs() {
        if pack_relative(target, &input.path)? != input.display {
            return Err(pack_error(
                &input.path,
                format!(
                    "the spec names this input as `{}`, which is not its path from the pack folder",
                    input.display
                ),
            )
            .with_hint("build the spec with `fairaudit::pack::relocate` for this pack folder, and audit that spec"));
        }
        let (bytes, sha256) = hash_file(&input.path)?;
        inputs.push(InputEntry {
            path: input.display.clone(),
            file: file_name(&input.display),
            bytes,
            sha256,
        });
    }
    Ok(inputs)
}

/// Creates the missing folders above a pack; returns those it created,
/// outermost first.
fn create_parents(parent: &Path) -> Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut p = Some(parent);
    while let Some(d) = p {
        if d.as_os_str().is_empty() || d.exists() {
            break;
        }
        missing.push(d.to_path_buf());
        p = d.parent();
    }
    missing.reverse();
    fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    Ok(missing)
}

/// Clears what killed runs left beside a pack: a temporary folder is
/// removed; a pack moved aside by a `--force` run that died before it could
/// put the new one in place is put back if nothing took its place, and
/// removed otherwise.
fn recover_stale(target: &Path) {
    for tmp in crate::file::stale_siblings(target, "tmp") {
        let _ = fs::remove_dir_all(tmp);
    }
    for old in crate::file::stale_siblings(target, "old") {
        if fs::symlink_metadata(target).is_err() && Manifest::read(&old).is_ok() {
            let _ = fs::rename(&old, target);
        } else {
            let _ = fs::remove_dir_all(old);
        }
    }
}

fn write_file(path: &Path, bytes: &[u8], fail: bool) -> std::io::Result<()> {
    let mut f = fs::File::create_new(path)?;
    if fail {
        f.write_all(&bytes[..bytes.len() / 2])?;
        return Err(std::io::Error::other("injected failure (test seam)"));
    }
    f.write_all(bytes)?;
    // Flush to disk before the rename publishes the pack, so that a crash
    // just after cannot leave a pack of empty files.
    f.sync_all()
}

/// Moves the finished folder `tmp` to `target`. An existing pack there
/// (replaced only with `force`; [`check_destination`] made sure it is a
/// pack) is moved aside first and deleted last, so that at every moment
/// either the old or the new pack is complete under the name.
fn place(tmp: &Path, target: &Path, shown: &Path, aside: &Path, force: bool) -> Result<()> {
    if fs::symlink_metadata(target).is_ok() {
        // Something appeared there while the pack was being written.
        if !force {
            return Err(pack_error(shown, "already exists").with_hint(
                "another process wrote it while this pack was being written; choose a new folder",
            ));
        }
        fs::rename(target, aside).map_err(|e| Error::write(shown, e))?;
        if let Err(e) = fs::rename(tmp, target) {
            let _ = fs::rename(aside, target);
            return Err(Error::write(shown, e));
        }
        // The new pack is in place; failing to delete the old one leaves a
        // hidden folder but does not make the write fail.
        let _ = fs::remove_dir_all(aside);
        return Ok(());
    }
    fs::rename(tmp, target).map_err(|e| Error::write(shown, e))
}

/// How the pack at `pack` (absolute) names `input`: its path relative to the
/// pack folder, so that `verify` finds it where it was when the pack was
/// written (never an absolute path); the bare file name only when no
/// relative path exists (another drive). A path that climbs to the root
/// names the folders on the way: write the pack beside the data to keep
/// folder names out of it.
pub(crate) fn pack_relative(pack: &Path, input: &Path) -> Result<String> {
    let target = absolute(input).map_err(|e| Error::io(input, e))?;
    Ok(relative(pack, &target).unwrap_or_else(|| file_name(&target.to_string_lossy())))
}

/// The last component of a `/`- or `\`-separated path.
pub(crate) fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

/// `to` relative to the folder `from`, `/`-separated; both absolute and
/// normalised. `None` when their only common ancestor is the root (or a
/// drive), or a component is not Unicode.
fn relative(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    // Paths on different drives (Windows) share nothing to climb to.
    if common == 0 {
        return None;
    }
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    for c in &to[common..] {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?),
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// An absolute, normalised form of `path`, which need not exist: the path
/// itself canonicalised if it exists (resolving symbolic links), else its
/// longest existing ancestor canonicalised with the rest appended. The pack
/// folder does not exist until the very end, so it cannot simply be
/// canonicalised.
fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    if let Ok(c) = joined.canonicalize() {
        return Ok(c);
    }
    let mut existing = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                existing.pop();
            }
            other => existing.push(other),
        }
    }
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(mut out) => {
                out.extend(rest.iter().rev());
                return Ok(out);
            }
            Err(e) => match existing.file_name() {
                Some(n) => {
                    rest.push(n.to_os_string());
                    existing.pop();
                }
                None => return Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_as_far_as_needed() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(
            r("/w/audits/pack", "/w/data/x.csv").as_deref(),
            Some("../../data/x.csv")
        );
        assert_eq!(r("/w/pack", "/w/pack/x.csv").as_deref(), Some("x.csv"));
        assert_eq!(r("/w/pack", "/w/x.csv").as_deref(), Some("../x.csv"));
        // Sharing only the root still gives a relative path, so that
        // `verify` finds the input where it was (issue 10).
        assert_eq!(
            r("/tmp/pack", "/work/data/x.csv").as_deref(),
            Some("../../work/data/x.csv")
        );
    }

    #[test]
    fn file_names_of_either_separator() {
        assert_eq!(file_name("../data/x.csv"), "x.csv");
        assert_eq!(file_name("..\\data\\x.csv"), "x.csv");
        assert_eq!(file_name("x.csv"), "x.csv");
    }

    #[test]
    fn absolute_paths_need_not_exist() {
        let here = std::env::current_dir().unwrap().canonicalize().unwrap();
        let p = absolute(Path::new("no/such/./dir/../pack")).unwrap();
        assert_eq!(p, here.join("no/such/pack"));
    }
}
