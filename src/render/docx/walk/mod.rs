//! From typst's HTML output to the DOCX [`model`]: where each `data-docx`
//! role of `style.typ` becomes Word paragraphs, tables and sections, with
//! the values of [`spec`].
//!
//! The HTML is the templates' own structure (headings, paragraphs, strong,
//! sub/superscripts, tables) plus the few elements the style's functions
//! emit for the Word target (title, attachment, signature, landscape
//! sections…). Anything else is walked for its text, so nothing a template
//! writes is lost; elements that carry no text and no role are dropped.

mod inline;
mod table;

use super::model::*;
use super::spec;
use inline::*;
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
            grid: true,
            blocks: Vec::new(),
        }],
        toc: Vec::new(),
        break_before: false,
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
            s.grid = true;
            return;
        }
        self.sections.push(Section {
            orientation,
            numbered,
            restart,
            grid: true,
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
            Some("title") => self.title(e),
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
                if self.current().grid {
                    self.section(Orientation::Portrait, true, false);
                    self.current().grid = false;
                }
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
                        p.after = 120;
                    }
                    p.keep_next = true;
                    self.push_para(p);
                }
            }
            Some("school-note") => {
                let mut p = para(e);
                p.style = Some(Style::TableText);
                let size = attr(e, "data-size")
                    .and_then(pt_size)
                    .unwrap_or(spec::MIN_SIZE);
                p.size = Some(size);
                p.line = Some(table::form_line(size));
                p.jc = Some(Jc::Both);
                p.before = 60;
                p.after = 60;
                if !p.runs.is_empty() {
                    self.push_para(p);
                }
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

    /// 标题: one paragraph a line, a blank line after the last.
    fn title(&mut self, e: &HtmlElement) {
        let lines = lines(e);
        let n = lines.len();
        for (i, mut p) in lines.into_iter().enumerate() {
            p.style = Some(Style::Title);
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
                Some("title") => self.title(child),
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
}

fn children(e: &HtmlElement) -> impl Iterator<Item = &HtmlElement> {
    e.children.iter().filter_map(|n| match n {
        HtmlNode::Element(e) => Some(e),
        _ => None,
    })
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
