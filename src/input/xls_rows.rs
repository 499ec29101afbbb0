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
//!
//! The same walk measures what calamine will allocate. calamine builds every
//! sheet of an .xls as a dense range up front, spanning the outermost cells,
//! and reserves room for whatever a `DIMENSIONS` record claims: a 20 KB file
//! claiming cells far apart asked for gigabytes (found by fuzzing, kept in
//! tests/fixtures/fuzz/xls/). [`survey`] gives both figures so the reader
//! refuses such a file before calamine sees it.

use std::collections::HashMap;
use std::io::{Cursor, Read};

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const ROW: u16 = 0x0208;
const DIMENSIONS: u16 = 0x0200;
/// Records calamine turns into cells, each starting with its row and column
/// (MULRK's last column is its last two bytes).
const CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];
const MULRK: u16 = 0x00BD;
/// `ROW` flags (MS-XLS 2.4.221) at byte 12; bit 5 is fDyZero: the row is
/// hidden, by hand or by a filter.
const ROW_FLAGS: usize = 12;
const DY_ZERO: u8 = 0x20;

/// What one walk of an .xls found.
#[derive(Debug, Default, PartialEq)]
pub struct Survey {
    /// The hidden rows (zero-based, ascending, no repeats) of each sheet,
    /// one entry per `BOUNDSHEET` in workbook order — the order of
    /// calamine's `sheets_metadata`, chart sheets included. Matching by
    /// position rather than by name keeps BIFF5 names in a local code page
    /// out of the question.
    pub hidden: Vec<Vec<u32>>,
    /// Cells calamine's dense ranges will hold, all sheets together: for
    /// each sheet, rows × columns between its outermost cells.
    pub dense_cells: u64,
    /// The largest room a sheet's `DIMENSIONS` record makes calamine
    /// reserve, in cells (`u64::MAX` for a claim that does not compute).
    pub claimed_cells: u64,
    /// Why the `cfb` crate could not open the container or find the
    /// workbook stream in it, if it could not. calamine's own reader
    /// follows sector chains without noticing a cycle (a fuzzed file made
    /// it grow a directory chain to gigabytes), so a container the `cfb`
    /// crate refuses is not handed to calamine.
    pub unreadable: Option<String>,
}

/// Hidden rows and the cost of reading, in one pass; empty when the file
/// is not a readable compound file (calamine then says so itself).
pub fn survey(bytes: &[u8]) -> Survey {
    match workbook_stream(bytes) {
        Ok(stream) => survey_stream(&stream),
        Err(why) => Survey {
            unreadable: Some(why),
            ..Survey::default()
        },
    }
}

/// The outermost cells of one sheet: first row, last row, first col, last col.
type Extent = Option<(u32, u32, u32, u32)>;

fn widen(e: &mut Extent, row: u32, first_col: u32, last_col: u32) {
    *e = Some(match *e {
        None => (row, row, first_col, last_col),
        Some((r0, r1, c0, c1)) => (
            r0.min(row),
            r1.max(row),
            c0.min(first_col),
            c1.max(last_col),
        ),
    });
}

fn cells_of(e: Extent) -> u64 {
    e.map_or(0, |(r0, r1, c0, c1)| {
        (u64::from(r1 - r0) + 1).saturating_mul(u64::from(c1.saturating_sub(c0)) + 1)
    })
}

/// The room calamine reserves for a `DIMENSIONS` record, computed as its
/// `parse_dimensions` reads it (BIFF5: 10 bytes of u16; BIFF8: u32 rows).
fn claimed(data: &[u8]) -> u64 {
    let u16_at = |i: usize| {
        data.get(i..i + 2)
            .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |i: usize| {
        data.get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let dims = match data.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        // calamine refuses other lengths.
        _ => return 0,
    };
    let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = dims else {
        return 0;
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl < 1 || cl < 1 {
        return 1;
    }
    // calamine subtracts without checking: a first row past the last one
    // wraps to an enormous reservation.
    match ((rl - 1).checked_sub(rf), (cl - 1).checked_sub(cf)) {
        (Some(rows), Some(cols)) => (u64::from(rows) + 1).saturating_mul(u64::from(cols) + 1),
        _ => u64::MAX,
    }
}

/// The BIFF stream of the compound file, never longer than the file itself
/// (a damaged sector chain cannot make it grow).
fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut stream = cfb
        .open_stream("/Workbook")
        .or_else(|_| cfb.open_stream("/Book"))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    // A read error part-way keeps what was read: the walk stops at the end.
    let _ = (&mut stream).take(bytes.len() as u64).read_to_end(&mut out);
    Ok(out)
}

/// One pass over the records of a BIFF stream. Each step moves past a
/// record header and its data, so the walk ends at the stream's end.
fn survey_stream(stream: &[u8]) -> Survey {
    // BOF offset of each sheet → its position among the BOUNDSHEETs.
    let mut sheet_at: HashMap<usize, usize> = HashMap::new();
    let mut hidden: Vec<Vec<u32>> = Vec::new();
    // The sheet whose substream the walk is in, and the BOF nesting depth
    // (a chart embedded in a sheet brings its own BOF…EOF).
    let mut current: Option<usize> = None;
    let mut depth = 0usize;
    let mut globals_done = false;
    let mut extent: Extent = None;
    let mut dense_cells = 0u64;
    let mut claimed_cells = 0u64;
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
                    dense_cells = dense_cells.saturating_add(cells_of(extent.take()));
                }
            }
            DIMENSIONS if depth == 1 && globals_done => {
                claimed_cells = claimed_cells.max(claimed(data));
            }
            MULRK if depth == 1 && globals_done => {
                if let (Some(r), Some(c0), Some(c1)) = (
                    data.get(0..2),
                    data.get(2..4),
                    data.len().checked_sub(2).and_then(|i| data.get(i..)),
                ) {
                    let row = u32::from(u16::from_le_bytes([r[0], r[1]]));
                    let first = u32::from(u16::from_le_bytes([c0[0], c0[1]]));
                    let last = u32::from(u16::from_le_bytes([c1[0], c1[1]]));
                    widen(&mut extent, row, first.min(last), first.max(last));
                }
            }
            k if depth == 1 && globals_done && CELL_RECORDS.contains(&k) => {
                if let (Some(r), Some(c)) = (data.get(0..2), data.get(2..4)) {
                    let row = u32::from(u16::from_le_bytes([r[0], r[1]]));
                    let col = u32::from(u16::from_le_bytes([c[0], c[1]]));
                    widen(&mut extent, row, col, col);
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
    // A stream cut short inside a sheet: that sheet counts too.
    dense_cells = dense_cells.saturating_add(cells_of(extent));
    Survey {
        hidden,
        dense_cells,
        claimed_cells,
        unreadable: None,
    }
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
        assert_eq!(survey_stream(&stream()).hidden, vec![vec![2, 4], vec![7]]);
    }

    #[test]
    fn a_truncated_stream_keeps_what_was_found() {
        let full = stream();
        for cut in 0..full.len() {
            let found = survey_stream(&full[..cut]).hidden;
            assert!(found.len() <= 2, "cut at {cut}: {found:?}");
        }
        // Cut inside the second sheet's substream: the first sheet is whole.
        let cut = full.len() - 10;
        assert_eq!(survey_stream(&full[..cut]).hidden[0], vec![2, 4]);
    }

    #[test]
    fn not_a_compound_file_gives_nothing_and_says_why() {
        let header = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        for bytes in [&b""[..], &header[..], &[0xFF; 4096][..]] {
            let s = survey(bytes);
            assert!(s.hidden.is_empty() && s.dense_cells == 0 && s.claimed_cells == 0);
            assert!(s.unreadable.is_some(), "{s:?}");
        }
    }

    /// Cells far apart and a wild DIMENSIONS claim are measured as calamine
    /// would allocate them.
    #[test]
    fn the_cost_of_reading_is_measured() {
        let bof = record(BOF, &[0; 16]);
        let eof = record(EOF, &[]);
        let sheet = |offset: u32| {
            let mut d = offset.to_le_bytes().to_vec();
            d.extend([0, 0, 1, 0, b'S']);
            record(BOUNDSHEET, &d)
        };
        let globals_len = bof.len() + eof.len() + sheet(0).len();
        let number = |r: u16, c: u16| {
            let mut d = r.to_le_bytes().to_vec();
            d.extend(c.to_le_bytes());
            d.extend([0u8; 10]);
            record(0x0203, &d)
        };
        let dims = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut d = rf.to_le_bytes().to_vec();
            d.extend(rl.to_le_bytes());
            d.extend(cf.to_le_bytes());
            d.extend(cl.to_le_bytes());
            d.extend([0, 0]);
            record(DIMENSIONS, &d)
        };
        let mut s = [bof.clone(), sheet(globals_len as u32), eof.clone()].concat();
        s.extend(bof.clone());
        s.extend(dims(0, 65_536, 0, 256));
        s.extend(number(0, 0));
        s.extend(number(60_000, 200));
        s.extend(eof.clone());
        let found = survey_stream(&s);
        assert_eq!(found.dense_cells, 60_001 * 201);
        assert_eq!(found.claimed_cells, 65_536 * 256);
        assert_eq!(claimed(&[0u8; 10]), 1);
        // First row past the last: calamine's subtraction would wrap.
        let wrapped = dims(10, 5, 0, 3);
        assert_eq!(claimed(&wrapped[4..]), u64::MAX);
    }
}
