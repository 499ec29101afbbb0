//! Excel 2003 XML (SpreadsheetML), which web systems and old tools export
//! as ".xls" or ".xml": one `<Worksheet>` per sheet, rows and cells placed
//! by `ss:Index`, merges by `ss:MergeAcross`/`ss:MergeDown`, typed values in
//! `<Data ss:Type>`, formulas in `ss:Formula`, hidden rows by `ss:Hidden`
//! and hidden sheets by `<Visible>SheetHidden</Visible>`.

use super::grid::{Cell, Grid};
use super::limits::{Budget, SheetBuilder};
use crate::error::Error;
use quick_xml::events::{BytesStart, Event};
use std::sync::Arc;

pub fn read(bytes: &[u8], file: Arc<str>, budget: &Budget) -> Result<Vec<Grid>, Error> {
    let text = super::sniff::decode_text(bytes);
    let damaged = |detail: String| Error::File {
        file: file.to_string(),
        message: format!("Excel 2003 XML 表格无法读取，文件可能已损坏（技术信息：{detail}）"),
    };
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut grids = Vec::new();
    let mut sheet: Option<SheetBuilder> = None;
    let (mut row, mut col) = (0u64, 0u64);
    let mut row_started = false;
    let mut row_span = 0u64;
    // The cell being read: its column, formula, type; and where text goes.
    let mut cell: Option<(u64, Option<String>)> = None;
    let mut data_type = String::new();
    let mut in_data = 0u32;
    let mut in_comment = 0u32;
    let mut in_visible = false;
    let mut text_buf = String::new();
    loop {
        let ev = reader.read_event().map_err(|e| damaged(e.to_string()))?;
        let empty = matches!(ev, Event::Empty(_));
        match ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "Worksheet" => {
                    let name = attr(&e, "Name").unwrap_or_default();
                    sheet = Some(SheetBuilder::new(file.clone(), &name, budget));
                    row = 0;
                    row_started = false;
                }
                "Row" => {
                    if let Some(i) = index(&e) {
                        row = i;
                    } else if row_started {
                        row += 1;
                    }
                    row_started = true;
                    col = 0;
                    let span = num(&e, "Span").unwrap_or(0);
                    if let Some(s) = sheet.as_mut()
                        && flag(&e, "Hidden")
                    {
                        s.hide_rows(row, span + 1);
                    }
                    // `ss:Span` stands for that many more rows like this one.
                    if empty {
                        row = row.saturating_add(span);
                    } else {
                        row_span = span;
                    }
                }
                "Cell" => {
                    if let Some(i) = index(&e) {
                        col = i;
                    }
                    let across = num(&e, "MergeAcross").unwrap_or(0);
                    let down = num(&e, "MergeDown").unwrap_or(0);
                    if (across > 0 || down > 0)
                        && let Some(s) = sheet.as_mut()
                    {
                        s.merge(
                            row,
                            col,
                            row.saturating_add(down),
                            col.saturating_add(across),
                        );
                    }
                    let formula = attr(&e, "Formula");
                    if empty {
                        if let (Some(s), Some(f)) = (sheet.as_mut(), formula) {
                            s.set(row, col, Cell::Formula(f.trim_start_matches('=').into()))?;
                        }
                        col = col.saturating_add(across).saturating_add(1);
                    } else {
                        cell = Some((across, formula));
                        data_type.clear();
                        text_buf.clear();
                    }
                }
                "Data" if cell.is_some() && in_comment == 0 => {
                    data_type = attr(&e, "Type").unwrap_or_default();
                    if !empty {
                        in_data += 1;
                    }
                }
                "Comment" if !empty => in_comment += 1,
                "Visible" if !empty => in_visible = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "Data" if in_data > 0 => in_data -= 1,
                "Comment" => in_comment = in_comment.saturating_sub(1),
                "Visible" => in_visible = false,
                "Row" => row = row.saturating_add(std::mem::take(&mut row_span)),
                "Cell" => {
                    if let Some((across, formula)) = cell.take() {
                        let value = value(&data_type, &text_buf, formula.as_deref());
                        if let Some(s) = sheet.as_mut() {
                            s.set(row, col, value)?;
                        }
                        col = col.saturating_add(across).saturating_add(1);
                    }
                }
                "Worksheet" => {
                    if let Some(s) = sheet.take() {
                        grids.push(s.finish()?);
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                if in_data > 0 && in_comment == 0 {
                    text_buf.push_str(&t.xml10_content());
                } else if in_visible && let Some(s) = sheet.as_mut() {
                    let v = t.xml10_content();
                    if v.trim() == "SheetHidden" || v.trim() == "SheetVeryHidden" {
                        s.sheet_hidden = true;
                    }
                }
            }
            Event::CData(t) if in_data > 0 && in_comment == 0 => {
                text_buf.push_str(&t.xml10_content())
            }
            Event::GeneralRef(r) if in_data > 0 && in_comment == 0 => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text_buf.push(c);
                } else if let Some(s) =
                    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                {
                    text_buf.push_str(s);
                }
            }
            _ => {}
        }
    }
    Ok(grids)
}

fn value(typ: &str, text: &str, formula: Option<&str>) -> Cell {
    match typ {
        "Number" => match text.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Cell::Number(n),
            _ => Cell::Text(text.to_string()),
        },
        "DateTime" => {
            let t = text.trim();
            let t = t.strip_suffix(".000").unwrap_or(t);
            Cell::Date(super::xlsx::iso_text(t))
        }
        "Boolean" => Cell::Bool(matches!(text.trim(), "1" | "true" | "TRUE")),
        "Error" => Cell::Error(text.trim().to_string()),
        "" => match formula {
            // A formula with no `<Data>`: the result was never saved.
            Some(f) if !f.trim().is_empty() => Cell::Formula(f.trim_start_matches('=').into()),
            _ => Cell::Empty,
        },
        _ => Cell::Text(text.to_string()),
    }
}

/// An attribute by local name (`ss:Index` and `Index` alike).
fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| match quick_xml::escape::unescape(&a.value) {
            Ok(v) => v.into_owned(),
            Err(_) => a.value.into_owned(),
        })
}

fn num(e: &BytesStart, name: &str) -> Option<u64> {
    attr(e, name)?.trim().parse().ok()
}

/// `ss:Index`, one-based in the file, zero-based here.
fn index(e: &BytesStart) -> Option<u64> {
    num(e, "Index").filter(|&i| i > 0).map(|i| i - 1)
}

fn flag(e: &BytesStart, name: &str) -> bool {
    matches!(attr(e, name).as_deref(), Some("1" | "true"))
}
