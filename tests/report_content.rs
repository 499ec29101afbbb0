//! What the report says from the plan's structured inputs: 县情, the
//! funding checks (两个只增不减、三个增长) with their figures and verdicts,
//! projects, teachers, the plan's own goals and safeguards; and that a bad
//! funding entry stops the run at its YAML place with no report written.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

const EXAMPLE: &str = "examples/sixian/plan.yaml";
const WORKBOOK: &str = "examples/sixian/泗县学校统计表（示例数据）.xlsx";

fn dudao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
}

/// The body of the example report as laid out, all pages' text runs in
/// reading order without page numbers (line breaks removed, so
/// sentences read whole).
fn body() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| {
        let (_, r) = render_plan(Path::new(EXAMPLE), &[], false);
        r.document
            .pages()
            .iter()
            .flat_map(|p| runs(&p.frame))
            // Page numbers (4号, 14 pt) would cut sentences at page ends.
            .filter(|x| (x.size - 14.0).abs() > 0.1)
            .map(|x| x.text)
            .collect()
    })
}

fn says(text: &str) {
    assert!(body().contains(text), "the report does not say “{text}”");
}

#[test]
fn the_binary_renders_the_example_with_its_new_sections() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("报告.pdf");
    let out = dudao()
        .args(["render", EXAMPLE, "-o"])
        .arg(&pdf)
        .args(["--school-pages", "none", "--no-system-fonts"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn each_funding_check_is_stated_with_its_figures_and_verdict() {
    // 两个只增不减: held, with each year's figure and growth.
    says(
        "1.一般公共预算教育支出逐年只增不减。2021年一般公共预算教育支出为132400万元；2022年为140100万元，比上年增长5.82%；2023年为144900万元，比上年增长3.43%。达到要求。",
    );
    says(
        "2.小学生均一般公共预算教育支出逐年只增不减。2021年小学生均一般公共预算教育支出为9860元；2022年为10420元，比上年增长5.68%；2023年为10980元，比上年增长5.37%。达到要求。",
    );
    says(
        "3.初中生均一般公共预算教育支出逐年只增不减。2021年初中生均一般公共预算教育支出为13420元；2022年为14150元，比上年增长5.44%；2023年为14930元，比上年增长5.51%。达到要求。",
    );
    // 三个增长: the appropriation outgrew revenue in 2022 but not in 2023.
    says(
        "1.教育财政拨款的增长高于财政经常性收入的增长。2021年一般公共预算教育支出132400万元、财政经常性收入215300万元；2022年一般公共预算教育支出140100万元、比上年增长5.82%，财政经常性收入223800万元、比上年增长3.95%，前者增长高于后者；2023年一般公共预算教育支出144900万元、比上年增长3.43%，财政经常性收入236400万元、比上年增长5.63%，前者增长未高于后者。未达到要求。",
    );
    // 158600 万元 ÷ 131200 人 = 12088.41 元.
    says(
        "2.在校学生人均教育费用逐步增长。2021年在校学生人均教育费用为12088.41元；2022年为12779.48元，比上年增长5.72%；2023年为13366.72元，比上年增长4.60%。达到要求。",
    );
    says(
        "3.教师工资总额逐步增长。2021年教师工资总额为78200万元；2022年为81600万元，比上年增长4.35%；2023年为85300万元，比上年增长4.53%。达到要求。",
    );
    says(
        "4.小学生均公用经费逐步增长。2021年小学生均公用经费为720元；2022年为740元，比上年增长2.78%；2023年为760元，比上年增长2.70%。达到要求。",
    );
    says(
        "5.初中生均公用经费逐步增长。2021年初中生均公用经费为940元；2022年为965元，比上年增长2.66%；2023年为990元，比上年增长2.59%。达到要求。",
    );
    says("综上，未达到要求的有：教育财政拨款的增长高于财政经常性收入的增长。其余各项达到要求。");
    // The table of the years, with separators as tables print them.
    says("教育经费投入情况");
    says("12,088.41");
}

#[test]
fn county_projects_teachers_and_plan_text_are_printed() {
    says(
        "泗县总面积1856平方千米，辖15个乡镇、3个街道和194个行政村（社区），户籍人口94.62万人、常住人口71.35万人。2023年，全县实现地区生产总值321.56亿元，一般公共预算收入18.62亿元。",
    );
    says("2017年，泗县经国务院教育督导委员会认定为全国义务教育发展基本均衡县。");
    says("全县义务教育阶段学校有教职工6204人，其中专任教师5806人。");
    says("2023年交流轮岗教师177人，其中骨干教师32人。");
    says("自评工作于2024年3月1日至2024年4月30日开展");
    says("统计时点为2023年9月30日。");
    says(
        "2021—2023年，全县新建学校1所、改扩建学校4所，新增校舍建筑面积39100平方米，新增学位4320个，完成投资17190万元。",
    );
    // The plan's own text: cited documents with 文号, goals, milestones,
    // safeguards, highlights.
    says("《国务院关于深入推进义务教育均衡发展的意见》（国发〔2012〕48号）");
    says("《教育部关于印发〈县域义务教育优质均衡发展督导评估办法〉的通知》（教督〔2017〕6号）");
    says("方案确定了六个分目标：");
    says("一是学校布局科学化。在遵循教育规律的基础上");
    says("2024年9月底，9月向省级提出评估申请");
    says("落实保障措施");
    says("2.加大投入。合理规划，优先投入，在财政预算中将义务教育经费单列");
    says("（牵头单位：县财政局；责任单位：县发改委、县教体局、县审计局）");
    says("特色亮点和典型经验");
    says("1.城乡教育集团化办学。");
}

/// The example plan and workbook copied to a folder, with the plan edited.
fn edited_example(dir: &Path, edit: impl Fn(&str) -> String) -> std::path::PathBuf {
    let plan = std::fs::read_to_string(EXAMPLE).unwrap();
    let edited = edit(&plan);
    assert_ne!(edited, plan, "the edit applies");
    let path = dir.join("plan.yaml");
    std::fs::write(&path, &edited).unwrap();
    std::fs::copy(WORKBOOK, dir.join(Path::new(WORKBOOK).file_name().unwrap())).unwrap();
    path
}

/// 1-based line and column of the first occurrence of `needle`.
fn place(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("needle in plan");
    let line = text[..at].matches('\n').count() + 1;
    let start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, text[start..at].chars().count() + 1)
}

fn refused(dir: &Path, plan: &Path) -> String {
    let pdf = dir.join("报告.pdf");
    let before = std::fs::read(plan).unwrap();
    let out = dudao()
        .args(["render"])
        .arg(plan)
        .arg("-o")
        .arg(&pdf)
        .args(["--school-pages", "none", "--no-system-fonts"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "refused with exit code 1");
    assert!(!pdf.exists(), "no report written");
    assert_eq!(std::fs::read(plan).unwrap(), before, "plan unchanged");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn text_where_a_funding_figure_belongs_is_refused_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let plan = edited_example(dir.path(), |p| {
        p.replacen("public_budget: 140100", "public_budget: 约14亿", 1)
    });
    let text = std::fs::read_to_string(&plan).unwrap();
    let (line, col) = place(&text, "约14亿");
    let err = refused(dir.path(), &plan);
    assert!(
        err.contains(&format!("plan.yaml:{line}:{col}：")),
        "error at {line}:{col}: {err}"
    );
    assert!(err.contains("“约14亿”不是数值"), "{err}");
}

#[test]
fn a_funding_year_given_twice_is_refused_at_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let plan = edited_example(dir.path(), |p| {
        p.replacen(
            "  - year: 2023\n    total: 173500",
            "  - year: 2022\n    total: 173500",
            1,
        )
    });
    let text = std::fs::read_to_string(&plan).unwrap();
    let (first, _) = place(&text, "  - year: 2022");
    let (line, col) = place(&text, "  - year: 2022\n    total: 173500");
    let err = refused(dir.path(), &plan);
    assert!(
        err.contains(&format!(
            "plan.yaml:{line}:{}：教育经费 funding 中2022年出现了两次（第{first}行已有这一年），每年只能写一条",
            col + "  - year: ".len()
        )),
        "{err}"
    );
}

#[test]
fn a_negative_figure_is_refused_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let plan = edited_example(dir.path(), |p| {
        p.replacen("teacher_salary: 81600", "teacher_salary: -81600", 1)
    });
    let text = std::fs::read_to_string(&plan).unwrap();
    let (line, col) = place(&text, "-81600");
    let err = refused(dir.path(), &plan);
    assert!(
        err.contains(&format!(
            "plan.yaml:{line}:{col}：教育经费2022年的teacher_salary（教师工资总额）不能为负数"
        )),
        "{err}"
    );
}
