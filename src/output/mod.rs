//! Output stage for the evaluation: terminal tables, JSON (serde on
//! [`crate::evaluate::Evaluation`]) and the reviewer's workbook. These only
//! format what the evaluation computed.

pub mod format;
pub mod table;
pub mod xlsx;

use crate::error::Error;
use std::path::Path;

/// Write a file whole or not at all: a temporary file beside it, renamed.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::render::write_atomically(path, bytes).map_err(|e| Error::write(path, e))
}
