//! Reading the PDFs typst writes, for tests that count their pages.
#![allow(dead_code)]

/// How many page objects a PDF written by typst has (`/Type/Page`, not
/// the page tree's `/Type/Pages`).
pub fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf).replace("/Type /Page", "/Type/Page");
    text.match_indices("/Type/Page")
        .filter(|(i, m)| !text[i + m.len()..].starts_with('s'))
        .count()
}
