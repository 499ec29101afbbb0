//! Where a value came from. Reviewers re-check every figure against the
//! county's own files, so each value read from a workbook keeps its cell.

use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// A cell in a workbook: file, sheet and A1-style address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct CellRef {
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    /// Zero-based row and column, as calamine counts them.
    #[serde(skip)]
    pub row: u32,
    #[serde(skip)]
    pub col: u32,
    /// The address as a spreadsheet user reads it, e.g. `F7`.
    pub cell: String,
}

impl CellRef {
    pub fn new(file: Arc<str>, sheet: Arc<str>, row: u32, col: u32) -> Self {
        let cell = a1(row, col);
        CellRef {
            file,
            sheet,
            row,
            col,
            cell,
        }
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}，工作表“{}”，单元格 {}",
            self.file, self.sheet, self.cell
        )
    }
}

/// `A1` notation for a zero-based row and column.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

/// Spreadsheet column letters for a zero-based column: 0 → A, 26 → AA.
pub fn column_letters(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A number read from a cell, already converted to the canonical unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub value: f64,
    pub at: CellRef,
}

/// A place in the plan YAML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YamlRef {
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for YamlRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_roll_over() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(a1(6, 5), "F7");
    }
}
