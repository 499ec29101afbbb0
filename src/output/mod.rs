//! Output stage for the evaluation: terminal tables, JSON (serde on
//! [`crate::evaluate::Evaluation`]) and the reviewer's workbook. These only
//! format what the evaluation computed. Every file the tool writes, the PDF
//! included, goes through [`write_file`], [`write_files`] or a
//! [`StagedFolder`] here, so that no output is ever left half-written, and
//! an output folder is replaced only when it holds nothing but what the
//! tool wrote there itself (its [`MANIFEST`] says what that was).

pub mod excel;
pub mod format;
pub mod table;
pub mod xlsx;

use crate::error::Error;
use std::collections::BTreeMap;
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
    let tmp = filled_temp(path, bytes)?;
    // An exit over the memory cap removes it (see crate::guard).
    let _abort = crate::guard::remove_on_abort(tmp.path());
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The folder a file is written into.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Every temporary file the tool makes: `.dudao-*.tmp` in `dir`, removed
/// when dropped.
fn temp_file_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(".dudao-")
        .suffix(".tmp")
        .tempfile_in(dir)
}

/// Every temporary folder the tool makes, removed when dropped.
fn temp_dir_in(parent: &Path, prefix: &str) -> std::io::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix(prefix).tempdir_in(parent)
}

/// A temporary file beside `path` holding `bytes`, synced, with the
/// permissions `path` will have.
fn filled_temp(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let mut tmp = temp_file_in(folder_of(path))?;
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
    Ok(tmp)
}

/// Write several files (path, bytes) all or none: each is written beside
/// its destination first; then they are moved in one by one, the files
/// they replace kept aside, and if one cannot be moved in, those already
/// in are taken back and the old ones restored. No temporary file remains.
pub fn write_files(files: &[(PathBuf, Vec<u8>)]) -> Result<(), Error> {
    let mut staged = Vec::with_capacity(files.len());
    // Each staged file is removed by an exit over the memory cap.
    let mut _abort = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let tmp = filled_temp(path, bytes).map_err(|e| Error::write(path, e))?;
        _abort.push(crate::guard::remove_on_abort(tmp.path()));
        staged.push((path, tmp));
    }
    // (destination, the file it replaced, kept aside)
    let mut moved: Vec<(&PathBuf, Option<tempfile::TempPath>)> = Vec::new();
    let mut failed = None;
    for (path, tmp) in staged {
        let kept = match keep_aside(path) {
            Ok(k) => k,
            Err(e) => {
                failed = Some(Error::write(path, e));
                break;
            }
        };
        if let Err(e) = tmp.persist(path) {
            failed = Some(Error::write(path, e.error));
            break;
        }
        moved.push((path, kept));
    }
    let Some(e) = failed else {
        return Ok(());
    };
    for (path, kept) in moved.into_iter().rev() {
        match kept {
            Some(old) => {
                let _ = std::fs::rename(&old, path);
            }
            None => {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    Err(e)
}

/// A copy of the regular file at `path` (an earlier output about to be
/// replaced), to restore it from; none when there is no file.
fn keep_aside(path: &Path) -> std::io::Result<Option<tempfile::TempPath>> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => {
            let copy = temp_file_in(folder_of(path))?.into_temp_path();
            std::fs::copy(path, &copy)?;
            Ok(Some(copy))
        }
        _ => Ok(None),
    }
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

/// The list, inside each output folder, of the files the tool wrote
/// there, with their sizes and fingerprints: the folder is replaced later
/// only if it holds nothing else and none of them was changed.
pub const MANIFEST: &str = ".dudao-written";

const MANIFEST_HEAD: &str = "# dudao 写出的文件清单：再次写出到本文件夹时，只有下列文件（且未被改动过）可以被替换。请勿编辑或删除本文件。\n";

/// A folder of output files, written whole into a temporary folder beside
/// its destination and not yet in place.
pub struct StagedFolder {
    dest: PathBuf,
    parent: PathBuf,
    tmp: tempfile::TempDir,
    /// Removed even on an exit over the memory cap.
    _abort: crate::guard::RemoveOnAbort,
}

/// A folder moved into place; the folder it replaced is kept aside until
/// [`Committed::finish`], so that [`Committed::rollback`] can restore it.
pub struct Committed {
    dest: PathBuf,
    old: Option<tempfile::TempDir>,
}

/// Write `files` (name, bytes) as the folder `dest`, all or nothing. An
/// existing `dest` is replaced only if it is empty or holds nothing but
/// the unchanged files the tool wrote there (see [`check_replaceable`]).
pub fn stage_folder(dest: &Path, files: &[(String, Vec<u8>)]) -> Result<StagedFolder, Error> {
    check_replaceable(dest)?;
    let parent = folder_of(dest).to_path_buf();
    let tmp = temp_dir_in(&parent, ".dudao-").map_err(|e| Error::write(dest, e))?;
    let abort = crate::guard::remove_on_abort(tmp.path());
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
        _abort: abort,
    })
}

/// May the folder `dest` be replaced? Yes if it does not exist, is empty,
/// or holds only files its [`MANIFEST`] lists, each unchanged since the
/// tool wrote it (empty folders too). Anything else — a file the tool did
/// not write, one edited since, a link — might be the user's only copy.
pub fn check_replaceable(dest: &Path) -> Result<(), Error> {
    let meta = match std::fs::symlink_metadata(dest) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        // A name too long, a file where a folder should be: unwritable.
        Err(e) => return Err(Error::write(dest, e)),
    };
    if !meta.is_dir() {
        return Err(Error::Other(format!(
            "{} 已存在，且不是文件夹：请换一个输出位置",
            dest.display()
        )));
    }
    let listed = read_manifest(dest)?;
    let unlisted = |rel: &str| {
        let why = if listed.is_none() {
            "（文件夹中没有本工具的输出清单 .dudao-written）"
        } else {
            ""
        };
        Error::Other(format!(
            "文件夹 {} 中有不是本工具写出的文件（{rel}），为免误删，拒绝替换{why}；请换一个文件夹，或先移走其中的文件",
            dest.display()
        ))
    };
    let mut todo = vec![(dest.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = todo.pop() {
        let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(&dir)
            .map_err(|e| Error::io(&dir, e))?
            .collect::<Result<_, _>>()
            .map_err(|e| Error::io(&dir, e))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(unlisted(&name.to_string_lossy()));
            };
            let rel = format!("{prefix}{name}");
            let kind = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
            if kind.is_dir() {
                todo.push((entry.path(), format!("{rel}/")));
                continue;
            }
            if prefix.is_empty() && name == MANIFEST && kind.is_file() {
                continue;
            }
            let Some(expected) = listed.as_ref().and_then(|l| l.get(&rel)) else {
                return Err(unlisted(&rel));
            };
            // A link is not what the tool wrote, whatever it points to.
            let now = crate::access::fingerprint(&entry.path())
                .map_err(|e| Error::io(entry.path(), e))?;
            if now != Some(*expected) {
                return Err(Error::Other(format!(
                    "文件夹 {} 中的“{rel}”在本工具写出后被改动过，为免丢失改动，拒绝替换；请换一个文件夹，或先把它移走",
                    dest.display()
                )));
            }
        }
    }
    Ok(())
}

/// What a [`MANIFEST`] lists: relative path (with `/`) → (size,
/// fingerprint).
type Listed = BTreeMap<String, (u64, u64)>;

/// The files an earlier output's [`MANIFEST`] lists; none when there is
/// no list.
fn read_manifest(dir: &Path) -> Result<Option<Listed>, Error> {
    let path = dir.join(MANIFEST);
    if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let text = crate::access::read_file_text(&path, crate::access::InputKind::Manifest, None)?;
    let mut listed = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        // `fingerprint size path`; a line otherwise lists nothing.
        let mut parts = line.splitn(3, ' ');
        if let (Some(h), Some(n), Some(rel)) = (parts.next(), parts.next(), parts.next())
            && let (Ok(h), Ok(n)) = (u64::from_str_radix(h, 16), n.parse::<u64>())
        {
            listed.insert(rel.to_string(), (n, h));
        }
    }
    Ok(Some(listed))
}

/// Write the [`MANIFEST`] of the staged folder `dir`: every file below
/// it, in name order, so that the same output gives the same bytes.
fn write_manifest(dir: &Path) -> std::io::Result<()> {
    let mut files = Vec::new();
    let mut todo = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, prefix)) = todo.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{prefix}{name}");
            if entry.file_type()?.is_dir() {
                todo.push((entry.path(), format!("{rel}/")));
            } else if !(prefix.is_empty() && name == MANIFEST)
                && let Some((size, hash)) = crate::access::fingerprint(&entry.path())?
            {
                files.push((rel, size, hash));
            }
        }
    }
    files.sort();
    let mut text = String::from(MANIFEST_HEAD);
    for (rel, size, hash) in files {
        text.push_str(&format!("{hash:016x} {size} {rel}\n"));
    }
    std::fs::write(dir.join(MANIFEST), text)
}

impl StagedFolder {
    /// The temporary folder, for files written by other means.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// List what the folder holds, then move it into place, the old one
    /// aside. The destination is checked again: a long render may have
    /// given someone time to put a file there.
    pub fn commit(self) -> Result<Committed, Error> {
        let dest = &self.dest;
        write_manifest(self.tmp.path()).map_err(|e| Error::write(dest, e))?;
        check_replaceable(dest)?;
        let old = if dest.exists() {
            let old =
                temp_dir_in(&self.parent, ".dudao-old-").map_err(|e| Error::write(dest, e))?;
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
pub fn write_folder(dest: &Path, files: &[(String, Vec<u8>)]) -> Result<(), Error> {
    stage_folder(dest, files)?.commit()?.finish();
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

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn folder_is_replaced_only_when_it_holds_what_the_tool_wrote() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("复核");
        let old: Vec<(String, Vec<u8>)> = ["a.pdf", "b.xlsx", "c.json"]
            .map(|n| (n.to_string(), b"old".to_vec()))
            .to_vec();
        write_folder(&dest, &old).expect("first packet");
        assert_eq!(names(&dest), [MANIFEST, "a.pdf", "b.xlsx", "c.json"]);
        let new = vec![("c.json".to_string(), b"new".to_vec())];
        write_folder(&dest, &new).expect("replaces an earlier packet");
        assert_eq!(std::fs::read(dest.join("c.json")).expect("read"), b"new");
        assert!(!dest.join("a.pdf").exists());
        // The list is the same bytes for the same output.
        let list = std::fs::read(dest.join(MANIFEST)).expect("list");
        write_folder(&dest, &new).expect("again");
        assert_eq!(std::fs::read(dest.join(MANIFEST)).expect("list"), list);

        // A file of the user's, even of a kind the tool writes, stops it.
        for name in ["笔记.docx", "县里的统计表.xlsx"] {
            std::fs::write(dest.join(name), b"mine").expect("user file");
            let err = write_folder(&dest, &new).expect_err("refused");
            assert!(err.to_string().contains(name), "{err}");
            assert_eq!(std::fs::read(dest.join(name)).expect("kept"), b"mine");
            std::fs::remove_file(dest.join(name)).expect("remove");
        }
        // So does an output edited since it was written.
        std::fs::write(dest.join("c.json"), b"edited").expect("edit");
        let err = write_folder(&dest, &new).expect_err("refused");
        assert!(err.to_string().contains("被改动过"), "{err}");
        assert_eq!(std::fs::read(dest.join("c.json")).expect("kept"), b"edited");
        // And a link in place of an output.
        std::fs::remove_file(dest.join("c.json")).expect("remove");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path(), dest.join("c.json")).expect("link");
            assert!(write_folder(&dest, &new).is_err());
            std::fs::remove_file(dest.join("c.json")).expect("remove");
        }
        write_folder(&dest, &new).expect("an output deleted since is fine");

        // Folders the tool wrote inside (a county report's school files)
        // are listed and replaced; anything added to them is not.
        let school = vec![
            ("c.json".to_string(), b"new".to_vec()),
            (
                "甲县自评报告-一校一表/甲小学-小学.pdf".to_string(),
                b"1".to_vec(),
            ),
        ];
        write_folder(&dest, &school).expect("with a school folder");
        write_folder(&dest, &school).expect("again");
        let inner = dest.join("甲县自评报告-一校一表/笔记.txt");
        std::fs::write(&inner, b"mine").expect("inner file");
        let err = write_folder(&dest, &school).expect_err("refused");
        assert!(err.to_string().contains("一校一表/笔记.txt"), "{err}");
        assert!(inner.exists());

        // A folder without a list (made by hand, or by an older version)
        // is replaced only when empty.
        let plain = dir.path().join("手建");
        std::fs::create_dir(&plain).expect("mkdir");
        write_folder(&plain, &new).expect("empty folder");
        std::fs::remove_file(plain.join(MANIFEST)).expect("remove list");
        let err = write_folder(&plain, &new).expect_err("refused");
        assert!(err.to_string().contains(".dudao-written"), "{err}");
        // A file where the folder should be is never replaced.
        let file = dir.path().join("文件");
        std::fs::write(&file, b"x").expect("file");
        assert!(write_folder(&file, &new).is_err());
        assert_eq!(std::fs::read(&file).expect("kept"), b"x");
        // Nothing temporary is left beside the outputs.
        assert_eq!(names(dir.path()), ["复核", "手建", "文件"]);
    }

    #[test]
    fn several_files_all_or_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("责任清单.xlsx");
        let b = dir.path().join("责任清单.pdf");
        write_files(&[(a.clone(), b"1".to_vec()), (b.clone(), b"1".to_vec())]).expect("both");
        // The second cannot be moved in (a folder stands there): the first
        // is taken back to what it was, and no temporary file remains.
        std::fs::remove_file(&b).expect("remove");
        std::fs::create_dir(&b).expect("folder in the way");
        std::fs::write(b.join("x"), b"x").expect("non-empty");
        assert!(write_files(&[(a.clone(), b"2".to_vec()), (b.clone(), b"2".to_vec())]).is_err());
        assert_eq!(std::fs::read(&a).expect("old kept"), b"1");
        let c = dir.path().join("新.xlsx");
        assert!(write_files(&[(c.clone(), b"2".to_vec()), (b.clone(), b"2".to_vec())]).is_err());
        assert!(!c.exists());
        assert_eq!(names(dir.path()), ["责任清单.pdf", "责任清单.xlsx"]);
    }

    #[test]
    fn clashing_names_get_suffixes() {
        let names: Vec<String> = ["甲", "甲", "A", "a", "甲-2"].map(String::from).to_vec();
        assert_eq!(distinct_names(&names), ["甲", "甲-2", "A", "a-2", "甲-2-2"]);
    }
}
