//! Output stage for the evaluation: terminal tables, JSON (serde on
//! [`crate::evaluate::Evaluation`]) and the reviewer's workbook. These only
//! format what the evaluation computed. Every file the tool writes, the PDF
//! included, goes through [`write_file`] here, so that no output is ever
//! left half-written.

pub mod excel;
pub mod format;
pub mod table;
pub mod xlsx;

use crate::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write a file whole or not at all: a temporary file beside it, renamed.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomically(path, bytes).map_err(|e| Error::write(path, e))
}

/// Writes `bytes` to `path` so that readers never see a half-written file:
/// a temporary file in the same directory (same file system, so the rename
/// is atomic) is filled, synced and renamed over `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".dudao-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // Temporary files are private (0600); a report is an ordinary document,
    // so keep the permissions of the file being replaced, or use 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = match std::fs::metadata(path) {
            Ok(meta) => meta.permissions(),
            Err(_) => std::fs::Permissions::from_mode(0o644),
        };
        tmp.as_file().set_permissions(perms)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Longest file name made from data, in characters: room for a suffix, an
/// extension and “-一校一表” within the 255 bytes most file systems allow.
const MAX_NAME_CHARS: usize = 60;

/// Names Windows refuses whatever the extension.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A report title or school name as ONE file name component, safe on
/// every system the file may be copied to: no separators, no `..`, no
/// control or Windows-reserved characters, no leading dots, not a reserved
/// name, not too long, never empty (`fallback` then).
pub fn file_component(s: &str, fallback: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    // Leading dots hide a file (and make `..`); Windows drops trailing ones.
    let trimmed = mapped
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let mut name: String = trimmed.chars().take(MAX_NAME_CHARS).collect();
    name = name.trim_end_matches(['.', ' ']).to_string();
    if name.is_empty() {
        return fallback.to_string();
    }
    let stem = name.split('.').next().unwrap_or("").trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        name.insert(0, '_');
    }
    name
}

/// File names for several outputs, none the same (also ignoring case, as
/// Windows and macOS do): a clash gets `-2`, `-3` … in input order.
pub fn distinct_names(names: &[String]) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        let mut candidate = n.clone();
        let mut k = 2;
        while !taken.insert(candidate.to_lowercase()) {
            candidate = format!("{n}-{k}");
            k += 1;
        }
        out.push(candidate);
    }
    out
}

/// A folder of output files, written whole into a temporary folder beside
/// its destination and not yet in place.
pub struct StagedFolder {
    dest: PathBuf,
    parent: PathBuf,
    tmp: tempfile::TempDir,
}

/// A folder moved into place; the folder it replaced is kept aside until
/// [`Committed::finish`], so that [`Committed::rollback`] can restore it.
pub struct Committed {
    dest: PathBuf,
    old: Option<tempfile::TempDir>,
}

/// Write `files` (name, bytes) as the folder `dest`, all or nothing. An
/// existing `dest` is replaced only if it holds nothing but regular files
/// ending in `ext` (an earlier output): anything else might be the user's.
pub fn stage_folder(
    dest: &Path,
    files: &[(String, Vec<u8>)],
    ext: &str,
) -> Result<StagedFolder, Error> {
    stage_checked(dest, files, &[ext], false)
}

/// [`stage_folder`] for an output of several file types (the review
/// packet: PDF, workbook, JSON, and the folders of separate school files
/// a county's report may bring): an existing `dest` is replaced only if
/// every entry is a regular file ending in one of `exts`, or a folder
/// holding only such files.
pub fn stage_folder_of(
    dest: &Path,
    files: &[(String, Vec<u8>)],
    exts: &[&str],
) -> Result<StagedFolder, Error> {
    stage_checked(dest, files, exts, true)
}

/// Whether `entry` is an earlier output's: a regular file ending in one
/// of `exts`, or (when `folders`) a folder of nothing but such files.
fn ours(entry: &std::fs::DirEntry, exts: &[&str], folders: bool) -> Result<bool, Error> {
    let name = entry.file_name().to_string_lossy().into_owned();
    let Ok(kind) = entry.file_type() else {
        return Ok(false);
    };
    if kind.is_file() {
        return Ok(exts.iter().any(|ext| name.ends_with(ext)));
    }
    if !(folders && kind.is_dir()) {
        return Ok(false);
    }
    let path = entry.path();
    for inner in std::fs::read_dir(&path).map_err(|e| Error::io(&path, e))? {
        if !ours(&inner.map_err(|e| Error::io(&path, e))?, exts, false)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn stage_checked(
    dest: &Path,
    files: &[(String, Vec<u8>)],
    exts: &[&str],
    folders: bool,
) -> Result<StagedFolder, Error> {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Ok(meta) = std::fs::symlink_metadata(dest) {
        if !meta.is_dir() {
            return Err(Error::Other(format!(
                "{} 已存在，且不是文件夹：请换一个输出位置",
                dest.display()
            )));
        }
        let entries = std::fs::read_dir(dest).map_err(|e| Error::io(dest, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dest, e))?;
            if !ours(&entry, exts, folders)? {
                return Err(Error::Other(format!(
                    "文件夹 {} 中有不是本工具写出的文件（{}），为免误删，拒绝替换；请换一个文件夹，或先移走其中的文件",
                    dest.display(),
                    entry.file_name().to_string_lossy()
                )));
            }
        }
    }
    let tmp = tempfile::Builder::new()
        .prefix(".dudao-")
        .tempdir_in(&parent)
        .map_err(|e| Error::write(dest, e))?;
    for (name, bytes) in files {
        let p = tmp.path().join(name);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| Error::write(dest.join(name), e))?;
        }
        std::fs::write(&p, bytes).map_err(|e| Error::write(dest.join(name), e))?;
    }
    // Temporary folders are private (0700); outputs are ordinary folders.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::write(dest, e))?;
    }
    Ok(StagedFolder {
        dest: dest.to_path_buf(),
        parent,
        tmp,
    })
}

impl StagedFolder {
    /// The temporary folder, for files written by other means.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Move the folder into place, the old one aside.
    pub fn commit(self) -> Result<Committed, Error> {
        let dest = &self.dest;
        let old = if dest.exists() {
            let old = tempfile::Builder::new()
                .prefix(".dudao-old-")
                .tempdir_in(&self.parent)
                .map_err(|e| Error::write(dest, e))?;
            // Onto the empty folder just made: rename replaces it.
            std::fs::rename(dest, old.path()).map_err(|e| Error::write(dest, e))?;
            Some(old)
        } else {
            None
        };
        if let Err(e) = std::fs::rename(self.tmp.path(), dest) {
            if let Some(old) = &old {
                let _ = std::fs::rename(old.path(), dest);
            }
            // Dropping `self.tmp` removes the staged files.
            return Err(Error::write(dest, e));
        }
        // Now `dest`; nothing left to remove.
        let _ = self.tmp.keep();
        Ok(Committed {
            dest: self.dest,
            old,
        })
    }
}

impl Committed {
    /// Keep the new folder; the old one is removed.
    pub fn finish(self) {
        drop(self.old);
    }

    /// Put the old folder back (or none, if there was none).
    pub fn rollback(self) {
        let _ = std::fs::remove_dir_all(&self.dest);
        if let Some(old) = self.old {
            let _ = std::fs::rename(old.path(), &self.dest);
        }
    }
}

/// [`stage_folder`] and commit at once.
pub fn write_folder(dest: &Path, files: &[(String, Vec<u8>)], ext: &str) -> Result<(), Error> {
    stage_folder(dest, files, ext)?.commit()?.finish();
    Ok(())
}

/// [`stage_folder_of`] and commit at once.
pub fn write_folder_of(
    dest: &Path,
    files: &[(String, Vec<u8>)],
    exts: &[&str],
) -> Result<(), Error> {
    stage_folder_of(dest, files, exts)?.commit()?.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("报告.pdf");
        write_atomically(&path, b"first").expect("first write");
        write_atomically(&path, b"second").expect("second write");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn atomic_write_into_missing_directory_fails() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(write_atomically(&dir.path().join("no/such/dir.pdf"), b"x").is_err());
    }

    #[test]
    fn names_are_one_safe_component() {
        assert_eq!(file_component("../../etc/passwd", "报告"), "_.._etc_passwd");
        assert_eq!(file_component("..", "报告"), "报告");
        assert_eq!(file_component("  ", "报告"), "报告");
        assert_eq!(file_component(".隐藏", "报告"), "隐藏");
        assert_eq!(file_component("con", "报告"), "_con");
        assert_eq!(file_component("aux.pdf", "报告"), "_aux.pdf");
        assert_eq!(file_component("a\nb\tc", "报告"), "a_b_c");
        assert_eq!(
            file_component(&"长".repeat(300), "报告").chars().count(),
            60
        );
    }

    #[test]
    fn folder_of_several_types_replaces_only_its_own_kinds() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("复核");
        let exts = [".pdf", ".xlsx", ".json"];
        let old: Vec<(String, Vec<u8>)> = ["a.pdf", "b.xlsx", "c.json"]
            .map(|n| (n.to_string(), b"old".to_vec()))
            .to_vec();
        write_folder_of(&dest, &old, &exts).expect("first packet");
        let new = vec![("c.json".to_string(), b"new".to_vec())];
        write_folder_of(&dest, &new, &exts).expect("replaces an earlier packet");
        assert_eq!(std::fs::read(dest.join("c.json")).expect("read"), b"new");
        assert!(!dest.join("a.pdf").exists());
        std::fs::write(dest.join("笔记.docx"), b"mine").expect("user file");
        let err = write_folder_of(&dest, &new, &exts).expect_err("refused");
        assert!(err.to_string().contains("笔记.docx"), "{err}");
        assert_eq!(
            std::fs::read(dest.join("笔记.docx")).expect("kept"),
            b"mine"
        );
        // A county report's folder of school PDFs is the packet's too; a
        // folder holding anything else, or a folder in it, is not.
        std::fs::remove_file(dest.join("笔记.docx")).expect("remove");
        let school = dest.join("甲县自评报告-一校一表");
        std::fs::create_dir(&school).expect("mkdir");
        std::fs::write(school.join("甲小学-小学.pdf"), b"old").expect("school file");
        write_folder_of(&dest, &new, &exts).expect("replaces the school folder too");
        assert!(!dest.join("甲县自评报告-一校一表").exists());
        for (inner, what) in [("笔记.txt", "file"), ("草稿", "dir")] {
            std::fs::create_dir(&school).expect("mkdir");
            let p = school.join(inner);
            if what == "dir" {
                std::fs::create_dir(&p).expect("inner dir");
            } else {
                std::fs::write(&p, b"mine").expect("inner file");
            }
            let err = write_folder_of(&dest, &new, &exts).expect_err("refused");
            assert!(err.to_string().contains("一校一表"), "{err}");
            assert!(p.exists(), "{inner} kept");
            std::fs::remove_dir_all(&school).expect("clean");
        }
        // A single-type output (a folder of school PDFs) takes no folders.
        let pdfs = dir.path().join("一校一表");
        write_folder(&pdfs, &[("a.pdf".to_string(), b"1".to_vec())], ".pdf").expect("first");
        std::fs::create_dir(pdfs.join("sub")).expect("mkdir");
        assert!(write_folder(&pdfs, &[], ".pdf").is_err());
    }

    #[test]
    fn clashing_names_get_suffixes() {
        let names: Vec<String> = ["甲", "甲", "A", "a", "甲-2"].map(String::from).to_vec();
        assert_eq!(distinct_names(&names), ["甲", "甲-2", "A", "a-2", "甲-2-2"]);
    }
}
