//! Excel's own limits — 32,767 characters in a cell, 31 in a sheet name,
//! 1,048,576 rows — in one place for every workbook the tool writes (the
//! county's, the reviewer's, the ledger, the 责任清单, a published table).
//! rust_xlsxwriter refuses such a value with an English sentence naming
//! neither the value nor where it came from; here a value is checked before
//! it is written, and refused in Chinese at its source (the input cell or
//! YAML line it came from, else the cell it was to be written to) with what
//! to shorten. Whatever still reaches rust_xlsxwriter is translated by
//! [`error`].

use crate::error::Error;
use crate::source::{CellRef, YamlRef};
use rust_xlsxwriter::{Format, Worksheet, XlsxError};

/// Characters in one cell, counted as Excel counts them (UTF-16 units).
pub const CELL_CHARS: usize = 32_767;
/// Characters in a sheet name.
pub const SHEET_NAME_CHARS: usize = 31;
/// Rows in one sheet.
pub const ROWS: u32 = 1_048_576;
/// Columns in one sheet (XFD).
pub const COLUMNS: u16 = 16_384;

/// A text's length as Excel counts it: a character outside the Basic
/// Multilingual Plane (a rare ideograph) counts twice.
pub fn excel_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Is `s` too long for one cell?
pub fn too_long(s: &str) -> bool {
    // UTF-16 units never outnumber UTF-8 bytes: most texts need no count.
    s.len() > CELL_CHARS && excel_len(s) > CELL_CHARS
}

/// The first characters of a long text, so that the user can find it.
fn opening(s: &str) -> String {
    let head: String = s.chars().take(20).collect();
    if head.len() < s.len() {
        format!("{head}…")
    } else {
        head
    }
}

/// What is wrong with a too-long text and what to do, without its place.
pub fn too_long_message(s: &str) -> String {
    format!(
        "这段文字（“{}”）有 {} 个字符，超过了 Excel 每个单元格最多 {CELL_CHARS} 个字符的上限，写不进工作簿；请把它缩短到 {CELL_CHARS} 个字符以内",
        opening(s),
        excel_len(s)
    )
}

/// Where a value to be written came from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A cell of an input workbook (a ledger staff edited).
    Cell(CellRef),
    /// A value of the plan (or another YAML file).
    Yaml(YamlRef),
}

/// Refuse `s` at its origin if it cannot go into one cell.
pub fn check_cell(s: &str, origin: impl FnOnce() -> Origin) -> Result<(), Error> {
    if !too_long(s) {
        return Ok(());
    }
    let message = too_long_message(s);
    Err(match origin() {
        Origin::Cell(at) => Error::Cell { at, message },
        Origin::Yaml(at) => Error::Yaml { at, message },
    })
}

/// Refuse `s` before it is written at (`r`, `c`) of `ws`, naming that cell:
/// for a value with no input place of its own (made from several, or read
/// from a file that keeps none). The error goes through rust_xlsxwriter's
/// own type so that every writer's `?` carries it; [`error`] unwraps it.
pub fn fits(ws: &Worksheet, r: u32, c: u16, s: &str) -> Result<(), XlsxError> {
    if !too_long(s) {
        return Ok(());
    }
    Err(XlsxError::CustomError(format!(
        "工作表“{}”，单元格 {}：{}（或缩短组成它的各项内容）",
        ws.name(),
        crate::source::a1(r, u32::from(c)),
        too_long_message(s)
    )))
}

/// Text written at (`r`, `c`), checked first ([`fits`]).
pub fn write_text(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    s: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    fits(ws, r, c, s)?;
    ws.write_string_with_format(r, c, s, f)?;
    Ok(())
}

/// rust_xlsxwriter's error in Chinese, naming the workbook being made
/// (`book`: its file name, or what it is: “复核计算表”).
pub fn error(book: &str, e: XlsxError) -> Error {
    let message = match e {
        // Ours, from [`fits`]: already in Chinese, with its place.
        XlsxError::CustomError(m) => m,
        XlsxError::MaxStringLengthExceeded => format!(
            "有一段文字超过了 Excel 每个单元格最多 {CELL_CHARS} 个字符的上限；请缩短过长的学校名称、单位名称或说明文字"
        ),
        XlsxError::RowColumnLimitError => format!(
            "要写入的内容超过了 Excel 每张工作表最多 {ROWS} 行、{COLUMNS} 列的上限；请减少要列出的行（学校、问题或县），或分成几个文件"
        ),
        XlsxError::SheetnameLengthExceeded(n) => format!(
            "工作表名“{n}”超过了 Excel 最多 {SHEET_NAME_CHARS} 个字符的上限；请缩短它所来自的名称"
        ),
        XlsxError::SheetnameCannotBeBlank(n) => format!("工作表名“{n}”为空"),
        XlsxError::SheetnameReused(n) => format!("工作表名“{n}”重复"),
        XlsxError::SheetnameContainsInvalidCharacter(n) => {
            format!("工作表名“{n}”含有 Excel 不允许的字符（[ ] : * ? / \\）")
        }
        XlsxError::SheetnameStartsOrEndsWithApostrophe(n) => {
            format!("工作表名“{n}”以单引号开头或结尾，Excel 不允许")
        }
        other => format!("无法生成工作簿：{other}"),
    };
    Error::File {
        file: book.to_string(),
        message,
    }
}

/// Refuse a sheet of more rows than Excel holds, before writing any: `what`
/// says what the rows are (“问题”, “学校”).
pub fn check_rows(book: &str, sheet: &str, rows: usize, what: &str) -> Result<(), Error> {
    if rows <= ROWS as usize {
        return Ok(());
    }
    Err(Error::File {
        file: book.to_string(),
        message: format!(
            "工作表“{sheet}”要写入 {rows} 行，超过了 Excel 每张工作表最多 {ROWS} 行的上限；请减少要列出的{what}，或分成几个文件"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_as_excel_counts_it() {
        assert_eq!(excel_len("县教体局"), 4);
        // U+20000, outside the BMP: two UTF-16 units.
        assert_eq!(excel_len("\u{20000}"), 2);
        assert!(!too_long(&"字".repeat(CELL_CHARS)));
        assert!(too_long(&"字".repeat(CELL_CHARS + 1)));
        assert!(too_long(&"\u{20000}".repeat(CELL_CHARS / 2 + 1)));
    }

    #[test]
    fn a_too_long_value_is_refused_at_the_cell_it_was_to_fill() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("整改台账").unwrap();
        let long = "很".repeat(40_000);
        let e = write_text(ws, 3, 5, &long, &Format::new()).unwrap_err();
        let e = error("台账.xlsx", e).to_string();
        assert!(
            e.starts_with("台账.xlsx：工作表“整改台账”，单元格 F4：这段文字（“很很"),
            "{e}"
        );
        assert!(e.contains("有 40000 个字符，超过了 Excel 每个单元格最多 32767 个字符的上限"));
    }

    #[test]
    fn rust_xlsxwriters_own_refusals_are_in_chinese() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let Err(e) = ws.set_name("县".repeat(32)) else {
            panic!("a 32-character sheet name was accepted")
        };
        let e = error("责任清单.xlsx", e).to_string();
        assert!(e.contains("超过了 Excel 最多 31 个字符的上限"), "{e}");
        let Err(e) = ws.write_string(ROWS, 0, "x") else {
            panic!("row {ROWS} was accepted")
        };
        assert!(error("x.xlsx", e).to_string().contains("1048576 行"));
        let Err(e) = ws.write_string(0, 0, "x".repeat(40_000)) else {
            panic!("40,000 characters were accepted")
        };
        assert!(error("x.xlsx", e).to_string().contains("32767 个字符"));
    }
}
