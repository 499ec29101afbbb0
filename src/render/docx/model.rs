//! The document as the DOCX writer sees it: sections of paragraphs and
//! tables with every Word property already decided. [`super::walk`] builds
//! it from typst's HTML output; [`super::xml`] only serialises it, so the
//! choices (which style, which indent) are made in one place.

/// Paragraph styles of `word/styles.xml`, by what they are in a 公文.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// 正文: 仿宋 三号, two characters in, justified, on the grid.
    Normal,
    /// 标题: 小标宋 二号, centred.
    Title,
    /// 一、 二、 (level 1) … （1） (level 4).
    Heading(u8),
    /// Text inside table cells: no indent, single spacing, off the grid.
    TableText,
    /// A 目录 entry.
    Toc1,
    /// 页码 in the footers.
    Footer,
}

impl Style {
    pub fn id(self) -> &'static str {
        match self {
            Style::Normal => "Normal",
            Style::Title => "Title",
            Style::Heading(1) => "Heading1",
            Style::Heading(2) => "Heading2",
            Style::Heading(3) => "Heading3",
            Style::Heading(_) => "Heading4",
            Style::TableText => "TableText",
            Style::Toc1 => "TOC1",
            Style::Footer => "Footer",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jc {
    Left,
    Center,
    Right,
    Both,
}

/// East Asian font of a run, when it differs from its style's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Fangsong,
    Heiti,
    Kaiti,
    Xiaobiaosong,
    Songti,
}

/// Indentation in twips; `chars` variants are what Word shows (1/100 of a
/// character) and take precedence in Word, the twips are for other readers.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ind {
    pub left: f64,
    pub right: f64,
    /// Positive: first-line indent; negative: hanging indent.
    pub first: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Para {
    pub style: Option<Style>,
    pub jc: Option<Jc>,
    pub ind: Option<Ind>,
    pub before: u32,
    pub after: u32,
    /// Exact line spacing in twips (the grid pitch for text on the grid).
    pub line: Option<u32>,
    pub keep_next: bool,
    pub keep_lines: bool,
    pub page_break_before: bool,
    pub outline: Option<u8>,
    /// Left tab stops, twips from the left indent's origin.
    pub tabs: Vec<u32>,
    /// A bookmark around the paragraph (for 目录 and page references).
    pub bookmark: Option<String>,
    /// Size for every run, half-points.
    pub size: Option<u32>,
    pub font: Option<Font>,
    pub runs: Vec<Run>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Run {
    Text(Text),
    Break,
    Tab,
    /// The page a bookmark lies on, as a PAGEREF field.
    PageRef(String),
    /// A drawing inside a line (a bar in a table cell), as a picture.
    Image(Image),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Text {
    pub text: String,
    pub bold: bool,
    pub sub: bool,
    pub sup: bool,
    pub font: Option<Font>,
}

#[derive(Debug, Clone)]
pub struct Table {
    /// Column widths in twips; their sum is the table width.
    pub widths: Vec<u32>,
    pub rows: Vec<Row>,
    pub borders: bool,
    pub size: u32,
    pub font: Font,
}

#[derive(Debug, Clone)]
pub struct Row {
    /// Repeated at the top of every page (only a run at the top counts).
    pub header: bool,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VMerge {
    None,
    Restart,
    Continue,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub span: u32,
    pub vmerge: VMerge,
    pub fill: Option<&'static str>,
    pub paras: Vec<Para>,
}

/// A drawing (a chart) as a picture: PNG bytes at print resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub png: Vec<u8>,
    /// Size on the page in EMU (1 pt = 12,700).
    pub cx: u64,
    pub cy: u64,
    /// Alternative text: the drawing's own words (labels, values).
    pub descr: String,
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(Para),
    Table(Table),
    Image(Image),
    /// A 目录: a TOC field over the level-1 headings and attachments, its
    /// cached entries already filled in.
    Toc(Vec<TocEntry>),
}

impl Document {
    /// Every picture in the order `document.xml` meets them: blocks, and
    /// the runs of paragraphs and table cells. Picture n is `imageN.png`.
    pub fn pictures(&self) -> Vec<&Image> {
        fn runs<'a>(p: &'a Para, out: &mut Vec<&'a Image>) {
            out.extend(p.runs.iter().filter_map(|r| match r {
                Run::Image(i) => Some(i),
                _ => None,
            }));
        }
        let mut out = Vec::new();
        for b in self.sections.iter().flat_map(|s| &s.blocks) {
            match b {
                Block::Para(p) => runs(p, &mut out),
                Block::Table(t) => {
                    for p in t.rows.iter().flat_map(|r| &r.cells).flat_map(|c| &c.paras) {
                        runs(p, &mut out);
                    }
                }
                Block::Image(i) => out.push(i),
                Block::Toc(_) => {}
            }
        }
        out
    }
}

#[derive(Debug, Clone)]
pub struct TocEntry {
    pub text: String,
    pub bookmark: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Portrait,
    Landscape,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub orientation: Orientation,
    /// Pages outside the numbering (cover, 目录) have no page number.
    pub numbered: bool,
    /// Numbering starts again at 1 (the body after a cover).
    pub restart: bool,
    /// On the 22-line, 28-character grid. The 一校一表 pages are forms,
    /// not running text: off the grid their tables keep to one page in
    /// Word, WPS and LibreOffice alike.
    pub grid: bool,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub title: String,
    pub author: String,
    /// The report date, for the document's timestamps.
    pub date: chrono::NaiveDate,
    pub sections: Vec<Section>,
}
