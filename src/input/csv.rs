//! Delimited text as one sheet. Excel in China saves csv as GBK more often
//! than UTF-8, and its "Unicode text" export is UTF-16LE with a BOM and tabs
//! between cells: the encoding comes from the BOM, else UTF-8 if valid, else
//! GB18030 (a superset of GBK/GB2312); the delimiter is whichever of tab,
//! comma and semicolon the first lines use most.

use super::grid::{Cell, Grid};
use super::limits::{Budget, SheetBuilder};
use crate::error::Error;
use std::borrow::Cow;
use std::sync::Arc;

pub fn read(bytes: &[u8], file: Arc<str>, sheet: &str, budget: &Budget) -> Result<Grid, Error> {
    let text = decode(bytes);
    if text.contains('\0') {
        return Err(Error::File {
            file: file.to_string(),
            message: "不是文本格式的 csv 文件（含有二进制内容）".into(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let mut sheet = SheetBuilder::new(file.clone(), sheet, budget);
    let mut record = csv::StringRecord::new();
    let mut row = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(Error::File {
                    file: file.to_string(),
                    message: format!("第 {} 行无法解析：{e}", row + 1),
                });
            }
        }
        for (col, s) in record.iter().enumerate() {
            if !s.trim().is_empty() {
                sheet.set(row, col as u64, Cell::Text(s.to_string()))?;
            }
        }
        row += 1;
    }
    sheet.finish()
}

/// Borrowed when the file is UTF-8 already: a 100 MB csv is not copied.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom..]).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
    }
}

/// The delimiter used most on the first lines (outside quotes: a comma in
/// a quoted school name does not count).
fn delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for ch in text.chars().take(64 * 1024) {
        match ch {
            '"' => quoted = !quoted,
            '\t' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            ';' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    if counts[0] > counts[1] && counts[0] >= counts[2] {
        b'\t'
    } else if counts[2] > counts[1] {
        b';'
    } else {
        b','
    }
}
