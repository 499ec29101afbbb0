//! Excel workbooks through calamine: xlsx/xlsm and xlsb cell by cell with
//! its streaming cell reader (the cells that exist, never the declared
//! corner: one cell at XFD1048576 must not ask for a dense range of
//! hundreds of GiB), xls (BIFF, bounded by the format to 65,536 × 256)
//! through its range. Hidden rows of xlsx, which calamine does not expose,
//! are read from the sheet XML here; those of xls in `xls_rows`.

use super::grid::{Cell, Grid};
use super::limits::{Budget, SheetBuilder};
use crate::error::Error;
use calamine::{
    Data, DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx, XlsxError,
};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read};
use std::sync::Arc;

/// The message for a file calamine cannot open or read.
pub fn damaged(file: &str, detail: impl std::fmt::Display) -> Error {
    Error::File {
        file: file.to_string(),
        message: format!("工作簿无法读取，文件可能已损坏（技术信息：{detail}）"),
    }
}

pub fn encrypted(file: &str) -> Error {
    Error::File {
        file: file.to_string(),
        message: "已加密，请先在 Excel/WPS 中取消密码后另存，再重新读取".into(),
    }
}

/// Worksheets (not chart sheets) with whether each is hidden.
fn worksheets(sheets: &[calamine::Sheet]) -> Vec<(String, bool)> {
    sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect()
}

pub fn read_xlsx(bytes: &[u8], file: Arc<str>, budget: &Budget) -> Result<Vec<Grid>, Error> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| damaged(&file, e))?;
    let hidden_rows = hidden_rows_by_sheet(bytes);
    let is_1904 = book.has_1904_epoch();
    let mut grids = Vec::new();
    for (name, hidden) in worksheets(book.sheets_metadata()) {
        let mut sheet = SheetBuilder::new(file.clone(), &name, budget);
        sheet.sheet_hidden = hidden;
        let mut cells = book
            .worksheet_cells_reader(&name)
            .map_err(|e| sheet_damaged(&file, &name, e))?;
        while let Some(c) = cells
            .next_cell_with_formula()
            .map_err(|e| sheet_damaged(&file, &name, e))?
        {
            let (row, col) = c.pos;
            let cell = match (&c.value, c.formula) {
                // Written by a program that does not calculate: no result
                // (no `<v>`, or an empty one).
                (DataRef::Empty, Some(f)) | (DataRef::String(_), Some(f))
                    if convert_ref(&c.value, false).is_blank() && !f.trim().is_empty() =>
                {
                    Cell::Formula(f.trim_start_matches('=').to_string())
                }
                (v, _) => convert_ref(v, is_1904),
            };
            sheet.set(row as u64, col as u64, cell)?;
        }
        drop(cells);
        for d in book
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| sheet_damaged(&file, &name, e))?
        {
            sheet.merge(
                d.start.0 as u64,
                d.start.1 as u64,
                d.end.0 as u64,
                d.end.1 as u64,
            );
        }
        for &r in hidden_rows.get(&name).map_or(&[][..], Vec::as_slice) {
            sheet.hide_rows(r, 1);
        }
        grids.push(sheet.finish()?);
    }
    Ok(grids)
}

fn sheet_damaged(file: &str, sheet: &str, e: XlsxError) -> Error {
    damaged(file, format!("工作表“{sheet}”：{e}"))
}

pub fn read_xlsb(bytes: &[u8], file: Arc<str>, budget: &Budget) -> Result<Vec<Grid>, Error> {
    let mut book = Xlsb::new(Cursor::new(bytes)).map_err(|e| damaged(&file, e))?;
    let is_1904 = book.has_1904_epoch();
    let mut grids = Vec::new();
    for (name, hidden) in worksheets(book.sheets_metadata()) {
        let mut sheet = SheetBuilder::new(file.clone(), &name, budget);
        sheet.sheet_hidden = hidden;
        let mut cells = book
            .worksheet_cells_reader(&name)
            .map_err(|e| damaged(&file, format!("工作表“{name}”：{e}")))?;
        while let Some(c) = cells
            .next_cell()
            .map_err(|e| damaged(&file, format!("工作表“{name}”：{e}")))?
        {
            let (row, col) = c.get_position();
            sheet.set(row as u64, col as u64, convert_ref(c.get_value(), is_1904))?;
        }
        drop(cells);
        grids.push(sheet.finish()?);
    }
    Ok(grids)
}

pub fn read_xls(bytes: &[u8], file: Arc<str>, budget: &Budget) -> Result<Vec<Grid>, Error> {
    // calamine builds every sheet densely and reserves what DIMENSIONS
    // claims, before we see a cell: measure first, refuse what would not fit.
    let survey = super::xls_rows::survey(bytes);
    if let Some(why) = &survey.unreadable {
        return Err(damaged(&file, format!("复合文档结构无效：{why}")));
    }
    let cost = survey.dense_cells.max(survey.claimed_cells);
    if cost > super::limits::MAX_CELLS_PER_WORKBOOK as u64 {
        return Err(Error::File {
            file: file.to_string(),
            message: format!(
                "工作簿记录的单元格范围{}，超过了最多 {} 个单元格的上限，文件可能已损坏；请用 Excel 或 WPS 打开，删去多余的内容或另存为 xlsx 后再试",
                if cost == u64::MAX {
                    "无效".to_string()
                } else {
                    format!("有 {cost} 个单元格")
                },
                super::limits::MAX_CELLS_PER_WORKBOOK
            ),
        });
    }
    let mut book = match Xls::new(Cursor::new(bytes)) {
        Ok(b) => b,
        Err(calamine::XlsError::Password) => return Err(encrypted(&file)),
        Err(e) => return Err(damaged(&file, e)),
    };
    let is_1904 = book.has_1904_epoch();
    // By position among all sheets, as calamine lists them; a count that
    // disagrees means the records were not read alike: no hidden rows then.
    let all_sheets: Vec<String> = book
        .sheets_metadata()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let hidden_rows = Some(survey.hidden)
        .filter(|h| h.len() == all_sheets.len())
        .unwrap_or_default();
    let mut grids = Vec::new();
    for (name, hidden) in worksheets(book.sheets_metadata()) {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| damaged(&file, format!("工作表“{name}”：{e}")))?;
        let formulas = book.worksheet_formula(&name).ok();
        let mut sheet = SheetBuilder::new(file.clone(), &name, budget);
        sheet.sheet_hidden = hidden;
        for (row, col, value) in range.used_cells() {
            let (row, col) = (
                range.start().map_or(0, |s| s.0) as u64 + row as u64,
                range.start().map_or(0, |s| s.1) as u64 + col as u64,
            );
            let cell = match value {
                Data::Empty => match formulas
                    .as_ref()
                    .and_then(|f| f.get_value((row as u32, col as u32)))
                {
                    Some(f) if !f.trim().is_empty() => Cell::Formula(f.clone()),
                    _ => Cell::Empty,
                },
                v => convert(v, is_1904),
            };
            sheet.set(row, col, cell)?;
        }
        for d in book.merge_cells_by_sheet_name(&name).unwrap_or_default() {
            sheet.merge(
                d.start.0 as u64,
                d.start.1 as u64,
                d.end.0 as u64,
                d.end.1 as u64,
            );
        }
        let at = all_sheets.iter().position(|n| *n == name);
        for &r in at
            .and_then(|i| hidden_rows.get(i))
            .map_or(&[][..], Vec::as_slice)
        {
            sheet.hide_rows(r as u64, 1);
        }
        grids.push(sheet.finish()?);
    }
    Ok(grids)
}

pub fn convert(d: &Data, is_1904: bool) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => Cell::Date(date_text(dt, is_1904)),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Date(iso_text(s)),
        Data::Error(e) => Cell::Error(format!("{e}")),
    }
}

fn convert_ref(d: &DataRef, is_1904: bool) -> Cell {
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => Cell::Date(date_text(dt, is_1904)),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Date(iso_text(s)),
        DataRef::Error(e) => Cell::Error(format!("{e}")),
    }
}

/// A date as a person reads it: `2024-01-01`, with the time only when there
/// is one; a duration as hours:minutes:seconds. Never the serial number.
/// (calamine converts only with its chrono feature, which would rebuild the
/// whole typst tree with serde-enabled chrono; the arithmetic is its own.)
pub fn date_text(dt: &ExcelDateTime, is_1904: bool) -> String {
    let value = dt.as_f64();
    if !value.is_finite() || value.abs() > 3.0e6 {
        return "（无效日期）".to_string();
    }
    let ms = (value * 86_400_000.0).round() as i64;
    if dt.is_duration() {
        let s = ms.div_euclid(1000);
        return format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60);
    }
    // Excel counts from 1899-12-30, and takes 1900 for a leap year: serials
    // below 60 are one day later than that count.
    let mut days = value + if is_1904 { 1462.0 } else { 0.0 };
    if days < 60.0 {
        days += 1.0;
    }
    let ms = (days * 86_400_000.0).round() as i64;
    let epoch =
        chrono::NaiveDate::from_ymd_opt(1899, 12, 30).map(|d| d.and_time(chrono::NaiveTime::MIN));
    match epoch.and_then(|e| e.checked_add_signed(chrono::Duration::milliseconds(ms))) {
        Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => "（无效日期）".to_string(),
    }
}

/// `2024-01-01T00:00:00` as `2024-01-01`; other ISO texts with a space for
/// the `T`.
pub fn iso_text(s: &str) -> String {
    let s = s.trim();
    match s.strip_suffix("T00:00:00") {
        Some(date) => date.to_string(),
        None => s.replacen('T', " ", 1),
    }
}

/// Rows marked `hidden` in each sheet's XML (hidden by hand, or filtered out
/// by an autofilter), zero-based. Best effort: the cells are read by
/// calamine, and a sheet whose XML cannot be followed here has none.
fn hidden_rows_by_sheet(bytes: &[u8]) -> HashMap<String, Vec<u64>> {
    let mut out = HashMap::new();
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return out;
    };
    let targets = sheet_targets(&mut zip);
    for (name, path) in targets {
        let Ok(member) = zip.by_name(&path) else {
            continue;
        };
        let rows = hidden_rows(BufReader::new(member));
        if !rows.is_empty() {
            out.insert(name, rows);
        }
    }
    out
}

fn read_member<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if let Ok(m) = zip.by_name(name) {
        // Sizes were already checked by `limits::check_zip`.
        let _ = m.take(super::limits::MAX_PART_BYTES).read_to_end(&mut out);
    }
    out
}

/// Sheet name → path of its XML in the archive, from workbook.xml and its
/// relationships.
fn sheet_targets<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>) -> Vec<(String, String)> {
    let mut rels = HashMap::new();
    let xml = read_member(zip, "xl/_rels/workbook.xml.rels");
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    while let Ok(ev) = reader.read_event_into(&mut buf) {
        match ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{target}"),
                    };
                    rels.insert(id, path);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    let mut out = Vec::new();
    let xml = read_member(zip, "xl/workbook.xml");
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    while let Ok(ev) = reader.read_event_into(&mut buf) {
        match ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                if let (Some(name), Some(id)) = (attr(&e, "name"), attr(&e, "r:id"))
                    && let Some(path) = rels.get(&id)
                {
                    out.push((name, path.clone()));
                }
            }
            _ => {}
        }
        buf.clear();
    }
    out
}

fn hidden_rows(xml: impl std::io::BufRead) -> Vec<u64> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut rows = Vec::new();
    let mut next = 0u64;
    while let Ok(ev) = reader.read_event_into(&mut buf) {
        match ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "row" => {
                let row = attr(&e, "r")
                    .and_then(|r| r.parse::<u64>().ok())
                    .map_or(next, |r| r.saturating_sub(1));
                next = row + 1;
                if matches!(attr(&e, "hidden").as_deref(), Some("1" | "true")) {
                    rows.push(row);
                }
            }
            Event::End(e) if e.local_name().as_ref() == "sheetData" => break,
            _ => {}
        }
        buf.clear();
    }
    rows
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            quick_xml::escape::unescape(&a.value)
                .ok()
                .map(|v| v.into_owned())
        })
}
