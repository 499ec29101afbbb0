//! Layout checks of the GB/T 9704 style on the laid-out typst frames: the
//! numbers a reviewer measures with a ruler (see layout.md), plus the safety
//! and reproducibility guarantees of the render engine.
//!
//! Set `DUDAO_SAMPLE_PDF=/some/file.pdf` to keep the sample document.

use std::sync::OnceLock;
use std::time::Instant;

use chrono::NaiveDate;
use dudao::render::escape::{typst_markup, typst_str};
use dudao::render::{RenderError, RenderJob, Rendered, render};
mod common;
use common::*;
use typst::text::FontWeight;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 20).expect("valid date")
}

fn job(main: String) -> RenderJob {
    let mut job = RenderJob::new(main, env!("CARGO_MANIFEST_DIR"), date());
    // Only the bundled fonts: the assertions must not depend on the machine.
    job.system_fonts = false;
    job.title = "测试县义务教育优质均衡发展自评报告".into();
    job.author = "测试县人民政府教育督导室".into();
    job
}

fn render_ok(job: &RenderJob) -> Rendered {
    match render(job) {
        Ok(r) => r,
        Err(e) => panic!("render failed:\n{e}"),
    }
}

fn render_err(main: &str) -> RenderError {
    match render(&job(main.to_string())) {
        Ok(_) => panic!("render of {main:?} should fail"),
        Err(e) => e,
    }
}

/// Ideographs without punctuation, so that every full line holds exactly
/// 28 of them.
fn hanzi(n: usize) -> String {
    const POOL: &str = "教育督导评估学校办学条件师资队伍建设课程改革质量监测义务阶段均衡发展县域城乡资源配置标准化优质公平";
    POOL.chars().cycle().take(n).collect()
}

const PREAMBLE: &str =
    "#import \"/style.typ\": *\n#show: gbt-doc.with(title: \"测试\", author: \"测试县\")\n";

/// Title, headings of all levels, two and more full pages of body text, a
/// table spanning pages, landscape pages, a signature, a generated blank
/// page and an attachment.
fn sample_source() -> String {
    let mut s = String::from(PREAMBLE);
    s += "#doc-title((\"测试县义务教育优质均衡发展\", \"自评报告\"))\n";
    s += "= 一、总体情况\n\n";
    s += &hanzi(28 * 60);
    s += "\n\n== （一）资源配置\n\n";
    s += &hanzi(200);
    s += "。\n\n=== 1.生均教学及辅助用房面积\n\n";
    s += &hanzi(100);
    s += "\n\n==== （1）小学\n\n";
    s += &hanzi(80);
    s += "\n\n#data-table(title: \"表1 小学生均教学及辅助用房面积\", columns: (3fr, 2fr, 2fr, 2fr), \
          header: (\"学校\", \"指标值\", \"标准\", \"是否达标\"), numeric: (1, 2), \
          failing: ((3, 1),), rows: (";
    for i in 0..80 {
        s += &format!(
            "(\"第{i}小学\", \"{}.{:02}\", \"4.50\", \"是\"), ",
            4 + i % 3,
            i
        );
    }
    s += "))\n\n";
    s += "#landscape-pages[\n#data-table(columns: 10, header: range(10).map(i => [指标#i]), \
          numeric: range(1, 10), rows: range(60).map(r => range(10).map(c => str(r * c))))\n]\n\n";
    s += &hanzi(120);
    s += "\n\n#signature(\"测试县人民政府教育督导室\", datetime(year: 2024, month: 5, day: 20))\n";
    s += "#pagebreak(to: \"odd\")\n#attachment(\"附件1\", \"测试县学校名单\")\n";
    s += &hanzi(60);
    s += "\n";
    s
}

/// The sample, rendered once for all tests that only look at it.
fn sample() -> &'static Rendered {
    static SAMPLE: OnceLock<Rendered> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let rendered = render_ok(&job(sample_source()));
        if let Some(path) = std::env::var_os("DUDAO_SAMPLE_PDF") {
            std::fs::write(path, &rendered.pdf).expect("write sample PDF");
        }
        rendered
    })
}

fn page_runs(index: usize) -> Vec<Run> {
    runs(&sample().document.pages()[index].frame)
}

/// Index of the first page whose body lines are all full.
fn full_body_page() -> usize {
    1
}

#[test]
fn pages_are_a4() {
    for page in sample().document.pages() {
        let size = page.frame.size();
        let (w, h) = (size.x.to_pt(), size.y.to_pt());
        let portrait = (w - mm(210.0)).abs() < 0.01 && (h - mm(297.0)).abs() < 0.01;
        let landscape = (w - mm(297.0)).abs() < 0.01 && (h - mm(210.0)).abs() < 0.01;
        assert!(portrait || landscape, "page size {w} × {h} pt");
    }
}

#[test]
fn full_page_has_22_lines_of_28_characters() {
    let runs = page_runs(full_body_page());
    let body = lines(&runs, BODY);
    assert_eq!(
        body.len(),
        22,
        "{:#?}",
        body.iter().map(|l| line_text(l)).collect::<Vec<_>>()
    );
    let pitch = mm(225.0) / 22.0;
    for (i, line) in body.iter().enumerate() {
        let count: usize = line.iter().map(Run::cjk_count).sum();
        assert_eq!(count, 28, "line {i}: {}", line_text(line));
        assert_near(line[0].x, mm(28.0), mm(1.0), "left edge of the text block");
        let end = line.last().map(|r| r.x + r.width).unwrap_or_default();
        assert_near(
            end,
            mm(210.0 - 26.0),
            mm(1.0),
            "right edge of the text block",
        );
        assert_near(
            line[0].y - body[0][0].y,
            i as f64 * pitch,
            0.01,
            "line pitch",
        );
    }
    // The first line's ideographs (em box 0.88 em above the baseline) start
    // at the top margin.
    assert_near(body[0][0].y - 0.88 * BODY, mm(37.0), mm(1.0), "top margin");
    // The last line ends inside the text block.
    let last = body[21][0].y + 0.12 * BODY;
    assert!(last <= mm(297.0 - 35.0), "last line below the text block");
}

#[test]
fn paragraphs_are_indented_two_characters() {
    let runs = page_runs(0);
    let body = lines(&runs, BODY);
    // Line 0 is the level-1 heading, line 1 the first line of a paragraph.
    let char_width = (mm(156.0)) / 28.0;
    for line in &body[..2] {
        assert_near(
            line[0].x,
            mm(28.0) + 2.0 * char_width,
            0.5,
            "two-character indent",
        );
    }
    assert_eq!(body[1].iter().map(Run::cjk_count).sum::<usize>(), 26);
    assert_near(body[2][0].x, mm(28.0), 0.01, "continuation lines flush");
}

#[test]
fn page_numbers() {
    let doc = &sample().document;
    let mut seen_landscape = false;
    let mut seen_blank = false;
    for (index, page) in doc.pages().iter().enumerate() {
        let number = index + 1;
        let runs = runs(&page.frame);
        let numbers: Vec<&Run> = runs.iter().filter(|r| r.text.starts_with('—')).collect();
        if runs.is_empty() {
            // The page pagebreak(to: "odd") inserted.
            seen_blank = true;
            continue;
        }
        assert_eq!(numbers.len(), 1, "page {number}: {numbers:?}");
        let run = numbers[0];
        assert_eq!(run.text, format!("— {number} —"), "page {number}");
        assert!(
            (run.size - 14.0).abs() < 0.01,
            "page number size {}",
            run.size
        );
        assert_eq!(run.family(), "FandolSong");
        let inset = BODY; // one character of body text
        let size = page.frame.size();
        if size.x > size.y {
            seen_landscape = true;
            // Turned with the page: the portrait bottom is the landscape
            // left, the portrait right the landscape bottom.
            assert_eq!(run.turns, 1, "page {number}: number turned with the page");
            let dash = run.x + run.dash_centre();
            assert_near(dash, mm(35.0 - 7.0), mm(1.0), "7 mm below the text block");
            if number % 2 == 1 {
                assert_near(
                    run.y + run.width,
                    mm(210.0 - 26.0) - inset,
                    mm(1.0),
                    "odd: right, one character in",
                );
            } else {
                assert_near(
                    run.y,
                    mm(28.0) + inset,
                    mm(1.0),
                    "even: left, one character in",
                );
            }
        } else {
            assert_eq!(run.turns, 0);
            let dash = run.y - run.dash_centre();
            assert_near(
                dash,
                mm(297.0 - 35.0 + 7.0),
                mm(1.0),
                "7 mm below the text block",
            );
            if number % 2 == 1 {
                assert_near(
                    run.x + run.width,
                    mm(210.0 - 26.0) - inset,
                    mm(1.0),
                    "odd: right, one character in",
                );
            } else {
                assert_near(
                    run.x,
                    mm(28.0) + inset,
                    mm(1.0),
                    "even: left, one character in",
                );
            }
        }
    }
    assert!(seen_landscape, "sample has landscape pages");
    assert!(seen_blank, "sample has a blank page");
}

#[test]
fn title_and_headings_use_their_fonts() {
    let first = page_runs(0);
    let find = |text: &str| -> &Run {
        first
            .iter()
            .find(|r| r.text.contains(text))
            .unwrap_or_else(|| panic!("no run with {text:?}"))
    };
    let title = find("自评报告");
    assert!(
        (title.size - 22.0).abs() < 0.01,
        "title size {}",
        title.size
    );
    assert_eq!(title.family(), "FandolSong");
    assert_eq!(title.weight(), FontWeight::BOLD);
    assert_near(
        title.x + title.width / 2.0,
        mm(28.0 + 78.0),
        mm(1.0),
        "title centred",
    );
    assert_near(
        title.y - 0.88 * 22.0,
        mm(37.0) + mm(225.0) / 22.0,
        mm(1.0),
        "second title line",
    );

    let h1 = find("一、总体情况");
    assert_eq!(h1.family(), "FandolHei");
    assert!((h1.size - BODY).abs() < 0.01);

    // Headings further down the document.
    let all: Vec<Run> = sample()
        .document
        .pages()
        .iter()
        .flat_map(|p| runs(&p.frame))
        .collect();
    let find_all = |text: &str| -> &Run {
        all.iter()
            .find(|r| r.text.contains(text))
            .unwrap_or_else(|| panic!("no run with {text:?}"))
    };
    assert_eq!(find_all("（一）资源配置").family(), "FandolKai");
    assert_eq!(find_all("1.生均教学").family(), "FandolFang R");
    assert_eq!(find_all("（1）小学").family(), "FandolFang R");
    assert_eq!(find_all("附件1").family(), "FandolHei");
    let attachment_title = find_all("测试县学校名单");
    assert!((attachment_title.size - 22.0).abs() < 0.01);
    // Attachment title on the third line of the text block.
    let pitch = mm(225.0) / 22.0;
    assert_near(
        attachment_title.y - 0.88 * 22.0,
        mm(37.0) + 2.0 * pitch,
        mm(1.0),
        "attachment title",
    );
}

#[test]
fn table_header_repeats_and_failing_cell_is_marked() {
    let doc = &sample().document;
    let table_pages: Vec<usize> = doc
        .pages()
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            runs(&p.frame)
                .iter()
                .any(|r| r.text.contains("小学") && r.size < 13.0)
        })
        .map(|(i, _)| i)
        .collect();
    assert!(table_pages.len() >= 2, "table spans pages: {table_pages:?}");
    for &i in &table_pages {
        let runs = runs(&doc.pages()[i].frame);
        assert!(
            runs.iter().any(|r| r.text == "学校"),
            "header on page {}",
            i + 1
        );
    }
    let all: Vec<Run> = table_pages
        .iter()
        .flat_map(|&i| runs(&doc.pages()[i].frame))
        .collect();
    let failing: Vec<&Run> = all.iter().filter(|r| r.text.contains('▲')).collect();
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert_eq!(failing[0].weight(), FontWeight::BOLD);
}

/// The last two body lines of the page holding `issuer`.
fn signature_lines(r: &Rendered, issuer: &str) -> (Vec<Vec<Run>>, usize) {
    let page = r
        .document
        .pages()
        .iter()
        .map(|p| runs(&p.frame))
        .find(|runs| runs.iter().any(|r| r.text.contains(issuer)))
        .expect("a page with the signature");
    let body = lines(&page, BODY);
    let n = body.len();
    assert!(n >= 3);
    (body, n)
}

fn span(line: &[Run]) -> (f64, f64) {
    let start = line.iter().map(|r| r.x).fold(f64::MAX, f64::min);
    let end = line.iter().map(|r| r.x + r.width).fold(0.0, f64::max);
    (start, end)
}

/// Sealed (GB/T 9704 §7.3.5.1, the default): the 成文日期 four characters
/// in from the right, the issuer centred over it, two blank lines above for
/// the seal.
#[test]
fn sealed_signature_centres_the_issuer_over_the_date() {
    let (body, n) = signature_lines(sample(), "督导室");
    assert_eq!(line_text(&body[n - 2]), "测试县人民政府教育督导室");
    assert_eq!(line_text(&body[n - 1]), "2024年5月20日");
    let char_w = mm(156.0) / 28.0;
    let (ds, de) = span(&body[n - 1]);
    assert_near(
        de,
        mm(210.0 - 26.0) - 4.0 * char_w,
        mm(0.5),
        "date right edge",
    );
    let (is, ie) = span(&body[n - 2]);
    assert_near(
        (is + ie) / 2.0,
        (ds + de) / 2.0,
        mm(0.5),
        "issuer centred on the date",
    );
    let pitch = mm(225.0) / 22.0;
    assert_near(
        body[n - 2][0].y - body[n - 3][0].y,
        3.0 * pitch,
        0.01,
        "two blank lines above",
    );
    assert_near(
        body[n - 1][0].y - body[n - 2][0].y,
        pitch,
        0.01,
        "date below issuer",
    );
}

/// Unsealed (§7.3.5.2): one blank line, the issuer two characters in from
/// the right, the date starting two characters right of the issuer's first
/// character; when the date is the longer, it keeps two characters from the
/// edge and the issuer moves left with it.
#[test]
fn unsealed_signature_steps_the_date_two_characters_right() {
    let char_w = mm(156.0) / 28.0;
    let right = mm(210.0 - 26.0);
    let pitch = mm(225.0) / 22.0;
    for (issuer, date_longer) in [
        ("测试县人民政府教育督导委员会", false),
        ("测试县政府", true),
    ] {
        let src = format!(
            "{PREAMBLE}{}\n\n#signature(\"{issuer}\", datetime(year: 2024, month: 5, day: 20), sealed: false)\n",
            hanzi(40)
        );
        let r = render_ok(&job(src));
        let (body, n) = signature_lines(&r, issuer);
        let (is, ie) = span(&body[n - 2]);
        let (ds, de) = span(&body[n - 1]);
        assert_near(ds - is, 2.0 * char_w, mm(0.5), "date two characters right");
        if date_longer {
            assert_near(de, right - 2.0 * char_w, mm(0.5), "date two characters in");
        } else {
            assert_near(
                ie,
                right - 2.0 * char_w,
                mm(0.5),
                "issuer two characters in",
            );
        }
        assert_near(
            body[n - 2][0].y - body[n - 3][0].y,
            2.0 * pitch,
            0.01,
            "one blank line above",
        );
    }
}

#[test]
fn fonts_used_are_reported() {
    let used = &sample().fonts_used;
    let families: Vec<&str> = used.iter().map(|u| u.family.as_str()).collect();
    assert_eq!(
        families,
        ["FandolFang R", "FandolSong", "FandolHei", "FandolKai"]
    );
    assert!(
        used.iter()
            .all(|u| u.origin == dudao::render::FontOrigin::Embedded)
    );
    assert_eq!(
        dudao::render::fonts::summary(used),
        "正文 FandolFang R（内置开源字体）；标题、页码和表格 FandolSong（内置开源字体）；\
         一级标题 FandolHei（内置开源字体）；二级标题 FandolKai（内置开源字体）"
    );
}

#[test]
fn pdf_has_metadata_and_bookmarks() {
    let pdf = &sample().pdf;
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(has(b"/Outlines"), "bookmarks from headings");
    assert!(has(b"D:20240520"), "creation date from the report date");
}

const HOSTILE: &str = "#read(\"/etc/passwd\") *粗体* _x_ $y$ <a> @b [c] // d /* e */ `f` \\ ~ ' \" -- ... = - + / 1. http://x.cn \\u{41} #{1+1}";

#[test]
fn hostile_text_prints_literally() {
    for (name, source) in [
        ("markup", typst_markup(HOSTILE)),
        ("string", format!("#{}", typst_str(HOSTILE))),
    ] {
        let main = format!("{PREAMBLE}#set par(justify: false)\n{source}\n");
        let rendered = render_ok(&job(main));
        let runs = runs(&rendered.document.pages()[0].frame);
        let text: String = lines(&runs, BODY).iter().map(|l| line_text(l)).collect();
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(squash(&text), squash(HOSTILE), "{name}");
    }
}

#[test]
fn hostile_lines_do_not_become_structure() {
    let input = "= 不是标题\n- 不是列表\n+ 不是编号\n/ 不是: 术语\n\n#pagebreak()\n";
    let main = format!("{PREAMBLE}{}\n", typst_markup(input));
    let rendered = render_ok(&job(main));
    assert_eq!(rendered.document.pages().len(), 1);
    let runs = runs(&rendered.document.pages()[0].frame);
    let got: Vec<String> = lines(&runs, BODY).iter().map(|l| line_text(l)).collect();
    let want: Vec<&str> = input.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(got, want);
    // No heading means no bookmark.
    assert!(!rendered.pdf.windows(9).any(|w| w == b"/Outlines"));
}

#[test]
fn identical_jobs_give_identical_bytes() {
    let main = format!(
        "{PREAMBLE}#doc-title(\"标题\")\n= 一、标题\n\n{}\n",
        hanzi(500)
    );
    for pdf_a in [false, true] {
        let mut job = job(main.clone());
        job.pdf_a = pdf_a;
        let first = render_ok(&job).pdf;
        let second = render_ok(&job).pdf;
        assert!(first == second, "pdf_a={pdf_a}: renders differ");
        if pdf_a {
            assert!(
                first.windows(11).any(|w| w == b"pdfaid:part"),
                "PDF/A metadata"
            );
        }
    }
}

#[test]
fn today_is_the_report_date() {
    let main = format!("{PREAMBLE}#format-date(datetime.today())\n");
    let rendered = render_ok(&job(main));
    let runs = runs(&rendered.document.pages()[0].frame);
    let text: String = runs.iter().map(|r| r.text.as_str()).collect();
    assert!(text.contains("2024年5月20日"), "{text}");
}

#[test]
fn files_outside_the_project_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("project");
    std::fs::create_dir(&root).expect("mkdir");
    std::fs::write(root.join("ok.txt"), "项目内文件").expect("write");
    std::fs::write(dir.path().join("secret.txt"), "secret").expect("write");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt"))
            .expect("symlink");
        std::os::unix::fs::symlink(dir.path(), root.join("up")).expect("symlink");
    }

    let run = |body: &str| {
        let mut job = job(format!("{PREAMBLE}{body}\n"));
        job.project_root = root.clone();
        render(&job)
    };

    let ok = run("#read(\"/ok.txt\")").map(|r| r.document.pages().len());
    assert_eq!(ok.ok(), Some(1), "files inside the project are readable");

    for body in [
        "#read(\"/etc/passwd\")",
        "#read(\"../secret.txt\")",
        "#read(\"/../secret.txt\")",
        "#image(\"/../../../../etc/passwd\")",
    ] {
        let err = run(body)
            .err()
            .unwrap_or_else(|| panic!("{body} must fail"));
        assert!(matches!(err, RenderError::Compile(_)), "{body}: {err}");
    }
    #[cfg(unix)]
    for body in ["#read(\"/link.txt\")", "#read(\"/up/secret.txt\")"] {
        let err = run(body)
            .err()
            .unwrap_or_else(|| panic!("{body} must fail"));
        let message = err.to_string();
        assert!(message.contains("项目目录之外"), "{body}: {message}");
        assert!(message.contains("/main.typ:3:"), "position: {message}");
    }
}

#[test]
fn font_path_fonts_win_and_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let font = concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/FandolKai-Regular.otf");
    std::fs::copy(font, dir.path().join("kai.otf")).expect("copy font");
    let mut job = job(format!("{PREAMBLE}== （一）楷体\n\n正文\n"));
    job.font_paths = vec![dir.path().to_path_buf()];
    // Installed fonts may differ between machines; only check they load.
    job.system_fonts = true;
    let rendered = render_ok(&job);
    let kai = rendered
        .fonts_used
        .iter()
        .find(|u| u.family == "FandolKai")
        .expect("FandolKai used");
    assert_eq!(
        kai.origin,
        dudao::render::FontOrigin::FontPath(dir.path().join("kai.otf"))
    );
    assert_eq!(kai.to_string(), "FandolKai（--font-path 字体）");
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
}

#[test]
fn missing_font_path_is_a_warning() {
    let mut job = job(format!("{PREAMBLE}正文\n"));
    job.font_paths = vec!["/no/such/font/dir".into()];
    let rendered = render_ok(&job);
    assert_eq!(rendered.warnings.len(), 1, "{:?}", rendered.warnings);
    assert!(rendered.warnings[0].contains("/no/such/font/dir"));
}

#[test]
fn package_imports_are_refused() {
    let err = render_err("#import \"@preview/cetz:0.3.4\": canvas\n");
    let message = err.to_string();
    assert!(message.contains("不支持导入外部包"), "{message}");
    assert!(message.contains("/main.typ:1:"), "{message}");
}

#[test]
fn unknown_font_is_an_error_but_missing_official_fonts_are_not() {
    let err = render_err(&format!("{PREAMBLE}#text(font: \"FandolFang\")[正文]\n"));
    let message = err.to_string();
    assert!(message.contains("未知字体“fandolfang”"), "{message}");
    assert!(message.contains("/main.typ:3:"), "{message}");
    // The sample asks for every official font and none is installed here.
    assert!(sample().warnings.is_empty(), "{:?}", sample().warnings);
    // A list ending in a bundled font is fine.
    render_ok(&job(format!("{PREAMBLE}#text(font: font-kaiti)[正文]\n")));
}

#[test]
fn errors_point_at_file_line_and_column() {
    let err = render_err(&format!("{PREAMBLE}正文\n#undefined-thing\n"));
    let message = err.to_string();
    assert!(
        message.contains("/main.typ:4:2: 错误：unknown variable: undefined-thing"),
        "{message}"
    );

    let mut job = job(format!("{PREAMBLE}#import \"/part.typ\": x\n#x\n"));
    job.files
        .insert("/part.typ".into(), b"#let x = 1 + \"a\"\n".to_vec());
    let message = render(&job)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(message.contains("/part.typ:1:10:"), "{message}");
}

#[test]
fn invalid_virtual_path_is_reported() {
    let mut job = job(String::new());
    job.files.insert("/../x.typ".into(), Vec::new());
    assert!(matches!(render(&job), Err(RenderError::InvalidPath(p)) if p == "/../x.typ"));
}

/// Measures tagged against untagged export on a long report; run with
/// `cargo test --test render_layout -- --ignored --nocapture measure`.
#[test]
#[ignore]
fn measure_tagged_pdf() {
    let mut main = String::from(PREAMBLE);
    main += "#doc-title(\"测试县义务教育优质均衡发展自评报告\")\n";
    for chapter in 0..20 {
        main += &format!(
            "= {chapter}、章节\n\n== （一）小节\n\n{}\n\n{}\n\n",
            hanzi(1500),
            hanzi(800)
        );
        main += "#data-table(columns: 4, header: (\"学校\", \"指标\", \"标准\", \"达标\"), numeric: (1, 2), \
                 rows: range(30).map(i => (\"学校\" + str(i), str(i), \"4.50\", \"是\")))\n\n";
    }
    let start = Instant::now();
    let rendered = render_ok(&job(main));
    println!("render (compile + untagged export): {:?}", start.elapsed());
    let pages = rendered.document.pages().len();
    for tagged in [false, true, false, true] {
        let options = typst_pdf::PdfOptions {
            tagged,
            ..Default::default()
        };
        let start = Instant::now();
        let pdf = typst_pdf::pdf(&rendered.document, &options).expect("export");
        println!(
            "tagged={tagged}: {pages} pages, {} bytes, export {:?}",
            pdf.len(),
            start.elapsed()
        );
    }
}
