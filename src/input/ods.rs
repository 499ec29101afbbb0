//! Merged cells of OpenDocument spreadsheets. calamine reports merges for
//! xlsx and xls only; a statistics form saved as .ods keeps its merged
//! parent headings and its whole-school figures merged across a school's
//! 部 rows in `table:number-rows-spanned`/`-columns-spanned` attributes of
//! content.xml, read here.

use super::grid::Merge;
use quick_xml::events::{BytesStart, Event};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Merged regions per sheet name. Any problem reading them gives no merges:
/// the cell values were already read by calamine.
pub fn merges(path: &Path) -> BTreeMap<String, Vec<Merge>> {
    read(path).unwrap_or_default()
}

fn read(path: &Path) -> Option<BTreeMap<String, Vec<Merge>>> {
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(file).ok()?;
    let mut xml = String::new();
    zip.by_name("content.xml")
        .ok()?
        .read_to_string(&mut xml)
        .ok()?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out: BTreeMap<String, Vec<Merge>> = BTreeMap::new();
    let mut sheet: Option<String> = None;
    let (mut row, mut col) = (0u32, 0u32);
    let mut row_repeat = 1u32;
    loop {
        match reader.read_event().ok()? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => {
                    sheet = attr(&e, "table:name");
                    row = 0;
                }
                "table:table-row" => {
                    col = 0;
                    row_repeat = num(&e, "table:number-rows-repeated").unwrap_or(1);
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let cols = num(&e, "table:number-columns-spanned").unwrap_or(1);
                    let rows = num(&e, "table:number-rows-spanned").unwrap_or(1);
                    if (cols > 1 || rows > 1)
                        && let Some(s) = &sheet
                    {
                        out.entry(s.clone()).or_default().push(Merge {
                            first_row: row,
                            first_col: col,
                            last_row: row + rows - 1,
                            last_col: col + cols - 1,
                        });
                    }
                    // Repeats of empty cells can run to the sheet's edge.
                    let repeat = num(&e, "table:number-columns-repeated").unwrap_or(1);
                    col = col.saturating_add(repeat);
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                row = row.saturating_add(row_repeat);
            }
            _ => {}
        }
    }
    Some(out)
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| {
            // Sheet names may hold `&amp;` and the like.
            quick_xml::escape::unescape(&a.value)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.into_owned())
        })
}

fn num(e: &BytesStart, name: &str) -> Option<u32> {
    attr(e, name)?.parse().ok()
}
