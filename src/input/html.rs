//! HTML tables, which many web systems export as ".xls" (Excel opens them):
//! often GBK/GB2312 with a `<meta charset>`, with `colspan`/`rowspan` for
//! merged headings. Parsed with scraper (html5ever's standards-compliant
//! tree builder, so unclosed `<td>`s and missing `<tbody>`s of hand-made
//! exports are read as a browser reads them). Each `<table>` is a sheet,
//! named by its `<caption>` or 表1, 表2 …; spans become merges.

use super::grid::{Cell, Grid};
use super::limits::{Budget, MAX_COLUMNS, MAX_HTML_BYTES, SheetBuilder};
use crate::error::Error;
use scraper::{ElementRef, Html, Node};
use std::sync::Arc;

/// Most rows one `rowspan` may cover (the HTML standard's own limit).
const MAX_ROWSPAN: u64 = 65_534;

pub fn read(bytes: &[u8], file: Arc<str>, budget: &Budget) -> Result<Vec<Grid>, Error> {
    if bytes.len() as u64 > MAX_HTML_BYTES {
        return Err(Error::File {
            file: file.to_string(),
            message: format!(
                "网页表格文件超过 {} MB 的上限；请在 Excel/WPS 中打开后另存为 xlsx",
                MAX_HTML_BYTES / 1024 / 1024
            ),
        });
    }
    let text = super::sniff::decode_text(bytes);
    let doc = Html::parse_document(&text);
    let mut grids = Vec::new();
    let tables = doc
        .tree
        .nodes()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "table");
    for (i, table) in tables.enumerate() {
        let name = children(table, "caption")
            .next()
            .map(text_of)
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| format!("表{}", i + 1));
        grids.push(read_table(table, &name, &file, budget)?);
    }
    if grids.is_empty() {
        return Err(Error::File {
            file: file.to_string(),
            message: "是网页（HTML）文件，但里面没有表格（<table>）".into(),
        });
    }
    Ok(grids)
}

fn read_table(
    table: ElementRef,
    name: &str,
    file: &Arc<str>,
    budget: &Budget,
) -> Result<Grid, Error> {
    let mut sheet = SheetBuilder::new(file.clone(), name, budget);
    // For each column, the first row no longer covered by a rowspan above.
    let mut busy: Vec<u64> = Vec::new();
    let rows = table
        .children()
        .filter_map(ElementRef::wrap)
        .flat_map(|c| match c.value().name() {
            "tr" => vec![c],
            "thead" | "tbody" | "tfoot" => children(c, "tr").collect(),
            _ => Vec::new(),
        });
    for (row, tr) in rows.enumerate() {
        let row = row as u64;
        if style_hides(tr) {
            sheet.hide_rows(row, 1);
        }
        let mut col = 0u64;
        for td in tr
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|c| matches!(c.value().name(), "td" | "th"))
        {
            while busy.get(col as usize).is_some_and(|&until| until > row) {
                col += 1;
            }
            let span = |attr: &str, max: u64| {
                td.value()
                    .attr(attr)
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .filter(|&n| n > 0)
                    .map_or(1, |n| n.min(max))
            };
            let cols = span("colspan", 1000);
            let rows = span("rowspan", MAX_ROWSPAN);
            sheet.check(row, col, cols)?;
            let text = text_of(td);
            if !text.is_empty() {
                sheet.set(row, col, Cell::Text(text))?;
            }
            if cols > 1 || rows > 1 {
                sheet.merge(row, col, row + rows - 1, col + cols - 1);
            }
            let end = (col + cols).min(MAX_COLUMNS as u64) as usize;
            if busy.len() < end {
                busy.resize(end, 0);
            }
            for b in &mut busy[col as usize..end] {
                *b = row + rows;
            }
            col += cols;
        }
    }
    sheet.finish()
}

fn children<'a>(e: ElementRef<'a>, name: &'a str) -> impl Iterator<Item = ElementRef<'a>> {
    e.children()
        .filter_map(ElementRef::wrap)
        .filter(move |c| c.value().name() == name)
}

/// The cell's text as a browser shows it: runs of white space as one space,
/// `<br>` as a line break.
fn text_of(e: ElementRef) -> String {
    let mut out = String::new();
    for node in e.descendants() {
        match node.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(el) if el.name() == "br" => out.push('\n'),
            _ => {}
        }
    }
    out.split('\n')
        .map(|line| {
            line.split(|c: char| c.is_whitespace())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `style="display:none"` on a row (how web exports hide rows).
fn style_hides(e: ElementRef) -> bool {
    e.value().attr("style").is_some_and(|s| {
        s.to_ascii_lowercase()
            .replace(' ', "")
            .contains("display:none")
    })
}
