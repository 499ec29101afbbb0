//! The report as a Word document (`dudao render --format docx`), checked as
//! a bureau's drafter and a reviewer would meet it, without Word:
//! - the package itself: parts, no directory entries, same bytes twice,
//!   the 公文 settings of shared/docx.md (sections, margins, grid, odd/even
//!   footers, header rows, merges, shading, heading styles, 目录 field);
//! - the same words as the PDF, paragraph by paragraph, from one template
//!   folder: an edited sentence changes both;
//! - `openxml-audit` (schema order), `python-docx` (read back) and
//!   LibreOffice (rendered: page sizes, 22 lines a page, page numbers,
//!   header rows repeated). CI installs these; locally a missing tool skips
//!   its test with a message.

mod common;

use common::*;
use dudao::render::{FontSet, render_docx_with_fonts};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const EXAMPLE: &str = "examples/sixian/plan.yaml";

fn dudao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The example rendered as a .docx by the binary (once per test run).
fn example_docx() -> &'static (Vec<u8>, PathBuf) {
    static D: OnceLock<(Vec<u8>, PathBuf)> = OnceLock::new();
    D.get_or_init(|| {
        let dir = tempdir().keep();
        let out = dir.join("泗县自评报告.docx");
        let o = dudao()
            .args(["render", EXAMPLE, "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("已生成报告"), "{err}");
        assert!(err.contains("文档指定字体：正文 仿宋_GB2312"), "{err}");
        (std::fs::read(&out).unwrap(), out)
    })
}

fn parts(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        assert!(!f.is_dir(), "directory entry {name} in the package");
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        // Pictures are kept as their signature check.
        let s = if name.ends_with(".png") {
            assert!(bytes.starts_with(b"\x89PNG"), "{name} is not a PNG");
            String::from("PNG")
        } else {
            String::from_utf8(bytes).unwrap()
        };
        out.insert(name, s);
    }
    out
}

/// A paragraph of `word/document.xml`: its text and where it stands.
#[derive(Debug, Clone)]
struct WPara {
    text: String,
    style: String,
    in_table: bool,
    /// In a table's header row.
    header: bool,
}

fn paragraphs(document_xml: &str) -> Vec<WPara> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(document_xml);
    let mut out = Vec::new();
    let (mut depth_tbl, mut in_t, mut in_header_row, mut in_tr_pr) = (0, false, false, false);
    let mut cur: Option<WPara> = None;
    loop {
        match r.read_event().unwrap() {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if tag(&e.name()) == "w:tblHeader" => {
                in_header_row |= in_tr_pr;
            }
            Event::Start(e) => match tag(&e.name()) {
                "w:tbl" => depth_tbl += 1,
                "w:tr" => in_header_row = false,
                "w:trPr" => in_tr_pr = true,
                "w:p" => {
                    cur = Some(WPara {
                        text: String::new(),
                        style: String::new(),
                        in_table: depth_tbl > 0,
                        header: in_header_row,
                    })
                }
                "w:t" => in_t = true,
                _ => {}
            },
            Event::Empty(e) => {
                if tag(&e.name()) == "w:pStyle"
                    && let Some(p) = cur.as_mut()
                {
                    for a in e.attributes().flatten() {
                        if a.key.0 == "w:val" {
                            p.style = a.value.to_string();
                        }
                    }
                }
            }
            Event::Text(t) if in_t => {
                if let Some(p) = cur.as_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(g) if in_t => {
                if let Some(p) = cur.as_mut() {
                    let c = match g.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        _ => "",
                    };
                    p.text.push_str(c);
                }
            }
            Event::End(e) => match tag(&e.name()) {
                "w:tbl" => depth_tbl -= 1,
                "w:trPr" => in_tr_pr = false,
                "w:t" => in_t = false,
                "w:p" => out.extend(cur.take()),
                _ => {}
            },
            _ => {}
        }
    }
    out
}

fn tag<'a>(n: &'a quick_xml::name::QName<'a>) -> &'a str {
    n.0
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_package_has_the_parts_and_settings_of_a_gongwen_template() {
    let (bytes, out) = example_docx();
    let p = parts(bytes);
    for name in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/_rels/document.xml.rels",
        "word/styles.xml",
        "word/settings.xml",
        "word/fontTable.xml",
        "word/footer1.xml",
        "word/footer2.xml",
        "word/theme/theme1.xml",
        "docProps/core.xml",
        "docProps/app.xml",
    ] {
        assert!(
            p.contains_key(name),
            "{name} missing from {}",
            out.display()
        );
    }
    let core = &p["docProps/core.xml"];
    assert!(
        core.contains("<dc:title>泗县县域义务教育优质均衡发展自评报告</dc:title>"),
        "{core}"
    );
    assert!(
        core.contains("<dc:creator>泗县人民政府</dc:creator>"),
        "{core}"
    );
    assert!(
        core.contains(">2024-05-20T00:00:00Z</dcterms:created>"),
        "{core}"
    );
    let settings = &p["word/settings.xml"];
    assert!(settings.contains("<w:evenAndOddHeaders/>"), "{settings}");
    assert!(settings.contains(
        r#"w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15""#
    ));
    let fonts = &p["word/fontTable.xml"];
    assert!(
        fonts.contains(
            r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/>"#
        ),
        "{fonts}"
    );

    let doc = &p["word/document.xml"];
    // Every section on the 22-line, 28-character grid but the 一校一表
    // forms (the last): off the grid their tables keep to one page
    // whatever Word, WPS or LibreOffice does with a grid.
    let sects: Vec<&str> = doc.split("<w:sectPr>").skip(1).collect();
    assert!(sects.len() >= 6, "sections: {}", sects.len());
    let (forms, text) = sects.split_last().unwrap();
    assert!(
        forms.contains(r#"<w:docGrid w:linePitch="312"/>"#),
        "{forms}"
    );
    for s in text {
        assert!(
            s.contains(
                r#"<w:docGrid w:type="linesAndChars" w:linePitch="579" w:charSpace="-849"/>"#
            ),
            "{s}"
        );
    }
    let portrait = r#"<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#;
    let landscape = r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/><w:pgMar w:top="1587" w:right="2098" w:bottom="1474" w:left="1984""#;
    let n_portrait = sects.iter().filter(|s| s.contains(portrait)).count();
    let n_landscape = sects.iter().filter(|s| s.contains(landscape)).count();
    assert_eq!(
        n_portrait + n_landscape,
        sects.len(),
        "a section with other margins"
    );
    // 附件1, 2, 4 and 5 are landscape.
    assert_eq!(n_landscape, 4);
    // The cover and the 目录 are outside the numbering, the body starts at 1.
    assert!(sects[0].contains(r#"r:id="rIdFooterNone""#), "{}", sects[0]);
    assert!(
        sects[1].contains(r#"<w:pgNumType w:start="1"/>"#),
        "{}",
        sects[1]
    );
    let footer_odd = &p["word/footer1.xml"];
    assert!(
        footer_odd.contains(r#"<w:ind w:right="280""#)
            && footer_odd.contains(r#"<w:jc w:val="right"/>"#)
    );
    assert!(
        footer_odd.contains("> PAGE </w:instrText>") && footer_odd.contains(r#"w:hint="eastAsia""#)
    );
    let footer_even = &p["word/footer2.xml"];
    assert!(
        footer_even.contains(r#"<w:ind w:left="280""#)
            && footer_even.contains(r#"<w:jc w:val="left"/>"#)
    );

    // Tables: header rows that repeat, rows that do not split, merges,
    // shading of failing cells, full grids.
    assert!(doc.contains("<w:tblHeader/>"));
    assert!(
        !doc.contains("<w:tr><w:trPr></w:trPr>"),
        "a row that may split"
    );
    assert!(doc.contains("<w:gridSpan "), "no merged cells across");
    assert!(doc.contains(r#"<w:vMerge w:val="restart"/>"#) && doc.contains("<w:vMerge/>"));
    assert!(doc.contains(r#"w:fill="CDCDCD""#) && doc.contains(r#"w:fill="EBEBEB""#));
    assert_eq!(
        doc.matches("<w:tbl>").count(),
        doc.matches("<w:tblGrid>").count()
    );
    assert!(doc.contains(r#"<w:tblLayout w:type="fixed"/>"#));

    // Headings as Word headings; a 目录 field; no text boxes or drawings.
    let paras = paragraphs(doc);
    let h1: Vec<&str> = paras
        .iter()
        .filter(|p| p.style == "Heading1")
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(
        h1,
        [
            "一、基本情况",
            "二、主要做法和成效",
            "三、指标达成情况",
            "四、存在的问题",
            "五、下一步工作",
            "六、自评结论"
        ]
    );
    assert!(paras.iter().any(|p| p.style == "Heading2"));
    assert!(doc.contains(r#" TOC \o "1-1" \h \z \u "#));
    // Charts are inline pictures; nothing floats, no text boxes.
    assert!(!doc.contains("<w:txbxContent") && !doc.contains("<wp:anchor"));
    // The four charts stand on their own; the school pages' share bars
    // are pictures inside table cells (tests/school_pages.rs counts them).
    let in_cells: usize = doc
        .split("<w:tc>")
        .skip(1)
        .map(|c| {
            c.split("</w:tc>")
                .next()
                .unwrap()
                .matches("<wp:inline ")
                .count()
        })
        .sum();
    assert_eq!(
        doc.matches("<wp:inline ").count() - in_cells,
        4,
        "the four charts"
    );
    for n in 1..=4 {
        assert!(
            p.contains_key(&format!("word/media/image{n}.png")),
            "picture {n}"
        );
    }
    // No empty paragraphs for spacing outside tables (the one-twip
    // paragraphs that carry a section break after a table aside).
    let empty: Vec<&WPara> = paras
        .iter()
        .filter(|p| !p.in_table && p.text.is_empty() && p.style != "TableText" && p.style != "TOC1")
        .collect();
    assert!(empty.is_empty(), "empty paragraphs: {}", empty.len());
    // Body paragraphs are plain Normal, so 格式刷 works.
    let first_body = paras
        .iter()
        .find(|p| p.text.starts_with("泗县地处安徽省东北部"))
        .unwrap();
    assert_eq!(first_body.style, "");
}

#[test]
fn the_same_report_gives_the_same_bytes_and_refuses_contradictions() {
    let (bytes, _) = example_docx();
    let dir = tempdir();
    let out = dir.path().join("again.docx");
    let o = dudao()
        .args(["render", EXAMPLE, "--format", "docx", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read(&out).unwrap() == *bytes, "two renders differ");

    // A .pdf name with --format docx is a mistake, said before anything is written.
    let bad = dir.path().join("报告.pdf");
    let o = dudao()
        .args(["render", EXAMPLE, "--format", "docx", "-o"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("扩展名与 --format docx 不一致"), "{err}");
    assert!(!bad.exists());
    let o = dudao()
        .args(["render", EXAMPLE, "--pdf-a", "-o"])
        .arg(dir.path().join("x.docx"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("只用于 PDF"));
    assert!(!dir.path().join("x.docx").exists());
}

/// The PDF's text, page numbers left out (below the text block, or turned
/// with a landscape page), whitespace removed; and where each laid-out run
/// of text starts or ends in it (a table cell is whole runs).
fn pdf_text(r: &dudao::render::Rendered) -> (String, Vec<bool>) {
    let mut text = String::new();
    let mut edges = vec![true];
    for p in r.document.pages() {
        let foot = p.frame.height().to_pt() - mm(35.0);
        let portrait = p.frame.width() < p.frame.height();
        for run in runs(&p.frame) {
            if run.turns != 0 || (portrait && run.y > foot) {
                continue;
            }
            text.push_str(&squeeze(&run.text));
            edges.resize(text.len() + 1, false);
            edges[text.len()] = true;
        }
    }
    (text, edges)
}

#[test]
fn the_docx_carries_the_same_paragraphs_as_the_pdf() {
    let (job, pdf) = render_plan(Path::new(EXAMPLE), &[], true);
    let (text, edges) = pdf_text(&pdf);
    let docx = render_docx_with_fonts(&job, &FontSet::embedded_only()).unwrap();
    let doc = parts(&docx.docx).remove("word/document.xml").unwrap();
    let paras = paragraphs(&doc);
    assert!(paras.len() > 1500, "{} paragraphs", paras.len());
    let pictures: Vec<String> = doc
        .split(" descr=\"")
        .skip(1)
        .map(|d| squeeze(d.split('"').next().unwrap()))
        .collect();
    assert!(!pictures.is_empty());

    // Every paragraph of the DOCX is in the PDF: running text in order;
    // a table's cells (typst lays out a row's cells in its own order)
    // within the stretch of text the table can take, each where no other
    // paragraph was found.
    let mut at = 0;
    let mut used = vec![false; text.len()];
    let mut headers: Vec<String> = Vec::new();
    let mut i = 0;
    while i < paras.len() {
        let group_end = if paras[i].in_table {
            paras[i..]
                .iter()
                .position(|p| !p.in_table)
                .map_or(paras.len(), |n| i + n)
        } else {
            i + 1
        };
        let group = &paras[i..group_end];
        let mut cell_at = at;
        let len: usize = group.iter().map(|p| squeeze(&p.text).len()).sum();
        // Header rows repeat on continuation pages.
        let mut window = if paras[i].in_table {
            (at + 3 * len + 4000).min(text.len())
        } else {
            text.len()
        };
        while !text.is_char_boundary(window) {
            window += 1;
        }
        for p in group {
            let t = squeeze(&p.text);
            if t.is_empty() {
                continue;
            }
            if p.header {
                headers.push(t.clone());
            }
            // Cells mostly come in row order: look on from the last cell
            // first, then from the table's start.
            let free = |k: usize| {
                !used[k..k + t.len()].iter().any(|u| *u)
                    && (!p.in_table || (edges[k] && edges[k + t.len()]))
            };
            // Overlapping matches: "2" "22" laid side by side read "222".
            let find = |from: usize, to: usize| {
                let mut k = from;
                while let Some(i) = text[k..to].find(t.as_str()) {
                    if free(k + i) {
                        return Some(k + i);
                    }
                    k += i + text[k + i..].chars().next().map_or(1, char::len_utf8);
                }
                None
            };
            let start = find(cell_at.max(at), window)
                .or_else(|| find(at, window))
                .unwrap_or_else(|| {
                    let anywhere: Vec<usize> = text
                        .match_indices(t.as_str())
                        .map(|(k, _)| k)
                        .filter(|&k| edges[k] && edges[k + t.len()])
                        .collect();
                    panic!(
                        "DOCX paragraph not found in the PDF after byte {at} (window {window}, whole runs at {anywhere:?}) ({}…): {t}",
                        &text[at..].chars().take(40).collect::<String>()
                    )
                });
            used[start..start + t.len()]
                .iter_mut()
                .for_each(|u| *u = true);
            if p.in_table {
                cell_at = start + t.len();
            } else {
                at = start + t.len();
            }
        }
        i = group_end;
    }
    // …and the PDF has nothing the DOCX lacks: no laid-out run of text is
    // left untouched, except page numbers, the 目录's leaders and numbers,
    // and header rows repeated on continuation pages.
    let mut only_pdf = Vec::new();
    let mut start = 0;
    for end in (1..=text.len()).filter(|&k| edges[k]) {
        let run = &text[start..end];
        let untouched = !used[start..end].iter().any(|u| *u);
        let repeated_header = headers.iter().any(|h| h.contains(run));
        // A chart's words are its picture's alternative text.
        let in_picture = pictures.iter().any(|d| d.contains(run));
        // The one sentence the templates print in the PDF only (`pdf-only`):
        // it describes the school forms' share bars, which Word leaves out.
        let bar_note = "说明：“本校”数值下的横条示其占标准的比例（长竖线为标准，短竖线为85%）。";
        let numbers = run
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '—');
        if untouched && !repeated_header && !numbers && !in_picture && !bar_note.contains(run) {
            only_pdf.push(run.to_string());
        }
        start = end;
    }
    assert!(only_pdf.is_empty(), "in the PDF only: {only_pdf:?}");
}

/// A copy of the example with its templates copied out, as a county does.
fn project_with_templates() -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    for f in std::fs::read_dir("examples/sixian").unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
        }
    }
    let o = dudao()
        .args(["init"])
        .arg(dir.path().join("模板"))
        .arg("--templates")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let plan = dir.path().join("plan.yaml");
    let text = std::fs::read_to_string(&plan).unwrap();
    let text = text.replacen("report:\n", "report:\n  templates: 模板\n", 1);
    std::fs::write(&plan, text).unwrap();
    (dir, plan)
}

#[test]
fn one_edited_sentence_changes_both_outputs() {
    let (dir, plan) = project_with_templates();
    let body = dir.path().join("模板/main.typ.j2");
    let t = std::fs::read_to_string(&body).unwrap();
    // The 附件说明 line is worded in main.typ.j2.
    assert!(t.contains("#attachment-note("));
    let t = t.replacen(
        "#attachment-note(",
        "本报告所附材料经县政府常务会议审议通过。\n\n#attachment-note(",
        1,
    );
    std::fs::write(&body, t).unwrap();
    let sentence = "本报告所附材料经县政府常务会议审议通过。";

    let (_, pdf) = render_plan(&plan, &[], false);
    assert!(pdf_text(&pdf).0.contains(sentence), "PDF lacks the edit");
    let out = dir.path().join("报告.docx");
    let o = dudao()
        .args(["render"])
        .arg(&plan)
        .args(["--school-pages", "none", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc = parts(&std::fs::read(&out).unwrap())
        .remove("word/document.xml")
        .unwrap();
    let p = paragraphs(&doc);
    let at = p
        .iter()
        .position(|p| p.text == sentence)
        .expect("DOCX lacks the edit");
    // A body paragraph, followed by the 附件说明.
    assert_eq!(p[at].style, "");
    assert!(p[at + 1].text.starts_with("附件："), "{:?}", p[at + 1]);
}

#[test]
fn school_pages_separate_gives_one_document_per_school() {
    let dir = tempdir();
    let out = dir.path().join("报告.docx");
    let o = dudao()
        .args(["render", EXAMPLE, "--school-pages", "separate", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let folder = dir.path().join("报告-一校一表");
    // The folder's list of what the tool wrote (.dudao-written) aside.
    let files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|f| !f.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert!(files.len() > 100, "{} files", files.len());
    assert!(
        files
            .iter()
            .all(|f| f.extension().is_some_and(|e| e == "docx"))
    );
    let one = files
        .iter()
        .find(|f| f.to_string_lossy().contains("泗县第一小学"))
        .expect("泗县第一小学");
    let p = parts(&std::fs::read(one).unwrap());
    let paras = paragraphs(&p["word/document.xml"]);
    assert!(
        paras
            .iter()
            .any(|p| p.style == "Title" && p.text.contains("泗县第一小学")),
        "{paras:?}"
    );
    assert!(
        paras.iter().any(|p| p.text.contains("学校（盖章）"))
            || paras.iter().any(|p| p.text.contains("确认"))
    );
}

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_docx_passes_the_open_xml_validator() {
    // Through the same python3 as python-docx, so a PATH without pip's
    // script folder still finds it.
    let has = Command::new("python3")
        .args(["-c", "import openxml_audit"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        eprintln!("跳过：未安装 openxml-audit（pip install openxml-audit；CI 会安装）");
        return;
    }
    let (_, path) = example_docx();
    let o = Command::new("python3")
        .args(["-m", "openxml_audit"])
        .arg(path)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("Errors: 0"), "{out}");
}

#[test]
fn python_docx_reads_back_sections_margins_merges_and_title() {
    if !Command::new("python3")
        .args(["-c", "import docx"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("跳过：未安装 python-docx（pip install python-docx；CI 会安装）");
        return;
    }
    let (_, path) = example_docx();
    let script = r#"
import sys, docx
from docx.oxml.ns import qn
d = docx.Document(sys.argv[1])
print("title", d.core_properties.title)
print("author", d.core_properties.author)
print("oddeven", d.settings.odd_and_even_pages_header_footer)
for s in d.sections:
    print("section", int(s.orientation), s.page_width, s.page_height, s.top_margin, s.right_margin, s.bottom_margin, s.left_margin)
spans = sum(len(t._tbl.findall('.//' + qn('w:gridSpan'))) for t in d.tables)
vm = sum(len(t._tbl.findall('.//' + qn('w:vMerge'))) for t in d.tables)
print("merges", spans, vm)
print("styles", sorted({p.style.name for p in d.paragraphs if p.style is not None and p.style.name.startswith('Heading')}))
"#;
    let o = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("title 泗县县域义务教育优质均衡发展自评报告\n"),
        "{out}"
    );
    assert!(out.contains("author 泗县人民政府\n"), "{out}");
    assert!(out.contains("oddeven True\n"), "{out}");
    // EMUs: 1 twip = 635.
    let portrait = format!(
        "section 0 {} {} {} {} {} {}",
        11906 * 635,
        16838 * 635,
        2098 * 635,
        1474 * 635,
        1984 * 635,
        1587 * 635
    );
    let landscape = format!(
        "section 1 {} {} {} {} {} {}",
        16838 * 635,
        11906 * 635,
        1587 * 635,
        2098 * 635,
        1474 * 635,
        1984 * 635
    );
    let sections: Vec<&str> = out.lines().filter(|l| l.starts_with("section")).collect();
    assert!(
        sections.iter().all(|s| *s == portrait || *s == landscape),
        "{out}"
    );
    assert_eq!(
        sections.iter().filter(|s| **s == landscape).count(),
        4,
        "{out}"
    );
    let merges = out.lines().find(|l| l.starts_with("merges")).unwrap();
    let n: Vec<usize> = merges
        .split(' ')
        .skip(1)
        .map(|x| x.parse().unwrap())
        .collect();
    assert!(n[0] > 0 && n[1] > 0, "{merges}");
    assert!(
        out.contains("'Heading 1'") && out.contains("'Heading 2'"),
        "{out}"
    );
}

/// LibreOffice's PDF of a .docx, with the bundled fonts visible to it and
/// its own profile (so parallel tests do not share one).
fn libreoffice_pdf(docx: &Path) -> Option<PathBuf> {
    if !have("soffice", "--version") || !have("pdftotext", "-v") {
        eprintln!(
            "跳过：未安装 LibreOffice 或 poppler-utils（CI 会安装 libreoffice-writer-nogui 和 poppler-utils）"
        );
        return None;
    }
    // The document's numbers and letters are in Times New Roman, which
    // LibreOffice replaces by the metric-compatible Liberation Serif when
    // it is installed and by the wider DejaVu Serif when not: school forms
    // then run onto a second page that Word keeps to one.
    let liberation = Command::new("fc-list")
        .arg("Liberation Serif")
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    if !liberation {
        eprintln!(
            "跳过：未安装 Liberation Serif 字体（与 Times New Roman 字宽相同；CI 会安装 fonts-liberation2）"
        );
        return None;
    }
    let home = tempdir().keep();
    std::os::unix::fs::symlink(std::fs::canonicalize("fonts").unwrap(), home.join(".fonts"))
        .unwrap();
    let o = Command::new("soffice")
        .env("HOME", &home)
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            home.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&home)
        .arg(docx)
        .output()
        .unwrap();
    let pdf = home.join(docx.with_extension("pdf").file_name().unwrap());
    assert!(
        pdf.is_file(),
        "LibreOffice did not convert: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some(pdf)
}

/// A word of `pdftotext -bbox`: page index, box and text.
#[derive(Debug, Clone)]
struct Word {
    page: usize,
    x0: f64,
    y1: f64,
    x1: f64,
    text: String,
}

struct Page {
    width: f64,
    height: f64,
    words: Vec<Word>,
}

fn bbox(pdf: &Path) -> Vec<Page> {
    let o = Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&o.stdout);
    let attr = |s: &str, name: &str| -> f64 {
        let k = format!("{name}=\"");
        let i = s.find(&k).unwrap() + k.len();
        s[i..].split('"').next().unwrap().parse().unwrap()
    };
    let mut pages: Vec<Page> = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            pages.push(Page {
                width: attr(line, "width"),
                height: attr(line, "height"),
                words: Vec::new(),
            });
        } else if line.starts_with("<word ") {
            let text = line
                .split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string();
            let p = pages.len() - 1;
            pages[p].words.push(Word {
                page: p,
                x0: attr(line, "xMin"),
                y1: attr(line, "yMax"),
                x1: attr(line, "xMax"),
                text,
            });
        }
    }
    pages
}

/// The page number of a page ("— n —" at its foot) and the closing dash.
fn number_of(p: &Page) -> Option<(usize, &Word)> {
    let ws = &p.words;
    let is_number = |t: &str| t.chars().all(|c| c.is_ascii_digit()) && !t.is_empty();
    (1..ws.len().saturating_sub(1)).find_map(|i| {
        (ws[i - 1].text == "—" && is_number(&ws[i].text) && ws[i + 1].text == "—")
            .then(|| (ws[i].text.parse().unwrap(), &ws[i + 1]))
    })
}

/// Text lines of a page by baseline (words whose bottoms agree).
fn lines_of(p: &Page) -> Vec<(f64, String)> {
    let mut ws: Vec<&Word> = p.words.iter().collect();
    ws.sort_by(|a, b| a.y1.total_cmp(&b.y1).then(a.x0.total_cmp(&b.x0)));
    let mut out: Vec<(f64, String)> = Vec::new();
    for w in ws {
        match out.last_mut() {
            Some((y, t)) if (w.y1 - *y).abs() < 2.0 => t.push_str(&w.text),
            _ => out.push((w.y1, w.text.clone())),
        }
    }
    out
}

#[test]
fn libreoffice_renders_it_with_the_page_checks_of_the_pdf() {
    let dir = tempdir();
    let docx = dir.path().join("report.docx");
    let o = dudao()
        .args(["render", EXAMPLE, "-o"])
        .arg(&docx)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let Some(pdf) = libreoffice_pdf(&docx) else {
        return;
    };
    let pages = bbox(&pdf);
    let pt = |mm: f64| mm * 72.0 / 25.4;

    // A4 portrait and landscape, nothing else.
    let portrait = pages
        .iter()
        .filter(|p| (p.width - 595.3).abs() < 1.0 && (p.height - 841.9).abs() < 1.0)
        .count();
    let landscape = pages
        .iter()
        .filter(|p| (p.width - 841.9).abs() < 1.0 && (p.height - 595.3).abs() < 1.0)
        .count();
    assert_eq!(portrait + landscape, pages.len());
    assert!(landscape >= 4, "{landscape} landscape pages");

    // Cover and 目录 unnumbered; then "— 1 —" on the first body page.
    assert!(number_of(&pages[0]).is_none() && number_of(&pages[1]).is_none());
    assert_eq!(number_of(&pages[2]).map(|n| n.0), Some(1));
    // Every later page numbered in sequence: odd ones right, even ones
    // left, one 四号 character in from the text block.
    for (i, p) in pages.iter().enumerate().skip(2) {
        let (n, last) = number_of(p).unwrap_or_else(|| panic!("page {} has no number", i + 1));
        assert_eq!(n, i - 1, "page {}", i + 1);
        let first = &p.words[p.words.iter().position(|w| std::ptr::eq(w, last)).unwrap() - 2];
        let (left, right) = if p.width < p.height {
            (pt(28.0), p.width - pt(26.0))
        } else {
            (pt(35.0), p.width - pt(37.0))
        };
        if n % 2 == 1 {
            assert!(
                (last.x1 - (right - 14.0)).abs() < 4.0,
                "page {}: odd number ends at {:.1}",
                i + 1,
                last.x1
            );
        } else {
            assert!(
                (first.x0 - (left + 14.0)).abs() < 4.0,
                "page {}: even number starts at {:.1}",
                i + 1,
                first.x0
            );
        }
        let _ = first.page;
    }

    // 22 lines a page: body pages of running text (every line on the
    // 28.95 pt pitch) hold 22 lines, never more.
    let pitch = pt(225.0) / 22.0;
    let mut full = 0;
    let mut grid_pages = 0;
    for p in pages.iter().filter(|p| p.width < p.height).skip(2) {
        let lines: Vec<(f64, String)> = lines_of(p)
            .into_iter()
            .filter(|(y, _)| *y < p.height - pt(35.0))
            .collect();
        if lines.len() < 2 {
            continue;
        }
        let on_grid = lines.windows(2).all(|w| {
            let d = (w[1].0 - w[0].0) / pitch;
            (d - d.round()).abs() < 0.05
        });
        if !on_grid {
            continue;
        }
        grid_pages += 1;
        let span = ((lines.last().unwrap().0 - lines[0].0) / pitch).round() as usize + 1;
        assert!(span <= 22, "a page of {span} lines");
        if span == 22 {
            full += 1;
        }
    }
    assert!(
        grid_pages >= 20 && full * 10 >= grid_pages * 7,
        "{full} of {grid_pages} text pages hold 22 lines"
    );

    // Header rows repeated: every page of 附件1 after its first starts with
    // the table's header.
    let start = pages
        .iter()
        .position(|p| {
            let text: String = p.words.iter().map(|w| w.text.as_str()).collect();
            p.width > p.height && text.contains("基本情况表")
        })
        .unwrap();
    let mut continued = 0;
    let next_attachment = |p: &&Page| {
        let text: String = p.words.iter().map(|w| w.text.as_str()).collect();
        text.contains("附件2")
    };
    for p in pages[start + 1..]
        .iter()
        .take_while(|p| p.width > p.height && !next_attachment(p))
    {
        // The header row is the top of the page (its cells wrap, so it
        // is more than one baseline).
        let top = p.words.iter().map(|w| w.y1).fold(f64::INFINITY, f64::min);
        let first: String = p
            .words
            .iter()
            .filter(|w| w.y1 < top + 20.0)
            .map(|w| w.text.as_str())
            .collect();
        assert!(
            first.contains("序") && first.contains("学校名称"),
            "continuation page starts with {first}"
        );
        continued += 1;
    }
    assert!(continued >= 2, "{continued} continuation pages");

    // Each school's form keeps to one page: every page after the
    // 一校一表 list starts with a school's title and ends with its
    // 学校确认 block.
    let forms: Vec<String> = pages
        .iter()
        .map(|p| p.words.iter().map(|w| w.text.as_str()).collect::<String>())
        .skip_while(|t| !t.starts_with("附件6"))
        .skip_while(|t| !t.contains("）资源配置指标核对表"))
        .collect();
    assert!(forms.len() >= 150, "{} school pages", forms.len());
    for (i, t) in forms.iter().enumerate() {
        assert!(
            t.contains("资源配置指标核对表"),
            "school page {} runs over: {t}",
            i + 1
        );
        assert!(
            t.contains("日期："),
            "school page {} lacks its 学校确认 block",
            i + 1
        );
    }
}
