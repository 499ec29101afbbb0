//! From typst's HTML output to the DOCX [`model`]: where each `data-docx`
//! role of `style.typ` becomes Word paragraphs, tables and sections, with
//! the values of [`spec`].
//!
//! The HTML is the templates' own structure (headings, paragraphs, strong,
//! sub/superscripts, tables) plus the few elements the style's functions
//! emit for the Word target (title, attachment, signature, landscape
//! sections…). Anything else is walked for its text, so nothing a template
//! writes is lost; elements that carry no text and no role are dropped.

use super::model::*;
use super::spec;
use typst_html::{HtmlElement, HtmlNode};

/// Walks the document's `<body>`.
pub fn document(
    root: &HtmlElement,
    title: String,
    author: String,
    date: chrono::NaiveDate,
) -> Document {
    let mut w = Walker {
        sections: vec![Section {
            orientation: Orientation::Portrait,
            numbered: true,
            restart: false,
            blocks: Vec::new(),
        }],
        toc: Vec::new(),
        break_before: false,
        frames: 0,
    };
    let body = root
        .children
        .iter()
        .find_map(|n| match n {
            HtmlNode::Element(e) if tag(e) == "body" => Some(e),
            _ => None,
        })
        .unwrap_or(root);
    w.blocks(&body.children, &Ctx::body());
    let toc = std::mem::take(&mut w.toc);
    let mut sections: Vec<Section> = w
        .sections
        .into_iter()
        .filter(|s| !s.blocks.is_empty())
        .collect();
    for s in &mut sections {
        for b in &mut s.blocks {
            if let Block::Toc(entries) = b {
                *entries = toc.clone();
            }
        }
    }
    Document {
        title,
        author,
        date,
        sections,
    }
}

fn tag(e: &HtmlElement) -> String {
    e.tag.resolve().to_string()
}

fn attr<'a>(e: &'a HtmlElement, name: &str) -> Option<&'a str> {
    e.attrs
        .0
        .iter()
        .find(|(k, _)| &*k.resolve() == name)
        .map(|(_, v)| v.as_str())
}

fn role(e: &HtmlElement) -> Option<&str> {
    attr(e, "data-docx")
}

/// Where a paragraph is being made: body text or a table cell.
#[derive(Clone)]
struct Ctx {
    /// Paragraph template for text met in this context.
    para: Para,
    in_table: bool,
}

impl Ctx {
    fn body() -> Ctx {
        Ctx {
            para: Para::default(),
            in_table: false,
        }
    }
}

struct Walker {
    sections: Vec<Section>,
    toc: Vec<TocEntry>,
    /// The next paragraph starts a page (an attachment, a school's page).
    break_before: bool,
    /// typst frames (drawings) met; not yet carried into Word.
    frames: usize,
}

/// Inline content being gathered into one paragraph.
#[derive(Default, Clone, Copy)]
struct Marks {
    bold: bool,
    sub: bool,
    sup: bool,
    font: Option<Font>,
}

impl Walker {
    fn current(&mut self) -> &mut Section {
        self.sections.last_mut().expect("there is always a section")
    }

    fn push(&mut self, block: Block) {
        self.current().blocks.push(block);
    }

    fn push_para(&mut self, mut p: Para) {
        if std::mem::take(&mut self.break_before) && !self.current().blocks.is_empty() {
            p.page_break_before = true;
        }
        self.push(Block::Para(p));
    }

    /// Starts a section; an empty current one is reused.
    fn section(&mut self, orientation: Orientation, numbered: bool, restart: bool) {
        let s = self.current();
        if s.blocks.is_empty() {
            s.orientation = orientation;
            s.numbered = numbered;
            s.restart |= restart;
            return;
        }
        self.sections.push(Section {
            orientation,
            numbered,
            restart,
            blocks: Vec::new(),
        });
        // A new section starts on a new page already.
        self.break_before = false;
    }

    fn text_width(&self) -> u32 {
        match self.sections.last().map(|s| s.orientation) {
            Some(Orientation::Landscape) => spec::TEXT_W_LANDSCAPE,
            _ => spec::TEXT_W,
        }
    }

    /// Block-level children: block elements become blocks, runs of inline
    /// content between them one paragraph each.
    fn blocks(&mut self, nodes: &[HtmlNode], ctx: &Ctx) {
        let mut runs = Vec::new();
        for node in nodes {
            match node {
                HtmlNode::Element(e) if is_block(e) => {
                    self.flush(&mut runs, ctx);
                    self.block(e, ctx);
                }
                // In a table cell a drawing stays in the cell's paragraph.
                HtmlNode::Frame(_) if ctx.in_table => inline(node, Marks::default(), &mut runs),
                HtmlNode::Frame(f) => {
                    self.flush(&mut runs, ctx);
                    self.frames += 1;
                    self.break_before = false;
                    self.push(Block::Image(super::image::picture(&f.inner)));
                }
                other => inline(other, Marks::default(), &mut runs),
            }
        }
        self.flush(&mut runs, ctx);
    }

    fn flush(&mut self, runs: &mut Vec<Run>, ctx: &Ctx) {
        let runs = tidy(std::mem::take(runs));
        if runs.is_empty() {
            return;
        }
        let mut p = ctx.para.clone();
        p.runs = runs;
        self.push_para(p);
    }

    fn block(&mut self, e: &HtmlElement, ctx: &Ctx) {
        let name = tag(e);
        match role(e) {
            Some("unnumbered") => {
                self.section(Orientation::Portrait, false, false);
                self.blocks(&e.children, ctx);
                self.section(Orientation::Portrait, true, true);
            }
            Some("landscape") => {
                self.section(Orientation::Landscape, true, false);
                self.blocks(&e.children, ctx);
                self.section(Orientation::Portrait, true, false);
            }
            Some("cover") => self.cover(e),
            Some("contents") => {
                let mut p = centred(texts(e));
                p.font = Some(Font::Heiti);
                p.after = spec::LINE_PITCH;
                p.keep_next = true;
                self.push_para(p);
                self.push(Block::Toc(Vec::new()));
            }
            Some("title") => self.title(e, None),
            Some("chart-title") => {
                let mut p = centred(texts(e));
                p.style = Some(Style::TableText);
                p.font = Some(Font::Heiti);
                p.size = Some(spec::MIN_SIZE + 3);
                p.keep_next = true;
                p.before = 120;
                self.push_para(p);
            }
            Some("attachment") => self.attachment(e),
            Some("recipient") => {
                let mut p = para(e);
                p.ind = Some(Ind::default());
                p.jc = Some(Jc::Left);
                self.push_para(p);
            }
            Some("attachment-note") => self.attachment_note(e),
            Some("signature") => self.signature(e),
            Some("table-note") => {
                let mut p = para(e);
                p.style = Some(Style::TableText);
                p.size = Some(spec::MIN_SIZE);
                p.jc = Some(Jc::Both);
                p.keep_next = true;
                p.after = 120;
                self.push_para(p);
            }
            Some("table-title") => {
                let mut p = para(e);
                p.style = Some(Style::TableText);
                p.jc = Some(Jc::Center);
                p.font = Some(Font::Heiti);
                p.size = Some(spec::MIN_SIZE + 3);
                p.keep_next = true;
                p.after = 120;
                self.push_para(p);
            }
            Some("school-heading") => {
                self.break_before = true;
                let size = attr(e, "data-size").and_then(pt_size).unwrap_or(36);
                let key = attr(e, "data-key").unwrap_or("").to_string();
                let lines = lines(e);
                let n = lines.len();
                for (i, mut p) in lines.into_iter().enumerate() {
                    p.style = Some(Style::Title);
                    p.size = Some(size);
                    p.line = None;
                    if i == 0 {
                        p.bookmark = Some(school_bookmark(&key));
                    }
                    if i + 1 == n {
                        p.after = 200;
                    }
                    p.keep_next = true;
                    self.push_para(p);
                }
            }
            Some("school-note") => {
                let mut p = para(e);
                p.style = Some(Style::TableText);
                p.size = Some(
                    attr(e, "data-size")
                        .and_then(pt_size)
                        .unwrap_or(spec::MIN_SIZE),
                );
                p.jc = Some(Jc::Both);
                p.before = 100;
                p.after = 100;
                self.push_para(p);
            }
            Some("confirm") => {
                let size = attr(e, "data-size").and_then(pt_size).unwrap_or(24);
                let t = self.confirm(e, size);
                self.push_table(t);
            }
            _ if name == "table" => {
                let size = attr(e, "data-size")
                    .and_then(pt_size)
                    .unwrap_or(spec::MIN_SIZE);
                let font = match attr(e, "data-font") {
                    Some("fangsong") => Font::Fangsong,
                    _ => Font::Songti,
                };
                let t = self.table(e, size, font, true);
                self.push_table(t);
            }
            _ if heading_level(&name).is_some() => {
                let level = heading_level(&name).unwrap_or(1);
                let mut p = para(e);
                p.style = Some(Style::Heading(level));
                if level == 1 {
                    let bookmark = format!("_Toc{:04}", self.toc.len() + 1);
                    self.toc.push(TocEntry {
                        text: plain(&p.runs),
                        bookmark: bookmark.clone(),
                    });
                    p.bookmark = Some(bookmark);
                }
                self.push_para(p);
            }
            _ if name == "p" => {
                let mut p = ctx.para.clone();
                p.runs = para(e).runs;
                if !p.runs.is_empty() {
                    self.push_para(p);
                }
            }
            _ => self.blocks(&e.children, ctx),
        }
    }

    fn push_table(&mut self, t: Table) {
        if t.rows.is_empty() {
            return;
        }
        // A table cannot carry "page break before": an empty-looking page
        // start is what the attachment label already gave.
        self.break_before = false;
        self.push(Block::Table(t));
    }

    fn cover(&mut self, e: &HtmlElement) {
        for child in children(e) {
            match role(child) {
                Some("cover-title") => {
                    let lines = lines(child);
                    for (i, mut p) in lines.into_iter().enumerate() {
                        p.style = Some(Style::Title);
                        p.size = Some(spec::COVER_TITLE_SIZE);
                        p.line = None;
                        if i == 0 {
                            p.before = 4 * spec::LINE_PITCH;
                        }
                        self.push_para(p);
                    }
                }
                Some("cover-issuer") => {
                    let mut p = centred(texts(child));
                    p.font = Some(Font::Kaiti);
                    // Towards the foot of the page, as in the PDF.
                    p.before = 12 * spec::LINE_PITCH;
                    self.push_para(p);
                }
                Some("cover-date") => {
                    let mut p = centred(texts(child));
                    p.font = Some(Font::Kaiti);
                    self.push_para(p);
                }
                _ => {}
            }
        }
    }

    /// 标题: one paragraph a line, a blank line after the last; `outline`
    /// puts an attachment's title in the navigation pane.
    fn title(&mut self, e: &HtmlElement, bookmark: Option<String>) {
        let lines = lines(e);
        let n = lines.len();
        for (i, mut p) in lines.into_iter().enumerate() {
            p.style = Some(Style::Title);
            if i == 0 {
                p.bookmark = bookmark.clone();
            }
            if i + 1 == n {
                p.after = spec::LINE_PITCH;
            }
            p.keep_next = true;
            self.push_para(p);
        }
    }

    /// 附件N on the first line, flush left in 黑体; the title on the third.
    fn attachment(&mut self, e: &HtmlElement) {
        self.break_before = true;
        let top = attr(e, "data-level") == Some("1");
        let label = attr(e, "data-label").unwrap_or("").to_string();
        for child in children(e) {
            match role(child) {
                Some("attachment-label") => {
                    let mut p = para(child);
                    p.ind = Some(Ind::default());
                    p.jc = Some(Jc::Left);
                    p.font = Some(Font::Heiti);
                    p.after = spec::LINE_PITCH;
                    p.keep_next = true;
                    if top {
                        let bookmark = format!("_Toc{:04}", self.toc.len() + 1);
                        let title =
                            texts(children(e).find(|c| role(c) == Some("title")).unwrap_or(e));
                        self.toc.push(TocEntry {
                            text: format!("{label}　{}", plain(&title)),
                            bookmark: bookmark.clone(),
                        });
                        p.bookmark = Some(bookmark);
                        p.outline = Some(0);
                    }
                    self.push_para(p);
                }
                Some("title") => self.title(child, None),
                _ => self.block(child, &Ctx::body()),
            }
        }
    }

    /// 附件说明: "附件：1.名称", names aligned under their first character.
    fn attachment_note(&mut self, e: &HtmlElement) {
        let names: Vec<Vec<Run>> = children(e).map(|c| para(c).runs).collect();
        let many = names.len() > 1;
        let c = spec::CHAR_W;
        // 附件： takes three cells, the number about one.
        let number_at = 2.0 * c + 3.0 * c;
        let name_at = if many { number_at + 1.0 * c } else { number_at };
        for (i, runs) in names.into_iter().enumerate() {
            let mut p = Para {
                ind: Some(Ind {
                    left: name_at,
                    right: 0.0,
                    first: -(name_at - 2.0 * c),
                }),
                jc: Some(Jc::Left),
                tabs: vec![number_at.round() as u32, name_at.round() as u32],
                keep_lines: true,
                keep_next: true,
                before: if i == 0 { spec::LINE_PITCH } else { 0 },
                ..Para::default()
            };
            let mut out = Vec::new();
            if i == 0 {
                out.push(text("附件："));
            } else {
                out.push(Run::Tab);
            }
            if many {
                if i > 0 || number_at > 0.0 {
                    // the first line's "附件：" already reaches the number
                }
                out.push(text(&format!("{}.", i + 1)));
                out.push(Run::Tab);
            }
            out.extend(runs);
            p.runs = tidy(out);
            self.push_para(p);
        }
    }

    /// 署名 and 成文日期, placed by characters as in the PDF (§7.3.5).
    fn signature(&mut self, e: &HtmlElement) {
        let sealed = attr(e, "data-sealed") != Some("false");
        let parts: Vec<Vec<Run>> = children(e).map(|c| para(c).runs).collect();
        let [issuer, date] = <[Vec<Run>; 2]>::try_from(parts).unwrap_or_default();
        let wi = chars(&plain(&issuer));
        let wd = chars(&plain(&date));
        let width = f64::from(spec::TEXT_W) / spec::CHAR_W;
        // Right indents, in characters.
        let (ri, rd) = if sealed {
            (4.0 + (wd - wi) / 2.0, 4.0)
        } else {
            let xi = width - 2.0 - wi;
            let xd = xi + 2.0;
            if xd + wd > width - 2.0 {
                (4.0 + wd - wi, 2.0)
            } else {
                (2.0, width - xd - wd)
            }
        };
        let blank = if sealed { 2 } else { 1 };
        let right = |r: f64| Ind {
            left: 0.0,
            right: (r.max(0.0) * spec::CHAR_W).round(),
            first: 0.0,
        };
        let mut p = Para {
            jc: Some(Jc::Right),
            ind: Some(right(ri)),
            before: blank * spec::LINE_PITCH,
            keep_next: true,
            runs: issuer,
            ..Para::default()
        };
        self.push_para(p.clone());
        p.ind = Some(right(rd));
        p.before = 0;
        p.keep_next = false;
        p.runs = date;
        self.push_para(p);
    }

    fn table(&mut self, e: &HtmlElement, size: u32, font: Font, borders: bool) -> Table {
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
    fn confirm(&mut self, e: &HtmlElement, size: u32) -> Table {
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
                        p.before = 120;
                        p.after = 120;
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
        let pad = if tight { 20 } else { 40 };
        let ctx = Ctx {
            para: Para {
                style: Some(Style::TableText),
                jc: Some(jc),
                size: Some(size),
                font: Some(cell_font),
                before: pad,
                after: pad,
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
        debug_assert!(ctx.in_table);
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

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

fn children(e: &HtmlElement) -> impl Iterator<Item = &HtmlElement> {
    e.children.iter().filter_map(|n| match n {
        HtmlNode::Element(e) => Some(e),
        _ => None,
    })
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

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h2" => Some(1),
        "h3" => Some(2),
        "h4" => Some(3),
        "h5" | "h6" => Some(4),
        _ => None,
    }
}

fn is_block(e: &HtmlElement) -> bool {
    if role(e) == Some("pageref") {
        return false;
    }
    matches!(
        tag(e).as_str(),
        "p" | "div"
            | "section"
            | "table"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "figure"
            | "blockquote"
            | "pre"
    )
}

/// A paragraph of an element's inline content, style left to the caller.
fn para(e: &HtmlElement) -> Para {
    Para {
        runs: texts(e),
        ..Para::default()
    }
}

fn centred(runs: Vec<Run>) -> Para {
    Para {
        jc: Some(Jc::Center),
        ind: Some(Ind::default()),
        runs,
        ..Para::default()
    }
}

/// The `<p>` children of a title-like element, one paragraph each.
fn lines(e: &HtmlElement) -> Vec<Para> {
    let ps: Vec<Para> = children(e).filter(|c| tag(c) == "p").map(para).collect();
    if ps.is_empty() { vec![para(e)] } else { ps }
}

fn texts(e: &HtmlElement) -> Vec<Run> {
    let mut runs = Vec::new();
    for n in &e.children {
        inline(n, Marks::default(), &mut runs);
    }
    tidy(runs)
}

fn text(s: &str) -> Run {
    Run::Text(Text {
        text: s.to_string(),
        ..Text::default()
    })
}

fn inline(node: &HtmlNode, marks: Marks, out: &mut Vec<Run>) {
    match node {
        HtmlNode::Text(t, _) => out.push(Run::Text(Text {
            text: t.to_string(),
            bold: marks.bold,
            sub: marks.sub,
            sup: marks.sup,
            font: marks.font,
        })),
        HtmlNode::Element(e) => {
            if role(e) == Some("pageref") {
                out.push(Run::PageRef(school_bookmark(
                    attr(e, "data-key").unwrap_or(""),
                )));
                return;
            }
            let mut m = marks;
            match tag(e).as_str() {
                "br" => {
                    out.push(Run::Break);
                    return;
                }
                "strong" | "b" => {
                    m.bold = true;
                    // 仿宋 has no bold cut: **粗体** is set in 黑体, as in the PDF.
                    m.font = Some(Font::Heiti);
                }
                "sub" => m.sub = true,
                "sup" => m.sup = true,
                _ => {}
            }
            for c in &e.children {
                inline(c, m, out);
            }
        }
        // A drawing inside a line (a bar in a table cell): a picture there.
        HtmlNode::Frame(f) => out.push(Run::Image(super::image::picture(&f.inner))),
        HtmlNode::Tag(_) => {}
    }
}

/// Merges neighbouring runs of the same marks and drops the spaces typst's
/// layout would drop: at the ends of a paragraph and between two CJK
/// characters (a line break in the source).
fn tidy(runs: Vec<Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for r in runs {
        match (out.last_mut(), r) {
            (Some(Run::Text(a)), Run::Text(b))
                if a.bold == b.bold && a.sub == b.sub && a.sup == b.sup && a.font == b.font =>
            {
                a.text.push_str(&b.text);
            }
            (_, r) => out.push(r),
        }
    }
    for r in &mut out {
        if let Run::Text(t) = r {
            t.text = collapse(&t.text);
        }
    }
    // Trim the paragraph's ends.
    if let Some(Run::Text(t)) = out.first_mut() {
        t.text = t
            .text
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .to_string();
    }
    if let Some(Run::Text(t)) = out.last_mut() {
        t.text = t.text.trim_end_matches([' ', '\t', '\n', '\r']).to_string();
    }
    out.retain(|r| !matches!(r, Run::Text(t) if t.text.is_empty()));
    out
}

fn collapse(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    // Only the spaces of the source collapse; U+3000 (全角空格, as in
    // "目　　录") is text.
    let space = |c: &char| matches!(c, ' ' | '\t' | '\n' | '\r');
    for (i, &c) in chars.iter().enumerate() {
        if space(&c) {
            let prev = out.chars().last();
            let next = chars[i + 1..].iter().copied().find(|c| !space(c));
            let cjk = |c: Option<char>| c.is_some_and(is_wide);
            if prev.is_some_and(|p| space(&p)) || (cjk(prev) && cjk(next)) {
                continue;
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// Full-width characters: CJK ideographs and punctuation.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60)
}

/// Width of a text in body characters: full-width 1, others one half.
fn chars(s: &str) -> f64 {
    s.chars()
        .map(|c| if is_wide(c) || c == '—' { 1.0 } else { 0.5 })
        .sum()
}

pub fn plain(runs: &[Run]) -> String {
    runs.iter()
        .filter_map(|r| match r {
            Run::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect()
}

fn school_bookmark(key: &str) -> String {
    let safe: String = key.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("school_{safe}")
}

/// "10.5pt" → half-points.
fn pt_size(s: &str) -> Option<u32> {
    let n: f64 = s.strip_suffix("pt")?.parse().ok()?;
    Some(((n * 2.0).round() as u32).max(spec::MIN_SIZE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_share_what_fixed_widths_leave() {
        let w = widths(Some("2em,1fr,3fr"), 3, 21, 8844);
        assert_eq!(w[0], 420);
        assert_eq!(w.iter().sum::<u32>(), 8844);
        assert_eq!(w[2], w[1] * 3 + (w[2] - w[1] * 3));
    }

    #[test]
    fn spaces_between_chinese_characters_go_as_in_typst() {
        assert_eq!(collapse("全县\n学校 共 139 所"), "全县学校共 139 所");
        assert_eq!(collapse("a  b"), "a b");
        assert_eq!(collapse("目　　录"), "目　　录");
    }

    #[test]
    fn widths_count_full_and_half_characters() {
        assert_eq!(
            chars("2024年5月20日"),
            4.0 * 0.5 + 1.0 + 0.5 + 1.0 + 1.0 + 1.0
        );
    }
}
