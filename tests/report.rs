//! The whole report, end to end: the example county rendered and checked on
//! its laid-out pages (GB/T 9704 numbers), reproducibility, escaping of
//! hostile data, the --emit-typ sources, separate school files, templates.

mod common;

use common::*;
use dudao::render::{FontSet, RenderJob, Rendered, render_with_fonts};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const EXAMPLE: &str = "examples/sixian/plan.yaml";

fn dudao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
}

/// The example report, rendered once with the bundled fonts only.
fn example() -> &'static (RenderJob, Rendered) {
    static R: OnceLock<(RenderJob, Rendered)> = OnceLock::new();
    R.get_or_init(|| render_plan(Path::new(EXAMPLE), &[], true))
}

fn page_runs(r: &Rendered, index: usize) -> Vec<Run> {
    runs(&r.document.pages()[index].frame)
}

/// The example has a cover and a 目录, neither numbered: the index of the
/// page numbered 1, where the title and the body begin.
const FIRST: usize = 2;

fn page_text(r: &Rendered, index: usize) -> String {
    page_runs(r, index)
        .iter()
        .map(|x| x.text.as_str())
        .collect()
}

#[test]
fn example_report_has_every_part() {
    let (_, r) = example();
    let pages = r.document.pages().len();
    // 20-odd body and table pages plus one page per school-学段 row.
    assert!(pages > 150, "only {pages} pages");
    let all: String = (0..pages).map(|i| page_text(r, i)).collect();
    for part in [
        "泗县县域义务教育优质均衡发展自评报告",
        "一、基本情况",
        "二、主要做法和成效",
        "三、指标达成情况",
        "（一）资源配置",
        "（二）政府保障程度",
        "（三）教育质量",
        "（四）社会认可度",
        "四、存在的问题",
        "五、下一步工作",
        "六、自评结论",
        "宿州市人民政府教育督导委员会：",
        "泗县人民政府",
        "2024年5月20日",
        "目　　录",
        "附件：",
        "附件1",
        "附件2",
        "附件3",
        "附件4",
        "附件5",
        "附件6",
        "资源配置指标核对表",
    ] {
        assert!(all.contains(part), "report lacks {part}");
    }
}

#[test]
fn title_is_22pt_xiaobiaosong_fallback_centred() {
    let (_, r) = example();
    let runs = page_runs(r, FIRST);
    let title: Vec<&Run> = runs
        .iter()
        .filter(|x| (x.size - 22.0).abs() < 0.01)
        .collect();
    assert!(!title.is_empty(), "no 22 pt title on page 1");
    assert_eq!(title[0].family(), "FandolSong");
    let text: String = title.iter().map(|x| x.text.as_str()).collect();
    assert_eq!(text, "泗县县域义务教育优质均衡发展自评报告");
    let left = title.iter().map(|x| x.x).fold(f64::MAX, f64::min);
    let right = title.iter().map(|x| x.x + x.width).fold(f64::MIN, f64::max);
    // Centred in the text block (28 mm to 184 mm).
    assert_near((left + right) / 2.0, mm(28.0 + 78.0), 2.0, "title centre");
}

#[test]
fn full_body_page_has_22_lines_of_28_characters_inside_the_margins() {
    let (_, r) = example();
    // Page 2 is all body text and headings.
    let runs = page_runs(r, FIRST + 1);
    let body = lines(&runs, BODY);
    let numbers: Vec<_> = body.iter().filter(|l| line_text(l).contains('—')).collect();
    let text_lines: Vec<_> = body
        .iter()
        .filter(|l| !line_text(l).contains('—'))
        .collect();
    assert!(numbers.is_empty(), "page number is 14 pt, not body size");
    assert_eq!(
        text_lines.len(),
        22,
        "lines: {:#?}",
        text_lines.iter().map(|l| line_text(l)).collect::<Vec<_>>()
    );
    // A full line of Chinese (no narrower digits or Latin) holds 28
    // characters: every line that ends at the right edge of the text block.
    let wide = |c: char| {
        is_cjk(c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
            || "“”‘’—…·".contains(c)
    };
    let full: Vec<usize> = text_lines
        .iter()
        .map(|l| line_text(l))
        .filter(|t| t.chars().all(wide))
        .map(|t| t.chars().count())
        .collect();
    assert!(full.len() >= 5, "few all-Chinese lines: {full:?}");
    let longest = full.iter().max().copied().unwrap_or(0);
    assert_eq!(longest, 28, "all-Chinese lines: {full:?}");
    for l in &text_lines {
        let left = l.iter().map(|x| x.x).fold(f64::MAX, f64::min);
        let right = l.iter().map(|x| x.x + x.width).fold(f64::MIN, f64::max);
        assert!(
            left >= mm(28.0) - 0.5,
            "line starts left of the text block: {left}"
        );
        assert!(
            right <= mm(28.0 + 156.0) + 1.0,
            "line runs past the text block: {right}"
        );
    }
    // First baseline: the line box top touches 37 mm (0.88 em above baseline).
    let first = text_lines[0][0].y;
    assert_near(first - 0.88 * BODY, mm(37.0), mm(1.0), "top margin");
    // 22 lines on a pitch of 225 mm / 22: the last line's band ends at the
    // bottom of the text block (262 mm).
    let pitch = mm(225.0) / 22.0;
    let last = text_lines[21][0].y;
    assert_near(last - first, 21.0 * pitch, 0.5, "line pitch");
    assert_near(
        last - 0.88 * BODY + pitch,
        mm(297.0 - 35.0),
        mm(1.0),
        "bottom of the text block",
    );
}

#[test]
fn page_numbers_alternate_sides_one_character_in() {
    let (_, r) = example();
    for n in 1..=4 {
        let runs = page_runs(r, FIRST + n - 1);
        let num: Vec<&Run> = runs
            .iter()
            .filter(|x| x.text.contains('—') && (x.size - 14.0).abs() < 0.01)
            .collect();
        let text: String = num.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(text.replace(' ', ""), format!("—{n}—"), "page {n}");
        let left = num.iter().map(|x| x.x).fold(f64::MAX, f64::min);
        let right = num.iter().map(|x| x.x + x.width).fold(f64::MIN, f64::max);
        if n % 2 == 1 {
            assert_near(
                right,
                mm(28.0 + 156.0) - BODY,
                1.5,
                "odd page number right edge",
            );
        } else {
            assert_near(left, mm(28.0) + BODY, 1.5, "even page number left edge");
        }
    }
}

#[test]
fn headings_use_hei_and_kai() {
    let (_, r) = example();
    let runs = page_runs(r, FIRST);
    let h1 = runs
        .iter()
        .find(|x| x.text.contains("一、基本情况"))
        .expect("level 1 heading");
    assert_eq!(h1.family(), "FandolHei");
    assert_eq!(h1.size, BODY);
    let all: Vec<Run> = (FIRST..FIRST + 4).flat_map(|i| page_runs(r, i)).collect();
    let h2 = all
        .iter()
        .find(|x| x.text.starts_with("（一）"))
        .expect("level 2 heading");
    assert_eq!(h2.family(), "FandolKai");
}

#[test]
fn same_input_same_bytes() {
    let (job, first) = example();
    let again = render_with_fonts(job, &FontSet::embedded_only()).expect("renders");
    assert!(first.pdf == again.pdf, "two renders differ");
}

/// `dudao render` of the example plan on other school data.
fn render_example(schools: &Path, pdf: &Path) -> Command {
    let mut c = dudao();
    c.arg("render")
        .arg(EXAMPLE)
        .arg("--schools")
        .arg(schools)
        .arg("-o")
        .arg(pdf)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// A county whose school names try to inject typst.
fn hostile_county(dir: &Path) -> PathBuf {
    let csv = dir.join("schools.csv");
    let hostile = "#read(\"/etc/passwd\") *粗体* _斜_ $x$ <a> @b [c] // d";
    std::fs::write(
        &csv,
        format!(
            "学校名称,学校类型,学段,学生数,班级数,高于规定学历教师数,县级以上骨干教师数,体育艺术专任教师数,教学及辅助用房面积,体育运动场馆面积,教学仪器设备值,网络多媒体教室数\n\
             \"{}\",小学,小学,500,12,25,6,5,2400,4000,1100000,12\n\
             普通小学,小学,小学,400,10,20,5,4,2000,3200,900000,10\n",
            hostile.replace('"', "\"\"")
        ),
    )
    .unwrap();
    csv
}

#[test]
fn hostile_school_name_prints_literally() {
    let dir = tempfile::tempdir().unwrap();
    let csv = hostile_county(dir.path());
    let (_, r) = render_plan(Path::new(EXAMPLE), &[csv], true);
    let all: String = (0..r.document.pages().len())
        .map(|i| page_text(&r, i))
        .collect();
    assert!(
        all.contains("#read(\"/etc/passwd\")*粗体*_斜_$x$<a>@b[c]//d")
            || all.contains("#read(\"/etc/passwd\") *粗体* _斜_ $x$ <a> @b [c] // d"),
        "hostile name not printed literally"
    );
    assert!(
        !all.contains("root:"),
        "a file outside the project was read"
    );
}

#[test]
fn emitted_typst_reproduces_the_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let csv = hostile_county(dir.path());
    let pdf = dir.path().join("报告.pdf");
    let typ = dir.path().join("typ");
    let out = render_example(&csv, &pdf)
        .arg("--emit-typ")
        .arg(&typ)
        .arg("--no-system-fonts")
        .arg("--school-pages")
        .arg("none")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("使用字体"),
        "the command says which fonts it used: {stderr}"
    );
    let main = std::fs::read_to_string(typ.join("main.typ")).unwrap();
    let style = std::fs::read(typ.join("style.typ")).unwrap();
    let county = dudao::input::load(Path::new(EXAMPLE), std::slice::from_ref(&csv)).unwrap();
    let mut job = RenderJob::new(main, &county.project_dir, county.plan.report.date.value.0);
    job.files.insert("/style.typ".into(), style);
    let charts = std::fs::read(typ.join("charts.typ")).unwrap();
    job.files.insert("/charts.typ".into(), charts);
    job.system_fonts = false;
    job.title = county.plan.report.title.clone();
    job.author = county.plan.report.issuer.clone();
    let again = render_with_fonts(&job, &FontSet::embedded_only()).unwrap();
    assert!(
        again.pdf == std::fs::read(&pdf).unwrap(),
        "emitted sources give another PDF"
    );
}

#[test]
fn separate_school_pages_one_file_each() {
    let dir = tempfile::tempdir().unwrap();
    let csv = hostile_county(dir.path());
    let pdf = dir.path().join("报告.pdf");
    let out = render_example(&csv, &pdf)
        .args(["--no-system-fonts", "--school-pages", "separate"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The folder's list of what the tool wrote (.dudao-written) aside.
    let files: Vec<String> = std::fs::read_dir(dir.path().join("报告-一校一表"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().any(|f| f == "普通小学-小学.pdf"));
    assert!(files.iter().all(|f| !f.contains('/')));
}

#[test]
fn broken_template_fails_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.yaml");
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    std::fs::write(
        &plan,
        text.replace(
            "school_pages: appendix",
            "school_pages: appendix\n  templates: 模板",
        ),
    )
    .unwrap();
    // The example compares with last year's workbook beside the plan.
    let last = "泗县上年学校统计表（示例数据）.xlsx";
    std::fs::copy(
        Path::new("examples/sixian").join(last),
        dir.path().join(last),
    )
    .unwrap();
    let csv = hostile_county(dir.path());
    let out = dudao()
        .args(["init", "--templates"])
        .arg(dir.path().join("模板"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A county edits its template and makes a typst mistake on line 4.
    let body = dir.path().join("模板/body.typ.j2");
    let t = std::fs::read_to_string(&body).unwrap();
    std::fs::write(
        &body,
        t.replacen("= 一、基本情况", "= 一、基本情况\n#未定义的函数()", 1),
    )
    .unwrap();
    let pdf = dir.path().join("报告.pdf");
    let out = dudao()
        .arg("render")
        .arg(&plan)
        .arg("--schools")
        .arg(&csv)
        .arg("-o")
        .arg(&pdf)
        .arg("--no-system-fonts")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/main.typ:") && err.contains("未定义的函数"),
        "{err}"
    );
    assert!(!pdf.exists(), "a failed render left a PDF");
    // The unchanged templates work.
    std::fs::write(&body, t).unwrap();
    let out = dudao()
        .arg("render")
        .arg(&plan)
        .arg("--schools")
        .arg(&csv)
        .arg("-o")
        .arg(&pdf)
        .arg("--no-system-fonts")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(pdf.exists());
}

/// No body line holds a single character and its punctuation (“标。”):
/// reviewers count such a line as a layout fault.
#[test]
fn no_body_line_is_a_lone_character() {
    let (_, r) = example();
    let punct = |c: char| "。，、；：！？”’）》".contains(c);
    let mut lone = Vec::new();
    for i in 0..r.document.pages().len() {
        for l in lines(&page_runs(r, i), BODY) {
            let t = line_text(&l);
            let t = t.trim();
            let body: Vec<char> = t.chars().filter(|c| !punct(*c)).collect();
            if !t.is_empty() && body.len() <= 1 && t.chars().count() > body.len() {
                lone.push(format!("第{}页：{t}", i + 1));
            }
        }
    }
    assert!(lone.is_empty(), "lone characters: {lone:?}");
}

/// Text of the body-size runs of pages `from..`, in reading order, page
/// numbers left out.
fn body_runs_text(r: &Rendered, from: usize, to: usize) -> String {
    (from..to)
        .flat_map(|i| lines(&page_runs(r, i), BODY))
        .map(|l| line_text(&l))
        .collect()
}

/// The printed page number of a page, if it has one.
fn printed_number(r: &Rendered, index: usize) -> Option<usize> {
    let text: String = page_runs(r, index)
        .iter()
        .filter(|x| (x.size - 14.0).abs() < 0.01 && x.text.contains('—'))
        .map(|x| x.text.clone())
        .collect();
    text.trim_matches(|c: char| c == '—' || c.is_whitespace())
        .parse()
        .ok()
}

/// The title printed on an attachment's first page: the runs of its
/// 22 pt title lines.
fn attachment_title(r: &Rendered, index: usize) -> String {
    page_runs(r, index)
        .iter()
        .filter(|x| (x.size - 22.0).abs() < 0.01)
        .map(|x| x.text.as_str())
        .collect()
}

/// The attachments as the pages show them: (label, title, page index), in
/// order. An attachment page starts with its label in 黑体 at body size.
fn attachments(r: &Rendered) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    for i in FIRST..r.document.pages().len() {
        let runs = page_runs(r, i);
        let Some(first) = lines(&runs, BODY).into_iter().next() else {
            continue;
        };
        let label = line_text(&first);
        if label.starts_with("附件")
            && label[6..].chars().all(|c| c.is_ascii_digit())
            && first[0].family() == "FandolHei"
        {
            out.push((label, attachment_title(r, i), i));
        }
    }
    out
}

#[test]
fn attachment_note_lists_the_attachments_as_they_are_labelled() {
    let (_, r) = example();
    let found = attachments(r);
    let labels: Vec<&str> = found.iter().map(|(l, _, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        ["附件1", "附件2", "附件3", "附件4", "附件5", "附件6"]
    );
    // The 附件说明 runs from "附件：" to the signature, before 附件1.
    let body = body_runs_text(r, FIRST, found[0].2);
    let start = body.rfind("附件：").expect("附件说明");
    let note = &body[start..];
    let end = note
        .rfind("泗县人民政府")
        .expect("signature after the note");
    let note = &note["附件：".len()..end];
    let expected: String = found
        .iter()
        .enumerate()
        .map(|(k, (_, title, _))| format!("{}.{title}", k + 1))
        .collect();
    assert_eq!(note, expected, "附件说明 and attachment titles differ");
    // No punctuation after a name.
    for (_, title, _) in &found {
        assert!(!title.ends_with(['。', '；', '，']), "{title}");
    }
}

#[test]
fn cover_and_contents_are_unnumbered_and_the_contents_give_printed_pages() {
    let (_, r) = example();
    assert_eq!(printed_number(r, 0), None, "cover");
    assert_eq!(printed_number(r, 1), None, "目录");
    assert_eq!(printed_number(r, FIRST), Some(1), "first body page");
    let cover = page_text(r, 0);
    assert!(cover.contains("泗县人民政府") && cover.contains("2024年5月20日"));
    // Every entry of the 目录: the heading or attachment it names is on the
    // page carrying that printed number.
    let entries: Vec<(String, usize)> = lines(&page_runs(r, 1), BODY)
        .iter()
        .map(|l| line_text(l))
        .filter_map(|t| {
            let digits: String = t.chars().rev().take_while(char::is_ascii_digit).collect();
            let n: usize = digits.chars().rev().collect::<String>().parse().ok()?;
            let name: String = t
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .trim_end_matches('.')
                .to_string();
            Some((name, n))
        })
        .collect();
    let heads = ["一、", "二、", "三、", "四、", "五、", "六、"];
    for h in heads {
        assert!(
            entries.iter().any(|(t, _)| t.starts_with(h)),
            "目录 lacks {h}"
        );
    }
    for k in 1..=6 {
        let label = format!("附件{k}");
        assert!(
            entries.iter().any(|(t, _)| t.starts_with(&label)),
            "目录 lacks {label}"
        );
    }
    for (name, n) in &entries {
        let index = (FIRST..r.document.pages().len())
            .find(|&i| printed_number(r, i) == Some(*n))
            .unwrap_or_else(|| panic!("no page numbered {n}"));
        let key: String = name
            .split('　')
            .next()
            .unwrap_or("")
            .chars()
            .take(4)
            .collect();
        assert!(
            page_text(r, index).contains(&key),
            "目录: “{name}” on page {n}, which does not carry “{key}”"
        );
    }
}

#[test]
fn recipient_is_flush_left_on_the_line_after_the_blank_line() {
    let (_, r) = example();
    let body = lines(&page_runs(r, FIRST), BODY);
    let title_y = page_runs(r, FIRST)
        .iter()
        .find(|x| (x.size - 22.0).abs() < 0.01)
        .map(|x| x.y)
        .expect("title");
    let first = &body[0];
    assert_eq!(line_text(first), "宿州市人民政府教育督导委员会：");
    assert_near(first[0].x, mm(28.0), 0.5, "主送机关 flush left");
    let pitch = mm(225.0) / 22.0;
    // Line tops on the grid: the title's line, a blank line, then this one.
    let top = |y: f64, size: f64| y - 0.88 * size;
    assert_near(
        top(first[0].y, BODY) - top(title_y, 22.0),
        2.0 * pitch,
        1.0,
        "one blank line",
    );
}

#[test]
fn no_text_is_smaller_than_five_hao() {
    let (_, r) = example();
    let mut small = Vec::new();
    for i in 0..r.document.pages().len() {
        for x in page_runs(r, i) {
            if x.size < 10.5 - 0.01 {
                small.push(format!("第{}页 {:.1}pt “{}”", i + 1, x.size, x.text));
            }
        }
    }
    small.dedup_by(|a, b| a.split(' ').nth(2) == b.split(' ').nth(2));
    assert!(small.is_empty(), "{:?}", &small[..small.len().min(20)]);
}

#[test]
fn nothing_hangs_outside_the_text_block() {
    let (_, r) = example();
    let mut out = Vec::new();
    for (i, page) in r.document.pages().iter().enumerate() {
        let landscape = page.frame.width().to_pt() > page.frame.height().to_pt();
        // (left, top, right, bottom) of the text block, in mm.
        let (l, t, rt, b) = if landscape {
            (35.0, 28.0, 297.0 - 37.0, 210.0 - 26.0)
        } else {
            (28.0, 37.0, 210.0 - 26.0, 297.0 - 35.0)
        };
        for x in runs(&page.frame) {
            // The page number sits below (or beside) the block by design.
            if x.text.contains('—') && (x.size - 14.0).abs() < 0.01 {
                continue;
            }
            if x.turns != 0 {
                continue;
            }
            // ±1 mm, the tolerance of the margins themselves (layout.md):
            // a justified line may end a point or two past the edge where
            // its punctuation was squeezed.
            let tol = mm(1.0);
            let inside = x.x >= mm(l) - tol
                && x.x + x.width <= mm(rt) + tol
                && x.y - 0.88 * x.size >= mm(t) - tol
                && x.y + 0.12 * x.size <= mm(b) + tol;
            if !inside {
                out.push(format!(
                    "第{}页 “{}” {:.1}…{:.1}pt",
                    i + 1,
                    x.text,
                    x.x - mm(l),
                    x.x + x.width - mm(rt)
                ));
            }
        }
    }
    assert!(out.is_empty(), "{:?}", &out[..out.len().min(20)]);
}
