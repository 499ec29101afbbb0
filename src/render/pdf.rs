//! PDF export settings and atomic output.
//!
//! Kept apart from compilation because this is where reproducibility is won
//! or lost: typst-pdf would otherwise derive the document id and creation
//! date from the wall clock.

use std::io::Write;
use std::path::Path;

use chrono::Datelike;
use typst::diag::SourceResult;
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::RenderJob;
use super::diag::RenderError;

/// Builds the export options for a job: fixed id and timestamp (the report
/// date at midnight UTC), optional PDF/A-2b, optional tagging.
pub(crate) fn options(job: &RenderJob) -> Result<PdfOptions, RenderError> {
    let date = &job.date;
    let timestamp = u8::try_from(date.month())
        .ok()
        .zip(u8::try_from(date.day()).ok())
        .and_then(|(m, d)| Datetime::from_ymd_hms(date.year(), m, d, 0, 0, 0))
        .map(Timestamp::new_utc)
        .ok_or_else(|| RenderError::InvalidDate(date.to_string()))?;

    let list: &[PdfStandard] = if job.pdf_a { &[PdfStandard::A_2b] } else { &[] };
    let standards =
        PdfStandards::new(list).map_err(|e| RenderError::Standard(e.message().to_string()))?;

    Ok(PdfOptions {
        // Hashed by typst-pdf into the document id; stable across renders of
        // the same report, different between counties and dates.
        ident: Smart::Custom(format!("dudao|{}|{}|{}", job.title, job.author, job.date)),
        creator: Smart::Custom(Some(format!("dudao {} (Typst)", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(timestamp),
        page_ranges: None,
        standards,
        tagged: job.tagged,
        pretty: false,
    })
}

/// Writes the PDF.
pub(crate) fn export(document: &PagedDocument, options: &PdfOptions) -> SourceResult<Vec<u8>> {
    typst_pdf::pdf(document, options)
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
