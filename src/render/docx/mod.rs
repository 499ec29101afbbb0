//! The report as a Word document (.docx), from the same templates as the
//! PDF.
//!
//! The county's templates stay the one source of the report's words: they
//! are compiled a second time, for typst's HTML target, with the input
//! `dudao-format=docx`, under which `style.typ`'s functions emit semantic
//! elements instead of page layout. [`walk`] turns that HTML tree into the
//! [`model`] with the 公文 settings of [`spec`]; [`xml`] and [`package`]
//! write the package. No prose is written here.
//!
//! Chosen over a format-neutral document model that both the typst and the
//! DOCX writers serialise: that would have meant rewriting every template
//! into a second language, while typst's HTML output already gives the
//! structure (headings, paragraphs, strong, tables with spans and header
//! rows), and the style file decides the rest in one place.

pub mod image;
pub mod model;
pub mod package;
pub mod spec;
pub mod walk;
pub mod xml;

use typst_html::HtmlDocument;

/// Writes a compiled HTML document as a .docx.
pub fn from_html(
    doc: &HtmlDocument,
    title: &str,
    author: &str,
    date: chrono::NaiveDate,
) -> std::io::Result<(Vec<u8>, model::Document)> {
    let model = walk::document(doc.root(), title.to_string(), author.to_string(), date);
    let bytes = package::write(&model)?;
    Ok((bytes, model))
}
