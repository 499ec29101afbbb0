//! OpenDocument spreadsheets, read from content.xml in one streaming pass.
//! calamine expands `number-rows-repeated`/`number-columns-repeated` into a
//! dense range (LibreOffice writes a million repeated empty rows to the
//! sheet's end, and a hostile file can repeat a filled cell astronomically)
//! and reports no merges, hidden rows or unsaved formulas, so this reader
//! does it all itself: a repeated empty cell or row costs nothing, a
//! repeated filled one counts against the limits before it is stored.

use super::grid::{Cell, Grid};
use super::limits::{Budget, MAX_PART_BYTES, SheetBuilder};
use crate::error::Error;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashSet;
use std::io::{BufReader, Cursor, Read};
use std::sync::Arc;

/// Longest run of spaces one `text:s` may stand for.
const MAX_SPACES: u64 = 1024;

pub fn read(bytes: &[u8], file: Arc<str>, budget: &Budget) -> Result<Vec<Grid>, Error> {
    let damaged = |detail: String| Error::File {
        file: file.to_string(),
        message: format!("工作簿无法读取，文件可能已损坏（技术信息：{detail}）"),
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(e.to_string()))?;
    let member = zip
        .by_name("content.xml")
        .map_err(|e| damaged(format!("content.xml：{e}")))?;
    // `limits::check_zip` measured it already; the take keeps this true.
    let xml = BufReader::new(member.take(MAX_PART_BYTES));
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut state = State::default();
    let mut sheet: Option<SheetBuilder> = None;
    let mut grids = Vec::new();
    let mut buf = Vec::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| damaged(format!("content.xml：{e}")))?;
        match ev {
            Event::Eof => break,
            Event::Start(e) => state.start(&e, false, &mut sheet, &file, budget)?,
            Event::Empty(e) => state.start(&e, true, &mut sheet, &file, budget)?,
            Event::End(e) => {
                if let Some(done) = state.end(e.name().as_ref(), &mut sheet)? {
                    grids.push(done);
                }
            }
            Event::Text(t) if state.in_text() => state.text.push_str(&t.xml10_content()),
            Event::CData(t) if state.in_text() => state.text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if state.in_text() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    state.text.push(c);
                } else if let Some(s) =
                    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                {
                    state.text.push_str(s);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(grids)
}

/// Where the stream is, and the cell being read.
#[derive(Default)]
struct State {
    /// Table styles with `table:display="false"`: hidden sheets.
    hidden_styles: HashSet<String>,
    current_style: Option<String>,
    row: u64,
    col: u64,
    row_repeat: u64,
    row_hidden: bool,
    /// Whether the current row stored anything (a filled repeated row is
    /// copied, an empty one just skipped).
    row_filled: bool,
    cell: Option<PendingCell>,
    /// Depth inside `text:p` of the current cell, and inside annotations
    /// (comments, whose text is not the cell's).
    in_p: u32,
    in_annotation: u32,
    text: String,
}

struct PendingCell {
    value: Option<Cell>,
    formula: Option<String>,
    repeat: u64,
    paragraphs: u32,
    error: bool,
}

impl State {
    fn in_text(&self) -> bool {
        self.cell.is_some() && self.in_p > 0 && self.in_annotation == 0
    }

    fn start(
        &mut self,
        e: &BytesStart,
        empty: bool,
        sheet: &mut Option<SheetBuilder>,
        file: &Arc<str>,
        budget: &Budget,
    ) -> Result<(), Error> {
        match e.name().as_ref() {
            "style:style" => {
                self.current_style = attr(e, "style:name");
            }
            "style:table-properties" => {
                if attr(e, "table:display").as_deref() == Some("false")
                    && let Some(s) = &self.current_style
                {
                    self.hidden_styles.insert(s.clone());
                }
            }
            "table:table" => {
                let name = attr(e, "table:name").unwrap_or_default();
                let mut b = SheetBuilder::new(file.clone(), &name, budget);
                b.sheet_hidden =
                    attr(e, "table:style-name").is_some_and(|s| self.hidden_styles.contains(&s));
                *sheet = Some(b);
                self.row = 0;
            }
            "table:table-row" => {
                self.col = 0;
                self.row_repeat = num(e, "table:number-rows-repeated").unwrap_or(1).max(1);
                self.row_hidden = matches!(
                    attr(e, "table:visibility").as_deref(),
                    Some("collapse" | "filter")
                );
                self.row_filled = false;
                if empty {
                    self.end_row(sheet)?;
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let repeat = num(e, "table:number-columns-repeated").unwrap_or(1).max(1);
                let cols = num(e, "table:number-columns-spanned").unwrap_or(1);
                let rows = num(e, "table:number-rows-spanned").unwrap_or(1);
                if (cols > 1 || rows > 1)
                    && let Some(s) = sheet.as_mut()
                {
                    s.merge(
                        self.row,
                        self.col,
                        self.row.saturating_add(rows.saturating_sub(1)),
                        self.col.saturating_add(cols.saturating_sub(1)),
                    );
                }
                let pending = PendingCell {
                    value: value_of(e),
                    formula: attr(e, "table:formula"),
                    repeat,
                    paragraphs: 0,
                    error: attr(e, "calcext:value-type").as_deref() == Some("error"),
                };
                self.cell = Some(pending);
                self.text.clear();
                if empty {
                    self.end_cell(sheet)?;
                }
            }
            "office:annotation" if !empty => self.in_annotation += 1,
            "text:p" | "text:h" if self.cell.is_some() && self.in_annotation == 0 => {
                if let Some(c) = self.cell.as_mut() {
                    if c.paragraphs > 0 {
                        self.text.push('\n');
                    }
                    c.paragraphs += 1;
                }
                if !empty {
                    self.in_p += 1;
                }
            }
            "text:s" if self.in_text() => {
                let n = num(e, "text:c").unwrap_or(1).min(MAX_SPACES);
                self.text.extend(std::iter::repeat_n(' ', n as usize));
            }
            "text:tab" if self.in_text() => self.text.push('\t'),
            "text:line-break" if self.in_text() => self.text.push('\n'),
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str, sheet: &mut Option<SheetBuilder>) -> Result<Option<Grid>, Error> {
        match name {
            "style:style" => self.current_style = None,
            "office:annotation" => self.in_annotation = self.in_annotation.saturating_sub(1),
            "text:p" | "text:h" if self.in_p > 0 => self.in_p -= 1,
            "table:table-cell" | "table:covered-table-cell" => self.end_cell(sheet)?,
            "table:table-row" => self.end_row(sheet)?,
            "table:table" => {
                if let Some(s) = sheet.take() {
                    return s.finish().map(Some);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    fn end_cell(&mut self, sheet: &mut Option<SheetBuilder>) -> Result<(), Error> {
        let Some(c) = self.cell.take() else {
            return Ok(());
        };
        let text = std::mem::take(&mut self.text);
        let cell = match (c.value, c.formula) {
            _ if c.error => Cell::Error(text),
            (Some(Cell::Text(s)), _) if s.is_empty() => Cell::Text(text),
            (Some(Cell::Date(s)), _) if !text.trim().is_empty() && s.starts_with("PT") => {
                Cell::Date(text)
            }
            (Some(v), _) => v,
            (None, Some(f)) => Cell::Formula(formula_text(&f)),
            (None, None) => Cell::Text(text),
        };
        if let Some(s) = sheet.as_mut()
            && !cell.is_blank()
        {
            s.check(self.row, self.col, c.repeat)?;
            for i in 0..c.repeat {
                s.set(self.row, self.col + i, cell.clone())?;
            }
            self.row_filled = true;
        }
        self.col = self.col.saturating_add(c.repeat);
        Ok(())
    }

    fn end_row(&mut self, sheet: &mut Option<SheetBuilder>) -> Result<(), Error> {
        let repeat = self.row_repeat;
        if let Some(s) = sheet.as_mut() {
            if self.row_hidden {
                s.hide_rows(self.row, repeat);
            }
            if self.row_filled && repeat > 1 {
                let cells: Vec<(u64, Cell)> = s
                    .row(self.row)
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.is_blank())
                    .map(|(i, c)| (i as u64, c.clone()))
                    .collect();
                let width = s.row(self.row).len() as u64;
                // Refuse before copying: the last copy's row, and all copies'
                // cells together.
                s.check(self.row.saturating_add(repeat - 1), 0, 1)?;
                s.check_cells(self.row, 0, width.saturating_mul(repeat - 1))?;
                for r in 1..repeat {
                    for (col, cell) in &cells {
                        s.set(self.row + r, *col, cell.clone())?;
                    }
                }
            }
        }
        self.row = self.row.saturating_add(repeat);
        self.row_repeat = 1;
        Ok(())
    }
}

/// The cell's saved value from its attributes; `Some(Text(""))` for a
/// string cell whose text comes from its paragraphs.
fn value_of(e: &BytesStart) -> Option<Cell> {
    let typ = attr(e, "office:value-type")?;
    Some(match typ.as_str() {
        "float" | "percentage" | "currency" => {
            match attr(e, "office:value").and_then(|v| v.trim().parse::<f64>().ok()) {
                Some(n) if n.is_finite() => Cell::Number(n),
                _ => Cell::Text(String::new()),
            }
        }
        "date" => Cell::Date(super::xlsx::iso_text(
            &attr(e, "office:date-value").unwrap_or_default(),
        )),
        "time" => Cell::Date(attr(e, "office:time-value").unwrap_or_default()),
        "boolean" => Cell::Bool(matches!(
            attr(e, "office:boolean-value").as_deref(),
            Some("true" | "1")
        )),
        _ => Cell::Text(attr(e, "office:string-value").unwrap_or_default()),
    })
}

/// `of:=SUM([.B2:.B9])` as `SUM([.B2:.B9])`.
fn formula_text(f: &str) -> String {
    let f = f.split_once(':').map_or(f, |(ns, rest)| {
        if ns.chars().all(|c| c.is_ascii_alphabetic()) && rest.starts_with('=') {
            rest
        } else {
            f
        }
    });
    f.trim_start_matches('=').to_string()
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| match quick_xml::escape::unescape(&a.value) {
            Ok(v) => v.into_owned(),
            Err(_) => a.value.into_owned(),
        })
}

fn num(e: &BytesStart, name: &str) -> Option<u64> {
    attr(e, name)?.trim().parse().ok()
}
