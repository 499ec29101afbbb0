//! Output stage for the evaluation: terminal tables, JSON (serde on
//! [`crate::evaluate::Evaluation`]) and the reviewer's workbook. These only
//! format what the evaluation computed. Every file the tool writes, the PDF
//! included, goes through [`write_file`] here, so that no output is ever
//! left half-written.

pub mod format;
pub mod table;
pub mod xlsx;

use crate::error::Error;
use std::io::Write;
use std::path::Path;

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
}
