//! The appendix tables as a reviewer checks them, read from the typst
//! source the real binary emits (`--emit-typ`): 附件1's 合计 row sums its
//! rows and 教学点 come last, 附件2's 标准 and floor rows carry the applied
//! standards (a plan override included), 附件3's printed terms add up to
//! the printed CV, and every task of 附件5 has its 时限.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const EXAMPLE_DIR: &str = "examples/sixian";

/// One `#data-table(...)` call of the emitted source.
#[derive(Debug)]
struct Table {
    header: Vec<String>,
    title: Option<String>,
    rows: Vec<Vec<String>>,
}

/// The typst strings of one line of the source, in order (`"a","b\"c"`).
fn strings(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut s = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => s.extend(chars.next()),
                _ => s.push(c),
            }
        }
        out.push(s);
    }
    out
}

/// `rows: (("1","a",),("2","b",),),` → the rows.
fn rows(line: &str) -> Vec<Vec<String>> {
    let body = line.trim().trim_start_matches("rows: (");
    body.split("),(")
        .map(strings)
        .filter(|r| !r.is_empty())
        .collect()
}

fn tables(source: &str) -> Vec<Table> {
    let mut out = Vec::new();
    for call in source.split("#data-table(").skip(1) {
        let call = call.split("\n)").next().unwrap();
        let mut t = Table {
            header: Vec::new(),
            title: None,
            rows: Vec::new(),
        };
        for line in call.lines() {
            let line = line.trim();
            if line.starts_with("header: (") {
                t.header = strings(line);
            } else if line.starts_with("rows: (") {
                t.rows = rows(line);
            } else if line.starts_with("title: ") {
                t.title = strings(line).into_iter().next();
            }
        }
        out.push(t);
    }
    out
}

/// The example (or a copy of it in `dir`) rendered by the binary with its
/// typst source kept: the source and the number of pages it reported.
fn render(plan: &Path, dir: &Path) -> (String, usize) {
    let pdf = dir.join("报告.pdf");
    let typ = dir.join("typ");
    let out = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .arg("render")
        .arg(plan)
        .arg("-o")
        .arg(&pdf)
        .args(["--school-pages", "none", "--no-system-fonts", "--emit-typ"])
        .arg(&typ)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    let pages = stderr
        .split("（")
        .find_map(|s| s.strip_suffix_pages())
        .expect("the command reports the page count");
    (
        std::fs::read_to_string(typ.join("main.typ")).unwrap(),
        pages,
    )
}

trait Pages {
    fn strip_suffix_pages(&self) -> Option<usize>;
}

impl Pages for str {
    /// `95 页）…` → 95
    fn strip_suffix_pages(&self) -> Option<usize> {
        self.split_once(" 页）")?.0.parse().ok()
    }
}

fn evaluation(plan: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .arg("evaluate")
        .arg(plan)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn example() -> &'static (Vec<Table>, usize, Value) {
    static R: OnceLock<(Vec<Table>, usize, Value)> = OnceLock::new();
    R.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let plan = PathBuf::from(EXAMPLE_DIR).join("plan.yaml");
        let (src, pages) = render(&plan, dir.path());
        (tables(&src), pages, evaluation(&plan))
    })
}

fn find<'a>(ts: &'a [Table], header: &str) -> Vec<&'a Table> {
    ts.iter()
        .filter(|t| t.header.iter().any(|h| h == header))
        .collect()
}

fn num(s: &str) -> f64 {
    s.replace(',', "")
        .trim_end_matches(['▲', '△'])
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

#[test]
fn basic_table_totals_its_rows_and_lists_teaching_points_last() {
    let (ts, _, e) = example();
    let t = find(ts, "是否参评");
    assert_eq!(t.len(), 1);
    let t = t[0];
    let (total, body) = t.rows.split_last().unwrap();
    assert!(total[0].starts_with("合计"), "{total:?}");
    assert_eq!(body.len(), e["schools"].as_array().unwrap().len());
    for (col, what) in [(7, "学生数"), (8, "班级数"), (9, "专任教师数")] {
        let sum: f64 = body
            .iter()
            .map(|r| if r[col] == "—" { 0.0 } else { num(&r[col]) })
            .sum();
        assert_eq!(num(&total[col]), sum, "{what}");
    }
    let first_point = body.iter().position(|r| r[2] == "教学点").unwrap();
    assert!(body[first_point..].iter().all(|r| r[2] == "教学点"));
    assert!(body[..first_point].iter().all(|r| r[2] != "教学点"));
    // Schools before the points keep the workbook (statistics) order.
    let order: Vec<&str> = e["schools"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["school_type"] != "教学点")
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let listed: Vec<&str> = body[..first_point].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(listed, order);
    let points = body[first_point..]
        .iter()
        .map(|r| &r[1])
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(total[0].contains(&format!("教学点{points}个")), "{total:?}");
}

/// The 标准 and floor rows of each 学段's 附件2 against the evaluation.
fn check_standard_rows(ts: &[Table], e: &Value) {
    let t = find(ts, "达标项数");
    assert_eq!(t.len(), 2, "one table per 学段");
    let ratio = e["resource"]["floor_ratio"].as_f64().unwrap();
    for (t, key, zh) in [(t[0], "primary", "小学"), (t[1], "junior", "初中")] {
        assert_eq!(t.title.as_deref(), Some(zh));
        assert_eq!(t.rows[0][0], "标准");
        assert_eq!(t.rows[1][0], format!("标准的{}%", ratio * 100.0));
        let spec = &e["resource"][key]["indicators"];
        for (c, i) in ["L1", "L2", "L3", "L4", "L5", "L6", "L7"]
            .iter()
            .enumerate()
        {
            let x = &spec[i];
            let standard = x["standard"].as_f64().unwrap();
            let floor = x["floor"].as_f64().unwrap();
            assert_eq!(num(&t.rows[0][3 + c]), standard, "{zh} {i} 标准");
            assert!(
                (num(&t.rows[1][3 + c]) - floor).abs() < 1e-9,
                "{zh} {i} floor {} vs {floor}",
                t.rows[1][3 + c]
            );
            assert!((floor - standard * ratio).abs() < 1e-9);
        }
    }
}

#[test]
fn resource_tables_carry_the_applied_standards() {
    let (ts, _, e) = example();
    check_standard_rows(ts, e);
}

#[test]
fn a_plan_override_reaches_the_standard_rows() {
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(EXAMPLE_DIR).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let plan = dir.path().join("plan.yaml");
    let text = std::fs::read_to_string(&plan).unwrap();
    let changed = text.replace(
        "    G14.share: 80\n",
        "    G14.share: 80\n    L6.primary: 2200\n",
    );
    assert_ne!(changed, text, "the example's standards block moved");
    std::fs::write(&plan, &changed).unwrap();
    let (src, _) = render(&plan, dir.path());
    let e = evaluation(&plan);
    assert_eq!(
        e["resource"]["primary"]["indicators"]["L6"]["standard"].as_f64(),
        Some(2200.0)
    );
    let ts = tables(&src);
    check_standard_rows(&ts, &e);
    let primary = find(&ts, "达标项数")[0];
    assert_eq!(primary.rows[0][8], "2,200");
    assert_eq!(primary.rows[1][8], "1,870");
    // The legend names the change (typst markup escapes `,` after digits).
    assert!(
        src.contains(r"（小学生均教学仪器设备值按本县方案为2\,200元，原标准为2\,000元）"),
        "the legend names the override"
    );
}

#[test]
fn floor_and_fail_marks_follow_the_status() {
    let (ts, _, e) = example();
    let schools = e["schools"].as_array().unwrap();
    let t = find(ts, "达标项数");
    let mut seen = (0, 0);
    for (t, section) in [(t[0], "primary"), (t[1], "junior")] {
        for r in &t.rows[2..] {
            let s = schools
                .iter()
                .find(|s| s["name"] == r[1].as_str() && s["section"] == section)
                .unwrap();
            if s["included"] != true {
                continue;
            }
            for (c, i) in ["L1", "L2", "L3", "L4", "L5", "L6", "L7"]
                .iter()
                .enumerate()
            {
                match s["status"][i].as_str().unwrap() {
                    "met" => assert!(!r[3 + c].ends_with(['▲', '△'])),
                    "floor" => seen.0 += 1,
                    _ => seen.1 += 1,
                }
            }
        }
    }
    // Marks are added by the style; the example has both kinds.
    assert!(seen.0 > 0 && seen.1 > 0, "{seen:?}");
}

#[test]
fn cv_calculation_reproduces_every_printed_cv() {
    let (ts, _, e) = example();
    let calc: Vec<&Table> = ts
        .iter()
        .filter(|t| t.title.as_deref().is_some_and(|x| x.contains("（")) && t.rows.len() > 7)
        .filter(|t| t.rows.last().is_some_and(|r| r[0] == "是否达到"))
        .collect();
    assert_eq!(calc.len(), 14, "7 indicators × 2 学段");
    for (k, t) in calc.iter().enumerate() {
        let key = if k < 7 { "primary" } else { "junior" };
        let i = format!("L{}", k % 7 + 1);
        let x = &e["resource"][key]["indicators"][&i];
        let n = t.rows.len() - 7;
        let (schools, county) = t.rows.split_at(n);
        let value = |label: &str| {
            let r = county.iter().find(|r| r[0].starts_with(label)).unwrap();
            r[6].clone()
        };
        let p: f64 = schools.iter().map(|r| num(&r[2])).sum();
        assert_eq!(num(&value("学生数合计")), p, "{key} {i}: ΣPᵢ");
        for r in schools {
            let share = num(&r[2]) / p;
            assert!((num(&r[4]) - share).abs() <= 5e-9, "{key} {i}: Pᵢ/P");
        }
        let variance: f64 = schools.iter().map(|r| num(&r[6])).sum();
        let mean = num(&value("全县平均值"));
        let printed = value("差异系数");
        let rebuilt = format!("{:.6}", variance.sqrt() / mean);
        assert_eq!(rebuilt, printed.trim_end_matches('▲'), "{key} {i}");
        assert_eq!(
            format!("{:.6}", x["cv"].as_f64().unwrap()),
            rebuilt,
            "{key} {i}: the evaluation's CV"
        );
        assert_eq!(
            x["points"].as_array().unwrap().len(),
            n,
            "{key} {i}: one row per point"
        );
    }
}

#[test]
fn every_task_has_a_deadline_and_units_are_named_once_per_group() {
    let (ts, _, _) = example();
    let t = find(ts, "时限");
    assert_eq!(t.len(), 1);
    let mut groups = 0;
    let mut tasks = 0;
    for r in &t[0].rows {
        if r[0].starts_with('（') {
            groups += 1;
            assert!(r[0].contains("牵头单位："), "{r:?}");
            assert!(r[1..].iter().all(String::is_empty));
        } else {
            tasks += 1;
            let year: String = r[2].chars().take(5).collect();
            assert!(
                year.ends_with('年') && year[..4].parse::<u32>().is_ok(),
                "task {} has no 时限: {:?}",
                r[0],
                r[2]
            );
            assert!(!r.iter().any(|c| c.contains("县教体局")), "{r:?}");
        }
    }
    assert!(
        groups >= 2 && tasks > groups,
        "{groups} groups, {tasks} tasks"
    );
}

#[test]
fn guarantee_table_uses_national_numbers_and_no_symbols() {
    let (ts, pages, _) = example();
    let t = find(ts, "数据来源与佐证");
    assert_eq!(t.len(), 1);
    let numbers: Vec<&str> = t[0]
        .rows
        .iter()
        .map(|r| r[0].as_str())
        .filter(|n| n.parse::<u32>().is_ok())
        .collect();
    let expected: Vec<String> = (1..=15)
        .chain(1..=9)
        .chain(1..=1)
        .map(|n| n.to_string())
        .collect();
    assert_eq!(numbers, expected);
    for r in &t[0].rows {
        assert!(!r[3].contains('≥') && !r[3].contains('≤'), "{r:?}");
        assert!(!r.iter().any(|c| c.starts_with('G') || c.starts_with('Q')));
    }
    // The calculation is long but bounded: body, 5 tables, no school pages.
    assert!(*pages < 110, "{pages} pages");
}
