//! A county's reported figures (`dudao review`'s `reported:` files) are
//! input like the school workbooks: a cell that holds no number (the text
//! NaN or inf, an error cell, a formula whose result was never saved) or a
//! figure no county can have (a CV of 12, a negative count, more schools
//! passing than schools) is refused at its cell or JSON line, the run ends
//! with exit 1 and no packet is written. Two entries whose plans name the
//! same county in the same city are refused naming both. And the review
//! JSON carries `null` only where docs/review-json.md says a figure may be
//! absent.
//!
//! The reported workbook is written by openpyxl where Python has it (as a
//! county's office software would leave it: an error cell as `t="e"`, a
//! formula without `<v>`), else by rust_xlsxwriter with the same cells.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[path = "common/city.rs"]
mod city;
// In the sample city 东湖县 reports its evaluation JSON, 青山县 its
// published 差异系数表.xlsx.
use city::{city, dudao, review_json, text};
#[path = "common/json_edit.rs"]
mod json_edit;
#[path = "common/sheets.rs"]
mod sheets;

/// `dudao review` into 复核/ must fail: its stderr, after checking the exit
/// code and that no packet folder appeared.
fn refused(cwd: &Path) -> String {
    let o = dudao(cwd, &["review", "市/review.yaml", "-o", "复核"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.starts_with("错误："), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!cwd.join("复核").exists(), "a packet was written: {err}");
    err
}

fn has_openpyxl() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("openpyxl not found: the reported workbook is written by rust_xlsxwriter");
    }
    ok
}

/// Cells in the notation of tests/common/sheets.rs: a plain number is a
/// number, `'x` the text x, `=f` a formula without a saved result,
/// `#DIV/0!` an error cell, anything else text.
const OPENPYXL: &str = r##"
import json, sys, openpyxl
spec = json.load(sys.stdin)
wb = openpyxl.Workbook()
wb.remove(wb.active)
for name, rows in spec["sheets"]:
    ws = wb.create_sheet(name)
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            if v == "":
                continue
            if all(ch in "0123456789.-" for ch in v):
                ws.cell(r, c, float(v))
            elif v.startswith("'"):
                ws.cell(r, c).value = v[1:]
                ws.cell(r, c).data_type = "s"
            else:
                ws.cell(r, c, v)  # "=…" a formula, "#DIV/0!" an error
wb.save(spec["path"])
"##;

fn write_workbook(path: &Path, sheets: &[(&str, Vec<Vec<String>>)]) {
    if has_openpyxl() {
        use std::io::Write;
        let spec = serde_json::json!({ "path": path, "sheets": sheets });
        let mut child = Command::new("python3")
            .args(["-c", OPENPYXL])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(spec.to_string().as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "openpyxl failed");
    } else {
        let list: Vec<sheets::Sheet> = sheets
            .iter()
            .map(|(name, rows)| sheets::Sheet {
                name,
                rows: rows.clone(),
                ..Default::default()
            })
            .collect();
        sheets::write_xlsx(path, &list);
    }
    assert!(path.exists());
}

const FIGURES: [(&str, &str); 3] = [("mean", "全县平均值"), ("sd", "标准差"), ("cv", "差异系数")];

/// 青山县's 差异系数表 and 学校达标情况表 in the published layout, from its
/// figures in the review, with `cells` (A1 reference → cell) put in.
fn published(county: &Value, cells: &[(&str, &str)]) -> Vec<(&'static str, Vec<Vec<String>>)> {
    let mut cv: Vec<Vec<String>> = vec![
        vec!["青山县义务教育学校校际差异系数表".into()],
        ["学段", "项目", "L1", "L2", "L3", "L4", "L5", "L6", "L7"]
            .map(String::from)
            .to_vec(),
    ];
    for (section, zh) in [("primary", "小学"), ("junior", "初中")] {
        for (f, label) in FIGURES {
            let mut row = vec![zh.to_string(), label.to_string()];
            for k in 1..=7 {
                let v = &county["resource"][section]["indicators"][format!("L{k}")][f];
                row.push(v.as_f64().map(|x| format!("{x:.6}")).unwrap_or_default());
            }
            cv.push(row);
        }
    }
    let schools = vec![
        ["学校名称", "学段", "L1", "L2", "L3", "L4", "L5", "L6", "L7"]
            .map(String::from)
            .to_vec(),
        ["青山县第一小学", "小学", "1", "1", "1", "1", "1", "1", "1"]
            .map(String::from)
            .to_vec(),
    ];
    let mut out = vec![("差异系数表", cv), ("学校达标情况表", schools)];
    for (at, v) in cells {
        let (sheet, a1) = at.split_once('!').unwrap();
        let col = (a1.as_bytes()[0] - b'A') as usize;
        let row: usize = a1[1..].parse::<usize>().unwrap() - 1;
        let rows = &mut out.iter_mut().find(|(n, _)| *n == sheet).unwrap().1;
        rows[row][col] = v.to_string();
    }
    out
}

#[test]
fn hostile_cells_in_a_reported_table_are_refused_each_at_its_cell() {
    let (tmp, dir) = city(2);
    let r = review_json(tmp.path(), "市/review.yaml");
    let c = &r["counties"][1];
    assert_eq!(c["county"], "青山县");
    // Rows 3–5 are 小学 全县平均值 / 标准差 / 差异系数, rows 6–8 初中;
    // columns C–I are L1–L7.
    let cases: [(&str, &str, &str); 8] = [
        ("差异系数表!C3", "NaN", "全县平均值“NaN”不是数字"),
        ("差异系数表!D4", "inf", "标准差“inf”不是数字"),
        ("差异系数表!E5", "#DIV/0!", "差异系数是公式错误 #DIV/0!"),
        (
            "差异系数表!F6",
            "=F7/F8",
            "全县平均值是公式（=F7/F8），但文件里没有保存计算结果",
        ),
        (
            "差异系数表!G8",
            "12",
            "差异系数为 12，不可能：差异系数应在 0 到 10 之间",
        ),
        ("差异系数表!H7", "-0.5", "标准差为 -0.5，不可能：不能为负数"),
        ("差异系数表!C6", "'约7", "全县平均值“约7”不是数字"),
        ("学校达标情况表!I2", "-5", "指标值为 -5，不可能：不能为负数"),
    ];
    let file = dir.join("青山县/上报/差异系数表.xlsx");
    let cells: Vec<(&str, &str)> = cases.iter().map(|(at, v, _)| (*at, *v)).collect();
    write_workbook(&file, &published(c, &cells));
    let before = std::fs::read(&file).unwrap();
    let err = refused(tmp.path());
    for (at, _, words) in cases {
        let (sheet, cell) = at.split_once('!').unwrap();
        let want = format!("工作表“{sheet}”，单元格 {cell}：{words}");
        assert!(err.contains(&want), "missing “{want}” in:\n{err}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), before, "an input changed");

    // Each alone is enough to refuse the county.
    for (at, v, words) in [cases[0], cases[2], cases[3]] {
        write_workbook(&file, &published(c, &[(at, v)]));
        let err = refused(tmp.path());
        assert!(err.contains(words), "{err}");
        assert_eq!(err.matches("单元格").count(), 1, "{err}");
    }

    // The same table untouched reads cleanly and agrees with itself.
    write_workbook(&file, &published(c, &[]));
    let again = review_json(tmp.path(), "市/review.yaml");
    let d: Vec<&Value> = again["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["county"] == "青山县" && d["school"].is_null())
        .collect();
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn a_cv_beside_a_mean_of_zero_is_refused_at_the_mean() {
    let (tmp, dir) = city(2);
    let c = review_json(tmp.path(), "市/review.yaml")["counties"][1].clone();
    let file = dir.join("青山县/上报/差异系数表.xlsx");
    write_workbook(&file, &published(&c, &[("差异系数表!C3", "0")]));
    let err = refused(tmp.path());
    assert!(
        err.contains("单元格 C3：全县平均值为 0，差异系数却为"),
        "{err}"
    );
}

#[test]
fn impossible_figures_in_a_reported_json_are_refused_at_their_line() {
    for (anchor, what, to, words) in [
        ("resource", "cv", "1.7e308", "差异系数为 1.7e308，不可能"),
        ("resource", "cv", "1.8e308", "数值超出范围"),
        ("resource", "sd", "-1", "标准差为 -1，不可能：不能为负数"),
        ("schools", "students", "-30", "学生数为 -30，不可能"),
    ] {
        let (tmp, dir) = city(1);
        let file = dir.join("东湖县/上报/自评结果.json");
        let line = json_edit::set_number(&file, anchor, what, to);
        let err = refused(tmp.path());
        assert!(
            err.contains(&format!("自评结果.json：第{line}行")) && err.contains(words),
            "{what} = {to}: want line {line} and “{words}”:\n{err}"
        );
    }
}

#[test]
fn more_schools_passing_than_schools_is_refused() {
    let (tmp, dir) = city(1);
    let file = dir.join("东湖县/上报/自评结果.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let n = v["resource"]["primary"]["schools"].as_u64().unwrap();
    json_edit::set_number(&file, "resource", "schools_passing", &(n + 5).to_string());
    let err = refused(tmp.path());
    assert!(
        err.contains(&format!(
            "resource.primary.schools_passing（达到校际均衡要求的学校数）为 {}，多于参评的学校数 {n}，不可能",
            n + 5
        )),
        "{err}"
    );
    assert!(err.contains("自评结果.json：第"), "{err}");
}

#[test]
fn two_counties_of_one_name_in_one_city_are_refused_naming_both_entries() {
    let (tmp, dir) = city(3);
    // 青山县's plan says it is 东湖县 (its published table names no county).
    let plan = dir.join("青山县/plan.yaml");
    let text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(&plan, text.replacen("county: 青山县", "county: 东湖县", 1)).unwrap();
    let yaml = std::fs::read_to_string(dir.join("review.yaml")).unwrap();
    let line = |needle: &str| yaml.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let (first, second) = (
        line("plan: 东湖县/plan.yaml"),
        line("plan: 青山县/plan.yaml"),
    );
    let err = refused(tmp.path());
    let want = format!(
        "市/review.yaml:{second}:11：“青山县/plan.yaml”的县名“东湖县”与 市/review.yaml:{first}:11 的“东湖县/plan.yaml”相同：设区市“示例市”中有两个同名的县"
    );
    assert!(err.contains(&want), "want {want}\n{err}");

    // In two different cities the same name is two counties.
    let yaml2 = yaml.replacen("city: 示例市", "city: 甲市", 1);
    std::fs::write(dir.join("review.yaml"), yaml2).unwrap();
    let r = review_json(tmp.path(), "市/review.yaml");
    let names: Vec<(&str, &str)> = r["counties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["county"].as_str().unwrap(), c["city"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("东湖县", "甲市"),
            ("东湖县", "示例市"),
            ("白水县", "示例市")
        ]
    );
}

/// Keys that docs/review-json.md documents as possibly `null`, each with
/// the words of the contract that say so.
const NULLABLE: &[(&str, &str)] = &[
    ("city", "`city` | string/null"),
    ("section", "`section` | string/null"),
    ("school", "`school` | string/null"),
    ("recomputed", "`recomputed` | number/null"),
    ("difference", "`difference` | number/null"),
    ("resource", "`resource` | object/null"),
    ("county_profile", "`county_profile` | string/null"),
    ("first_out_of_order", "顺序一致为 null"),
    ("locality", "`locality`、`township` 可为 null"),
    ("township", "`locality`、`township` 可为 null"),
    ("mean", "`mean`、`sd` 在该学段没有学生时为 null"),
    ("sd", "`mean`、`sd` 在该学段没有学生时为 null"),
    ("cv", "`cv` 在平均值为 0 或没有学生时为 null"),
    ("value", "`value` 为 null 表示统计表中缺这个数"),
    (
        "recognition_rate",
        "`recognition_rate` 在没有问卷样本时为 null",
    ),
    ("rate", "`rate` 在没有样本时为 null"),
    ("gap", "`gap` 为 null"),
    ("met", "`met` 为 null 表示没有数据"),
    ("guarantee", "材料不全为 null"),
    ("quality", "材料不全为 null"),
    ("recognition", "材料不全为 null"),
    ("no_veto", "材料不全为 null"),
    (
        "recognition_met",
        "`recognition_met`、`resource_met`、`veto` 在材料不全时为 null",
    ),
    (
        "resource_met",
        "`recognition_met`、`resource_met`、`veto` 在材料不全时为 null",
    ),
    (
        "veto",
        "`recognition_met`、`resource_met`、`veto` 在材料不全时为 null",
    ),
];

/// Every `null` below `v`, by its path.
fn nulls(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path.to_string()),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| nulls(x, &format!("{path}[{i}]"), out)),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| nulls(x, &format!("{path}.{k}"), out)),
        _ => {}
    }
}

#[test]
fn the_review_json_has_null_only_where_the_contract_allows_it() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/review-json.md"))
            .unwrap();
    for (key, words) in NULLABLE {
        assert!(
            doc.contains(words),
            "docs/review-json.md 没有写明 {key} 可为 null：{words}"
        );
    }
    // Five counties: every fate of the sample set, and an incomplete one
    // (--keep-going) for the fields that are null only then.
    let (tmp, dir) = city(5);
    std::fs::remove_file(dir.join("白水县/学校统计表.xlsx")).unwrap();
    let o = dudao(
        tmp.path(),
        &[
            "review",
            "市/review.yaml",
            "--format",
            "json",
            "--keep-going",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut found = Vec::new();
    nulls(&r, "", &mut found);
    let mut allowed_seen = 0;
    let evaluation_doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/evaluation-json.md"),
    )
    .unwrap();
    for path in &found {
        let key = path.rsplit('.').next().unwrap();
        let key = key.split('[').next().unwrap();
        // Parts whose fields are the evaluation JSON's: that contract's
        // table row for the field must say null.
        let borrowed = [".criteria[", ".gap.", ".own_standards[", ".groups["]
            .iter()
            .any(|p| path.contains(p));
        if borrowed {
            let row = format!("| `{key}` |");
            assert!(
                evaluation_doc
                    .lines()
                    .any(|l| l.starts_with(&row) && l.contains("null")),
                "review.json 的 {path} 为 null，而 docs/evaluation-json.md 没有说 {key} 可以为 null"
            );
        } else {
            assert!(
                NULLABLE.iter().any(|(k, _)| *k == key),
                "review.json 的 {path} 为 null，而接口文档没有说它可以为 null"
            );
        }
        allowed_seen += 1;
    }
    // The incomplete county's resource and verdicts are the nulls expected.
    assert!(
        found.iter().any(|p| p == ".counties[2].resource"),
        "{found:?}"
    );
    assert!(allowed_seen > 0);
    // Each complete county's figures are numbers.
    for c in r["counties"].as_array().unwrap() {
        if c["complete"] != true {
            continue;
        }
        for s in ["primary", "junior"] {
            let sec = &c["resource"][s];
            for k in ["schools", "schools_passing", "students"] {
                assert!(sec[k].is_number(), "{} {s} {k}", c["county"]);
            }
            for (id, x) in sec["indicators"].as_object().unwrap() {
                for k in ["mean", "sd", "cv", "cv_limit", "standard", "schools_met"] {
                    assert!(x[k].is_number(), "{} {s} {id} {k}: {}", c["county"], x[k]);
                }
            }
        }
    }
}
