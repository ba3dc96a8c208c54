//! What `--force` may replace, and moving a folder into place without replacing anything.
//!
//! `--force` replaces only a folder that covsim wrote: a real folder (not a symbolic link) with
//! a `manifest.json` that covsim wrote, holding nothing but files covsim writes. Anything else
//! at `--out` — a file, a link, a device, a folder without a manifest or with a file of the
//! user's in it — is refused, because replacing it could destroy the user's work.

use std::fs;
use std::io;
use std::path::Path;

use super::output::OutputError;

/// The most `manifest.json` is read of: covsim's own are a few kilobytes.
const MANIFEST_LIMIT: u64 = 16 << 20;

/// Why a path is not a folder that covsim wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotOurs {
    /// A symbolic link (replacing it would not replace what it points to, and following it
    /// could replace something elsewhere).
    Symlink,
    /// A regular file.
    File,
    /// A device, pipe or socket.
    Special,
    /// A folder without a `manifest.json` of covsim's.
    NoManifest,
    /// A folder whose `manifest.json` is not one that covsim writes.
    ForeignManifest(String),
    /// A folder with an entry that covsim does not write.
    ForeignEntry(String),
}

impl std::fmt::Display for NotOurs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotOurs::Symlink => write!(f, "it is a symbolic link"),
            NotOurs::File => write!(f, "it is a file"),
            NotOurs::Special => write!(f, "it is a device, pipe or socket"),
            NotOurs::NoManifest => write!(f, "it has no manifest.json of a covsim run"),
            NotOurs::ForeignManifest(why) => {
                write!(f, "its manifest.json is not one that covsim writes ({why})")
            }
            NotOurs::ForeignEntry(name) => {
                write!(f, "it holds '{name}', which covsim does not write")
            }
        }
    }
}

/// What is at a run folder's path before writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Nothing.
    Absent,
    /// A folder that covsim wrote, identified so that a swap before the replacement is noticed.
    Ours(Identity),
}

/// Device and inode of a folder (on Unix): the folder that was checked is the one replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity(Option<(u64, u64)>);

fn identity(meta: &fs::Metadata) -> Identity {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Identity(Some((meta.dev(), meta.ino())))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Identity(None)
    }
}

/// Whether covsim writes a file of this name into a run, sweep or sensitivity folder
/// (including the temporary file `covsim report` writes beside a chart before renaming it).
pub fn is_covsim_file_name(name: &str) -> bool {
    let name = match name.strip_prefix('.').and_then(|n| n.rsplit_once(".tmp-")) {
        Some((n, pid)) if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => name,
    };
    super::output::FILES.contains(&name)
        || matches!(
            name,
            "report.html" | "sweep.csv" | "sensitivity.csv" | "backtest.csv"
        )
        || (name.starts_with("chart-")
            && (name.ends_with(".png") || name.ends_with(".svg"))
            && !name.contains(['/', '\\']))
}

/// Whether `manifest` is a manifest that covsim writes: a JSON object with `covsim_version`
/// and either the fields of a run (`scenario_name`, `replications`) or a batch `command`.
pub fn check_manifest(
    manifest: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(manifest).map_err(|e| format!("not JSON: {e}"))?;
    let serde_json::Value::Object(m) = value else {
        return Err("not a JSON object".into());
    };
    if !m
        .get("covsim_version")
        .is_some_and(serde_json::Value::is_string)
    {
        return Err("no covsim_version".into());
    }
    let run = m
        .get("scenario_name")
        .is_some_and(serde_json::Value::is_string)
        && m.get("replications").is_some_and(serde_json::Value::is_u64);
    let batch = matches!(
        m.get("command").and_then(serde_json::Value::as_str),
        Some("sweep" | "sensitivity")
    );
    if run || batch {
        Ok(m)
    } else {
        Err("neither the fields of a run nor a sweep or sensitivity command".into())
    }
}

/// Checks that `dir` is a folder that covsim wrote (see the module documentation).
pub fn check_folder(dir: &Path) -> Result<Identity, NotOurs> {
    let meta = fs::symlink_metadata(dir).map_err(|_| NotOurs::NoManifest)?;
    classify(&meta)?;
    let manifest = dir.join("manifest.json");
    match fs::symlink_metadata(&manifest) {
        Ok(m) if m.is_file() && m.len() <= MANIFEST_LIMIT => {}
        Ok(m) if m.is_file() => {
            return Err(NotOurs::ForeignManifest("larger than covsim writes".into()));
        }
        Ok(_) => return Err(NotOurs::ForeignManifest("not a regular file".into())),
        Err(_) => return Err(NotOurs::NoManifest),
    }
    let bytes = fs::read(&manifest).map_err(|e| NotOurs::ForeignManifest(e.to_string()))?;
    check_manifest(&bytes).map_err(NotOurs::ForeignManifest)?;
    let entries = fs::read_dir(dir).map_err(|_| NotOurs::NoManifest)?;
    for entry in entries {
        let entry = entry.map_err(|_| NotOurs::NoManifest)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if !regular || !is_covsim_file_name(&name) {
            return Err(NotOurs::ForeignEntry(name));
        }
    }
    Ok(identity(&meta))
}

fn classify(meta: &fs::Metadata) -> Result<(), NotOurs> {
    let t = meta.file_type();
    if t.is_symlink() {
        Err(NotOurs::Symlink)
    } else if t.is_file() {
        Err(NotOurs::File)
    } else if !t.is_dir() {
        Err(NotOurs::Special)
    } else {
        Ok(())
    }
}

/// Checks what is at `dir` before a run folder is written there: nothing, or (with `force`) a
/// folder that covsim wrote. A dangling symbolic link counts as something.
pub fn check_target(dir: &Path, force: bool) -> Result<Target, OutputError> {
    let meta = match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::Absent),
        // Anything else (no permission, a file in the path) is reported when writing.
        Err(_) => return Ok(Target::Absent),
        Ok(m) => m,
    };
    match check_folder(dir) {
        Ok(id) if force => Ok(Target::Ours(id)),
        Ok(_) => Err(OutputError::Exists(dir.to_path_buf())),
        Err(why) => Err(OutputError::NotOurs {
            path: dir.to_path_buf(),
            hint: if meta.is_dir() {
                ", or move your files out of it first"
            } else {
                ""
            },
            why,
        }),
    }
}

/// Renames `from` to `to` only if nothing is at `to`, atomically where the system allows it
/// (Linux `renameat2(RENAME_NOREPLACE)`, macOS `renameatx_np(RENAME_EXCL)`). Fails with
/// [`io::ErrorKind::AlreadyExists`] if something is there — also an empty folder, which a plain
/// `rename` would silently replace.
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
            Ok(()) => Ok(()),
            // The file system does not support the flag (some network file systems).
            Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::NOTSUP => {
                rename_claimed(from, to)
            }
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
    {
        rename_claimed(from, to)
    }
}

/// The portable no-replace rename. A file is claimed with a hard link, which fails if anything
/// is at `to`. On Unix a folder is claimed by creating `to` as an empty folder, which fails if
/// anything is there, and then moved over the claim (POSIX rename replaces an empty folder);
/// another process can no longer put anything at `to` in between. Windows never replaces a
/// folder by renaming onto it, so a plain rename is already safe there.
fn rename_claimed(from: &Path, to: &Path) -> io::Result<()> {
    if fs::symlink_metadata(from)?.is_dir() {
        #[cfg(unix)]
        {
            fs::create_dir(to)?;
            fs::rename(from, to).inspect_err(|_| {
                let _ = fs::remove_dir(to);
            })
        }
        #[cfg(not(unix))]
        {
            if fs::symlink_metadata(to).is_ok() {
                return Err(io::ErrorKind::AlreadyExists.into());
            }
            fs::rename(from, to)
        }
    } else {
        fs::hard_link(from, to)?;
        fs::remove_file(from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both the system call and the fallback for systems without it refuse an empty folder.
    #[test]
    fn no_replace_renames_refuse_an_empty_folder_and_a_file() {
        for rename in [rename_noreplace, rename_claimed] {
            let tmp = tempfile::tempdir().unwrap();
            let (dir, file) = (tmp.path().join("dir"), tmp.path().join("file"));
            fs::create_dir(&dir).unwrap();
            fs::write(&file, "x").unwrap();
            let empty = tmp.path().join("empty");
            fs::create_dir(&empty).unwrap();
            let e = rename(&dir, &empty).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
            let e = rename(&file, &empty).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
            assert!(dir.is_dir() && file.is_file() && empty.is_dir());
            rename(&dir, &tmp.path().join("dir2")).unwrap();
            rename(&file, &tmp.path().join("file2")).unwrap();
            assert!(tmp.path().join("dir2").is_dir() && tmp.path().join("file2").is_file());
            assert!(!dir.exists() && !file.exists());
        }
    }

    #[test]
    fn covsim_names_include_its_temporary_files_but_not_others() {
        for ok in [
            "summary.csv",
            "chart-backlog.png",
            ".report.html.tmp-123",
            "sweep.csv",
        ] {
            assert!(is_covsim_file_name(ok), "{ok}");
        }
        for no in [
            "thesis.tex",
            ".summary.csv.tmp-",
            "chart-x.pdf",
            ".notes.tmp-1",
            "Summary.csv",
        ] {
            assert!(!is_covsim_file_name(no), "{no}");
        }
    }
}
