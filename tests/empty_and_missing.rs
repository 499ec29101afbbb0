//! Counties the report templates must carry without a crash or a blank
//! sentence, each rendered by the binary to PDF and Word and run through
//! `dudao units` and `dudao ledger`:
//! - a 九年一贯制 school without its 全校 row (shared resources blank, which
//!   `check` accepts): the report names the missing values and their cells
//!   and says no way to pass can be computed until they are filled;
//! - a county where every school meets every resource standard: no failing
//!   school, no problem from the data;
//! - a county with only 小学 (no 初中 row at all);
//! - a plan with every optional list empty (no tasks, milestones, projects,
//!   funding years, next steps, problems, figures …).
//!
//! Text is read back from the PDF with `pdftotext` (skipped with a message
//! where poppler is missing) and from the Word document's XML.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLE: &str = "examples/sixian";

const HEADER: &str = "学校名称,学校类型,学段,学生数,班级数,高于规定学历教师数,县级以上骨干教师数,体育艺术专任教师数,教学及辅助用房面积,体育运动场馆面积,教学仪器设备值,网络多媒体教室数";

/// Two 小学, an 初中 and 城东学校, a 九年一贯制学校 whose shared resources
/// (L4–L7) are blank in both 部 rows and which has no 全校 row.
const THROUGH_TRAIN_WITHOUT_WHOLE: &str = "\
第一小学,小学,小学,500,12,25,6,5,2400,4000,1100000,12
第二小学,小学,小学,400,10,20,5,4,2000,3200,900000,10
城关初级中学,初中,初中,600,12,40,8,6,3600,6000,2200000,15
城东学校,九年一贯制学校,小学,300,8,15,4,3,,,,
城东学校,九年一贯制学校,初中,200,5,14,3,2,,,,
";

/// Only 小学: no 初中 row anywhere.
const ONLY_PRIMARY: &str = "\
第一小学,小学,小学,500,12,25,6,5,2400,4000,1100000,12
第二小学,小学,小学,400,10,20,5,4,2000,3200,900000,10
第三小学,小学,小学,350,9,18,5,4,1800,2900,800000,9
";

/// Every school well above every resource standard.
const ALL_MET: &str = "\
第一小学,小学,小学,500,12,30,8,7,3000,4500,1500000,14
第二小学,小学,小学,400,10,24,6,6,2400,3600,1200000,11
城关初级中学,初中,初中,600,12,45,9,8,4000,6600,2700000,16
";

/// A plan with nothing but what the schema requires.
const MINIMAL_PLAN: &str = "county: 测试县
report:
  title: 测试县县域义务教育优质均衡发展自评报告
  issuer: 测试县人民政府
  date: 2024-05-20
  school_pages: appendix
plan:
  title: 测试县推进义务教育优质均衡发展工作实施方案
  issuer: 测试县人民政府教育督导委员会
  date: 2023-07-14
data:
  schools:
    - schools.csv
";

/// A project folder: the plan and `schools.csv`.
struct Project {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Project {
    /// The 泗县 example's plan (with the 整改台账 and 责任清单 appended to
    /// the report) on these schools.
    fn example(rows: &str) -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        std::fs::create_dir(&dir).unwrap();
        for e in std::fs::read_dir(EXAMPLE).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
        let plan = std::fs::read_to_string(dir.join("plan.yaml")).unwrap();
        let plan = plan
            .replace("  # ledger: true", "  ledger: true")
            .replace("  # units: true", "  units: true");
        std::fs::write(dir.join("plan.yaml"), plan).unwrap();
        let p = Project { _tmp: tmp, dir };
        p.schools(rows);
        p
    }

    /// The minimal plan on these schools.
    fn minimal(rows: &str) -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("plan.yaml"), MINIMAL_PLAN).unwrap();
        let p = Project { _tmp: tmp, dir };
        p.schools(rows);
        p
    }

    fn schools(&self, rows: &str) {
        std::fs::write(self.csv(), format!("{HEADER}\n{rows}")).unwrap();
    }

    fn csv(&self) -> PathBuf {
        self.dir.join("schools.csv")
    }

    fn plan(&self) -> PathBuf {
        self.dir.join("plan.yaml")
    }

    /// `dudao CMD plan.yaml --schools schools.csv ARGS…`, which must succeed.
    fn run(&self, cmd: &str, args: &[&Path]) -> String {
        let o: Output = Command::new(env!("CARGO_BIN_EXE_dudao"))
            .arg(cmd)
            .arg(self.plan())
            .arg("--schools")
            .arg(self.csv())
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "dudao {cmd} failed:\n{err}");
        assert!(!err.contains("panicked"), "{err}");
        String::from_utf8_lossy(&o.stdout).into_owned() + &err
    }

    /// The report as PDF text (None without pdftotext) and as Word text.
    fn render(&self) -> (Option<String>, String) {
        let pdf = self.dir.join("报告.pdf");
        let docx = self.dir.join("报告.docx");
        self.run("render", &[Path::new("-o"), &pdf]);
        self.run("render", &[Path::new("-o"), &docx]);
        (pdf_text(&pdf), docx_text(&docx))
    }

    /// `dudao units` and `dudao ledger` into the project folder: the
    /// 责任清单's text (None without pdftotext) and every text cell of the
    /// 整改台账.
    fn units_and_ledger(&self) -> (Option<String>, String) {
        let out = self.dir.join("out");
        self.run("units", &[Path::new("-o"), &out]);
        assert!(out.join("责任清单.xlsx").is_file());
        assert!(out.join("责任清单.pdf").is_file());
        let ledger = out.join("整改台账.xlsx");
        self.run("ledger", &[Path::new("-o"), &ledger]);
        (pdf_raw_text(&out.join("责任清单.pdf")), xlsx_text(&ledger))
    }
}

/// Text without spaces or line breaks: pdftotext breaks lines where the
/// page does, and the Word XML splits runs.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pdf_text(pdf: &Path) -> Option<String> {
    pdftotext(pdf, &[])
}

/// In the order the PDF draws its text: a table's cells one after the
/// other, not interleaved line by line.
fn pdf_raw_text(pdf: &Path) -> Option<String> {
    pdftotext(pdf, &["-raw"])
}

fn pdftotext(pdf: &Path, args: &[&str]) -> Option<String> {
    match Command::new("pdftotext")
        .args(args)
        .arg(pdf)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => {
            // A sentence may run across a page: its folio (“— 10 —”) is
            // not part of it.
            let text = String::from_utf8_lossy(&o.stdout);
            let body: Vec<&str> = text.lines().filter(|l| !is_folio(l)).collect();
            Some(squeeze(&body.join("\n")))
        }
        _ => {
            eprintln!("pdftotext (poppler) not found: the PDF's text is not checked");
            None
        }
    }
}

/// A page number line, “— 10 —”.
fn is_folio(line: &str) -> bool {
    let t = squeeze(line);
    t.strip_prefix('—')
        .and_then(|t| t.strip_suffix('—'))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Every text cell of every sheet, in order.
fn xlsx_text(path: &Path) -> String {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let mut out = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for c in row {
                if let Data::String(t) = c {
                    out.push_str(t);
                }
            }
        }
    }
    squeeze(&out)
}

/// Every `<w:t>` of the document, in order.
fn docx_text(docx: &Path) -> String {
    let bytes = std::fs::read(docx).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(start) = rest.find("<w:t") {
        rest = &rest[start + 4..];
        // `<w:t>` or `<w:t xml:space="preserve">`, not `<w:tbl>` or `<w:tc>`.
        if !(rest.starts_with('>') || rest.starts_with(' ')) {
            continue;
        }
        let Some(open) = rest.find('>') else { break };
        rest = &rest[open + 1..];
        let Some(end) = rest.find("</w:t>") else {
            break;
        };
        out.push_str(&rest[..end]);
        rest = &rest[end..];
    }
    squeeze(
        &out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

/// Where `text` comes closest to `phrase`: the text after the longest
/// beginning of the phrase it holds, for a failure message of a few lines.
fn near(text: &str, phrase: &str) -> String {
    let chars: Vec<char> = phrase.chars().collect();
    for n in (1..=chars.len()).rev() {
        let head: String = chars[..n].iter().collect();
        if let Some(k) = text.find(&head) {
            return text[k..].chars().take(n + 120).collect();
        }
    }
    String::from("（全文没有）")
}

/// Some 60 characters either side of `hole` in `text`.
fn around(text: &str, hole: &str) -> String {
    let k = text.find(hole).map_or(0, |k| text[..k].chars().count());
    text.chars().skip(k.saturating_sub(60)).take(120).collect()
}

/// Every phrase in the report, PDF and Word alike; none of the marks of a
/// sentence left without its facts.
fn assert_says(what: &str, texts: &(Option<String>, String), phrases: &[&str]) {
    let (pdf, docx) = texts;
    for (kind, text) in pdf.iter().map(|t| ("PDF", t)).chain([("Word", docx)]) {
        for p in phrases {
            let p = squeeze(p);
            assert!(
                text.contains(&p),
                "{what}（{kind}）中没有“{p}”，最接近的是：\n{}",
                near(text, &p)
            );
        }
        for hole in [
            "原因：。",
            "需补充。",
            "（）",
            "：。",
            "，。",
            "、。",
            "时限：。",
            "其中；",
        ] {
            assert!(
                !text.contains(hole),
                "{what}（{kind}）有空缺的句子“{hole}”：\n{}",
                around(text, hole)
            );
        }
    }
}

#[test]
fn a_school_failing_for_missing_values_renders_and_names_them() {
    for p in [
        Project::example(THROUGH_TRAIN_WITHOUT_WHOLE),
        Project::minimal(THROUGH_TRAIN_WITHOUT_WHOLE),
    ] {
        // `check` accepts the workbook: the values are missing, not wrong.
        p.run("check", &[]);
        let texts = p.render();
        assert_says(
            "缺全校行的一贯制学校",
            &texts,
            &[
                // 四、存在的问题
                "城东学校（小学）未达到",
                "缺少数据：教学及辅助用房面积（",
                "schools.csv，工作表“schools”，单元格 I5为空，本校也没有填报全校行）",
                "；网络多媒体教室数（",
                "单元格 L6为空，本校也没有填报全校行）",
                "这些数据补齐之前，无法测算达到校际标准需补充哪些资源",
                "整改措施：补填教学及辅助用房面积、体育运动场馆面积、教学仪器设备值、网络多媒体教室数，按补齐后的数据重新测算",
                // 五、下一步工作
                "补填城东学校（初中）缺少的教学及辅助用房面积、体育运动场馆面积、教学仪器设备值、网络多媒体教室数，按补齐后的数据重新测算需补充的资源",
                // 一校一表
                "以上数据补齐之前，无法测算需补充的资源",
            ],
        );
        // The school's own file says the same (school-main.typ.j2).
        let sep = p.dir.join("separate.pdf");
        p.run(
            "render",
            &[
                Path::new("-o"),
                &sep,
                Path::new("--school-pages"),
                Path::new("separate"),
            ],
        );
        let page = p.dir.join("separate-一校一表").join("城东学校-小学.pdf");
        assert!(page.is_file(), "{}", page.display());
        if let Some(t) = pdf_text(&page) {
            let phrase = "以上数据补齐之前，无法测算需补充的资源";
            assert!(t.contains(phrase), "{}", near(&t, phrase));
        }
        // The 整改台账 and the 责任清单 name the same values and cells.
        let (units, ledger) = p.units_and_ledger();
        for (what, text) in units
            .iter()
            .map(|u| ("责任清单", u))
            .chain([("整改台账", &ledger)])
        {
            for phrase in [
                "生均教学及辅助用房面积缺少数据：教学及辅助用房面积（",
                "schools.csv，工作表“schools”，单元格I5）未填，补齐之前无法判断是否达到标准，也无法测算达标需补充的资源",
            ] {
                assert!(text.contains(phrase), "{what}：{}", near(text, phrase));
            }
        }
    }
}

#[test]
fn a_county_meeting_every_resource_standard_renders() {
    for p in [Project::example(ALL_MET), Project::minimal(ALL_MET)] {
        let texts = p.render();
        assert_says(
            "全部达标的县",
            &texts,
            &["参评的2所（个）全部达到", "参评的1所（个）全部达到"],
        );
        let (pdf, docx) = &texts;
        for t in pdf.iter().chain([docx]) {
            assert!(
                !t.contains("未达到“7项指标中至少"),
                "{}",
                near(t, "未达到“7项指标中至少")
            );
        }
        p.units_and_ledger();
    }
}

#[test]
fn a_county_with_only_primary_schools_renders() {
    for p in [
        Project::example(ONLY_PRIMARY),
        Project::minimal(ONLY_PRIMARY),
    ] {
        let texts = p.render();
        assert_says(
            "只有小学的县",
            &texts,
            &["均为小学学生", "全县没有初中学段的学校"],
        );
        p.units_and_ledger();
    }
}

#[test]
fn a_plan_with_every_optional_list_empty_renders() {
    let p = Project::minimal(THROUGH_TRAIN_WITHOUT_WHOLE);
    let texts = p.render();
    assert_says("空计划", &texts, &["五、下一步工作", "六、自评结论"]);
    let (units, _) = p.units_and_ledger();
    if let Some(u) = units {
        assert!(
            u.contains("方案没有写明牵头单位和责任单位"),
            "责任清单：{u}"
        );
        assert!(u.contains("尚未明确责任单位的问题"), "责任清单：{u}");
        assert!(u.contains("城东学校"), "责任清单：{u}");
    }
    // Nothing to report at all: the next steps still say something.
    let p = Project::minimal(ALL_MET);
    let texts = p.render();
    assert_says("空计划、全部达标", &texts, &["六、自评结论"]);
}

/// The reviewing body's report over the three kinds of county: one with
/// only 小学, one whose 一贯制 school lacks its 全校 row, one meeting every
/// resource standard, each with nothing but the plan's required fields.
#[test]
fn a_review_of_such_counties_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut list = String::new();
    for (county, rows) in [
        ("小学县", ONLY_PRIMARY),
        ("缺数县", THROUGH_TRAIN_WITHOUT_WHOLE),
        ("达标县", ALL_MET),
    ] {
        std::fs::create_dir(dir.join(county)).unwrap();
        std::fs::write(
            dir.join(county).join("plan.yaml"),
            MINIMAL_PLAN.replace("测试县", county),
        )
        .unwrap();
        std::fs::write(
            dir.join(county).join("schools.csv"),
            format!("{HEADER}\n{rows}"),
        )
        .unwrap();
        list.push_str(&format!("  - plan: {county}/plan.yaml\n    city: 示例市\n"));
    }
    std::fs::write(
        dir.join("review.yaml"),
        format!(
            "body: 示例市人民政府教育督导委员会\nlevel: 市级复核\ndate: 2024-06-20\n\
             sample: {{ per_county: 3, seed: 20240620 }}\ncounties:\n{list}"
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .arg("review")
        .arg(dir.join("review.yaml"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "dudao review failed:\n{err}");
    let Some(text) = pdf_text(&out.join("复核报告.pdf")) else {
        return;
    };
    for phrase in [
        "小学县。资源配置方面，参评小学3所（部）中3所达到校际均衡要求，没有参评的初中学校（部）",
        "学校规划布局合理，符合国家规定要求”缺少判断所需的数据：没有数据",
    ] {
        assert!(text.contains(phrase), "复核报告：{}", near(&text, phrase));
    }
    for hole in ["标准为，", "初中0所（部）中0所"] {
        assert!(!text.contains(hole), "复核报告：{}", around(&text, hole));
    }
}
