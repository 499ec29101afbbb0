//! Editing a copied-out templates folder as a county or reviewing body
//! would, for the tests of errors located in its files.
#![allow(dead_code)]

use std::path::Path;

/// Inserts `line` into the template after the first line equal to `after`;
/// returns the new line's 1-based number.
pub fn insert_after(file: &Path, after: &str, line: &str) -> usize {
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == after)
        .unwrap_or_else(|| panic!("no line {after:?}"));
    lines.insert(at + 1, line);
    std::fs::write(file, lines.join("\n") + "\n").unwrap();
    at + 2
}
