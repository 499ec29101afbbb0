//! Rows under a 合计 that break the total down — “其中：小学”, an indented
//! “　　　初中” (ideographic or ordinary spaces), “其中 民办”, a bare 学段,
//! 办学性质 or 城乡 word with figures — are skipped and listed by
//! `dudao check` with their cell, never read as schools; a school whose
//! name merely contains such a word (城区小学, 民办小学) is read. The
//! workbooks are written by LibreOffice from a csv (xlsx and xls), and by
//! rust_xlsxwriter where LibreOffice is missing.

#[path = "common/office.rs"]
mod office;
#[path = "common/sheets.rs"]
mod sheets;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Rows 2–4 schools; row 5 the total; rows 6–13 its breakdown; row 15 a
/// 学段 heading (no figures) that sets the 学段 of the 一贯制 row below it.
const ROWS: &[&str] = &[
    "学校名称,学校类型,学段,学生数,班级数",
    "城区小学,小学,小学,800,18",
    "民办小学,小学,小学,300,8",
    "第一初级中学,初中,初中,600,12",
    "合计,,,1700,38",
    "其中：小学,,,1100,26",
    "\u{3000}\u{3000}\u{3000}初中,,,600,12",
    "其中 公办,,,1400,30",
    "   民办,,,300,8",
    "城区,,,1100,26",
    "乡村,,,600,12",
    "小学,,,1100,26",
    "初中部,,,600,12",
    "",
    "初中",
    "城东学校,九年一贯制学校,,500,10",
];

/// (cell, what the row says) of every row `check` must list as skipped.
const SKIPPED: &[(&str, &str)] = &[
    ("A5", "“合计”行，不是学校"),
    ("A6", "“其中：小学”分项行"),
    ("A7", "“初中”分项行"),
    ("A8", "“其中公办”分项行"),
    ("A9", "“民办”分项行"),
    ("A10", "“城区”分项行"),
    ("A11", "“乡村”分项行"),
    ("A12", "“小学”分项行"),
    ("A13", "“初中部”分项行"),
    ("A15", "分组标题行"),
];

const PLAN: &str = "county: 测试县
report:
  title: 测试县县域义务教育优质均衡发展自评报告
  issuer: 测试县人民政府教育督导委员会
  date: 2024-05-20
plan:
  title: 测试县推进义务教育优质均衡发展工作实施方案
  issuer: 测试县人民政府教育督导委员会
  date: 2023-07-14
";

fn plan(dir: &Path, file: &str) -> PathBuf {
    let p = dir.join("plan.yaml");
    std::fs::write(&p, format!("{PLAN}data:\n  schools:\n    - {file}\n")).unwrap();
    p
}

/// The csv converted by LibreOffice to `ext` (xlsx or xls) in `dir`.
fn converted(dir: &Path, ext: &str) -> PathBuf {
    let csv = dir.join("学校.csv");
    std::fs::write(&csv, ROWS.join("\n") + "\n").unwrap();
    let profile = dir.join("lo-profile");
    let out = dir.join(ext);
    let o = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        // Comma-separated, quoted by ", UTF-8, spaces kept as typed.
        .args([
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            ext,
        ])
        .arg("--outdir")
        .arg(&out)
        .arg(&csv)
        .output()
        .expect("soffice runs");
    let book = out.join(format!("学校.{ext}"));
    assert!(
        book.is_file(),
        "LibreOffice wrote no {ext}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    book
}

/// `dudao check` on the plan: its output, which must be a success.
fn check(plan: &Path) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .arg("check")
        .arg(plan)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "dudao check 失败：\n{err}");
    out
}

fn assert_breakdown_skipped(plan: &Path, file: &str) {
    let out = check(plan);
    assert!(out.contains("学校 4 所"), "{out}");
    for (cell, reason) in SKIPPED {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("单元格 {cell}：")))
            .unwrap_or_else(|| panic!("{file}：{cell} 未列为跳过的行：\n{out}"));
        assert!(
            line.contains(reason),
            "{file}：{cell} 应为“{reason}”：{line}"
        );
        assert!(line.contains(file), "{file}：{line}");
    }
    let c = dudao::input::load(plan, &[]).unwrap();
    let names: Vec<&str> = c.schools.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["城区小学", "民办小学", "第一初级中学", "城东学校"],
        "{file}"
    );
    let students: f64 = c
        .schools
        .iter()
        .flat_map(|s| &s.rows)
        .filter_map(|r| r.get(dudao::model::Measure::Students))
        .map(|f| f.value)
        .sum();
    assert_eq!(students, 2200.0, "{file}");
    // The heading “初中” with no figures gave the row below it its 学段.
    assert_eq!(
        c.schools[3].rows[0].part,
        dudao::model::RowPart::Section(dudao::model::Section::Junior),
        "{file}"
    );
    assert_eq!(c.skipped.len(), SKIPPED.len(), "{file}: {:?}", c.skipped);
}

#[test]
fn breakdown_rows_written_by_libreoffice_are_skipped_and_listed() {
    if !office::has_soffice() {
        return;
    }
    for ext in ["xlsx", "xls"] {
        let dir = tempfile::tempdir().unwrap();
        converted(dir.path(), ext);
        let name = format!("{ext}/学校.{ext}");
        assert_breakdown_skipped(&plan(dir.path(), &name), &format!("学校.{ext}"));
    }
}

#[test]
fn breakdown_rows_in_an_xlsx_are_skipped_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let t: Vec<String> = ROWS
        .iter()
        .map(|r| {
            if r.is_empty() {
                "~".into()
            } else {
                r.replace(',', "|")
            }
        })
        .collect();
    let s = sheets::sheet("学校", &t.join("\n"));
    sheets::write_xlsx(&dir.path().join("学校.xlsx"), &[s]);
    assert_breakdown_skipped(&plan(dir.path(), "学校.xlsx"), "学校.xlsx");
}
