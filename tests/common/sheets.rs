//! Workbooks written for the input tests, in a small table notation
//! (shared by tests/input_workbooks.rs and tests/input_exports.rs).
#![allow(dead_code)]

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
use std::path::Path;

/// Rows of cells from `a|b|c` lines; `~` is a blank row. A cell that reads
/// as a plain number is written as a number, `'12` as the text "12",
/// `=A1+1` as a formula with no saved result, `@2024-01-01` as a date,
/// `!TRUE` as a logical value and `#DIV/0!` as a formula whose saved result
/// is that error.
pub fn table(t: &str) -> Vec<Vec<String>> {
    t.lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty())
        .map(|l| {
            if l == "~" {
                Vec::new()
            } else {
                l.split('|').map(String::from).collect()
            }
        })
        .collect()
}

/// A merged region: first row, first column, last row, last column (0-based).
pub type MergeRange = (u32, u16, u32, u16);

#[derive(Default)]
pub struct Sheet<'a> {
    pub name: &'a str,
    pub rows: Vec<Vec<String>>,
    pub merges: Vec<MergeRange>,
    pub hidden: bool,
    /// Zero-based rows to hide.
    pub hidden_rows: Vec<u32>,
}

pub fn sheet<'a>(name: &'a str, t: &str) -> Sheet<'a> {
    Sheet {
        name,
        rows: table(t),
        merges: Vec::new(),
        hidden: false,
        hidden_rows: Vec::new(),
    }
}

pub fn as_number(s: &str) -> Option<f64> {
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    s.parse().ok()
}

pub fn write_cell(ws: &mut Worksheet, r: u32, c: u16, v: &str) {
    if let Some(n) = as_number(v) {
        ws.write_number(r, c, n).unwrap();
    } else if let Some(t) = v.strip_prefix('\'') {
        ws.write_string(r, c, t).unwrap();
    } else if let Some(f) = v.strip_prefix('=') {
        // rust_xlsxwriter always saves a result (0 when given none); the
        // marker is taken out after saving, leaving `<f>` without `<v>` as
        // a program that does not calculate writes it.
        ws.write_formula(r, c, Formula::new(f).set_result(NO_RESULT))
            .unwrap();
    } else if let Some(d) = v.strip_prefix('@') {
        let p: Vec<u16> = d.split('-').map(|x| x.parse().unwrap()).collect();
        let date = ExcelDateTime::from_ymd(p[0], p[1] as u8, p[2] as u8).unwrap();
        let fmt = Format::new().set_num_format("yyyy-mm-dd");
        ws.write_datetime_with_format(r, c, &date, &fmt).unwrap();
    } else if let Some(b) = v.strip_prefix('!') {
        ws.write_boolean(r, c, b == "TRUE").unwrap();
    } else if v.starts_with('#') {
        ws.write_formula(r, c, Formula::new("1/0").set_result(v))
            .unwrap();
    } else if !v.is_empty() {
        ws.write_string(r, c, v).unwrap();
    }
}

pub fn write_xlsx(path: &Path, sheets: &[Sheet]) {
    let mut wb = Workbook::new();
    let plain = Format::new();
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name).unwrap();
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                write_cell(ws, r as u32, c as u16, v);
            }
        }
        for &(r1, c1, r2, c2) in &s.merges {
            let v = s.rows[r1 as usize]
                .get(c1 as usize)
                .cloned()
                .unwrap_or_default();
            let numeric = as_number(&v).is_some();
            let text = if numeric {
                ""
            } else {
                v.trim_start_matches('\'')
            };
            ws.merge_range(r1, c1, r2, c2, text, &plain).unwrap();
            if numeric {
                write_cell(ws, r1, c1, &v);
            }
        }
        for &r in &s.hidden_rows {
            ws.set_row_hidden(r).unwrap();
        }
        if s.hidden {
            ws.set_hidden(true);
        }
    }
    wb.save(path).unwrap();
    drop_saved_results(path);
}

/// The saved result written for a formula that should have none.
pub const NO_RESULT: &str = "DUDAO-NO-RESULT";

/// Rewrites the saved workbook without the marked formula results.
pub fn drop_saved_results(path: &Path) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut zout = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name.starts_with("xl/worksheets/") {
            let text = String::from_utf8(data).unwrap();
            data = text
                .replace(&format!("<v>{NO_RESULT}</v>"), "")
                .into_bytes();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&data).unwrap();
    }
    std::fs::write(path, zout.finish().unwrap().into_inner()).unwrap();
}
