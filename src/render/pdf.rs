//! PDF export settings.
//!
//! Kept apart from compilation because this is where reproducibility is won
//! or lost: typst-pdf would otherwise derive the document id and creation
//! date from the wall clock.

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
