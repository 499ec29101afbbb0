//! Formats, column widths and cell writers shared by every sheet of the
//! workbook: one look (宋体 10.5 pt, thin borders, red for failing cells,
//! marks that survive black-and-white printing) and rows that grow to fit
//! their wrapped text, since spreadsheet programs do not fit them on opening.

use crate::evaluate::Evaluation;
use crate::source::CellRef;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};
use std::collections::BTreeMap;
use unicode_width::UnicodeWidthChar;

/// Marks that survive black-and-white printing.
pub(super) const MARK_BAD: &str = "✗";
pub(super) const MARK_FLOOR: &str = "△";

pub(super) const FONT: &str = "宋体";
pub(super) const FONT_SIZE: f64 = 10.5;
pub(super) const RED_FILL: u32 = 0xFFC7CE;
pub(super) const RED_TEXT: u32 = 0x9C0006;
pub(super) const HEAD_FILL: u32 = 0xD9D9D9;
pub(super) const GREY_TEXT: u32 = 0x7F7F7F;
/// Points per wrapped line at 10.5 pt, for rows whose height we must set.
pub(super) const LINE_HEIGHT: f64 = 14.0;

// ---------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------

/// How a data cell looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Look {
    Plain,
    /// Fails its standard: light red fill, dark red bold text.
    Bad,
    /// Not assessed (excluded rows): grey text, never marked.
    Muted,
}

pub(super) fn base() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_size(FONT_SIZE)
        .set_align(FormatAlign::VerticalCenter)
}

pub(super) fn boxed() -> Format {
    base().set_border(FormatBorder::Thin)
}

pub(super) fn styled(f: Format, look: Look) -> Format {
    match look {
        Look::Plain => f,
        Look::Bad => f
            .set_background_color(Color::RGB(RED_FILL))
            .set_font_color(Color::RGB(RED_TEXT))
            .set_bold(),
        Look::Muted => f.set_font_color(Color::RGB(GREY_TEXT)),
    }
}

pub(super) fn text_fmt(look: Look) -> Format {
    styled(boxed().set_text_wrap(), look)
}

pub(super) fn centre_fmt(look: Look) -> Format {
    styled(boxed().set_text_wrap().set_align(FormatAlign::Center), look)
}

pub(super) fn num_fmt(pattern: &str, look: Look) -> Format {
    styled(boxed().set_num_format(pattern), look)
}

pub(super) fn header_fmt() -> Format {
    boxed()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(HEAD_FILL))
}

pub(super) fn title_fmt() -> Format {
    base().set_bold().set_font_size(14)
}

pub(super) fn heading_fmt() -> Format {
    base().set_bold().set_font_size(12)
}

pub(super) fn note_fmt() -> Format {
    base().set_text_wrap().set_align(FormatAlign::Top)
}

/// `#,##0.00` for 2 decimals, `#,##0` for none.
pub(super) fn pattern(decimals: u8) -> String {
    if decimals == 0 {
        "#,##0".to_string()
    } else {
        format!("#,##0.{}", "0".repeat(decimals as usize))
    }
}

/// A standard as printed: at least `decimals` places, up to two more, so
/// that 85% of 0.9 shows as 0.765 rather than a rounded 0.77.
pub(super) fn standard_pattern(decimals: u8) -> String {
    if decimals == 0 {
        "#,##0".to_string()
    } else {
        format!("{}##", pattern(decimals))
    }
}

pub(super) const CV_PATTERN: &str = "0.000000";

// ---------------------------------------------------------------------
// Writing helpers
// ---------------------------------------------------------------------

/// A worksheet being written, with what its rows need: Excel and
/// LibreOffice do not fit row heights to wrapped text on opening, so each
/// row's height is set from the text written into it.
pub(super) struct Sheet<'a> {
    pub(super) ws: &'a mut Worksheet,
    pub(super) widths: Vec<f64>,
    /// Wrapped lines each row needs.
    lines: BTreeMap<u32, f64>,
    /// Heights set outright (titles), in points.
    fixed: BTreeMap<u32, f64>,
}

impl<'a> Sheet<'a> {
    pub(super) fn new(ws: &'a mut Worksheet) -> Sheet<'a> {
        Sheet {
            ws,
            widths: Vec::new(),
            lines: BTreeMap::new(),
            fixed: BTreeMap::new(),
        }
    }

    /// Width of columns `c1..=c2`, in Excel units (8.43 where unset).
    pub(super) fn span(&self, c1: u16, c2: u16) -> f64 {
        (c1..=c2)
            .map(|c| self.widths.get(c as usize).copied().unwrap_or(8.43))
            .sum()
    }

    pub(super) fn need(&mut self, row: u32, lines: f64) {
        let e = self.lines.entry(row).or_insert(1.0);
        *e = e.max(lines);
    }

    pub(super) fn fixed(&mut self, row: u32, points: f64) {
        self.fixed.insert(row, points);
    }

    /// Set the heights of the rows that need more than one line.
    pub(super) fn finish(&mut self) -> Result<(), XlsxError> {
        let rows: std::collections::BTreeSet<u32> = self
            .lines
            .keys()
            .chain(self.fixed.keys())
            .copied()
            .collect();
        for r in rows {
            let lines = self.lines.get(&r).copied().unwrap_or(1.0);
            let by_text = if lines > 1.0 {
                lines * LINE_HEIGHT + 4.0
            } else {
                0.0
            };
            let h = by_text.max(self.fixed.get(&r).copied().unwrap_or(0.0));
            if h > 0.0 {
                self.ws.set_row_height(r, h)?;
            }
        }
        Ok(())
    }
}

impl std::ops::Deref for Sheet<'_> {
    type Target = Worksheet;
    fn deref(&self) -> &Worksheet {
        self.ws
    }
}

impl std::ops::DerefMut for Sheet<'_> {
    fn deref_mut(&mut self) -> &mut Worksheet {
        self.ws
    }
}

/// Width of one character in Excel column units at 10.5 pt.
pub(super) fn char_width(c: char) -> f64 {
    match c.width() {
        Some(2) => 2.05,
        Some(1) => 1.15,
        _ => 0.0,
    }
}

/// Display width of text in Excel column units (its widest line).
pub(super) fn text_width(s: &str) -> f64 {
    s.lines()
        .map(|l| l.chars().map(char_width).sum::<f64>())
        .fold(0.0, f64::max)
}

/// Lines `s` wraps to in a cell `width` units wide: CJK characters break
/// anywhere, runs of other characters only at spaces unless too long.
pub(super) fn wrap_lines(s: &str, width: f64) -> f64 {
    let avail = (width - 0.8).max(1.0);
    let mut lines = 0.0;
    for para in s.split('\n') {
        lines += 1.0;
        let mut cur = 0.0;
        let mut tokens: Vec<f64> = Vec::new();
        let mut run = 0.0;
        for c in para.chars() {
            let w = char_width(c);
            if w > 1.5 || c == ' ' {
                if run > 0.0 {
                    tokens.push(run);
                    run = 0.0;
                }
                tokens.push(w);
            } else {
                run += w;
            }
        }
        if run > 0.0 {
            tokens.push(run);
        }
        for w in tokens {
            if cur + w > avail && cur > 0.0 {
                lines += 1.0;
                cur = 0.0;
            }
            if w > avail {
                let extra = (w / avail).ceil() - 1.0;
                lines += extra;
                cur = w - extra * avail;
            } else {
                cur += w;
            }
        }
    }
    lines.max(1.0)
}

/// Wrapped text (its row grows to fit).
pub(super) fn text(ws: &mut Sheet, r: u32, c: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
    if s.is_empty() {
        ws.write_blank(r, c, f)?;
    } else {
        crate::output::excel::write_text(ws, r, c, s, f)?;
        let lines = wrap_lines(s, ws.span(c, c));
        ws.need(r, lines);
    }
    Ok(())
}

/// A title or note that may run over the empty cells beside it.
pub(super) fn label(ws: &mut Sheet, r: u32, c: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
    crate::output::excel::write_text(ws, r, c, s, f)?;
    Ok(())
}

/// A number, or a dash where there is none.
pub(super) fn num(
    ws: &mut Sheet,
    r: u32,
    c: u16,
    v: Option<f64>,
    f: &Format,
) -> Result<(), XlsxError> {
    match v {
        Some(v) if v.is_finite() => {
            ws.write_number_with_format(r, c, v, f)?;
        }
        _ => {
            ws.write_string_with_format(r, c, "—", f)?;
        }
    }
    Ok(())
}

/// Merge a range (or write one cell when the range is one cell); the
/// rows share the height the text needs.
pub(super) fn merge(
    ws: &mut Sheet,
    (r1, c1): (u32, u16),
    (r2, c2): (u32, u16),
    s: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    if r1 == r2 && c1 == c2 {
        return text(ws, r1, c1, s, f);
    }
    crate::output::excel::fits(ws, r1, c1, s)?;
    ws.merge_range(r1, c1, r2, c2, s, f)?;
    let lines = wrap_lines(s, ws.span(c1, c2));
    let per_row = (lines / f64::from(r2 - r1 + 1)).ceil();
    for r in r1..=r2 {
        ws.need(r, per_row);
    }
    Ok(())
}

pub(super) fn headers(ws: &mut Sheet, row: u32, names: &[&str]) -> Result<(), XlsxError> {
    let f = header_fmt();
    for (c, n) in names.iter().enumerate() {
        text(ws, row, c as u16, n, &f)?;
    }
    Ok(())
}

pub(super) fn widths(ws: &mut Sheet, w: &[f64]) -> Result<(), XlsxError> {
    for (c, w) in w.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.widths = w.to_vec();
    Ok(())
}

/// Landscape A4, one page wide, header rows repeated, page numbers.
pub(super) fn page_setup(
    ws: &mut Sheet,
    e: &Evaluation,
    sheet: &str,
    repeat: Option<(u32, u32)>,
) -> Result<(), XlsxError> {
    print_base(ws, e, sheet, repeat)?;
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// Landscape A4, header rows repeated, page numbers; the scale is the
/// caller's.
pub(super) fn print_base(
    ws: &mut Sheet,
    e: &Evaluation,
    sheet: &str,
    repeat: Option<(u32, u32)>,
) -> Result<(), XlsxError> {
    ws.set_landscape()
        .set_paper_size(9)
        .set_margins(0.3, 0.3, 0.6, 0.5, 0.25, 0.25)
        .set_print_center_horizontally(true)
        .set_header(format!("&C{}　{}", amp(&e.county), amp(sheet)))
        .set_footer("&C第 &P 页，共 &N 页");
    if let Some((a, b)) = repeat {
        ws.set_repeat_rows(a, b)?;
    }
    Ok(())
}

/// What a conditional format paints on a failing cell: the look of
/// [`Look::Bad`], kept live as the cell's formula result changes.
pub(super) fn bad_fill() -> Format {
    Format::new()
        .set_background_color(Color::RGB(RED_FILL))
        .set_font_color(Color::RGB(RED_TEXT))
        .set_bold()
}

/// `&` is a control character in page headers.
pub(super) fn amp(s: &str) -> String {
    s.replace('&', "&&")
}

/// `学校统计表.xlsx!Sheet1!F7`
pub(super) fn cell_text(at: &CellRef) -> String {
    format!("{}!{}!{}", at.file, at.sheet, at.cell)
}

pub(super) fn met_text(m: Option<bool>) -> (&'static str, Look) {
    match m {
        Some(true) => ("达到", Look::Plain),
        Some(false) => ("✗ 未达到", Look::Bad),
        None => ("✗ 无数据", Look::Bad),
    }
}

pub(super) fn yes_no(ok: bool) -> &'static str {
    if ok { "达到" } else { "✗ 未达到" }
}

/// A formula's cached number as the file stores it: every digit Rust needs
/// to read the same f64 back, never an exponent.
pub(super) fn number_text(v: f64) -> String {
    format!("{v}")
}

/// A cell on another sheet, `'小学资源配置'!$E$4:$E$20` style.
pub(super) fn on_sheet(sheet: &str, cells: &str) -> String {
    format!(
        "{}!{cells}",
        rust_xlsxwriter::utility::quote_sheet_name(sheet)
    )
}
