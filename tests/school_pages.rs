//! The 一校一表 as a school and a reviewer read it: one attachment whose list
//! gives the page each school starts on, one page per school-学段 row with
//! every school-level item, a verdict that never calls a failing school
//! 达标, every way to pass, no workbook cell references, and the 学校确认
//! block; and one file per school in separate mode.

mod common;

use common::*;
#[path = "common/pdf.rs"]
mod pdf;
use dudao::render::Rendered;
use pdf::pdf_pages;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const EXAMPLE: &str = "examples/sixian/plan.yaml";
const TITLE_TAIL: &str = "资源配置指标核对表";
const CONFIRM: &str = "校长（签字）：";

fn example() -> &'static Rendered {
    static R: OnceLock<Rendered> = OnceLock::new();
    R.get_or_init(|| render_plan(Path::new(EXAMPLE), &[], true).1)
}

fn page_text(r: &Rendered, i: usize) -> String {
    runs(&r.document.pages()[i].frame)
        .iter()
        .map(|x| x.text.as_str())
        .collect()
}

/// The printed page number ("— 60 —", 14 pt) of page index `i`.
fn printed_number(r: &Rendered, i: usize) -> u32 {
    let runs = runs(&r.document.pages()[i].frame);
    let mark: String = runs
        .iter()
        .filter(|x| (x.size - 14.0).abs() < 0.01)
        .map(|x| x.text.as_str())
        .collect();
    let digits: String = mark.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("page {} has no number: {mark:?}", i + 1))
}

/// The 18 pt title of a school page, or None for any other page.
fn school_title(r: &Rendered, i: usize) -> Option<String> {
    let runs = runs(&r.document.pages()[i].frame);
    let title = lines(&runs, 18.0)
        .iter()
        .map(|l| line_text(l))
        .collect::<String>();
    title.ends_with(TITLE_TAIL).then_some(title)
}

/// One school row of the example evaluation: (name, 学段).
fn example_rows() -> Vec<(String, String)> {
    let county = dudao::input::load(Path::new(EXAMPLE), &[]).unwrap();
    let e = dudao::evaluate::evaluate(&county);
    e.schools
        .iter()
        .map(|s| (s.name.clone(), s.section.zh().to_string()))
        .collect()
}

#[test]
fn each_school_has_one_page_and_the_list_gives_its_page_number() {
    let r = example();
    let n = r.document.pages().len();
    let rows = example_rows();
    // The school pages, by title, with the number printed on them.
    let school_pages: Vec<usize> = (0..n).filter(|&i| school_title(r, i).is_some()).collect();
    assert_eq!(
        school_pages.len(),
        rows.len(),
        "one page per school-学段 row"
    );
    let first = school_pages[0];
    // Nothing after the first school page but school pages: none spills
    // onto a second page, and each ends with its 学校确认 block.
    assert_eq!(school_pages, (first..n).collect::<Vec<_>>());
    for &i in &school_pages {
        let text = page_text(r, i);
        assert!(text.contains(CONFIRM), "page {} lacks 学校确认", i + 1);
        assert!(
            text.contains("填报人：")
                && text.contains("联系电话：")
                && text.contains("学校（盖章）："),
            "page {}: {text}",
            i + 1
        );
        assert!(!text.contains("单元格"), "page {} cites cells", i + 1);
        assert!(!text.contains("附表6-"), "page {} sub-numbered", i + 1);
    }
    let by_title: BTreeMap<String, u32> = school_pages
        .iter()
        .map(|&i| (school_title(r, i).unwrap(), printed_number(r, i)))
        .collect();
    // The attachment's cover and list sit just before the school pages.
    let list_pages: Vec<usize> = (0..first)
        .filter(|&i| {
            let t = page_text(r, i);
            t.contains("序号") && t.contains("学校名称") && t.contains("页码")
        })
        .collect();
    assert!(!list_pages.is_empty(), "no list of schools");
    let cover = page_text(r, list_pages[0]);
    assert!(cover.contains("附件6"), "{cover}");
    assert!(cover.contains("义务教育学校资源配置指标核对表"), "{cover}");
    let mut listed = Vec::new();
    for &i in &list_pages {
        let runs = runs(&r.document.pages()[i].frame);
        for l in lines(&runs, 12.0) {
            let t = line_text(&l);
            let seq: String = t.chars().take_while(char::is_ascii_digit).collect();
            if seq.is_empty() {
                continue;
            }
            let page: String = t
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let middle: String = t.chars().skip(seq.len()).collect();
            let middle: String = middle
                .chars()
                .take(middle.chars().count() - page.len())
                .collect();
            listed.push((
                seq.parse::<usize>().unwrap(),
                middle,
                page.parse::<u32>().unwrap(),
            ));
        }
    }
    assert_eq!(listed.len(), rows.len(), "{listed:?}");
    for (k, ((seq, middle, page), (name, section))) in listed.iter().zip(&rows).enumerate() {
        assert_eq!(*seq, k + 1);
        assert_eq!(*middle, format!("{name}{section}"), "statistics order");
        let title = format!("{name}（{section}）{TITLE_TAIL}");
        assert_eq!(
            by_title.get(&title),
            Some(page),
            "{title}: the list says page {page}"
        );
    }
}

#[test]
fn school_pages_never_go_below_10_5_pt() {
    let r = example();
    let n = r.document.pages().len();
    for i in (0..n).filter(|&i| school_title(r, i).is_some()) {
        for x in runs(&r.document.pages()[i].frame) {
            assert!(
                x.size >= 10.5 - 0.01,
                "page {}: {:?} at {} pt",
                i + 1,
                x.text,
                x.size
            );
        }
    }
}

/// Three 小学 under the example plan: one meeting everything, one whose
/// largest class is over 45, one at the 85% floor on two indicators.
fn small_county(dir: &Path) -> PathBuf {
    let csv = dir.join("学校.csv");
    std::fs::write(
        &csv,
        "学校名称,学校类型,学段,学生数,班级数,最大班额,专任教师数,持证专任教师数,高于规定学历教师数,县级以上骨干教师数,体育艺术专任教师数,教学及辅助用房面积,体育运动场馆面积,教学仪器设备值,网络多媒体教室数,音乐专用教室数,美术专用教室数\n\
         全达标小学,小学,小学,500,12,42,30,30,25,6,5,2400,4000,1100000,12,1,1\n\
         大班额小学,小学,小学,500,12,56,30,30,25,6,5,2400,4000,1100000,12,1,1\n\
         缺资源小学,小学,小学,500,12,42,30,30,25,6,5,2400,3300,900000,12,1,1\n",
    )
    .unwrap();
    csv
}

/// The text of each school's page of the small county, by school name.
fn small_county_pages() -> &'static BTreeMap<String, String> {
    static P: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    P.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let csv = small_county(dir.path());
        let (_, r) = render_plan(Path::new(EXAMPLE), &[csv], true);
        let n = r.document.pages().len();
        (0..n)
            .filter_map(|i| {
                let title = school_title(&r, i)?;
                let name = title.split('（').next().unwrap().to_string();
                Some((name, page_text(&r, i)))
            })
            .collect()
    })
}

fn page_of(name: &str) -> &'static str {
    small_county_pages()
        .get(name)
        .unwrap_or_else(|| panic!("no page for {name}: {:?}", small_county_pages().keys()))
}

#[test]
fn school_meeting_all_seven_says_so_without_rest() {
    let p = page_of("全达标小学");
    assert!(p.contains("资源配置7项指标全部达到标准"), "{p}");
    assert!(!p.contains("其余"), "{p}");
    assert!(p.contains("本校达标"), "{p}");
    assert!(!p.contains('▲') && !p.contains("未达"), "{p}");
}

#[test]
fn school_over_the_class_size_limit_is_not_called_compliant() {
    let p = page_of("大班额小学");
    // Its resources are all at the standard, its largest class is not.
    assert!(p.contains("资源配置7项指标全部达到标准"), "{p}");
    assert!(p.contains("但班额未达到标准，本校未达标"), "{p}");
    assert!(!p.contains("本校达标"), "{p}");
    assert!(p.contains("最大班额（人）56▲不超过45人未达到▲"), "{p}");
}

#[test]
fn failing_school_lists_every_way_to_pass() {
    let p = page_of("缺资源小学");
    assert!(p.contains("资源配置7项指标中5项达到标准"), "{p}");
    assert!(p.contains("（2个方案任选其一）"), "{p}");
    assert!(!p.contains("本校达标"), "{p}");
    // 体育运动场馆 6.6 of 7.5 m² and 仪器设备 1800 of 2000 元 per student:
    // reaching either standard for 500 students passes the 6-of-7 rule.
    assert!(p.contains("方案1：+450平方米（达到标准）"), "{p}");
    assert!(p.contains("方案2：+100000元（达到标准）"), "{p}");
    assert!(!p.contains("至少需"), "{p}");
    // Its school-level items all hold.
    assert!(
        p.contains("音乐、美术专用教室、学校规模、班额、教师持证上岗均达到标准。"),
        "{p}"
    );
}

#[test]
fn every_school_page_ends_with_the_confirmation_block() {
    for (name, p) in small_county_pages() {
        assert!(p.contains(CONFIRM), "{name}: {p}");
        assert!(p.contains("日期：　　年　月　日"), "{name}: {p}");
        assert!(
            !p.contains("单元格") && !p.contains("数据来源"),
            "{name}: {p}"
        );
    }
}

#[test]
fn separate_mode_writes_one_one_page_file_per_school() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_county(dir.path());
    let pdf = dir.path().join("报告.pdf");
    let plan_before = std::fs::read(EXAMPLE).unwrap();
    let csv_before = std::fs::read(&csv).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .arg("render")
        .arg(EXAMPLE)
        .arg("--schools")
        .arg(&csv)
        .arg("-o")
        .arg(&pdf)
        .args(["--no-system-fonts", "--school-pages", "separate"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let folder = dir.path().join("报告-一校一表");
    // The folder's list of what the tool wrote (.dudao-written) aside.
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "全达标小学-小学.pdf",
            "大班额小学-小学.pdf",
            "缺资源小学-小学.pdf"
        ]
    );
    for f in &files {
        let bytes = std::fs::read(folder.join(f)).unwrap();
        assert_eq!(pdf_pages(&bytes), 1, "{f}");
    }
    assert!(pdf.is_file());
    assert_eq!(std::fs::read(EXAMPLE).unwrap(), plan_before);
    assert_eq!(std::fs::read(&csv).unwrap(), csv_before);
}

/// The per-school items say the same as the county figures: a school is
/// listed as failing G3, G4, G5 or G12 exactly when one of its rows fails
/// the item.
#[test]
fn school_items_agree_with_the_county_indicators() {
    let county = dudao::input::load(Path::new(EXAMPLE), &[]).unwrap();
    let e = dudao::evaluate::evaluate(&county);
    let mut checked = 0;
    for id in ["G3", "G4", "G5", "G12"] {
        let ind = e
            .guarantee
            .iter()
            .find(|i| i.id == id)
            .unwrap_or_else(|| panic!("{id} evaluated"));
        let mut listed: Vec<String> = ind
            .failing
            .iter()
            .map(|f| f.split('（').next().unwrap().to_string())
            .collect();
        listed.sort();
        listed.dedup();
        let mut failing: Vec<String> = e
            .schools
            .iter()
            .filter(|s| s.items.iter().any(|x| x.id == id && x.met == Some(false)))
            .map(|s| s.name.clone())
            .collect();
        failing.sort();
        failing.dedup();
        assert_eq!(failing, listed, "{id}");
        checked += e
            .schools
            .iter()
            .filter(|s| s.included && s.items.iter().any(|x| x.id == id && x.met.is_some()))
            .count();
    }
    assert!(checked > 100, "items judged on few rows: {checked}");
}

/// The small filled bars of a page (the share of the standard drawn under
/// a school's value): shapes 4.5 pt high, in page order.
fn share_bars(frame: &typst::layout::Frame, out: &mut usize) {
    use typst::layout::FrameItem;
    use typst::visualize::Geometry;
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => share_bars(&g.frame, out),
            FrameItem::Shape(s, _) => {
                if let Geometry::Rect(size) = s.geometry
                    && (size.y.to_pt() - 4.5).abs() < 0.01
                    && s.fill.is_some()
                {
                    *out += 1;
                }
            }
            _ => {}
        }
    }
}

#[test]
fn school_pages_show_last_year_beside_this_year_and_the_share_as_a_bar() {
    let r = example();
    let county = dudao::input::load(Path::new(EXAMPLE), &[]).unwrap();
    let e = dudao::evaluate::evaluate(&county);
    let ctx = dudao::report::context::build(&county, &e, true);
    let n = r.document.pages().len();
    let pages: BTreeMap<String, usize> = (0..n)
        .filter_map(|i| school_title(r, i).map(|t| (t, i)))
        .collect();
    let mut renamed = 0;
    for s in &ctx.schools {
        let title = format!("{}（{}）{TITLE_TAIL}", s.name, s.section);
        let i = pages[&title];
        let text = page_text(r, i);
        let Some(last_name) = &s.previous_name else {
            assert!(!text.contains("上年"), "{title}: no last year, no column");
            continue;
        };
        // The 上年 column holds last year's seven values of this row.
        assert!(text.contains("上年"), "{title}: {text}");
        for x in &s.resource {
            let v = x.previous.as_deref().unwrap();
            assert!(text.contains(v), "{title}: last year's {} {v}", x.name);
        }
        let verdict = if s.previous_passes == Some(true) {
            "上年本校达到资源配置要求"
        } else {
            "上年本校未达到资源配置要求"
        };
        assert!(text.contains(verdict), "{title}: {text}");
        if last_name != &s.name {
            renamed += 1;
            assert!(
                text.contains(&format!("{last_name}（今名{}）", s.name)),
                "{title}: {text}"
            );
        }
        // One filled bar per value with a share.
        let mut bars = 0;
        share_bars(&r.document.pages()[i].frame, &mut bars);
        let shares = s.resource.iter().filter(|x| x.share.is_some()).count();
        assert_eq!(bars, shares, "{title}");
        assert!(text.contains("横条示其占标准的比例"), "{title}");
    }
    assert_eq!(renamed, 1, "the example declares one rename");
}

#[test]
fn in_the_word_document_the_forms_carry_the_values_without_bars() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("报告.docx");
    let o = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(["render", EXAMPLE, "--school-pages", "appendix", "-o"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    // No pictures inside table cells: a bar under each number made every
    // form run onto a second page where the grid is wider (tests/docx.rs
    // checks one page a school in LibreOffice).
    let in_cells: usize = xml
        .split("<w:tc>")
        .skip(1)
        .map(|c| {
            c.split("</w:tc>")
                .next()
                .unwrap()
                .matches("<w:drawing>")
                .count()
        })
        .sum();
    assert_eq!(in_cells, 0);
    // Each value a bar stood beside is in its cell as text.
    let county = dudao::input::load(Path::new(EXAMPLE), &[]).unwrap();
    let e = dudao::evaluate::evaluate(&county);
    let ctx = dudao::report::context::build(&county, &e, true);
    let values: Vec<&str> = ctx
        .schools
        .iter()
        .flat_map(|s| &s.resource)
        .filter(|x| x.share.is_some())
        .map(|x| x.value.as_str())
        .collect();
    assert!(!values.is_empty());
    for v in values {
        assert!(
            xml.contains(&format!(">{v}</w:t>"))
                || xml.contains(&format!(">{v}▲</w:t>"))
                || xml.contains(&format!(">{v}△</w:t>")),
            "{v}"
        );
    }
}
