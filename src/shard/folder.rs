//! Writing a shard folder: complete or not at all, like a run folder.
//!
//! The files are written into a temporary folder beside the target and renamed into place at
//! the end, so a task that a scheduler kills (time limit, preemption) leaves no shard folder
//! that a merge could mistake for a finished one. `--force` replaces only a shard folder.

use std::fs;
use std::path::{Path, PathBuf};

use super::{DATA, MANIFEST, SCENARIO, ShardManifest, crc32_hex};
use crate::report::folder::rename_noreplace;

/// Why a shard folder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The shard folder exists and `force` was not given.
    #[error(
        "{0} exists already (this shard was written before); pass --force to replace it, or \
         choose another folder with --out"
    )]
    Exists(PathBuf),
    /// Something other than a shard folder is at the path.
    #[error(
        "{path} exists and is not a shard folder that covsim wrote ({why}); nothing was \
         touched: choose another folder with --out"
    )]
    NotOurs {
        /// The path.
        path: PathBuf,
        /// What is there.
        why: String,
    },
    /// Reading or writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl WriteError {
    /// Whether the folder chosen is the cause (exit code 2) rather than the system (1).
    pub fn is_usage(&self) -> bool {
        !matches!(self, WriteError::Io { .. })
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Why `dir` is not a shard folder that covsim wrote, if it is not.
fn not_a_shard(dir: &Path) -> Option<String> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) => return Some(e.to_string()),
    };
    if !meta.is_dir() {
        return Some("it is not a folder".into());
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return Some("it cannot be read".into());
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if ![MANIFEST, DATA, SCENARIO].contains(&name.as_str()) {
            return Some(format!("it holds '{name}'"));
        }
    }
    match fs::read(dir.join(MANIFEST)) {
        Ok(b) if serde_json::from_slice::<ShardManifest>(&b).is_ok() => None,
        Ok(_) => Some(format!("its {MANIFEST} is not a shard's")),
        Err(_) => Some(format!("it has no {MANIFEST}")),
    }
}

/// Writes the shard folder `dir`: `scenario.toml`, `data.bin`, then `shard.json` with the
/// size and CRC-32 of the data filled in. Replaces an existing shard folder only with `force`.
pub fn write(
    dir: &Path,
    manifest: &ShardManifest,
    scenario: &str,
    data: &[u8],
    force: bool,
) -> Result<(), WriteError> {
    let exists = fs::symlink_metadata(dir).is_ok();
    if exists {
        if !force {
            return Err(WriteError::Exists(dir.to_path_buf()));
        }
        if let Some(why) = not_a_shard(dir) {
            return Err(WriteError::NotOurs {
                path: dir.to_path_buf(),
                why,
            });
        }
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Many tasks of an array create the same parent at once: create_dir_all accepts that.
    fs::create_dir_all(parent).map_err(io(parent))?;
    let name = dir
        .file_name()
        .map_or("shard".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir(&tmp).map_err(io(&tmp))?;
    let result = (|| {
        let mut m = manifest.clone();
        m.data_bytes = data.len() as u64;
        m.data_crc32 = crc32_hex(data);
        let mut json = serde_json::to_vec_pretty(&m).expect("the shard manifest serialises");
        json.push(b'\n');
        for (file, bytes) in [
            (SCENARIO, scenario.as_bytes()),
            (DATA, data),
            (MANIFEST, &json),
        ] {
            let path = tmp.join(file);
            fs::write(&path, bytes).map_err(io(&path))?;
        }
        if exists {
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            fs::rename(dir, &old).map_err(io(dir))?;
            if let Err(e) = rename_noreplace(&tmp, dir) {
                let _ = fs::rename(&old, dir);
                return Err(io(dir)(e));
            }
            let _ = fs::remove_dir_all(&old);
            Ok(())
        } else {
            rename_noreplace(&tmp, dir).map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::DirectoryNotEmpty => {
                    WriteError::Exists(dir.to_path_buf())
                }
                _ => io(dir)(e),
            })
        }
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}
