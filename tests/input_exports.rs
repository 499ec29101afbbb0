//! The tables Chinese offices really export, and the inputs that used to
//! give a wrong number without a word (issue 7, items 5 and 6). Every file
//! is written here with rust_xlsxwriter and read both through
//! `dudao::input::load` (exact schools and values) and through the real
//! `dudao check` (exit code and the located Chinese message).

use dudao::model::{County, Measure, RowPart, SchoolType, Section};
#[path = "common/sheets.rs"]
mod sheets;

use rust_xlsxwriter::{Format, Workbook};
use sheets::*;
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------------------
// Helpers (the table notation of tests/input_workbooks.rs, with more kinds
// of cell)
// ---------------------------------------------------------------------------

const PLAN_HEAD: &str = "county: 测试县
report:
  title: 测试县县域义务教育优质均衡发展自评报告
  issuer: 测试县人民政府教育督导委员会
  date: 2024-05-20
plan:
  title: 测试县推进义务教育优质均衡发展工作实施方案
  issuer: 测试县人民政府教育督导委员会
  date: 2023-07-14
";

/// A plan in `dir` listing `学校.xlsx`, with `data_extra` lines under `data:`
/// and `tail` after it.
fn write_plan_with(dir: &Path, data_extra: &str, tail: &str) -> PathBuf {
    let path = dir.join("plan.yaml");
    std::fs::write(
        &path,
        format!("{PLAN_HEAD}data:\n  schools:\n    - 学校.xlsx\n{data_extra}{tail}"),
    )
    .unwrap();
    path
}

/// A project with one workbook `学校.xlsx` of these sheets.
fn project(sheets: &[Sheet]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    write_xlsx(&dir.path().join("学校.xlsx"), sheets);
    let plan = write_plan_with(dir.path(), "", "");
    (dir, plan)
}

fn load_ok(plan: &Path) -> County {
    dudao::input::load(plan, &[]).unwrap_or_else(|e| panic!("应能读取，却出错：\n{e}"))
}

/// Runs `dudao check PLAN`: (exit code, stdout, stderr). Never a panic.
fn dudao_check(plan: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .arg("check")
        .arg(plan)
        .output()
        .expect("run dudao");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "dudao check panicked:\n{stderr}"
    );
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// `dudao check` succeeds, and its output holds every needle.
fn check_ok(plan: &Path, needles: &[&str]) -> String {
    let (code, stdout, stderr) = dudao_check(plan);
    assert_eq!(code, 0, "dudao check 应成功：\n{stderr}");
    for n in needles {
        assert!(stdout.contains(n), "check 的输出中没有“{n}”：\n{stdout}");
    }
    stdout
}

/// Loading fails with every needle in the message, `dudao check` exits 1
/// printing the same, and the input files are unchanged byte for byte.
fn expect_error(plan: &Path, needles: &[&str]) -> String {
    let dir = plan.parent().unwrap();
    let before = snapshot(dir);
    let msg = match dudao::input::load(plan, &[]) {
        Ok(c) => panic!(
            "应报错（{needles:?}），却读取成功：{:?}",
            c.schools.iter().map(|s| &s.name).collect::<Vec<_>>()
        ),
        Err(e) => e.to_string(),
    };
    for n in needles {
        assert!(msg.contains(n), "错误信息中没有“{n}”：\n{msg}");
    }
    let (code, stdout, stderr) = dudao_check(plan);
    assert_eq!(code, 1, "dudao check 应以 1 退出：\n{stdout}\n{stderr}");
    assert!(stderr.starts_with("错误："), "{stderr}");
    for n in needles {
        assert!(
            stderr.contains(n),
            "dudao check 的输出中没有“{n}”：\n{stderr}"
        );
    }
    assert_eq!(snapshot(dir), before, "输入文件被改动或多出了文件");
    msg
}

/// Every file of the project and its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    v.sort();
    v
}

fn names(c: &County) -> Vec<&str> {
    c.schools.iter().map(|s| s.name.as_str()).collect()
}

fn value(c: &County, name: &str, part: RowPart, m: Measure) -> Option<f64> {
    c.schools
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("没有读到“{name}”：{:?}", names(c)))
        .row(part)
        .unwrap_or_else(|| panic!("{name} 没有 {part:?}"))
        .get(m)
        .map(|f| f.value)
}

fn skipped(c: &County) -> Vec<(String, String, String)> {
    c.skipped
        .iter()
        .map(|s| (s.at.cell.clone(), s.reason.clone(), s.looked.clone()))
        .collect()
}

const P: RowPart = RowPart::Section(Section::Primary);
const J: RowPart = RowPart::Section(Section::Junior);

const HEADER: &str = "学校名称|学校类型|学生数|班级数|专任教师数|教学仪器设备值（万元）";

/// A clean sheet: 学生数 is column C, schools from row 2.
fn clean(extra_rows: &str) -> String {
    format!(
        "{HEADER}
        第一小学|小学|1200|28|70|300
        第一初级中学|初级中学|900|20|75|280
        {extra_rows}"
    )
}

// ---------------------------------------------------------------------------
// No silent wrong numbers
// ---------------------------------------------------------------------------

#[test]
fn a_date_in_a_number_cell_is_an_error_at_that_cell() {
    let (_d, plan) = project(&[sheet(
        "Sheet1",
        &clean("第二小学|小学|@2024-01-01|10|20|50"),
    )]);
    expect_error(
        &plan,
        &[
            "学校.xlsx，工作表“Sheet1”，单元格 C4",
            "学生数是日期（2024-01-01",
            "不是数字",
        ],
    );
}

#[test]
fn a_logical_value_in_a_number_cell_is_an_error_at_that_cell() {
    let (_d, plan) = project(&[sheet("Sheet1", &clean("第二小学|小学|300|!TRUE|20|50"))]);
    expect_error(
        &plan,
        &[
            "学校.xlsx，工作表“Sheet1”，单元格 D4",
            "班级数是逻辑值（TRUE/FALSE），不是数字",
        ],
    );
}

#[test]
fn an_error_value_in_a_number_cell_is_an_error_at_that_cell() {
    let (_d, plan) = project(&[sheet("Sheet1", &clean("第二小学|小学|300|10|#DIV/0!|50"))]);
    expect_error(
        &plan,
        &[
            "学校.xlsx，工作表“Sheet1”，单元格 E4",
            "专任教师数是公式错误 #DIV/0!",
        ],
    );
}

/// A formula whose result was never saved is an error at its own cell,
/// whichever column it is in.
#[test]
fn a_formula_without_a_saved_result_is_reported_at_its_cell() {
    // In an optional column (班级数), in a required one (学生数), and as the
    // school name.
    for (row, cell, what) in [
        (
            "第二小学|小学|300|=C2/10|20|50",
            "D4",
            "“班级数”是公式（=C2/10）",
        ),
        (
            "第二小学|小学|=C2+1|10|20|50",
            "C4",
            "“学生数”是公式（=C2+1）",
        ),
        ("=A2&\"分校\"|小学|300|10|20|50", "A4", "“学校名称”是公式"),
    ] {
        let (_d, plan) = project(&[sheet("Sheet1", &clean(row))]);
        expect_error(
            &plan,
            &[
                &format!("学校.xlsx，工作表“Sheet1”，单元格 {cell}"),
                what,
                "没有保存计算结果",
                "Excel 或 WPS",
            ],
        );
    }
}

#[test]
fn a_hidden_sheet_is_not_read_unless_the_plan_says_so() {
    let mut old = sheet("旧表", &clean("第二小学|小学|300|10|20|50"));
    old.hidden = true;
    let (dir, plan) = project(&[sheet("Sheet1", &clean("")), old]);
    let c = load_ok(&plan);
    assert_eq!(names(&c), vec!["第一小学", "第一初级中学"]);
    check_ok(
        &plan,
        &[
            "学校.xlsx，工作表“旧表”是隐藏的，未读取；如需读取请在计划文件 data 中写 read_hidden_sheets: true",
            "学校 2 所",
        ],
    );

    // Asked for, its rows count (and duplicate the visible ones, as they
    // would in a real old copy: reported at both cells).
    let plan = write_plan_with(dir.path(), "  read_hidden_sheets: true\n", "");
    expect_error(
        &plan,
        &[
            "学校.xlsx，工作表“旧表”，单元格 A2",
            "学校“第一小学”的小学部重复出现（另见 学校.xlsx，工作表“Sheet1”，单元格 A2）",
        ],
    );

    // A value that is not yes/no is a located plan error.
    let plan = write_plan_with(dir.path(), "  read_hidden_sheets: 读\n", "");
    let msg = expect_error(&plan, &["plan.yaml:13:23", "应为 true 或 false"]);
    assert!(!msg.contains("学校 2 所"));
}

#[test]
fn a_workbook_whose_only_sheet_is_hidden_says_so() {
    // Excel keeps one sheet visible: here a cover sheet with no table.
    let mut data = sheet("Sheet1", &clean(""));
    data.hidden = true;
    let (_d, plan) = project(&[sheet("封面", "测试县学校统计表"), data]);
    expect_error(
        &plan,
        &[
            "学校.xlsx：没有可读取的学校数据（工作表“封面”没有找到含“学校名称”的表头；工作表“Sheet1”是隐藏的，未读取；如需读取请在计划文件 data 中写 read_hidden_sheets: true）",
        ],
    );
}

#[test]
fn a_hidden_sheet_read_on_request_adds_its_schools() {
    let mut more = sheet("乡村学校", &format!("{HEADER}\n第二小学|小学|300|10|20|50"));
    more.hidden = true;
    let (dir, _) = project(&[sheet("Sheet1", &clean("")), more]);
    let plan = write_plan_with(dir.path(), "  read_hidden_sheets: true\n", "");
    let c = load_ok(&plan);
    assert_eq!(names(&c), vec!["第一小学", "第一初级中学", "第二小学"]);
    assert_eq!(value(&c, "第二小学", P, Measure::Students), Some(300.0));
    let out = check_ok(&plan, &["学校 3 所"]);
    assert!(!out.contains("是隐藏的"), "{out}");
}

/// Hidden and filtered rows are read, and `check` says which they were.
#[test]
fn hidden_rows_are_read_and_reported() {
    let mut s = sheet(
        "Sheet1",
        &clean(
            "第二小学|小学|300|10|20|50
            第三小学|小学|310|10|20|50
            第四小学|小学|320|10|20|50",
        ),
    );
    s.hidden_rows = vec![3, 4, 5];
    let (_d, plan) = project(&[s]);
    let c = load_ok(&plan);
    assert_eq!(c.schools.len(), 5);
    check_ok(
        &plan,
        &["学校.xlsx，工作表“Sheet1”：第 4–6 行是隐藏或被筛选掉的行，已照常读取"],
    );
}

#[test]
fn a_header_with_no_school_rows_is_an_error() {
    let (_d, plan) = project(&[sheet("Sheet1", &format!("{HEADER}\n~\n制表人：王××"))]);
    expect_error(
        &plan,
        &[
            "学校数据文件中没有读到任何学校数据行",
            "学校.xlsx，工作表“Sheet1”：表头下没有学校",
        ],
    );
}

#[test]
fn a_units_line_above_the_header_sets_the_units_it_covers() {
    let s = sheet(
        "Sheet1",
        "
        测试县义务教育学校基本情况统计表
        填报单位：测试县教育局|||单位：人、平方米、万元
        学校名称|学校类型|学生数|教学仪器设备值|教学及辅助用房面积|体育运动场馆面积（万平方米）
        第一小学|小学|1200|300|6000|1
        第一初级中学|初级中学|900|280|5500|1
        ",
    );
    let (_d, plan) = project(&[s]);
    let c = load_ok(&plan);
    assert_eq!(
        value(&c, "第一小学", P, Measure::EquipmentValue),
        Some(3_000_000.0)
    );
    assert_eq!(
        value(&c, "第一初级中学", J, Measure::EquipmentValue),
        Some(2_800_000.0)
    );
    assert_eq!(
        value(&c, "第一小学", P, Measure::TeachingArea),
        Some(6000.0)
    );
    check_ok(
        &plan,
        &[
            "学校.xlsx，工作表“Sheet1”，单元格 D2：按表上方“单位：人、平方米、万元”一行，教学仪器设备值按万元换算",
        ],
    );
}

#[test]
fn a_headers_own_unit_wins_over_the_units_line() {
    let s = sheet(
        "Sheet1",
        "
        金额单位：万元
        学校名称|学校类型|学生数|教学仪器设备值（元）|网络多媒体教室数
        第一小学|小学|1200|3000000|30
        ",
    );
    let (_d, plan) = project(&[s]);
    let c = load_ok(&plan);
    assert_eq!(
        value(&c, "第一小学", P, Measure::EquipmentValue),
        Some(3_000_000.0)
    );
    let out = check_ok(&plan, &["学校 1 所"]);
    assert!(!out.contains("按万元换算"), "{out}");

    // Without the header's unit the same line converts.
    let s = sheet(
        "Sheet1",
        "
        金额单位：万元
        学校名称|学校类型|学生数|教学仪器设备值|网络多媒体教室数
        第一小学|小学|1200|300|30
        ",
    );
    let (_d, plan) = project(&[s]);
    assert_eq!(
        value(&load_ok(&plan), "第一小学", P, Measure::EquipmentValue),
        Some(3_000_000.0)
    );
    check_ok(
        &plan,
        &["单元格 A1：按表上方“金额单位：万元”一行，教学仪器设备值按万元换算"],
    );
}

#[test]
fn a_unit_slip_with_no_units_line_is_flagged_at_the_cell() {
    // 300 in a 元 column for 1,200 students: 0.25 元 per student.
    let s = sheet(
        "Sheet1",
        "
        学校名称|学校类型|学生数|班级数|专任教师数|教学仪器设备值|教学及辅助用房面积
        第一小学|小学|1200|28|70|300|6000
        第二小学|小学|600|14|35|1500000|120
        ",
    );
    let (dir, plan) = project(&[s]);
    let c = load_ok(&plan);
    let w: Vec<String> = c
        .warnings
        .iter()
        .map(|w| format!("{}：{}", w.at.as_ref().unwrap().cell, w.message))
        .collect();
    assert_eq!(
        w,
        vec![
            "F2：学校“第一小学”小学：生均教学仪器设备值为 0.25 元（教学仪器设备值 300 ÷ 学生数 1200），低于通常范围 100–100000元，请核对数值和单位（万元/元、平方米）",
            "G3：学校“第二小学”小学：生均教学及辅助用房面积为 0.2 平方米（教学及辅助用房面积 120 ÷ 学生数 600），低于通常范围 0.5–100平方米，请核对数值和单位（万元/元、平方米）",
        ]
    );
    check_ok(
        &plan,
        &["学校.xlsx，工作表“Sheet1”，单元格 F2：学校“第一小学”小学：生均教学仪器设备值为 0.25 元"],
    );

    // The ranges are the profile's: the plan can change them.
    let plan = write_plan_with(
        dir.path(),
        "",
        "standards:\n  set:\n    plausibility.equipment_per_student.min: 0.1\n    plausibility.teaching_area_per_student.min: 0.1\n",
    );
    assert!(load_ok(&plan).warnings.is_empty());
    // A range that does not exist is a located plan error.
    let plan = write_plan_with(
        dir.path(),
        "",
        "standards:\n  set:\n    plausibility.pupils.min: 1\n",
    );
    expect_error(
        &plan,
        &[
            "plan.yaml:15:",
            "没有名为“pupils”的数据核对范围",
            "equipment_per_student",
        ],
    );
}

#[test]
fn class_size_and_teacher_ratios_are_checked_from_the_profile() {
    let s = sheet(
        "Sheet1",
        "
        学校名称|学校类型|学生数|班级数|专任教师数
        第一小学|小学|1200|12|70
        第二小学|小学|600|14|800
        ",
    );
    let (_d, plan) = project(&[s]);
    let c = load_ok(&plan);
    let w: Vec<String> = c
        .warnings
        .iter()
        .map(|w| format!("{}：{}", w.at.as_ref().unwrap().cell, w.message))
        .collect();
    assert_eq!(
        w,
        vec![
            "C2：学校“第一小学”小学：平均班额为 100 人（学生数 1200 ÷ 班级数 12），超过通常范围 1–70人，请核对",
            "E3：学校“第二小学”小学：每百名学生专任教师数为 133.33 人（专任教师数 800 ÷ 学生数 600 × 100），超过通常范围 2–100人，请核对",
        ]
    );
}

// ---------------------------------------------------------------------------
// The tables offices really export
// ---------------------------------------------------------------------------

#[test]
fn section_and_township_heading_rows_are_skipped_not_read_as_schools() {
    let mut s = sheet(
        "Sheet1",
        "
        序号|学校名称|学校类型|学生数|班级数|专任教师数
        一、小学
        （1）|城关镇
        1|第一小学|小学|1200|28|70
        （2）大庄镇
        2|大庄小学|小学|400|10|25
        二、初中
        3|第一初级中学|初级中学|900|20|75
        ",
    );
    // 一、小学 merged across the row, as most exports do; 二、初中 not.
    s.merges = vec![(1, 0, 1, 5)];
    let (_d, plan) = project(&[s]);
    let c = load_ok(&plan);
    assert_eq!(names(&c), vec!["第一小学", "大庄小学", "第一初级中学"]);
    assert_eq!(value(&c, "大庄小学", P, Measure::Students), Some(400.0));
    let heading = "分组标题行（学段、乡镇等），不是学校".to_string();
    assert_eq!(
        skipped(&c),
        vec![
            ("A2".into(), heading.clone(), "“一、小学”".into()),
            ("B3".into(), heading.clone(), "“（1）” “城关镇”".into()),
            ("A5".into(), heading.clone(), "“（2）大庄镇”".into()),
            ("A7".into(), heading.clone(), "“二、初中”".into()),
        ]
    );
    check_ok(
        &plan,
        &[
            "学校.xlsx，工作表“Sheet1”，单元格 A2：分组标题行（学段、乡镇等），不是学校（这一行：“一、小学”）",
            "学校 3 所",
        ],
    );
}

#[test]
fn a_township_heading_right_under_the_header_is_not_a_second_header_row() {
    let (_d, plan) = project(&[sheet(
        "Sheet1",
        "
        学校名称|学校类型|学生数|班级数
        城关镇
        第一小学|小学|1200|28
        大庄镇
        大庄小学|小学|400|10
        ",
    )]);
    let c = load_ok(&plan);
    assert_eq!(names(&c), vec!["第一小学", "大庄小学"]);
    assert_eq!(value(&c, "第一小学", P, Measure::Classes), Some(28.0));
    let cells: Vec<String> = c.skipped.iter().map(|s| s.at.cell.clone()).collect();
    assert_eq!(cells, vec!["A2", "A4"]);
}

#[test]
fn breakdown_rows_under_a_total_are_skipped() {
    let s = sheet(
        "Sheet1",
        "
        学校名称|学校类型|学生数|班级数
        合计||2500|58
        其中：民办||400|10
        公办||2100|48
        第一小学|小学|1200|28
        第一初级中学|初级中学|900|20
        其中 城区||1200|28
        ",
    );
    let (_d, plan) = project(&[s]);
    let c = load_ok(&plan);
    assert_eq!(names(&c), vec!["第一小学", "第一初级中学"]);
    assert_eq!(
        skipped(&c),
        vec![
            (
                "A2".into(),
                "“合计”行，不是学校".into(),
                "“合计” “2500” “58”".into()
            ),
            (
                "A3".into(),
                "“其中：民办”分项行（上面合计的细分），不是学校".into(),
                "“其中：民办” “400” “10”".into()
            ),
            (
                "A4".into(),
                "“公办”分项行（上面合计的细分），不是学校".into(),
                "“公办” “2100” “48”".into()
            ),
            (
                "A7".into(),
                "“其中城区”分项行（上面合计的细分），不是学校".into(),
                "“其中 城区” “1200” “28”".into()
            ),
        ]
    );
    check_ok(
        &plan,
        &[
            "单元格 A3：“其中：民办”分项行（上面合计的细分），不是学校（这一行：“其中：民办” “400” “10”）",
        ],
    );
}

#[test]
fn a_second_table_stacked_on_the_sheet_is_read_with_its_own_columns() {
    let s = sheet(
        "Sheet1",
        "
        测试县小学基本情况
        学校名称|学校类型|学生数|班级数
        第一小学|小学|1200|28
        第二小学|小学|800|18
        ~
        测试县初中基本情况
        学校类型|班级数|学校名称|学生数
        初级中学|20|第一初级中学|900
        ",
    );
    let (_d, plan) = project(&[s]);
    let c = load_ok(&plan);
    assert_eq!(names(&c), vec!["第一小学", "第二小学", "第一初级中学"]);
    assert_eq!(value(&c, "第一初级中学", J, Measure::Students), Some(900.0));
    assert_eq!(value(&c, "第一初级中学", J, Measure::Classes), Some(20.0));
    let at = &c.schools[2].rows[0].get(Measure::Students).unwrap().at;
    assert_eq!(at.cell, "D8");
    assert_eq!(
        skipped(&c),
        vec![
            (
                "A6".into(),
                "分组标题行（学段、乡镇等），不是学校".into(),
                "“测试县初中基本情况”".into()
            ),
            (
                "A7".into(),
                "又一张表的表头，下面的行按这个表头读取".into(),
                "“学校类型” “班级数” “学校名称”".into()
            ),
        ]
    );
    check_ok(&plan, &["学校 3 所"]);
}

#[test]
fn a_helper_sheet_without_figures_is_skipped_with_a_note() {
    let (_d, plan) = project(&[
        sheet("填表说明", "本表由各校填报，数据截至 9 月 1 日。"),
        sheet(
            "学校名单",
            "学校名称|所在乡镇\n第一小学|城关镇\n第一初级中学|城关镇",
        ),
        sheet("Sheet1", &clean("")),
    ]);
    let c = load_ok(&plan);
    assert_eq!(names(&c), vec!["第一小学", "第一初级中学"]);
    check_ok(
        &plan,
        &[
            "学校.xlsx，工作表“填表说明”没有找到含“学校名称”的表头，已跳过",
            "学校.xlsx，工作表“学校名单”不是学校数据表（缺少必需的列），已跳过",
            "（工作表：Sheet1）",
        ],
    );
}

#[test]
fn a_helper_sheet_alone_is_an_error_naming_the_missing_columns() {
    let (_d, plan) = project(&[sheet("学校名单", "学校名称|所在乡镇\n第一小学|城关镇")]);
    expect_error(
        &plan,
        &[
            "学校.xlsx，工作表“学校名单”，单元格 A1",
            "缺少必需的列“学校类型”",
            "缺少必需的列“学生数”",
        ],
    );
}

#[test]
fn the_section_comes_from_the_sheet_name_when_no_column_gives_it() {
    let (_d, plan) = project(&[
        sheet(
            "小学部",
            "学校名称|学校类型|学生数\n中心学校|九年一贯制学校|400\n第一小学|小学|1200",
        ),
        sheet(
            "初中学段",
            "学校名称|学校类型|学生数\n中心学校|九年一贯制学校|300",
        ),
        // No 学校类型 column at all: the sheet's 学段 gives the type.
        sheet("初中", "学校名称|学生数\n第一初级中学|900"),
    ]);
    let c = load_ok(&plan);
    assert_eq!(names(&c), vec!["中心学校", "第一小学", "第一初级中学"]);
    assert_eq!(value(&c, "中心学校", P, Measure::Students), Some(400.0));
    assert_eq!(value(&c, "中心学校", J, Measure::Students), Some(300.0));
    assert_eq!(c.schools[2].school_type, SchoolType::Junior);
    check_ok(&plan, &["学校 3 所"]);
}

#[test]
fn a_through_train_school_without_any_section_is_still_refused() {
    let (_d, plan) = project(&[sheet(
        "Sheet1",
        "学校名称|学校类型|学生数\n中心学校|九年一贯制学校|400",
    )]);
    expect_error(
        &plan,
        &[
            "学校.xlsx，工作表“Sheet1”，单元格 A2",
            "九年一贯制学校需按小学部、初中部分行填报",
        ],
    );
}

#[test]
fn a_merged_value_cell_over_two_schools_is_still_refused() {
    let mut s = sheet(
        "Sheet1",
        "
        学校名称|学校类型|学段|学生数|教学及辅助用房面积
        中心学校|九年一贯制学校|小学|400|8000
        中心学校|九年一贯制学校|初中|300|
        第一小学|小学|小学|1200|
        ",
    );
    s.merges = vec![(1, 4, 3, 4)];
    let (_d, plan) = project(&[s]);
    expect_error(
        &plan,
        &[
            "学校.xlsx，工作表“Sheet1”，单元格 E2",
            "合并单元格跨越了两所学校（“中心学校”与“第一小学”）",
        ],
    );
}

// ---------------------------------------------------------------------------
// Linear in the sheet's cells
// ---------------------------------------------------------------------------

/// Not a timed test: a measuring helper. Run with
/// `DUDAO_ROWS=100000 cargo test --release --test input_exports -- --ignored --nocapture large_sheet`
/// to see how long 100,000 school rows take to load.
#[test]
#[ignore = "measurement, run by hand"]
fn large_sheet_loads_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.split('|').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    // DUDAO_ROWS=25000 and 100000 compare: linear means 4× the time.
    let n: u32 = std::env::var("DUDAO_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    for i in 1..=n {
        ws.write_string(i, 0, format!("第{i}小学")).unwrap();
        ws.write_string(i, 1, "小学").unwrap();
        ws.write_number(i, 2, 500.0).unwrap();
        ws.write_number(i, 3, 12.0).unwrap();
        ws.write_number(i, 4, 30.0).unwrap();
        ws.write_number(i, 5, 100.0).unwrap();
        if i % 50 == 0 {
            // Merged heading rows every 50 rows, as township headings are.
            ws.merge_range(i, 0, i, 5, "（1）城关镇", &Format::new())
                .unwrap();
        }
    }
    wb.save(dir.path().join("学校.xlsx")).unwrap();
    let plan = write_plan_with(dir.path(), "", "");
    let t = std::time::Instant::now();
    let grids =
        dudao::input::grid::read_workbook(&dir.path().join("学校.xlsx"), "学校.xlsx").unwrap();
    let read = t.elapsed();
    drop(grids);
    let t = std::time::Instant::now();
    let c = load_ok(&plan);
    eprintln!(
        "{} 所学校，{} 行跳过，读取与检查共用时 {:?}（其中只读工作簿 {read:?}）",
        c.schools.len(),
        c.skipped.len(),
        t.elapsed()
    );
    assert_eq!(c.schools.len() as u32, n - n / 50);
}
