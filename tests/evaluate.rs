//! The evaluation end to end: real school workbooks (written with
//! rust_xlsxwriter into a temporary folder) and a minimal plan.yaml, read
//! by `dudao::input::load` and evaluated by `dudao::evaluate::evaluate`, and
//! the `dudao evaluate` command in its three formats.
//!
//! Set `DUDAO_SAMPLE_XLSX=/some/file.xlsx` to keep the reviewer's workbook
//! of the richest fixture (`cargo test --test evaluate sample_workbook`).

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use dudao::evaluate::{Evaluation, MetStatus, SchoolResult, evaluate};
use dudao::model::Section;
use dudao::profile::ResourceIndicator::{self, *};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------------
// Fixtures: statistics workbooks with the canonical headers
// ---------------------------------------------------------------------

const HEADERS: [&str; 22] = [
    "学校名称",
    "学校类型",
    "学段",
    "办学性质",
    "城乡类别",
    "所在乡镇",
    "学生数",
    "班级数",
    "最大班额",
    "专任教师数",
    "高于规定学历教师数",
    "县级以上骨干教师数",
    "体育艺术专任教师数",
    "持证专任教师数",
    "教学及辅助用房面积",
    "体育运动场馆面积",
    "教学仪器设备值",
    "网络多媒体教室数",
    "音乐专用教室数",
    "音乐专用教室面积",
    "美术专用教室数",
    "美术专用教室面积",
];

const BOOK: &str = "学校统计表.xlsx";
const SHEET: &str = "Sheet1";

/// One workbook row.
#[derive(Debug, Clone, Default)]
struct Row {
    text: BTreeMap<&'static str, String>,
    nums: BTreeMap<&'static str, f64>,
}

fn header(h: &str) -> &'static str {
    HEADERS
        .iter()
        .find(|x| **x == h)
        .unwrap_or_else(|| panic!("not a canonical header: {h}"))
}

impl Row {
    fn new(name: &str, kind: &str, section: &str) -> Row {
        Row::default()
            .t("学校名称", name)
            .t("学校类型", kind)
            .t("学段", section)
            .t("办学性质", "公办")
            .t("城乡类别", "乡村")
            .t("所在乡镇", "甲镇")
    }

    fn t(mut self, h: &str, v: &str) -> Row {
        self.nums.remove(header(h));
        self.text.insert(header(h), v.to_string());
        self
    }

    fn n(mut self, h: &str, v: f64) -> Row {
        self.text.remove(header(h));
        self.nums.insert(header(h), v);
        self
    }

    fn blank(mut self, h: &str) -> Row {
        self.text.remove(header(h));
        self.nums.remove(header(h));
        self
    }
}

/// A school-学段 row that meets every standard comfortably.
fn good(name: &str, kind: &str, section: &str, students: f64) -> Row {
    let junior = section == "初中";
    let p = students;
    let classes = (p / 40.0).ceil();
    let rooms = (classes / 12.0).ceil().max(1.0);
    let teachers = (p / 12.0).ceil();
    Row::new(name, kind, section)
        .n("学生数", p)
        .n("班级数", classes)
        .n("最大班额", 40.0)
        .n("专任教师数", teachers)
        .n(
            "高于规定学历教师数",
            (p * if junior { 0.07 } else { 0.06 }).ceil(),
        )
        .n("县级以上骨干教师数", (p * 0.015).ceil())
        .n("体育艺术专任教师数", (p * 0.012).ceil())
        .n("持证专任教师数", teachers)
        .n("教学及辅助用房面积", p * if junior { 7.0 } else { 6.0 })
        .n("体育运动场馆面积", p * if junior { 12.0 } else { 9.0 })
        .n("教学仪器设备值", p * if junior { 3000.0 } else { 2500.0 })
        .n("网络多媒体教室数", (p * 0.03).ceil())
        .n("音乐专用教室数", rooms)
        .n("音乐专用教室面积", rooms * 100.0)
        .n("美术专用教室数", rooms)
        .n("美术专用教室面积", rooms * 95.0)
}

fn primary(name: &str, students: f64) -> Row {
    good(name, "小学", "小学", students)
}

fn junior(name: &str, students: f64) -> Row {
    good(name, "初中", "初中", students)
}

/// `G3` for the 学生数 cell of data row `k` (0-based, under the header).
fn cell(h: &str, k: usize) -> String {
    let col = HEADERS.iter().position(|x| *x == h).unwrap() as u32;
    dudao::source::a1(k as u32 + 1, col)
}

fn write_book(path: &Path, rows: &[Row]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(SHEET).unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (k, row) in rows.iter().enumerate() {
        let r = k as u32 + 1;
        for (c, h) in HEADERS.iter().enumerate() {
            if let Some(t) = row.text.get(h) {
                ws.write_string(r, c as u16, t).unwrap();
            } else if let Some(v) = row.nums.get(h) {
                ws.write_number(r, c as u16, *v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

const PLAN: &str = "\
county: 测试县
report:
  title: 测试县县域义务教育优质均衡发展自评报告
  issuer: 测试县人民政府教育督导委员会
  date: 2024-05-20
plan:
  title: 测试县推进义务教育优质均衡发展工作实施方案
  issuer: 测试县人民政府教育督导委员会
  date: 2023-07-14
data:
  schools: [学校统计表.xlsx]
";

/// A project folder: the workbook and plan.yaml (`PLAN` plus `extra`).
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(rows: &[Row], extra: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        write_book(&dir.path().join(BOOK), rows);
        std::fs::write(dir.path().join("plan.yaml"), format!("{PLAN}{extra}")).unwrap();
        Project { dir }
    }

    fn plan(&self) -> PathBuf {
        self.dir.path().join("plan.yaml")
    }

    fn load(&self) -> Result<dudao::model::County, dudao::error::Error> {
        dudao::input::load(&self.plan(), &[])
    }

    fn eval(&self) -> Evaluation {
        let county = self.load().unwrap_or_else(|e| panic!("load failed: {e}"));
        evaluate(&county)
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_dudao"))
            .arg("evaluate")
            .arg(self.plan())
            .args(args)
            .output()
            .unwrap()
    }
}

fn eval_rows(rows: &[Row]) -> Evaluation {
    Project::new(rows, "").eval()
}

fn school<'a>(e: &'a Evaluation, name: &str, section: Section) -> &'a SchoolResult {
    e.schools
        .iter()
        .find(|s| s.name == name && s.section == section)
        .unwrap_or_else(|| panic!("no row {name} {section:?}"))
}

fn value(s: &SchoolResult, i: ResourceIndicator) -> f64 {
    s.values[&i].unwrap_or_else(|| panic!("{} has no {i}", s.name))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// The textbook example: five 小学, (students, "books") as teaching area.
const TEXTBOOK: [(f64, f64); 5] = [
    (45.0, 279.0),
    (37.0, 137.0),
    (89.0, 935.0),
    (76.0, 160.0),
    (55.0, 402.0),
];

fn textbook_rows() -> Vec<Row> {
    TEXTBOOK
        .iter()
        .enumerate()
        .map(|(k, (p, books))| {
            primary(&format!("第{}小学", k + 1), *p)
                .n("教学及辅助用房面积", *books)
                .t("所在乡镇", if k < 3 { "甲镇" } else { "乙镇" })
        })
        .collect()
}

// ---------------------------------------------------------------------
// 资源配置 and the weighted CV
// ---------------------------------------------------------------------

#[test]
fn textbook_cv_through_the_whole_pipeline() {
    let e = eval_rows(&textbook_rows());
    let l4 = &e.resource.primary.indicators[&L4];
    let (mean, sd, cv) = (l4.mean.unwrap(), l4.sd.unwrap(), l4.cv.unwrap());
    assert!(close(mean, 6.3344, 5e-5), "mean {mean}");
    assert!(close(sd, 3.264, 5e-4), "sd {sd}");
    assert!(close(cv, 0.5153, 5e-5), "weighted CV {cv}");
    // Not the unweighted forms.
    assert!(!close(cv, 0.489, 5e-3) && !close(cv, 0.547, 5e-3));
    assert_eq!(l4.cv_limit, 0.50);
    assert!(!l4.cv_ok, "0.5153 is over the 小学 limit 0.50");
    assert!(!e.resource.primary.cv_all_ok);
    assert_eq!(e.resource.primary.schools, 5);
    assert_eq!(e.resource.primary.students, 302.0);
    // The per-school values are the ratios, unrounded.
    assert_eq!(
        value(school(&e, "第3小学", Section::Primary), L4),
        935.0 / 89.0
    );
    // The failing CV names the schools behind it.
    let gap = e.gaps.cv.iter().find(|g| g.indicator == L4).unwrap();
    assert_eq!(gap.section, Section::Primary);
    assert!(!gap.contributors.is_empty());
    assert_eq!(gap.contributors[0].name, "第3小学");
}

#[test]
fn a_value_exactly_at_the_standard_meets_it() {
    let at = primary("城关第一小学", 10_000.0).n("高于规定学历教师数", 420.0);
    let under = primary("城关第二小学", 10_000.0).n("高于规定学历教师数", 419.0);
    let e = eval_rows(&[at, under]);
    let s = school(&e, "城关第一小学", Section::Primary);
    assert_eq!(value(s, L1), 4.2);
    assert_eq!(s.status[&L1], MetStatus::Met);
    assert_eq!(s.met_count, 7);
    assert!(s.passes);
    let s = school(&e, "城关第二小学", Section::Primary);
    assert_eq!(
        s.status[&L1],
        MetStatus::Floor,
        "4.19 is under 4.2 but over 85%"
    );
    assert!(s.passes, "one indicator at the floor still passes");
}

/// Two schools of equal size with 1,501,787 and 498,213 元 of equipment:
/// CV = (a − b) / (a + b) = 0.501787, which rounds to 0.50 at two places
/// but is over the limit.
fn cv_0501787_rows() -> Vec<Row> {
    vec![
        primary("东关小学", 1000.0).n("教学仪器设备值", 1_501_787.0),
        primary("西关小学", 1000.0).n("教学仪器设备值", 498_213.0),
    ]
}

#[test]
fn a_cv_of_0_501787_fails_a_limit_of_0_50() {
    let e = eval_rows(&cv_0501787_rows());
    let l6 = &e.resource.primary.indicators[&L6];
    let cv = l6.cv.unwrap();
    assert!(close(cv, 0.501787, 1e-12), "cv {cv}");
    assert_eq!(dudao::output::format::cv(Some(cv)), "0.501787");
    assert_eq!(dudao::output::format::fixed(cv, 2), "0.50");
    assert_eq!(l6.cv_limit, 0.50);
    assert!(!l6.cv_ok, "compared unrounded: 0.501787 > 0.50");
    assert!(close(l6.mean.unwrap(), 1000.0, 1e-9));
    assert!(close(l6.sd.unwrap(), 501.787, 1e-9));

    // The limit is the profile's: raised just above the CV, it passes;
    // set between the CV and its 2-decimal rounding, it still fails.
    let raised = Project::new(
        &cv_0501787_rows(),
        "standards:\n  set:\n    resource.cv_limit.primary: 0.501788\n",
    )
    .eval();
    let l6 = &raised.resource.primary.indicators[&L6];
    assert_eq!(l6.cv_limit, 0.501788);
    assert!(l6.cv_ok);
    let between = Project::new(
        &cv_0501787_rows(),
        "standards:\n  set:\n    resource.cv_limit.primary: 0.501786\n",
    )
    .eval();
    assert!(!between.resource.primary.indicators[&L6].cv_ok);
}

#[test]
fn a_school_with_no_students_is_an_input_error_naming_the_cell() {
    let rows = vec![primary("甲小学", 300.0), primary("空小学", 0.0)];
    let p = Project::new(&rows, "");
    let err = p
        .load()
        .expect_err("zero students must not load")
        .to_string();
    let at = cell("学生数", 1);
    assert_eq!(at, "G3");
    assert!(
        err.contains(BOOK) && err.contains(SHEET) && err.contains(&at),
        "{err}"
    );
    assert!(
        err.contains("空小学") && err.contains("学生数为 0"),
        "{err}"
    );
    // The command says the same and writes nothing.
    let out = p.run(&["--format", "json"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("G3") && stderr.contains("学生数为 0"),
        "{stderr}"
    );
}

fn varied_rows(k: f64) -> Vec<Row> {
    [
        (120.0, 800.0),
        (430.0, 5100.0),
        (77.0, 300.0),
        (980.0, 6000.0),
        (260.0, 2950.0),
    ]
    .iter()
    .enumerate()
    .map(|(n, (p, area))| {
        primary(&format!("样本{}小学", n + 1), *p).n("体育运动场馆面积", area * k)
    })
    .collect()
}

#[test]
fn cv_is_unchanged_when_every_numerator_is_scaled() {
    let base = eval_rows(&varied_rows(1.0));
    let b = &base.resource.primary.indicators[&L5];
    for k in [0.25, 3.0, 17.5] {
        let scaled = eval_rows(&varied_rows(k));
        let s = &scaled.resource.primary.indicators[&L5];
        let (cb, cs) = (b.cv.unwrap(), s.cv.unwrap());
        assert!(close(cb, cs, 1e-12), "k={k}: {cb} vs {cs}");
        assert!(close(s.mean.unwrap(), b.mean.unwrap() * k, 1e-9 * k));
    }
}

#[test]
fn the_weighted_mean_is_the_county_aggregate_ratio() {
    let rows = varied_rows(1.0);
    let e = eval_rows(&rows);
    let sum = |h: &str| rows.iter().map(|r| r.nums[header(h)]).sum::<f64>();
    let students = sum("学生数");
    for (i, h, scale) in [
        (L1, "高于规定学历教师数", 100.0),
        (L2, "县级以上骨干教师数", 100.0),
        (L5, "体育运动场馆面积", 1.0),
        (L6, "教学仪器设备值", 1.0),
        (L7, "网络多媒体教室数", 100.0),
    ] {
        let mean = e.resource.primary.indicators[&i].mean.unwrap();
        let ratio = sum(h) * scale / students;
        assert!(
            close(mean, ratio, 1e-12 * ratio.abs()),
            "{i}: {mean} vs {ratio}"
        );
    }
}

// ---------------------------------------------------------------------
// Exclusions and apportioning
// ---------------------------------------------------------------------

#[test]
fn excluded_rows_are_listed_with_reasons_and_still_counted_in_totals() {
    let rows = vec![
        primary("公办小学", 400.0),
        primary("育才民办小学", 250.0).t("办学性质", "民办"),
        good("县特殊教育学校", "特殊教育学校", "小学", 60.0),
        junior("公办初中", 500.0),
    ];
    let e = eval_rows(&rows);
    let private = school(&e, "育才民办小学", Section::Primary);
    assert!(!private.included);
    assert_eq!(private.exclusion.as_deref(), Some("民办学校"));
    let special = school(&e, "县特殊教育学校", Section::Primary);
    assert_eq!(special.exclusion.as_deref(), Some("特殊教育学校"));
    // Not in the assessment …
    assert_eq!(e.resource.primary.schools, 1);
    assert_eq!(e.resource.primary.students, 400.0);
    // … but in the county totals, and listed with the reason.
    let o = &e.overview.sections[&Section::Primary];
    assert_eq!((o.rows, o.students), (3, 710.0));
    assert_eq!((o.included_rows, o.included_students), (1, 400.0));
    assert_eq!(e.overview.schools_total, 4);
    let listed: Vec<(&str, &str)> = e
        .overview
        .excluded
        .iter()
        .map(|x| (x.name.as_str(), x.reason.as_str()))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("育才民办小学", "民办学校"),
            ("县特殊教育学校", "特殊教育学校")
        ]
    );
    assert_eq!(e.overview.excluded[0].students, 250.0);
}

fn nine_year_rows() -> Vec<Row> {
    vec![
        good("大庄镇中心学校", "九年一贯制学校", "小学", 166.0).blank("教学及辅助用房面积"),
        good("大庄镇中心学校", "九年一贯制学校", "初中", 210.0).blank("教学及辅助用房面积"),
        Row::new("大庄镇中心学校", "九年一贯制学校", "全校").n("教学及辅助用房面积", 23_226.0),
    ]
}

#[test]
fn a_nine_year_school_shares_its_whole_school_figure_by_weighted_students() {
    let e = eval_rows(&nine_year_rows());
    let p = school(&e, "大庄镇中心学校", Section::Primary);
    let j = school(&e, "大庄镇中心学校", Section::Junior);
    // 166 : 210 × 1.1, exactly (no rounded share): 23,226 × 166 / 397 and
    // 23,226 × 231 / 397, which sum back to the whole-school figure.
    assert!((value(p, L4) * 166.0 - 23_226.0 * 166.0 / 397.0).abs() < 1e-9);
    assert!((value(j, L4) * 210.0 - 23_226.0 * 231.0 / 397.0).abs() < 1e-9);
    assert!((value(p, L4) * 166.0 + value(j, L4) * 210.0 - 23_226.0).abs() < 1e-9);
    assert_eq!(e.resource.apportion.method, "exact");
    // The input named is the whole-school cell, on the 全校 row.
    let whole_cell = cell("教学及辅助用房面积", 2);
    for s in [p, j] {
        let inputs = &s.inputs[&L4];
        let w = inputs
            .iter()
            .find(|x| x.label.contains("全校"))
            .expect("whole-school input");
        assert_eq!(w.value, 23_226.0);
        assert_eq!(w.at.cell, whole_cell);
        assert_eq!(&*w.at.file, BOOK);
        assert!(!s.apportioned.is_empty());
    }
    assert!(p.apportioned[0].contains("41.81%"), "{}", p.apportioned[0]);
    assert!(j.apportioned[0].contains("58.19%"), "{}", j.apportioned[0]);
    // Own figures are not apportioned.
    assert!(p.inputs[&L5].iter().all(|x| !x.label.contains("全校")));
    assert_eq!(e.overview.apportioned_schools, 1);
    assert!(e.resource.apportion_rule.contains("1.1"));
    // G4 judges the 一贯制 school whole: 376 students.
    let g4 = e.guarantee.iter().find(|g| g.id == "G4").unwrap();
    let tt = g4
        .criteria
        .iter()
        .find(|c| c.key == "through_train")
        .unwrap();
    assert_eq!(tt.met, Some(true));
    assert_eq!(tt.actual, "1所中1所达标");
}

// ---------------------------------------------------------------------
// 整改测算
// ---------------------------------------------------------------------

fn backbone_rows(backbone: f64) -> Vec<Row> {
    vec![
        primary("缺骨干小学", 1000.0).n("县级以上骨干教师数", backbone),
        primary("达标小学", 500.0).t("所在乡镇", "乙镇"),
    ]
}

#[test]
fn a_school_short_of_backbone_teachers_gets_the_smallest_addition_that_passes() {
    let e = eval_rows(&backbone_rows(5.0));
    let s = school(&e, "缺骨干小学", Section::Primary);
    assert_eq!(s.status[&L2], MetStatus::Below);
    assert!(!s.passes);
    let gap = s.gap.as_ref().expect("a failing school has a gap");
    assert_eq!(gap.options.len(), 1, "one indicator: one way to pass");
    assert_eq!(gap.options[0].len(), 1);
    let a = &gap.options[0][0];
    assert_eq!(a.indicator, L2);
    assert_eq!(a.amount, 4.0);
    assert_eq!(a.unit, "人");
    assert_eq!(a.to, "达到标准的85%");
    // Exactly the smallest: with 4 more it passes, with 3 it does not.
    let more = eval_rows(&backbone_rows(5.0 + a.amount));
    assert!(school(&more, "缺骨干小学", Section::Primary).passes);
    // Still below the standard (0.9 of 1.0): listed, passing, with what the
    // full standard takes.
    assert_eq!(more.gaps.schools.len(), 1);
    assert!(more.gaps.schools[0].passes && more.gaps.schools[0].options.is_empty());
    assert_eq!(more.gaps.schools[0].to_standard[0].amount, 1.0);
    let fewer = eval_rows(&backbone_rows(5.0 + a.amount - 1.0));
    assert!(!school(&fewer, "缺骨干小学", Section::Primary).passes);
    // The full standard (1.0 per 100 of 1000) takes 5; totals count that,
    // the one sum that does not depend on the option chosen.
    assert_eq!(gap.to_standard[0].amount, 5.0);
    assert_eq!(e.gaps.schools.len(), 1);
    assert_eq!(e.gaps.townships.len(), 1);
    assert_eq!(e.gaps.townships[0].township, "甲镇");
    assert_eq!(e.gaps.townships[0].totals[0].amount, 5.0);
    assert_eq!(e.gaps.county.len(), 1);
    assert_eq!(
        (e.gaps.county[0].amount, e.gaps.county[0].schools),
        (5.0, 1)
    );
    assert!(!e.resource.primary.all_pass);
}

#[test]
fn two_unmet_indicators_give_every_minimal_way_to_pass() {
    // L2 at 0.5 (below) and L7 at 2.0 of 2.3 (floor): only one may stay
    // under the standard. Either L2 to 85% (+4) and L7 to 2.3 (+3 rooms),
    // or L2 to the standard (+5) with L7 left at the floor: neither is
    // cheaper on both, so both are listed.
    let rows = vec![
        primary("两缺小学", 1000.0)
            .n("县级以上骨干教师数", 5.0)
            .n("网络多媒体教室数", 20.0),
    ];
    let e = eval_rows(&rows);
    let options: Vec<Vec<(ResourceIndicator, f64)>> = e.gaps.schools[0]
        .options
        .iter()
        .map(|o| o.iter().map(|a| (a.indicator, a.amount)).collect())
        .collect();
    assert_eq!(options, vec![vec![(L2, 5.0)], vec![(L2, 4.0), (L7, 3.0)]]);
    let to_standard: Vec<(ResourceIndicator, f64)> = e.gaps.schools[0]
        .to_standard
        .iter()
        .map(|a| (a.indicator, a.amount))
        .collect();
    assert_eq!(to_standard, vec![(L2, 5.0), (L7, 3.0)]);
    // Each option alone passes.
    let second = vec![
        primary("两缺小学", 1000.0)
            .n("县级以上骨干教师数", 10.0)
            .n("网络多媒体教室数", 20.0),
    ];
    assert!(eval_rows(&second).schools[0].passes);
    let fixed = vec![
        primary("两缺小学", 1000.0)
            .n("县级以上骨干教师数", 9.0)
            .n("网络多媒体教室数", 23.0),
    ];
    assert!(eval_rows(&fixed).schools[0].passes);
}

// ---------------------------------------------------------------------
// 政府保障程度 from the schools
// ---------------------------------------------------------------------

fn indicator<'a>(e: &'a Evaluation, id: &str) -> &'a dudao::evaluate::IndicatorResult {
    e.guarantee
        .iter()
        .chain(&e.quality)
        .find(|g| g.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn g3_g4_g5_g12_are_computed_from_the_schools() {
    let rows = vec![
        primary("规模过大小学", 2100.0),
        primary("大班额小学", 600.0).n("最大班额", 46.0),
        primary("缺功能室小学", 900.0)
            .n("班级数", 24.0)
            .n("音乐专用教室数", 1.0)
            .n("音乐专用教室面积", 100.0),
        junior("无证教师初中", 600.0)
            .n("专任教师数", 50.0)
            .n("持证专任教师数", 47.0),
    ];
    let e = eval_rows(&rows);
    for id in ["G3", "G4", "G5", "G12"] {
        let g = indicator(&e, id);
        assert_eq!(g.source, "schools", "{id}");
        assert_eq!(g.met, Some(false), "{id}");
    }
    let failing = |id: &str| indicator(&e, id).failing.join("；");
    assert!(failing("G4").contains("规模过大小学"), "{}", failing("G4"));
    assert!(failing("G5").contains("大班额小学"), "{}", failing("G5"));
    assert!(failing("G3").contains("缺功能室小学"), "{}", failing("G3"));
    assert!(
        failing("G12").contains("无证教师初中"),
        "{}",
        failing("G12")
    );
    let g4 = indicator(&e, "G4");
    assert_eq!(g4.criteria[0].actual, "3所中2所达标");
    let g12 = &indicator(&e, "G12").criteria[0];
    assert!(g12.gap.contains('3'), "{}", g12.gap);
    let g5 = indicator(&e, "G5")
        .criteria
        .iter()
        .find(|c| c.key == "junior")
        .unwrap();
    assert_eq!(g5.met, Some(true));
}

#[test]
fn school_based_indicators_are_met_by_a_clean_county() {
    let mut rows = textbook_rows();
    rows.push(junior("城关初中", 800.0));
    let e = eval_rows(&rows);
    for id in ["G3", "G4", "G5", "G12"] {
        assert_eq!(
            indicator(&e, id).met,
            Some(true),
            "{id}: {:?}",
            indicator(&e, id)
        );
        assert!(indicator(&e, id).failing.is_empty());
    }
    // County figures the plan does not give are undecided, not met.
    assert_eq!(indicator(&e, "Q1").met, None);
    assert_eq!(indicator(&e, "Q1").criteria[0].actual, "无数据");
}

// ---------------------------------------------------------------------
// Plan figures, survey and targets
// ---------------------------------------------------------------------

const FIGURES: &str = "\
figures:
  G1: { values: { met: 是 }, evidence: 学校布局规划及批复 }
  G2: { values: { met: 是 } }
  G6: { values: { met: 是 } }
  G7: { values: { funding: 6500 } }
  G8: { values: { ratio: 1.02 } }
  G9: { values: { rate: \"100%\" } }
  G10: { values: { met: 是 } }
  G11: { values: { rotation: \"11.6%\", backbone_share: \"18.1%\" }, evidence: 2023年度教师交流轮岗花名册 }
  G13: { values: { primary: \"100%\", junior: \"97.2%\" } }
  G14: { values: { share: \"80%\", rural_tilt: 是 } }
  G15: { values: { migrant: \"97.5%\", left_behind_care: 是 } }
  Q1: { values: { rate: \"97.1%\" } }
  Q2: { values: { rate: \"96.3%\" } }
  Q3: { values: { met: 是 } }
  Q4: { values: { share: \"5.6%\" } }
  Q5: { values: { met: 是 } }
  Q6: { values: { met: 是 } }
  Q7: { values: { met: 是 } }
  Q8: { values: { met: 是 } }
  Q9: { values: { level: 是, difference: 0.12 } }
survey:
  groups:
    - { group: 学生, sample: 1200, satisfied: 1128 }
    - { group: 家长, sample: 1500, satisfied: 1389 }
    - { group: 教师, sample: 600, satisfied: 561 }
  evidence: 2024年4月社会认可度问卷调查
vetoes:
  以考试方式招生: false
  违规择校: false
  设重点校或重点班: false
  弄虚作假: false
  重大安全责任事故: false
  严重违纪违规事件: false
tasks:
  - number: 一
    title: 推进学校标准化建设
    lead: [县教体局]
    items:
      - number: \"1\"
        title: 配齐配强教师
        text: 确保每百名学生拥有高于规定学历教师数小学达到4.2人以上。
        targets:
          - { indicator: L1, section: primary, value: 4.2, by: 2023 }
          - { indicator: Q1, key: rate, value: \"96%\", by: 2024 }
          - { indicator: G11, key: backbone_share, value: \"20%\", by: 2024 }
          - { indicator: G11, key: rotation, value: \"10%\", by: 2023 }
";

#[test]
fn plan_targets_are_checked_against_the_computed_figures() {
    let mut rows = textbook_rows();
    rows.push(junior("城关初中", 800.0));
    let e = Project::new(&rows, FIGURES).eval();
    let t = |ind: &str, key: Option<&str>| {
        e.targets
            .iter()
            .find(|t| t.indicator == ind && t.key.as_deref() == key)
            .unwrap_or_else(|| panic!("no target {ind} {key:?}"))
    };
    let l1 = t("L1", None);
    assert_eq!((l1.status.as_str(), l1.achieved), ("已达成", Some(true)));
    assert!(l1.due, "2023 ended before the report date");
    assert_eq!(l1.task, "一.1");
    assert_eq!(l1.section, Some(Section::Primary));
    let q1 = t("Q1", Some("rate"));
    assert_eq!((q1.status.as_str(), q1.achieved), ("已达成", Some(true)));
    assert!(!q1.due, "2024 has not ended by 2024-05-20");
    let g11 = t("G11", Some("backbone_share"));
    assert_eq!((g11.status.as_str(), g11.achieved), ("未达成", Some(false)));
    assert_eq!(g11.actual, "18.1%");
    let rot = t("G11", Some("rotation"));
    assert_eq!(rot.status, "已达成");
    // The indicator itself fails too, so the guarantee area does.
    assert_eq!(indicator(&e, "G11").met, Some(false));
    assert!(!e.verdict.guarantee);
    assert!(e.verdict.quality, "{:?}", e.quality);
    // 社会认可度 from the survey, weighted by sample.
    assert_eq!(e.recognition.total_sample, 3300);
    let rate = e.recognition.rate.unwrap();
    assert!(
        close(rate, (1128.0 + 1389.0 + 561.0) / 3300.0 * 100.0, 1e-9),
        "{rate}"
    );
    assert_eq!(e.recognition.indicator.met, Some(true));
    assert_eq!(e.recognition.indicator.source, "survey");
    assert!(e.verdict.no_veto);
}

// ---------------------------------------------------------------------
// The command: JSON contract, terminal table, workbook
// ---------------------------------------------------------------------

/// Everything at once: the textbook 小学, a 民办 row, a 九年一贯制 school
/// with a 全校 row, a failing 初中, a special school and a 合计 row.
fn rich_rows() -> Vec<Row> {
    let mut rows = textbook_rows();
    rows.push(primary("育才民办小学", 250.0).t("办学性质", "民办"));
    rows.extend(nine_year_rows());
    rows.push(
        junior("城关初级中学", 1200.0)
            .t("城乡类别", "城区")
            .t("所在乡镇", "城关镇"),
    );
    rows.push(
        junior("草沟初级中学", 640.0)
            .n("县级以上骨干教师数", 3.0)
            .n("网络多媒体教室数", 14.0)
            .t("所在乡镇", "乙镇"),
    );
    rows.push(good("县特殊教育学校", "特殊教育学校", "小学", 60.0));
    rows.push(Row::default().t("学校名称", "合计").n("学生数", 3000.0));
    rows
}

fn rich_project() -> Project {
    Project::new(&rich_rows(), FIGURES)
}

#[test]
fn json_has_the_documented_contract() {
    let p = rich_project();
    let out = p.run(&["--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["version"], 2);
    assert_eq!(j["standards"]["label"], "国家标准");
    assert!(j["standards"]["adjustments"].is_array());
    assert_eq!(j["resource"]["apportion"]["method"], "exact");
    assert!(j["resource"]["apportion"]["rounded"].is_null());
    assert_eq!(j["county"], "测试县");
    assert_eq!(j["report_date"], "2024年5月20日");
    for sec in ["primary", "junior"] {
        let s = &j["resource"][sec];
        assert!(s["schools"].is_u64(), "{sec}.schools");
        assert!(s["students"].is_number(), "{sec}.students");
        for l in ["L1", "L2", "L3", "L4", "L5", "L6", "L7"] {
            let i = &s["indicators"][l];
            for f in ["mean", "sd", "cv"] {
                assert!(
                    i[f].is_number(),
                    "resource.{sec}.indicators.{l}.{f}: {}",
                    i[f]
                );
            }
            assert!(i["cv_limit"].is_number());
            assert!(i["cv_ok"].is_boolean());
            assert!(i["standard"].is_number());
        }
    }
    assert_eq!(
        j["resource"]["junior"]["indicators"]["L6"]["standard"],
        2500.0
    );
    assert_eq!(
        j["resource"]["junior"]["indicators"]["L1"]["cv_limit"],
        0.45
    );
    let cv = j["resource"]["primary"]["indicators"]["L4"]["cv"]
        .as_f64()
        .unwrap();
    let in_process = p.eval();
    assert_eq!(
        Some(cv),
        in_process.resource.primary.indicators[&L4].cv,
        "JSON keeps the exact f64"
    );

    let schools = j["schools"].as_array().unwrap();
    assert_eq!(schools.len(), in_process.schools.len());
    for s in schools {
        assert!(s["name"].is_string());
        assert!(
            matches!(s["section"].as_str(), Some("primary" | "junior")),
            "{}",
            s["section"]
        );
        assert!(s["included"].is_boolean());
        assert!(s["passes"].is_boolean());
        for l in ["L1", "L2", "L3", "L4", "L5", "L6", "L7"] {
            assert!(
                s["values"][l].is_number() || s["values"][l].is_null(),
                "{}",
                s["values"]
            );
        }
    }
    let private = schools
        .iter()
        .find(|s| s["name"] == "育才民办小学")
        .unwrap();
    assert_eq!(private["included"], false);
    assert_eq!(private["exclusion"], "民办学校");
    let through: Vec<&serde_json::Value> = schools
        .iter()
        .filter(|s| s["name"] == "大庄镇中心学校")
        .collect();
    assert_eq!(through.len(), 2, "a 九年一贯制 school is two rows");

    assert!(j["guarantee"].as_array().unwrap().len() == 15);
    assert!(j["quality"].as_array().unwrap().len() == 9);
    assert!(j["recognition"]["indicator"]["criteria"].is_array());
    assert!(j["recognition"]["groups"].is_array());
    assert!(j["gaps"]["schools"].is_array() && j["gaps"]["county"].is_array());
    assert!(j["targets"].as_array().unwrap().len() == 4);
    assert!(j["verdict"]["overall"].is_boolean());
    assert!(j["verdict"]["summary"].is_string());
    assert_eq!(j["skipped"][0]["reason"], "“合计”行，不是学校");
    assert_eq!(j["skipped"][0]["at"]["file"], BOOK);
    assert_eq!(j["skipped"][0]["at"]["sheet"], SHEET);
    // A school's inputs name their cells.
    let first = &schools[0];
    assert_eq!(
        first["inputs"]["L1"][0]["at"]["cell"],
        cell("高于规定学历教师数", 0)
    );
    assert_eq!(first["status"]["L4"], "met");
}

#[test]
fn the_terminal_table_shows_the_cv_and_marks_failures() {
    let p = rich_project();
    let out = p.run(&["--format", "table"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let e = p.eval();
    let cv = e.resource.primary.indicators[&L4].cv;
    assert!(text.contains(&dudao::output::format::cv(cv)), "{text}");
    assert!(text.contains("第3小学") && text.contains("大庄镇中心学校"));
    assert!(text.contains('✗'));
    assert!(text.contains("不参评：民办学校"));
}

fn read_sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    book.worksheet_range(name).unwrap()
}

fn find_row(range: &calamine::Range<Data>, col: u32, text: &str) -> u32 {
    let (r0, _) = range.start().unwrap();
    let (r1, _) = range.end().unwrap();
    (r0..=r1)
        .find(|r| range.get_value((*r, col)) == Some(&Data::String(text.into())))
        .unwrap_or_else(|| panic!("no row with {text}"))
}

/// The column of a header (row 2 of a school sheet, or row 1 where merged).
fn header_col(range: &calamine::Range<Data>, text: &str) -> u32 {
    let (_, c1) = range.end().unwrap();
    (0..=c1)
        .find(|c| {
            [1, 2]
                .iter()
                .any(|r| range.get_value((*r, *c)) == Some(&Data::String(text.into())))
        })
        .unwrap_or_else(|| panic!("no column {text}"))
}

fn float(range: &calamine::Range<Data>, r: u32, c: u32) -> f64 {
    match range.get_value((r, c)) {
        Some(Data::Float(v)) => *v,
        Some(Data::Int(v)) => *v as f64,
        other => panic!("({r},{c}) is not a number: {other:?}"),
    }
}

fn string(range: &calamine::Range<Data>, r: u32, c: u32) -> String {
    match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("({r},{c}) is not text: {other:?}"),
    }
}

#[test]
fn the_workbook_reads_back_with_the_exact_numbers_and_sources() {
    let p = rich_project();
    let out_path = p.dir.path().join("复核计算表.xlsx");
    let out = p.run(&["--format", "xlsx", "-o", out_path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&out_path).unwrap();
    let e = p.eval();
    // Same input, same bytes: in this process, and from the command.
    let again = dudao::output::xlsx::workbook(&e).unwrap();
    assert_eq!(again, dudao::output::xlsx::workbook(&e).unwrap());
    assert_eq!(
        bytes, again,
        "the command's file equals the library's bytes"
    );

    let book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), dudao::output::xlsx::SHEETS.to_vec());

    // 小学资源配置: one row per 小学 row, in workbook order, numbers as numbers.
    let sh = read_sheet(&bytes, "小学资源配置");
    assert_eq!(string(&sh, 1, 0), "学校名称");
    let names: Vec<String> = (3..3 + e
        .schools
        .iter()
        .filter(|s| s.section == Section::Primary)
        .count() as u32)
        .map(|r| string(&sh, r, 0))
        .collect();
    let expected: Vec<String> = e
        .schools
        .iter()
        .filter(|s| s.section == Section::Primary)
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, expected);
    let r = find_row(&sh, 0, "第3小学");
    assert_eq!(float(&sh, r, 4), 89.0, "学生数");
    assert_eq!(
        string(&sh, r, 5),
        format!("{BOOK}!{SHEET}!{}", cell("学生数", 2))
    );
    // L1 group: the figure, its source cell, the value (a formula whose
    // cached result is the exact ratio).
    let s3 = school(&e, "第3小学", Section::Primary);
    let l1_figure = header_col(&sh, "高于规定学历教师数（人）");
    assert_eq!(float(&sh, r, l1_figure), s3.inputs[&L1][0].value);
    assert_eq!(
        string(&sh, r, l1_figure + 1),
        format!("{BOOK}!{SHEET}!{}", cell("高于规定学历教师数", 2))
    );
    assert_eq!(float(&sh, r, header_col(&sh, "L1指标值")), value(s3, L1));
    // L4: the books, exact ratio.
    let l4_figure = header_col(&sh, "教学及辅助用房面积（平方米）");
    assert_eq!(float(&sh, r, l4_figure), 935.0);
    assert_eq!(float(&sh, r, header_col(&sh, "L4指标值")), 935.0 / 89.0);
    // Tail: 达标项数, 是否达标.
    let (met, verdict) = (header_col(&sh, "达标项数"), header_col(&sh, "是否达标"));
    assert_eq!(float(&sh, r, met), s3.met_count as f64);
    let private = find_row(&sh, 0, "育才民办小学");
    assert_eq!(string(&sh, private, 3), "否：民办学校");
    assert_eq!(string(&sh, private, verdict), "不参评");
    // The apportioned row shows the whole-school figure, the share in its
    // own cell, and the note.
    let through = find_row(&sh, 0, "大庄镇中心学校");
    assert_eq!(float(&sh, through, l4_figure), 23_226.0);
    assert!(string(&sh, through, l4_figure + 1).contains(&cell("教学及辅助用房面积", 8)));
    let share = float(&sh, through, header_col(&sh, "共用资源分摊比例"));
    assert!((share - 166.0 / 397.0).abs() < 1e-12, "{share}");
    assert!(string(&sh, through, header_col(&sh, "分摊说明")).contains("41.81%"));

    // 初中资源配置: the failing school has its gap text.
    let sh = read_sheet(&bytes, "初中资源配置");
    let r = find_row(&sh, 0, "草沟初级中学");
    assert_eq!(string(&sh, r, header_col(&sh, "是否达标")), "✗ 未达标");
    let gap = string(&sh, r, header_col(&sh, "整改测算（达标方案任选其一）"));
    assert!(gap.contains("县级以上骨干教师"), "{gap}");

    // 差异系数: the exact f64 of the evaluation.
    // 差异系数: the 小学 block comes first; L4 is its fourth column.
    let sh = read_sheet(&bytes, "差异系数");
    let l4 = &e.resource.primary.indicators[&L4];
    assert!(string(&sh, find_row(&sh, 0, "项目"), 4).starts_with("L4"));
    assert_eq!(
        float(&sh, find_row(&sh, 0, "全县平均值"), 4),
        l4.mean.unwrap()
    );
    assert_eq!(float(&sh, find_row(&sh, 0, "标准差"), 4), l4.sd.unwrap());
    assert_eq!(float(&sh, find_row(&sh, 0, "差异系数"), 4), l4.cv.unwrap());
    assert_eq!(float(&sh, find_row(&sh, 0, "差异系数限值"), 4), 0.5);
    assert_eq!(string(&sh, find_row(&sh, 0, "是否达到"), 4), "✗ 未达到");

    // 政府保障程度: G11 fails with its gap.
    let sh = read_sheet(&bytes, "政府保障程度");
    let r = find_row(&sh, 0, "G11");
    assert_eq!(float(&sh, r + 1, 4), 18.1, "a number, shown with its unit");
    assert_eq!(string(&sh, r + 1, 5), "✗ 未达到");
    assert!(string(&sh, r + 1, 6).starts_with("差"));

    // 社会认可度: the weighted rate.
    let sh = read_sheet(&bytes, "社会认可度");
    let r = find_row(&sh, 1, "合计（加权）");
    assert_eq!(float(&sh, r, 2), 3300.0);
    assert_eq!(Some(float(&sh, r, 4)), e.recognition.rate);

    // 整改测算 and 目标核对.
    let sh = read_sheet(&bytes, "整改测算");
    let r = find_row(&sh, 0, "草沟初级中学");
    assert!(
        string(&sh, r, 3).starts_with("达标方案"),
        "{}",
        string(&sh, r, 3)
    );
    assert!(matches!(sh.get_value((r, 6)), Some(Data::Float(_))));
    let sh = read_sheet(&bytes, "目标核对");
    let g11 = e.guarantee.iter().find(|i| i.id == "G11").unwrap();
    let backbone = g11
        .criteria
        .iter()
        .find(|c| c.key == "backbone_share")
        .unwrap();
    let r = find_row(&sh, 4, &g11.criterion_label(backbone));
    assert_eq!(string(&sh, r, 9), "✗ 未达成");

    // 说明: the skipped 合计 row with its cell.
    let sh = read_sheet(&bytes, "说明");
    let r = find_row(&sh, 0, &format!("{BOOK}!{SHEET}!{}", cell("学校名称", 12)));
    assert_eq!(string(&sh, r, 1), "“合计”行，不是学校");
}

#[test]
fn xlsx_needs_an_output_file() {
    let out = rich_project().run(&["--format", "xlsx"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o"));
}

/// Keeps the sample workbook (and JSON) when `DUDAO_SAMPLE_XLSX` names a file.
#[test]
fn sample_workbook() {
    let e = rich_project().eval();
    let bytes = dudao::output::xlsx::workbook(&e).unwrap();
    assert!(bytes.starts_with(b"PK"));
    if let Some(path) = std::env::var_os("DUDAO_SAMPLE_XLSX") {
        let path = PathBuf::from(path);
        std::fs::write(&path, &bytes).unwrap();
        let json = serde_json::to_string_pretty(&e).unwrap();
        std::fs::write(path.with_extension("json"), json).unwrap();
    }
}

/// A value exactly at 85% of the standard must pass as the floor. With a
/// standard of 5.9 (a province may set one), 5.9 × 0.85 is computed as
/// 5.015000000000001 and a school at exactly 5.015 m² per student (5,015 m²
/// for 1,000 students) is judged “below”. Un-ignore once the evaluation
/// rounds the floor (e.g. to 9 decimals) before comparing.
#[test]
fn a_value_exactly_at_the_floor_of_an_overridden_standard_is_the_floor() {
    let rows = vec![primary("边界小学", 1000.0).n("教学及辅助用房面积", 5015.0)];
    let e = Project::new(&rows, "standards:\n  set:\n    L4.primary: 5.9\n").eval();
    let s = school(&e, "边界小学", Section::Primary);
    assert_eq!(value(s, L4), 5.015);
    assert_eq!(
        s.status[&L4],
        MetStatus::Floor,
        "floor {}",
        e.resource.primary.indicators[&L4].floor
    );
    assert!(s.passes);
    // The raised standard is the county's, and said so wherever it is worded.
    let l4 = &e.resource.primary.indicators[&L4];
    assert_eq!((l4.standard, l4.base_standard), (5.9, Some(4.5)));
    assert_eq!(e.resource.junior.indicators[&L4].base_standard, None);
    assert_eq!(e.standards.label, "国家标准，并按本县方案提高1项");
    assert_eq!(
        e.standards.adjustments[0].label,
        "小学生均教学及辅助用房面积"
    );
    assert_eq!(e.standards.adjustments[0].applied_text, "5.9平方米");
    let p = Project::new(&rows, "standards:\n  set:\n    L4.primary: 5.9\n");
    let out = p.run(&[]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("5.90平方米（本县）"), "{table}");
    assert!(table.contains(
        "本县方案标准：小学生均教学及辅助用房面积 不低于5.9平方米（国家标准为4.5平方米）"
    ));
}

/// Synthetic counties of any size evaluate, with the method's invariants
/// holding: every row counted once, the weighted mean equal to the county
/// aggregate ratio, a CV for every indicator, and a JSON that serializes.
#[test]
fn synthetic_counties_of_any_size() {
    for n in [1usize, 2, 40, 150, 700] {
        let dir = tempfile::tempdir().unwrap();
        let schools = dudao::synth::county(n);
        dudao::synth::write_clean_xlsx(&dir.path().join("学校统计表.xlsx"), &schools).unwrap();
        std::fs::write(dir.path().join("plan.yaml"), dudao::init::plan_text()).unwrap();
        let county = dudao::input::load(&dir.path().join("plan.yaml"), &[]).unwrap();
        let e = dudao::evaluate::evaluate(&county);
        assert_eq!(e.schools.len(), n, "rows for n = {n}");
        for section in [Section::Primary, Section::Junior] {
            let r = e.resource.section(section);
            let rows: Vec<_> = e
                .schools
                .iter()
                .filter(|s| s.section == section && s.included)
                .collect();
            assert_eq!(r.schools, rows.len());
            if rows.is_empty() {
                continue;
            }
            // L4 area per student: the mean is Σ area / Σ students.
            let students: f64 = rows.iter().map(|s| s.students).sum();
            let area: f64 = rows
                .iter()
                .map(|s| s.values[&ResourceIndicator::L4].unwrap() * s.students)
                .sum();
            let l4 = &r.indicators[&ResourceIndicator::L4];
            assert!((l4.mean.unwrap() - area / students).abs() < 1e-9, "n = {n}");
            assert!(r.indicators.values().all(|i| i.cv.is_some()), "n = {n}");
        }
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["schools"].as_array().unwrap().len(), n);
    }
}

// ---------------------------------------------------------------------
// The example county: standards applied, shortfalls with every option
// ---------------------------------------------------------------------

#[test]
fn the_example_names_its_raised_standards_and_every_way_to_pass() {
    let county = dudao::input::load(Path::new("examples/sixian/plan.yaml"), &[]).unwrap();
    let e = evaluate(&county);
    assert_eq!(e.standards.label, "国家标准，并按本县方案提高2项");
    let changes: Vec<(&str, f64, f64, bool)> = e
        .standards
        .adjustments
        .iter()
        .map(|a| (a.key.as_str(), a.base, a.applied, a.raised))
        .collect();
    assert_eq!(
        changes,
        vec![
            ("G14.share", 50.0, 80.0, true),
            ("Q1.rate", 95.0, 96.0, true)
        ]
    );
    let q1 = &indicator(&e, "Q1").criteria[0];
    assert_eq!(q1.standard, "≥96%（本县方案标准，国家标准为95%）");
    assert_eq!(
        q1.standard_words,
        "不低于96%（本县方案标准，国家标准为95%）"
    );
    assert_eq!(q1.base_threshold, Some(95.0));
    assert!(!e.verdict.summary.contains("国家县域"));
    assert!(
        e.verdict
            .summary
            .contains("（国家标准，并按本县方案提高2项）")
    );

    // 大路口初级中学: L5 and L6 below the standard, one may stay at 85%.
    let g = e
        .gaps
        .schools
        .iter()
        .find(|g| g.name == "大路口镇大路口初级中学")
        .unwrap();
    assert!(!g.passes);
    let options: Vec<Vec<(ResourceIndicator, f64)>> = g
        .options
        .iter()
        .map(|o| o.iter().map(|a| (a.indicator, a.amount)).collect())
        .collect();
    assert_eq!(options, vec![vec![(L5, 644.0)], vec![(L6, 189_900.0)]]);
    let plan: Vec<(&str, &str, f64)> = g
        .to_plan
        .iter()
        .map(|t| (t.task.as_str(), t.deadline.as_str(), t.addition.amount))
        .collect();
    assert_eq!(
        plan,
        vec![("一.4", "2023", 189_900.0), ("一.6", "2023", 644.0)]
    );
    // Schools passing the rule but below a standard are listed too.
    assert!(
        e.gaps
            .schools
            .iter()
            .any(|g| g.passes && g.name == "泗县第十小学")
    );
}

#[test]
fn rounding_the_share_first_stays_available_and_is_stated() {
    let p = Project::new(
        &nine_year_rows(),
        "standards:\n  set:\n    apportion.round_share: 4\n",
    );
    let e = p.eval();
    // Shares 0.4181 and 0.5819 of 23,226, as published worksheets do.
    let (pr, jr) = (
        school(&e, "大庄镇中心学校", Section::Primary),
        school(&e, "大庄镇中心学校", Section::Junior),
    );
    assert!((value(pr, L4) * 166.0 - 23_226.0 * 0.4181).abs() < 1e-9);
    assert!((value(jr, L4) * 210.0 - 23_226.0 * 0.5819).abs() < 1e-9);
    assert_eq!(e.resource.apportion.method, "rounded");
    assert_eq!(e.resource.apportion.rounded, Some(4));
    assert!(
        e.resource
            .apportion_rule
            .contains("分摊比例先四舍五入到4位小数，再乘全校数")
    );
    // Not a standard: the label stays 国家标准.
    assert_eq!(e.standards.label, "国家标准");

    // A value that is not a number of decimals is refused at its line.
    let bad = Project::new(
        &nine_year_rows(),
        "standards:\n  set:\n    apportion.round_share: 2.5\n",
    );
    let out = bad.run(&[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("plan.yaml:14:28：standards.set.apportion.round_share：应为 0–9 的整数"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_lowered_standard_is_named_a_change_not_a_raise() {
    let p = Project::new(
        &nine_year_rows(),
        "standards:\n  set:\n    G5.primary: 50\n    Q1.rate: 96\n",
    );
    let e = p.eval();
    assert_eq!(e.standards.label, "国家标准，并按本县方案调整2项");
    let g5 = indicator(&e, "G5")
        .criteria
        .iter()
        .find(|c| c.key == "primary")
        .unwrap();
    assert_eq!(g5.standard, "≤50人（本县方案标准，国家标准为45人）");
    assert_eq!(
        g5.standard_words,
        "不超过50人（本县方案标准，国家标准为45人）"
    );
    // The terminal table names the label and each change.
    let out = p.run(&[]);
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("（标准：国家标准，并按本县方案调整2项）"),
        "{table}"
    );
    assert!(table.contains("本县方案标准：小学班额 不超过50人（国家标准为45人）"));
    // The reviewer's workbook: the label with each change, and the marked
    // standard in the indicator's row.
    let xlsx = p.dir.path().join("复核.xlsx");
    let out = p.run(&["--format", "xlsx", "-o", xlsx.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&xlsx).unwrap();
    let sh = read_sheet(&bytes, "说明");
    let r = find_row(&sh, 0, "评估标准");
    assert_eq!(
        string(&sh, r, 1),
        "国家标准，并按本县方案调整2项（标准文件：国家标准（教督〔2017〕6号））；本县方案标准：小学班额不超过50人（国家标准为45人）；初中三年巩固率不低于96%（国家标准为95%）"
    );
    let r = find_row(&sh, 0, "共用资源分摊规则");
    assert!(
        string(&sh, r, 1).contains("不取整"),
        "{}",
        string(&sh, r, 1)
    );
    let sh = read_sheet(&bytes, "政府保障程度");
    let r = find_row(&sh, 0, "G5");
    assert_eq!(string(&sh, r, 3), "≤50人（本县方案标准，国家标准为45人）");
}

/// The example's body as the report's sources carry it: 四、存在的问题 to
/// 六、自评结论, with the standards named as judged and every option.
#[test]
fn the_example_body_states_the_standards_and_every_option_with_its_units() {
    let county = dudao::input::load(Path::new("examples/sixian/plan.yaml"), &[]).unwrap();
    let e = evaluate(&county);
    let src = dudao::report::sources(&county, &e, false).unwrap().main;
    let start = src.find("= 四、存在的问题").unwrap();
    let end = src.find("#signature(").unwrap();
    // Markup escapes (`9\.28`) dropped: the text as typst prints it.
    let body = src[start..end].replace('\\', "");
    for want in [
        "大路口镇大路口初级中学（初中）未达到“7项指标中至少6项达到规定标准、其余不低于标准的85%”的要求。原因：生均体育运动场馆面积为9.28平方米，标准为不低于10.2平方米；生均教学仪器设备值为2227.16元，标准为不低于2500元。",
        "达到校际标准有2种最小补充方案，任选其一：644平方米体育运动场馆，或189900元教学仪器设备；各项均达到标准需补充644平方米体育运动场馆、189900元教学仪器设备。",
        "方案任务一.4“配齐教学仪器设备”（时限2023年底）、方案任务一.6“建设体育运动场馆”（时限2023年底）已到期，尚未完成。",
        "责任单位：县教体局牵头，县发改委、",
        "时限：2024年6月底（方案原定时限已过）。",
        // Below a standard though passing the rule, named with the figure.
        "低于标准的有泗县第十小学（7.17平方米）、丁湖镇谢店小学（6.63平方米）",
        "屏山镇陈庙小学（小学）补充177平方米体育运动场馆",
        "方案任务一.2“均衡编班，控制大班额”（时限2023年底）已到期，尚未完成。",
        "骨干教师占交流轮岗教师比例为18.1%，标准为不低于20%",
        "评估标准（国家标准，并按本县方案提高2项）",
        "本次自评所依据的标准为国家标准，并按本县方案提高2项：优质高中招生名额分配比例不低于80%（国家标准为50%），初中三年巩固率不低于96%（国家标准为95%）。",
    ] {
        assert!(body.contains(want), "body lacks: {want}");
    }
    for never in ["至少需", "全部达到国家标准", "≥", "≤", "G14", "Q1", "L5"] {
        assert!(!body.contains(never), "body says {never}");
    }
}

/// `dudao evaluate … | head`: the reader going away ends the command
/// quietly (SIGPIPE), never with a panic on stderr.
#[test]
fn a_closed_pipe_ends_the_command_without_a_panic() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(["evaluate", "examples/sixian/plan.yaml"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reading end closed before a line is printed.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{err}");
    }
}
