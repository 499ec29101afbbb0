//! WordprocessingML for the [`model`]: `document.xml`, the styles, the
//! settings and the footers. Plain string building, in the schema's element
//! order (Word refuses a file that breaks it; `openxml-audit` checks it in
//! the tests). Every piece of text passes through [`esc`].

use super::model::*;
use super::spec;
use std::fmt::Write as _;

pub const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const WP_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const A_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const PIC_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/picture";

/// The relationship id of the n-th picture (1-based), `word/media/imageN.png`.
pub fn picture_rel(n: usize) -> String {
    format!("rIdImage{n}")
}

/// A picture in a paragraph of its own, inline (it moves with the text,
/// no text box), centred, off the line grid so the grid's exact spacing
/// does not clip it.
fn picture(x: &mut String, img: &Image, n: usize) {
    x.push_str(
        r#"<w:p><w:pPr><w:pStyle w:val="TableText"/><w:keepLines/><w:jc w:val="center"/></w:pPr>"#,
    );
    drawing(x, img, n);
    x.push_str("</w:p>");
}

/// The run of one inline picture, the n-th of the document.
fn drawing(x: &mut String, img: &Image, n: usize) {
    let _ = write!(
        x,
        r#"<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="图{n}" descr="{d}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="{PIC_NS}"><pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="image{n}.png" descr="{d}"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rel}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#,
        cx = img.cx,
        cy = img.cy,
        d = esc(&img.descr),
        rel = picture_rel(n)
    );
}

/// Text for XML: `& < > "` escaped, characters XML forbids dropped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn font_name(f: Font) -> &'static str {
    match f {
        Font::Fangsong => spec::FANGSONG,
        Font::Heiti => spec::HEITI,
        Font::Kaiti => spec::KAITI,
        Font::Xiaobiaosong => spec::XIAOBIAOSONG,
        Font::Songti => spec::SONGTI,
    }
}

fn fonts(east_asia: &str) -> String {
    format!(
        r#"<w:rFonts w:ascii="{l}" w:eastAsia="{e}" w:hAnsi="{l}" w:cs="{l}"/>"#,
        l = spec::LATIN,
        e = east_asia
    )
}

/// `word/document.xml`.
pub fn document(doc: &Document) -> String {
    let mut x = String::with_capacity(1 << 20);
    x.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    let _ = write!(
        x,
        r#"<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}" xmlns:wp="{WP_NS}" xmlns:a="{A_NS}" xmlns:pic="{PIC_NS}"><w:body>"#
    );
    let mut ids = Ids::default();
    let n = doc.sections.len();
    for (i, s) in doc.sections.iter().enumerate() {
        let last = i + 1 == n;
        let sect = sect_pr(s);
        let count = s.blocks.len();
        for (j, b) in s.blocks.iter().enumerate() {
            // A section's properties ride on its last paragraph; the last
            // section's are the body's own.
            let carry = !last && j + 1 == count && matches!(b, Block::Para(_));
            match b {
                Block::Para(p) => para(&mut x, p, carry.then_some(sect.as_str()), &mut ids),
                Block::Table(t) => table(&mut x, t, &mut ids),
                Block::Toc(entries) => toc(&mut x, entries),
                Block::Image(img) => {
                    ids.pictures += 1;
                    picture(&mut x, img, ids.pictures);
                }
            }
        }
        if !last && !matches!(s.blocks.last(), Some(Block::Para(_))) {
            // After a table: the smallest paragraph that can hold the break.
            let _ = write!(
                x,
                r#"<w:p><w:pPr><w:pStyle w:val="TableText"/><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/><w:rPr><w:sz w:val="2"/></w:rPr>{sect}</w:pPr></w:p>"#
            );
        }
        if last {
            x.push_str(&sect);
        }
    }
    x.push_str("</w:body></w:document>");
    x
}

fn sect_pr(s: &Section) -> String {
    let (odd, even) = if s.numbered {
        ("rIdFooterOdd", "rIdFooterEven")
    } else {
        ("rIdFooterNone", "rIdFooterNone")
    };
    let (size, margins) = match s.orientation {
        Orientation::Portrait => (
            format!(r#"<w:pgSz w:w="{}" w:h="{}"/>"#, spec::PAGE_W, spec::PAGE_H),
            format!(
                r#"<w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="851" w:footer="{}" w:gutter="0"/>"#,
                spec::MARGIN_TOP,
                spec::MARGIN_RIGHT,
                spec::MARGIN_BOTTOM,
                spec::MARGIN_LEFT,
                spec::FOOTER_DISTANCE
            ),
        ),
        // The portrait margins turned with the page.
        Orientation::Landscape => (
            format!(
                r#"<w:pgSz w:w="{}" w:h="{}" w:orient="landscape"/>"#,
                spec::PAGE_H,
                spec::PAGE_W
            ),
            format!(
                r#"<w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="851" w:footer="{}" w:gutter="0"/>"#,
                spec::MARGIN_LEFT,
                spec::MARGIN_TOP,
                spec::MARGIN_RIGHT,
                spec::MARGIN_BOTTOM,
                spec::MARGIN_RIGHT.min(spec::FOOTER_DISTANCE)
            ),
        ),
    };
    let grid = if s.grid {
        format!(
            r#"<w:docGrid w:type="linesAndChars" w:linePitch="{}" w:charSpace="{}"/>"#,
            spec::LINE_PITCH,
            spec::CHAR_SPACE
        )
    } else {
        format!(r#"<w:docGrid w:linePitch="{}"/>"#, spec::FORM_LINE_PITCH)
    };
    let start = if s.restart {
        r#"<w:pgNumType w:start="1"/>"#
    } else {
        ""
    };
    format!(
        r#"<w:sectPr><w:footerReference w:type="even" r:id="{even}"/><w:footerReference w:type="default" r:id="{odd}"/><w:type w:val="nextPage"/>{size}{margins}{start}<w:cols w:space="425"/>{grid}</w:sectPr>"#
    )
}

fn same_properties(a: &Para, b: &Para) -> bool {
    a.style == b.style
        && a.jc == b.jc
        && a.ind == b.ind
        && a.before == b.before
        && a.after == b.after
        && a.line == b.line
        && a.keep_next == b.keep_next
        && a.keep_lines == b.keep_lines
        && a.page_break_before == b.page_break_before
        && a.outline == b.outline
        && a.tabs == b.tabs
}

fn jc(j: Jc) -> &'static str {
    match j {
        Jc::Left => "left",
        Jc::Center => "center",
        Jc::Right => "right",
        Jc::Both => "both",
    }
}

fn ppr(x: &mut String, p: &Para, sect: Option<&str>) {
    // A plain body paragraph is all style: nothing to write.
    let plain = Para {
        runs: Vec::new(),
        ..Para::default()
    };
    if sect.is_none() && same_properties(p, &plain) {
        return;
    }
    x.push_str("<w:pPr>");
    if let Some(s) = p.style {
        let _ = write!(x, r#"<w:pStyle w:val="{}"/>"#, s.id());
    }
    if p.keep_next {
        x.push_str("<w:keepNext/>");
    }
    if p.keep_lines {
        x.push_str("<w:keepLines/>");
    }
    if p.page_break_before {
        x.push_str("<w:pageBreakBefore/>");
    }
    if !p.tabs.is_empty() {
        x.push_str("<w:tabs>");
        for t in &p.tabs {
            let _ = write!(x, r#"<w:tab w:val="left" w:pos="{t}"/>"#);
        }
        x.push_str("</w:tabs>");
    }
    if p.before > 0 || p.after > 0 || p.line.is_some() {
        let _ = write!(
            x,
            r#"<w:spacing w:before="{}" w:after="{}""#,
            p.before, p.after
        );
        if let Some(l) = p.line {
            let _ = write!(x, r#" w:line="{l}" w:lineRule="exact""#);
        }
        x.push_str("/>");
    }
    if let Some(i) = p.ind {
        let chars = |t: f64| (t / spec::CHAR_W * 100.0).round() as i64;
        let _ = write!(
            x,
            r#"<w:ind w:leftChars="{}" w:left="{}" w:rightChars="{}" w:right="{}""#,
            chars(i.left),
            i.left.round() as i64,
            chars(i.right),
            i.right.round() as i64
        );
        if i.first < 0.0 {
            let _ = write!(
                x,
                r#" w:hangingChars="{}" w:hanging="{}"/>"#,
                chars(-i.first),
                (-i.first).round() as i64
            );
        } else {
            let _ = write!(
                x,
                r#" w:firstLineChars="{}" w:firstLine="{}"/>"#,
                chars(i.first),
                i.first.round() as i64
            );
        }
    }
    if let Some(j) = p.jc {
        let _ = write!(x, r#"<w:jc w:val="{}"/>"#, jc(j));
    }
    if let Some(o) = p.outline {
        let _ = write!(x, r#"<w:outlineLvl w:val="{o}"/>"#);
    }
    if let Some(s) = sect {
        x.push_str(s);
    }
    x.push_str("</w:pPr>");
}

fn rpr(x: &mut String, t: &Text, p: &Para) {
    let font = t.font.or(p.font);
    let size = p.size;
    let small = t.sub || t.sup;
    if font.is_none() && size.is_none() && !t.bold && !small {
        return;
    }
    x.push_str("<w:rPr>");
    if let Some(f) = font {
        x.push_str(&fonts(font_name(f)));
    }
    if t.bold {
        x.push_str("<w:b/><w:bCs/>");
    }
    // Indices stay at 五号 (10.5 pt) at least, raised or lowered by hand:
    // Word's own subscript would shrink them below it.
    if t.sub {
        x.push_str(r#"<w:position w:val="-6"/>"#);
    } else if t.sup {
        x.push_str(r#"<w:position w:val="8"/>"#);
    }
    let sz = if small { Some(spec::MIN_SIZE) } else { size };
    if let Some(s) = sz {
        let _ = write!(x, r#"<w:sz w:val="{s}"/><w:szCs w:val="{s}"/>"#);
    }
    x.push_str("</w:rPr>");
}

/// Numbers given out in document order: bookmarks, and pictures (in the
/// order of [`Document::pictures`], which names their files).
#[derive(Default)]
struct Ids {
    bookmarks: u32,
    pictures: usize,
}

fn runs(x: &mut String, p: &Para, ids: &mut Ids) {
    for r in &p.runs {
        match r {
            Run::Text(t) => {
                x.push_str("<w:r>");
                rpr(x, t, p);
                let _ = write!(
                    x,
                    r#"<w:t xml:space="preserve">{}</w:t></w:r>"#,
                    esc(&t.text)
                );
            }
            Run::Break => x.push_str("<w:r><w:br/></w:r>"),
            Run::Tab => x.push_str("<w:r><w:tab/></w:r>"),
            Run::PageRef(b) => field(x, &format!(" PAGEREF {b} \\h "), "", p),
            Run::Image(img) => {
                ids.pictures += 1;
                drawing(x, img, ids.pictures);
            }
        }
    }
}

fn simple_rpr(p: &Para) -> String {
    let mut s = String::new();
    rpr(&mut s, &Text::default(), p);
    s
}

/// A complex field with its cached result.
fn field(x: &mut String, instr: &str, cached: &str, p: &Para) {
    let r = simple_rpr(p);
    let _ = write!(
        x,
        r#"<w:r>{r}<w:fldChar w:fldCharType="begin"/></w:r><w:r>{r}<w:instrText xml:space="preserve">{}</w:instrText></w:r><w:r>{r}<w:fldChar w:fldCharType="separate"/></w:r><w:r>{r}<w:t xml:space="preserve">{}</w:t></w:r><w:r>{r}<w:fldChar w:fldCharType="end"/></w:r>"#,
        esc(instr),
        esc(cached)
    );
}

fn para(x: &mut String, p: &Para, sect: Option<&str>, ids: &mut Ids) {
    x.push_str("<w:p>");
    ppr(x, p, sect);
    match &p.bookmark {
        Some(b) => {
            ids.bookmarks += 1;
            let id = ids.bookmarks;
            let _ = write!(x, r#"<w:bookmarkStart w:id="{id}" w:name="{}"/>"#, esc(b));
            runs(x, p, ids);
            let _ = write!(x, r#"<w:bookmarkEnd w:id="{id}"/>"#);
        }
        None => runs(x, p, ids),
    }
    x.push_str("</w:p>");
}

fn toc(x: &mut String, entries: &[TocEntry]) {
    let p = Para {
        style: Some(Style::Toc1),
        ..Para::default()
    };
    if entries.is_empty() {
        return;
    }
    let n = entries.len();
    for (i, e) in entries.iter().enumerate() {
        x.push_str("<w:p>");
        ppr(x, &p, None);
        if i == 0 {
            x.push_str(r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \o "1-1" \h \z \u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>"#);
        }
        let _ = write!(
            x,
            r#"<w:r><w:t xml:space="preserve">{}</w:t></w:r><w:r><w:tab/></w:r>"#,
            esc(&e.text)
        );
        field(x, &format!(" PAGEREF {} \\h ", e.bookmark), "", &p);
        if i + 1 == n {
            x.push_str(r#"<w:r><w:fldChar w:fldCharType="end"/></w:r>"#);
        }
        x.push_str("</w:p>");
    }
}

fn table(x: &mut String, t: &Table, ids: &mut Ids) {
    let total: u32 = t.widths.iter().sum();
    let _ = write!(
        x,
        r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>"#
    );
    if t.borders {
        let b = |side: &str| {
            format!(
                r#"<w:{side} w:val="single" w:sz="{}" w:space="0" w:color="000000"/>"#,
                spec::RULE
            )
        };
        let _ = write!(
            x,
            "<w:tblBorders>{}{}{}{}{}{}</w:tblBorders>",
            b("top"),
            b("left"),
            b("bottom"),
            b("right"),
            b("insideH"),
            b("insideV")
        );
    }
    let _ = write!(
        x,
        r#"<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="{m}" w:type="dxa"/><w:right w:w="{m}" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="0"/></w:tblPr><w:tblGrid>"#,
        m = spec::CELL_MARGIN
    );
    for w in &t.widths {
        let _ = write!(x, r#"<w:gridCol w:w="{w}"/>"#);
    }
    x.push_str("</w:tblGrid>");
    // Only a run of header rows at the top repeats.
    let mut heading = true;
    for row in &t.rows {
        heading &= row.header;
        x.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if heading {
            x.push_str("<w:tblHeader/>");
        }
        x.push_str("</w:trPr>");
        let mut col = 0usize;
        for c in &row.cells {
            let span = c.span.max(1) as usize;
            let w: u32 = t.widths.iter().skip(col).take(span).sum();
            col += span;
            let _ = write!(x, r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>"#);
            if span > 1 {
                let _ = write!(x, r#"<w:gridSpan w:val="{span}"/>"#);
            }
            match c.vmerge {
                VMerge::Restart => x.push_str(r#"<w:vMerge w:val="restart"/>"#),
                VMerge::Continue => x.push_str("<w:vMerge/>"),
                VMerge::None => {}
            }
            if let Some(fill) = c.fill {
                let _ = write!(
                    x,
                    r#"<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>"#
                );
            }
            x.push_str(r#"<w:vAlign w:val="center"/></w:tcPr>"#);
            for p in &c.paras {
                para(x, p, None, ids);
            }
            x.push_str("</w:tc>");
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
}

/// `word/styles.xml`: the 公文 styles of docx.md.
pub fn styles() -> String {
    let body = fonts(spec::FANGSONG);
    let grid = format!(
        r#"<w:spacing w:before="0" w:after="0" w:line="{}" w:lineRule="exact"/>"#,
        spec::LINE_PITCH
    );
    let no_indent = r#"<w:ind w:firstLineChars="0" w:firstLine="0"/>"#;
    let heading = |id: &str, name: &str, level: u8, font: &str| {
        format!(
            r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/><w:pPr><w:keepNext/>{grid}<w:outlineLvl w:val="{level}"/></w:pPr><w:rPr>{}<w:b w:val="0"/><w:bCs w:val="0"/><w:sz w:val="{s}"/><w:szCs w:val="{s}"/></w:rPr></w:style>"#,
            fonts(font),
            s = spec::BODY_SIZE
        )
    };
    let mut x = String::new();
    x.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    let _ = write!(x, r#"<w:styles xmlns:w="{W_NS}">"#);
    let _ = write!(
        x,
        r#"<w:docDefaults><w:rPrDefault><w:rPr>{body}<w:kern w:val="2"/><w:sz w:val="{s}"/><w:szCs w:val="{s}"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>{grid}</w:pPr></w:pPrDefault></w:docDefaults>"#,
        s = spec::BODY_SIZE
    );
    let _ = write!(
        x,
        r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:pPr><w:widowControl w:val="0"/>{grid}<w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/></w:pPr><w:rPr>{body}<w:sz w:val="{s}"/><w:szCs w:val="{s}"/></w:rPr></w:style>"#,
        s = spec::BODY_SIZE
    );
    let _ = write!(
        x,
        r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/><w:pPr><w:keepNext/>{grid}{no_indent}<w:jc w:val="center"/></w:pPr><w:rPr>{}<w:sz w:val="{s}"/><w:szCs w:val="{s}"/></w:rPr></w:style>"#,
        fonts(spec::XIAOBIAOSONG),
        s = spec::TITLE_SIZE
    );
    x.push_str(&heading("Heading1", "heading 1", 0, spec::HEITI));
    x.push_str(&heading("Heading2", "heading 2", 1, spec::KAITI));
    x.push_str(&heading("Heading3", "heading 3", 2, spec::FANGSONG));
    x.push_str(&heading("Heading4", "heading 4", 3, spec::FANGSONG));
    let _ = write!(
        x,
        r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText"><w:name w:val="表格文字"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:left="0" w:right="0" w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="left"/></w:pPr><w:rPr>{}<w:sz w:val="{s}"/><w:szCs w:val="{s}"/></w:rPr></w:style>"#,
        fonts(spec::SONGTI),
        s = spec::MIN_SIZE
    );
    let _ = write!(
        x,
        r#"<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{}"/></w:tabs>{no_indent}<w:jc w:val="left"/></w:pPr></w:style>"#,
        spec::TEXT_W
    );
    let _ = write!(
        x,
        r#"<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>{no_indent}</w:pPr><w:rPr>{}<w:sz w:val="{s}"/><w:szCs w:val="{s}"/></w:rPr></w:style>"#,
        fonts(spec::SONGTI),
        s = spec::PAGE_NUMBER_SIZE
    );
    x.push_str(r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#);
    x.push_str("</w:styles>");
    x
}

/// A footer: "— n —", odd pages right and even pages left, one 四号
/// character in from the edge; `None` for pages outside the numbering.
pub fn footer(odd: Option<bool>) -> String {
    let mut x = String::new();
    x.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    let _ = write!(x, r#"<w:ftr xmlns:w="{W_NS}" xmlns:r="{R_NS}">"#);
    match odd {
        None => x.push_str(r#"<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p>"#),
        Some(odd) => {
            let (jc, ind) = if odd {
                (
                    "right",
                    format!(
                        r#"<w:ind w:right="{}" w:firstLineChars="0" w:firstLine="0"/>"#,
                        spec::PAGE_NUMBER_INDENT
                    ),
                )
            } else {
                (
                    "left",
                    format!(
                        r#"<w:ind w:left="{}" w:firstLineChars="0" w:firstLine="0"/>"#,
                        spec::PAGE_NUMBER_INDENT
                    ),
                )
            };
            // w:hint makes the dashes full width, as in the PDF.
            let r = format!(
                r#"<w:rPr><w:rFonts w:ascii="{s}" w:eastAsia="{s}" w:hAnsi="{s}" w:hint="eastAsia"/><w:sz w:val="{n}"/><w:szCs w:val="{n}"/></w:rPr>"#,
                s = spec::SONGTI,
                n = spec::PAGE_NUMBER_SIZE
            );
            let _ = write!(
                x,
                r#"<w:p><w:pPr><w:pStyle w:val="Footer"/>{ind}<w:jc w:val="{jc}"/></w:pPr><w:r>{r}<w:t xml:space="preserve">— </w:t></w:r><w:r>{r}<w:fldChar w:fldCharType="begin"/></w:r><w:r>{r}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r>{r}<w:fldChar w:fldCharType="separate"/></w:r><w:r>{r}<w:t>1</w:t></w:r><w:r>{r}<w:fldChar w:fldCharType="end"/></w:r><w:r>{r}<w:t xml:space="preserve"> —</w:t></w:r></w:p>"#
            );
        }
    }
    x.push_str("</w:ftr>");
    x
}

/// `word/settings.xml`: odd/even footers, fields updated on opening (the
/// 目录 and page references), Word 2013+ layout.
pub fn settings() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings xmlns:w="{W_NS}"><w:zoom w:percent="100"/><w:defaultTabStop w:val="420"/><w:evenAndOddHeaders/><w:characterSpacingControl w:val="compressPunctuation"/><w:updateFields w:val="true"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/><w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>"#
    )
}

/// `word/fontTable.xml`, with the names Windows ships 仿宋/楷体 under.
pub fn font_table() -> String {
    let mut x = String::new();
    x.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    let _ = write!(x, r#"<w:fonts xmlns:w="{W_NS}">"#);
    for (name, alt, family) in spec::FONT_TABLE {
        let _ = write!(x, r#"<w:font w:name="{name}">"#);
        if let Some(alt) = alt {
            let _ = write!(x, r#"<w:altName w:val="{alt}"/>"#);
        }
        let charset = if *name == spec::LATIN { "00" } else { "86" };
        let _ = write!(
            x,
            r#"<w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>"#
        );
    }
    x.push_str("</w:fonts>");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(esc("a<b>&\"c\u{1}\u{FFFF}\t"), "a&lt;b&gt;&amp;&quot;c\t");
    }
}
