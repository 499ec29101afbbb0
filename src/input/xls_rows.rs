//! Hidden rows of Excel 97–2003 (.xls, BIFF8, also BIFF5) workbooks, which
//! calamine does not expose: without them a hidden or filtered-out row of
//! an .xls would be counted without a word, unlike every other format.
//!
//! The compound-file container is opened with the `cfb` crate; the BIFF
//! records of the `Workbook` (or BIFF5 `Book`) stream are then walked once,
//! front to back: `BOUNDSHEET` records in the globals give each sheet's BOF
//! offset, and the `ROW` records of each sheet's own substream carry the
//! hidden flag. A damaged stream yields what was found before the damage,
//! never a panic: hidden rows only feed a note in `check`, and calamine
//! reports a damaged workbook itself.

use std::collections::HashMap;
use std::io::{Cursor, Read};

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const ROW: u16 = 0x0208;
/// `ROW` flags (MS-XLS 2.4.221) at byte 12; bit 5 is fDyZero: the row is
/// hidden, by hand or by a filter.
const ROW_FLAGS: usize = 12;
const DY_ZERO: u8 = 0x20;

/// The hidden rows (zero-based, ascending, no repeats) of each sheet, one
/// entry per `BOUNDSHEET` in workbook order — the order of calamine's
/// `sheets_metadata`, chart sheets included. Matching by position rather
/// than by name keeps BIFF5 names in a local code page out of the question.
/// Empty when the file is not a readable compound file.
pub fn hidden_rows_by_sheet(bytes: &[u8]) -> Vec<Vec<u32>> {
    match workbook_stream(bytes) {
        Some(stream) => hidden_rows_in_stream(&stream),
        None => Vec::new(),
    }
}

/// The BIFF stream of the compound file, never longer than the file itself
/// (a damaged sector chain cannot make it grow).
fn workbook_stream(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let mut stream = cfb
        .open_stream("/Workbook")
        .or_else(|_| cfb.open_stream("/Book"))
        .ok()?;
    let mut out = Vec::new();
    // A read error part-way keeps what was read: the walk stops at the end.
    let _ = (&mut stream).take(bytes.len() as u64).read_to_end(&mut out);
    Some(out)
}

/// One pass over the records of a BIFF stream. Each step moves past a
/// record header and its data, so the walk ends at the stream's end.
fn hidden_rows_in_stream(stream: &[u8]) -> Vec<Vec<u32>> {
    // BOF offset of each sheet → its position among the BOUNDSHEETs.
    let mut sheet_at: HashMap<usize, usize> = HashMap::new();
    let mut hidden: Vec<Vec<u32>> = Vec::new();
    // The sheet whose substream the walk is in, and the BOF nesting depth
    // (a chart embedded in a sheet brings its own BOF…EOF).
    let mut current: Option<usize> = None;
    let mut depth = 0usize;
    let mut globals_done = false;
    let mut pos = 0usize;
    while let Some(header) = stream.get(pos..pos + 4) {
        let kind = u16::from_le_bytes([header[0], header[1]]);
        let len = u16::from_le_bytes([header[2], header[3]]) as usize;
        let Some(data) = stream.get(pos + 4..pos + 4 + len) else {
            break;
        };
        match kind {
            BOF => {
                if depth == 0 {
                    current = sheet_at.get(&pos).copied();
                }
                depth += 1;
            }
            EOF => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    current = None;
                    globals_done = true;
                }
            }
            // Only in the globals, the first substream.
            BOUNDSHEET if depth == 1 && !globals_done => {
                if let Some(offset) = data.get(0..4) {
                    let offset =
                        u32::from_le_bytes([offset[0], offset[1], offset[2], offset[3]]) as usize;
                    sheet_at.insert(offset, hidden.len());
                }
                hidden.push(Vec::new());
            }
            ROW if depth == 1 => {
                if let (Some(sheet), Some(row), Some(&flags)) =
                    (current, data.get(0..2), data.get(ROW_FLAGS))
                    && flags & DY_ZERO != 0
                {
                    hidden[sheet].push(u16::from_le_bytes([row[0], row[1]]) as u32);
                }
            }
            _ => {}
        }
        pos += 4 + len;
    }
    for rows in &mut hidden {
        rows.sort_unstable();
        rows.dedup();
    }
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut r = kind.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }

    fn row(r: u16, hidden: bool) -> Vec<u8> {
        let mut d = vec![0u8; 16];
        d[0..2].copy_from_slice(&r.to_le_bytes());
        d[ROW_FLAGS] = if hidden { DY_ZERO } else { 0 };
        record(ROW, &d)
    }

    /// Globals naming two sheets, then both substreams; the second has an
    /// embedded chart whose own ROW-like record must not count.
    fn stream() -> Vec<u8> {
        let bof = record(BOF, &[0; 16]);
        let eof = record(EOF, &[]);
        let sheet = |offset: u32, name: &[u8]| {
            let mut d = offset.to_le_bytes().to_vec();
            d.extend([0, 0, name.len() as u8, 0]);
            d.extend(name);
            record(BOUNDSHEET, &d)
        };
        let globals_len = (bof.len() + eof.len()) + 2 * sheet(0, b"S1").len();
        let first_len = bof.len() + 3 * row(0, false).len() + eof.len();
        let mut s = bof.clone();
        s.extend(sheet(globals_len as u32, b"S1"));
        s.extend(sheet((globals_len + first_len) as u32, b"S2"));
        s.extend(&eof);
        s.extend(&bof);
        s.extend(row(4, true));
        s.extend(row(1, false));
        s.extend(row(2, true));
        s.extend(&eof);
        s.extend(&bof);
        s.extend(row(7, true));
        s.extend(&bof);
        s.extend(row(9, true));
        s.extend(&eof);
        s.extend(&eof);
        s
    }

    #[test]
    fn rows_are_found_per_sheet_in_order() {
        assert_eq!(hidden_rows_in_stream(&stream()), vec![vec![2, 4], vec![7]]);
    }

    #[test]
    fn a_truncated_stream_keeps_what_was_found() {
        let full = stream();
        for cut in 0..full.len() {
            let found = hidden_rows_in_stream(&full[..cut]);
            assert!(found.len() <= 2, "cut at {cut}: {found:?}");
        }
        // Cut inside the second sheet's substream: the first sheet is whole.
        let cut = full.len() - 10;
        assert_eq!(hidden_rows_in_stream(&full[..cut])[0], vec![2, 4]);
    }

    #[test]
    fn not_a_compound_file_gives_nothing() {
        assert!(hidden_rows_by_sheet(b"").is_empty());
        assert!(hidden_rows_by_sheet(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]).is_empty());
        assert!(hidden_rows_by_sheet(&[0xFF; 4096]).is_empty());
    }
}
