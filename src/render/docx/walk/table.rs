//! Tables: the style's data tables with their widths, header rows, spans
//! (rowspans become Word's vertical merges) and marks, and the 学校确认
//! block.

use super::super::model::*;
use super::super::spec;
use super::{Ctx, Walker, attr, children, tag};
use typst_html::HtmlElement;

impl Walker {
    pub(super) fn table(&mut self, e: &HtmlElement, size: u32, font: Font, borders: bool) -> Table {
        let mut rows_el: Vec<(&HtmlElement, bool)> = Vec::new();
        collect_rows(e, false, &mut rows_el);
        let ncols = rows_el
            .first()
            .map(|(r, _)| cells(r).map(|c| span_attr(c, "colspan")).sum::<u32>())
            .unwrap_or(1)
            .max(1) as usize;
        let widths = widths(attr(e, "data-columns"), ncols, size, self.text_width());
        let tight = attr(e, "data-tight") == Some("true");
        // Columns still covered by a cell from a row above: (rows left, span).
        let mut covered: Vec<(u32, u32)> = vec![(0, 0); ncols];
        let mut rows = Vec::new();
        for (tr, header) in rows_el {
            let mut out = Vec::new();
            let mut col = 0usize;
            let mut tds = cells(tr).peekable();
            while col < ncols {
                if covered[col].0 > 0 {
                    let (left, span) = covered[col];
                    covered[col].0 = left - 1;
                    out.push(Cell {
                        span,
                        vmerge: VMerge::Continue,
                        fill: None,
                        paras: vec![Para {
                            style: Some(Style::TableText),
                            ..Para::default()
                        }],
                    });
                    col += span.max(1) as usize;
                    continue;
                }
                let Some(td) = tds.next() else { break };
                let span = span_attr(td, "colspan").min((ncols - col) as u32);
                let rowspan = span_attr(td, "rowspan");
                let cell = self.cell(td, size, font, tight, header, rowspan > 1, span);
                if rowspan > 1 {
                    covered[col] = (rowspan - 1, span);
                }
                out.push(cell);
                col += span as usize;
            }
            rows.push(Row { header, cells: out });
        }
        Table {
            widths,
            rows,
            borders,
            size,
            font,
        }
    }

    /// 学校确认: rows of label cells spread evenly across the line, rows of
    /// different lengths on one grid (2 and 3 cells: six columns).
    pub(super) fn confirm(&mut self, e: &HtmlElement, size: u32) -> Table {
        let rows: Vec<&HtmlElement> = children(e).filter(|r| tag(r) == "tr").collect();
        let lens: Vec<u32> = rows
            .iter()
            .map(|r| cells(r).count().max(1) as u32)
            .collect();
        let grid = lens.iter().fold(1u32, |a, &b| a / gcd(a, b) * b).min(12);
        let width = self.text_width();
        let widths = vec![width / grid; grid as usize];
        let mut out = Vec::new();
        for (r, n) in rows.iter().zip(&lens) {
            let span = (grid / n).max(1);
            let cells = cells(r)
                .map(|td| {
                    let mut c = self.cell(td, size, Font::Fangsong, false, false, false, span);
                    for p in &mut c.paras {
                        p.before = 60;
                        p.after = 60;
                    }
                    c
                })
                .collect();
            out.push(Row {
                header: false,
                cells,
            });
        }
        Table {
            widths,
            rows: out,
            borders: false,
            size,
            font: Font::Fangsong,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn cell(
        &mut self,
        td: &HtmlElement,
        size: u32,
        font: Font,
        tight: bool,
        header: bool,
        restart: bool,
        span: u32,
    ) -> Cell {
        let jc = match attr(td, "align") {
            Some("right") => Jc::Right,
            Some("center") => Jc::Center,
            _ if header => Jc::Center,
            _ => Jc::Left,
        };
        let cell_font = match attr(td, "data-font") {
            Some("heiti") => Font::Heiti,
            _ => font,
        };
        let fill = match attr(td, "data-mark") {
            Some("fail") => Some(spec::FAIL_FILL),
            Some("short") => Some(spec::SHORT_FILL),
            _ => None,
        };
        let pad = if tight { 0 } else { 40 };
        let ctx = Ctx {
            para: Para {
                style: Some(Style::TableText),
                jc: Some(jc),
                size: Some(size),
                font: Some(cell_font),
                before: pad,
                after: pad,
                // A school's form: lines 1.2 times the text, exactly, as
                // the PDF's tight tables have them; single spacing is
                // taller in some fonts and runs the form onto a page more.
                line: tight.then(|| form_line(size)),
                ..Para::default()
            },
            in_table: true,
        };
        // Cell contents go to a scratch section, then move into the cell.
        let saved = std::mem::replace(
            &mut self.sections,
            vec![Section {
                orientation: Orientation::Portrait,
                numbered: true,
                restart: false,
                grid: true,
                blocks: Vec::new(),
            }],
        );
        let saved_break = std::mem::take(&mut self.break_before);
        self.blocks(&td.children, &ctx);
        let inner = std::mem::replace(&mut self.sections, saved);
        self.break_before = saved_break;
        let mut paras: Vec<Para> = inner
            .into_iter()
            .flat_map(|s| s.blocks)
            .filter_map(|b| match b {
                Block::Para(p) => Some(p),
                _ => None,
            })
            .collect();
        if paras.is_empty() {
            paras.push(ctx.para.clone());
        }
        Cell {
            span,
            vmerge: if restart {
                VMerge::Restart
            } else {
                VMerge::None
            },
            fill,
            paras,
        }
    }
}

/// The exact line height of form text of `size` half-points, in twips.
pub(super) fn form_line(size: u32) -> u32 {
    size * 12
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

fn cells(tr: &HtmlElement) -> impl Iterator<Item = &HtmlElement> {
    children(tr).filter(|c| matches!(tag(c).as_str(), "td" | "th"))
}

fn collect_rows<'a>(e: &'a HtmlElement, header: bool, out: &mut Vec<(&'a HtmlElement, bool)>) {
    for c in children(e) {
        match tag(c).as_str() {
            "tr" => out.push((c, header || cells(c).all(|x| tag(x) == "th"))),
            "thead" => collect_rows(c, true, out),
            "tbody" | "tfoot" => collect_rows(c, false, out),
            _ => {}
        }
    }
}

fn span_attr(e: &HtmlElement, name: &str) -> u32 {
    attr(e, name)
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(1)
        .min(64)
}

/// Column widths from the style's `data-columns` ("2.4em,1fr,12mm"): ems
/// of the table's text size, fractions sharing what the others leave.
fn widths(spec_list: Option<&str>, ncols: usize, size: u32, text_width: u32) -> Vec<u32> {
    let em = f64::from(size) * 10.0; // half-points → twips per em
    let parsed: Vec<Option<(f64, bool)>> = match spec_list {
        Some(s) => s
            .split(',')
            .map(|c| {
                let c = c.trim();
                let num = |suffix: &str| c.strip_suffix(suffix).and_then(|n| n.parse::<f64>().ok());
                if let Some(n) = num("fr") {
                    Some((n, true))
                } else if let Some(n) = num("em") {
                    Some((n * em, false))
                } else if let Some(n) = num("mm") {
                    Some((n * spec::MM, false))
                } else if let Some(n) = num("cm") {
                    Some((n * 10.0 * spec::MM, false))
                } else if let Some(n) = num("pt") {
                    Some((n * 20.0, false))
                } else {
                    num("%").map(|n| (n / 100.0 * f64::from(text_width), false))
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let parsed: Vec<(f64, bool)> = (0..ncols)
        .map(|i| parsed.get(i).copied().flatten().unwrap_or((1.0, true)))
        .collect();
    let fixed: f64 = parsed.iter().filter(|p| !p.1).map(|p| p.0).sum();
    let frs: f64 = parsed.iter().filter(|p| p.1).map(|p| p.0).sum();
    let total = f64::from(text_width);
    let left = (total - fixed).max(0.0);
    let mut out: Vec<f64> = parsed
        .iter()
        .map(|&(v, fr)| {
            if fr {
                if frs > 0.0 { left * v / frs } else { 0.0 }
            } else {
                v
            }
        })
        .collect();
    let sum: f64 = out.iter().sum();
    if sum > total && sum > 0.0 {
        for w in &mut out {
            *w *= total / sum;
        }
    }
    out.into_iter()
        .map(|w| w.round().max(200.0) as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_share_what_fixed_widths_leave() {
        let w = widths(Some("2em,1fr,3fr"), 3, 21, 8844);
        assert_eq!(w[0], 420);
        assert_eq!(w.iter().sum::<u32>(), 8844);
    }
}
