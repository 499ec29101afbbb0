//! The reviewer's workbook is live: written by the real binary for the
//! example county, its cached values are the JSON's, and LibreOffice, an
//! independent engine, recomputes every per-school indicator, 达到/△/✗,
//! 达标项数, verdict, county mean, SD, CV and CV verdict to the JSON's
//! figures within 1e-9, from a copy whose every cached result was first
//! overwritten (so nothing can pass unless LibreOffice really recalculated).
//! Changing one input cell changes the recomputed CV, to the value this
//! test computes from the recomputed rows by the weighted definition.
//!
//! LibreOffice recalculates on load only when told: each run uses its own
//! profile with Calc's "recalculation on file load" set to always.
//! Without `soffice` the LibreOffice tests say so and return.

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use serde_json::Value;
use std::io::Read;
use std::path::Path;
use std::process::Command;

#[path = "common/office.rs"]
mod office;
use office::{
    column_headed as col, edited, has_soffice, letters, number_at as f, poisoned, recalculated,
    text_at as s, with_number,
};

const PLAN: &str = "examples/sixian/plan.yaml";
const TOL: f64 = 1e-9;
const IDS: [&str; 7] = ["L1", "L2", "L3", "L4", "L5", "L6", "L7"];
const SECTIONS: [(&str, &str); 2] = [("primary", "小学"), ("junior", "初中")];

fn dudao(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("dudao runs")
}

/// The example's workbook and its JSON, from the binary.
fn example(dir: &Path) -> (Vec<u8>, Value) {
    evaluated(PLAN, dir)
}

/// A county's workbook and JSON, from the binary.
fn evaluated(plan: &str, dir: &Path) -> (Vec<u8>, Value) {
    let xlsx = dir.join("复核计算表.xlsx");
    let out = dudao(&[
        "evaluate",
        plan,
        "--format",
        "xlsx",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dudao(&["evaluate", plan, "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON parses");
    (std::fs::read(&xlsx).expect("workbook written"), json)
}

fn sheets(bytes: &[u8]) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("workbook opens")
}

fn sheet(bytes: &[u8], name: &str) -> Range<Data> {
    sheets(bytes).worksheet_range(name).expect("sheet reads")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL
}

fn status_word(st: &str) -> &'static str {
    match st {
        "met" => "达到",
        "floor" => "△",
        "below" => "✗",
        _ => "✗ 无数据",
    }
}

/// Compare one workbook's school sheets and CV sheet with the JSON;
/// returns how many figures were compared.
fn check_against_json(bytes: &[u8], json: &Value) -> usize {
    let mut compared = 0;
    let schools = json["schools"].as_array().unwrap();
    for (key, zh) in SECTIONS {
        let sh = sheet(bytes, &format!("{zh}资源配置"));
        let rows: Vec<&Value> = schools.iter().filter(|x| x["section"] == key).collect();
        let value_cols: Vec<u32> = IDS
            .iter()
            .map(|id| col(&sh, &format!("{id}指标值"), 0))
            .collect();
        let met_col = col(&sh, "达标项数", 0);
        let verdict_col = col(&sh, "是否达标", 0);
        for (k, x) in rows.iter().enumerate() {
            let r = 3 + k as u32;
            assert_eq!(s(&sh, r, 0), x["name"].as_str().unwrap(), "row order");
            for (id, c) in IDS.iter().zip(&value_cols) {
                let want = x["values"][id].as_f64();
                let got = f(&sh, r, *c);
                match (want, got) {
                    (Some(w), Some(g)) => {
                        assert!(close(w, g), "{zh} {} {id}: {g} ≠ {w}", s(&sh, r, 0))
                    }
                    (None, None) => {}
                    other => panic!("{zh} {} {id}: {other:?}", s(&sh, r, 0)),
                }
                assert_eq!(
                    s(&sh, r, c + 1),
                    status_word(x["status"][id].as_str().unwrap()),
                    "{zh} {} {id} status",
                    s(&sh, r, 0)
                );
                compared += 2;
            }
            assert_eq!(f(&sh, r, met_col), x["met_count"].as_f64(), "met count");
            let verdict = match (x["included"].as_bool(), x["passes"].as_bool()) {
                (Some(false), _) => "不参评",
                (_, Some(true)) => "达标",
                _ => "✗ 未达标",
            };
            assert_eq!(s(&sh, r, verdict_col), verdict, "{}", s(&sh, r, 0));
            compared += 2;
        }
    }

    let cv = sheet(bytes, "差异系数");
    let (r1, _) = cv.end().unwrap();
    for (key, zh) in SECTIONS {
        let start = (0..=r1)
            .find(|r| s(&cv, *r, 0).starts_with(&format!("{zh}（")))
            .unwrap_or_else(|| panic!("no {zh} block"));
        let find = |label: &str| {
            (start..=r1)
                .find(|r| s(&cv, *r, 0) == label)
                .unwrap_or_else(|| panic!("no {label} row under {zh}"))
        };
        let header = start + 1;
        for (k, id) in IDS.iter().enumerate() {
            let c = 1 + k as u32;
            assert!(s(&cv, header, c).starts_with(id), "column {c} is {id}");
            let ind = &json["resource"][key]["indicators"][id];
            for (label, field) in [("全县平均值", "mean"), ("标准差", "sd"), ("差异系数", "cv")]
            {
                match ind[field].as_f64() {
                    Some(want) => {
                        let got = f(&cv, find(label), c).unwrap_or(f64::NAN);
                        assert!(close(want, got), "{zh} {id} {label}: {got} ≠ {want}");
                    }
                    None => assert_eq!(s(&cv, find(label), c), "—", "{zh} {id} {label}"),
                }
                compared += 1;
            }
            let rows = json["resource"][key]["schools"].as_u64().unwrap();
            let verdict = match (rows, ind["cv_ok"].as_bool().unwrap()) {
                (0, _) => "无此学段",
                (_, true) => "达到",
                (_, false) if ind["cv"].is_null() => "✗ 无法计算",
                _ => "✗ 未达到",
            };
            assert_eq!(s(&cv, find("是否达到"), c), verdict, "{zh} {id} CV verdict");
            if rows > 0 {
                assert_eq!(
                    f(&cv, find("达到标准的学校（部）数"), c),
                    ind["schools_met"].as_f64()
                );
                assert_eq!(
                    f(&cv, find("缺数据的学校（部）数"), c),
                    ind["schools_missing"].as_f64()
                );
            }
            compared += 3;
        }
    }
    // 政府保障程度 and 教育质量: each criterion's 达到/未达到, its figure
    // where it is a number, and each indicator's conclusion.
    let words = |m: &Value| match m.as_bool() {
        Some(true) => "达到",
        Some(false) => "✗ 未达到",
        None => "✗ 无数据",
    };
    for (area, name) in [("guarantee", "政府保障程度"), ("quality", "教育质量")] {
        let sh = sheet(bytes, name);
        let (r1, _) = sh.end().unwrap();
        for ind in json[area].as_array().unwrap() {
            let id = ind["id"].as_str().unwrap();
            let r = (0..=r1)
                .find(|r| s(&sh, *r, 0) == id)
                .unwrap_or_else(|| panic!("no row {id}"));
            assert_eq!(s(&sh, r, 8), words(&ind["met"]), "{id}");
            for (k, c) in ind["criteria"].as_array().unwrap().iter().enumerate() {
                let row = r + k as u32;
                assert_eq!(s(&sh, row, 5), words(&c["met"]), "{id} {}", c["label"]);
                if let (Some(want), Some(got)) = (c["value"].as_f64(), f(&sh, row, 4)) {
                    assert!(close(want, got), "{id}: {got} ≠ {want}");
                }
                compared += 1;
            }
        }
    }
    compared
}

#[test]
fn cached_values_are_the_json_figures_and_no_internal_key_shows() {
    let dir = tempfile::tempdir().unwrap();
    let (bytes, json) = example(dir.path());
    let n = check_against_json(&bytes, &json);
    assert!(n > 1000, "compared {n} figures");

    // The words a reviewer reads: no internal keys of the plan or profile.
    let mut keys: Vec<String> = ["primary", "junior", "through_train", "figures", "survey"]
        .map(String::from)
        .to_vec();
    for area in ["guarantee", "quality"] {
        for ind in json[area].as_array().unwrap() {
            for c in ind["criteria"].as_array().unwrap() {
                let k = c["key"].as_str().unwrap();
                if k.len() > 3 {
                    keys.push(k.to_string());
                }
            }
        }
    }
    for t in json["targets"].as_array().unwrap() {
        if let Some(k) = t["key"].as_str() {
            keys.push(k.to_string());
        }
    }
    let mut book = sheets(&bytes);
    for name in book.sheet_names() {
        assert!(name.chars().all(|c| !c.is_ascii_alphabetic()), "{name}");
        let range = book.worksheet_range(&name).unwrap();
        for cell in range.used_cells() {
            if let Data::String(text) = cell.2 {
                for k in &keys {
                    assert!(
                        !text.contains(k.as_str()),
                        "{name} {:?} shows the key {k}: {text}",
                        (cell.0, cell.1)
                    );
                }
            }
        }
    }
}

#[test]
fn libreoffice_recomputes_every_figure_to_the_json() {
    if !has_soffice() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (bytes, json) = example(dir.path());
    let bad = edited(&bytes, |_, xml| poisoned(xml));
    // The poison is there: the cached CVs now read 9999.
    let cv = sheet(&bad, "差异系数");
    assert!(cv.used_cells().any(|c| c.2 == &Data::Float(9999.0)));
    let again = recalculated(&bad, dir.path());
    let n = check_against_json(&again, &json);
    assert!(n > 1000, "compared {n} figures");
}

/// 0-based column → `A`, `AB`.
/// The weighted CV of (students, value) over rows reading 是.
fn weighted(points: &[(f64, f64)]) -> f64 {
    let p: f64 = points.iter().map(|(w, _)| w).sum();
    let mean = points.iter().map(|(w, x)| w * x).sum::<f64>() / p;
    let var = points
        .iter()
        .map(|(w, x)| w / p * (x - mean).powi(2))
        .sum::<f64>();
    var.sqrt() / mean
}

#[test]
fn changing_one_input_cell_changes_the_recomputed_cv() {
    if !has_soffice() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (bytes, json) = example(dir.path());
    let sh = sheet(&bytes, "小学资源配置");
    let l4 = col(&sh, "L4指标值", 0);
    // The first 小学 counted, its own 教学及辅助用房面积 (no share).
    let figure = col(&sh, "教学及辅助用房面积（平方米）", 0);
    let r = (3..)
        .find(|r| s(&sh, *r, 3) == "是" && f(&sh, *r, figure).is_some() && f(&sh, *r, 6).is_none())
        .unwrap();
    let students = f(&sh, r, 4).unwrap();
    let old = f(&sh, r, figure).unwrap();
    let new = (old * 3.0).round() + 1000.0;
    // The sheet's file: sheets are numbered in workbook order.
    let index = dudao::output::xlsx::SHEETS
        .iter()
        .position(|n| *n == "小学资源配置")
        .unwrap()
        + 1;
    let cell = format!("{}{}", letters(figure), r + 1);
    let changed = with_number(
        &bytes,
        &format!("xl/worksheets/sheet{index}.xml"),
        &cell,
        old,
        new,
    );
    let again = recalculated(&changed, dir.path());
    let sh2 = sheet(&again, "小学资源配置");
    assert_eq!(f(&sh2, r, figure), Some(new));
    let v = f(&sh2, r, l4).unwrap();
    assert!(close(v, new / students), "{v} ≠ {}", new / students);

    // The CV the test computes from the recomputed rows.
    let points: Vec<(f64, f64)> = (3..)
        .take_while(|r| !s(&sh2, *r, 0).is_empty())
        .filter(|r| s(&sh2, *r, 3) == "是")
        .filter_map(|r| Some((f(&sh2, r, 4)?, f(&sh2, r, l4)?)))
        .collect();
    let expected = weighted(&points);
    let cv = sheet(&again, "差异系数");
    let row = (0..)
        .find(|r| s(&cv, *r, 0) == "差异系数")
        .expect("the 小学 block comes first");
    let got = f(&cv, row, 4).unwrap();
    let before = json["resource"]["primary"]["indicators"]["L4"]["cv"]
        .as_f64()
        .unwrap();
    assert!(
        (got - before).abs() > 1e-6,
        "the CV changed: {got} vs {before}"
    );
    assert!(close(got, expected), "{got} ≠ {expected}");
}

/// A county of three 小学 and no 初中: one 民办 (not counted) and one
/// without its teaching area (no L4 value, left out of that CV).
fn small_county(dir: &Path) -> String {
    let headers = [
        "学校名称",
        "学校类型",
        "学段",
        "办学性质",
        "城乡类别",
        "所在乡镇",
        "学生数",
        "班级数",
        "专任教师数",
        "高于规定学历教师数",
        "县级以上骨干教师数",
        "体育艺术专任教师数",
        "教学及辅助用房面积",
        "体育运动场馆面积",
        "教学仪器设备值",
        "网络多媒体教室数",
    ];
    // 学生数 … 网络多媒体教室数; `None` is a blank cell.
    type Figures = [Option<f64>; 10];
    let rows: [(&str, &str, Figures); 3] = [
        (
            "甲小学",
            "公办",
            [
                800.0,
                20.0,
                50.0,
                45.0,
                10.0,
                9.0,
                4000.0,
                7000.0,
                1_900_000.0,
                20.0,
            ]
            .map(Some),
        ),
        (
            "乙小学",
            "公办",
            [
                300.0, 8.0, 20.0, 12.0, 2.0, 2.0, -1.0, 2000.0, 500_000.0, 6.0,
            ]
            .map(|v| (v >= 0.0).then_some(v)),
        ),
        (
            "丙民办小学",
            "民办",
            [
                500.0, 12.0, 30.0, 25.0, 5.0, 5.0, 2000.0, 4000.0, 900_000.0, 10.0,
            ]
            .map(Some),
        ),
    ];
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (k, (name, own, nums)) in rows.iter().enumerate() {
        let r = k as u32 + 1;
        for (c, t) in [*name, "小学", "小学", *own, "乡村", "甲镇"]
            .iter()
            .enumerate()
        {
            ws.write_string(r, c as u16, *t).unwrap();
        }
        for (c, v) in nums.iter().enumerate() {
            if let Some(v) = v {
                ws.write_number(r, 6 + c as u16, *v).unwrap();
            }
        }
    }
    wb.save(dir.join("学校统计表.xlsx")).unwrap();
    let plan = dir.join("plan.yaml");
    std::fs::write(
        &plan,
        "county: 测试县\nreport:\n  title: 测试县县域义务教育优质均衡发展自评报告\n  issuer: 测试县人民政府教育督导委员会\n  date: 2024-05-20\nplan:\n  title: 测试县实施方案\n  issuer: 测试县人民政府\n  date: 2023-07-14\ndata:\n  schools: [学校统计表.xlsx]\n",
    )
    .unwrap();
    plan.to_str().unwrap().to_string()
}

#[test]
fn a_missing_figure_an_excluded_school_and_an_absent_section_recompute_too() {
    let dir = tempfile::tempdir().unwrap();
    let plan = small_county(dir.path());
    let (bytes, json) = evaluated(&plan, dir.path());
    // What this county is meant to exercise.
    let schools = json["schools"].as_array().unwrap();
    assert_eq!(schools.len(), 3);
    assert!(schools[1]["values"]["L4"].is_null());
    assert_eq!(schools[2]["included"], false);
    assert_eq!(json["resource"]["junior"]["schools"], 0);
    check_against_json(&bytes, &json);
    let sh = sheet(&bytes, "初中资源配置");
    assert!(
        sh.used_cells()
            .any(|c| c.2 == &Data::String("本县没有初中学段的学校（部）。".into()))
    );
    if !has_soffice() {
        return;
    }
    let bad = edited(&bytes, |_, xml| poisoned(xml));
    let again = recalculated(&bad, dir.path());
    check_against_json(&again, &json);
}

/// The `<c:f>` references of a chart part, in order.
fn chart_refs(bytes: &[u8], part: &str) -> Vec<String> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zin.by_name(part)
        .unwrap_or_else(|_| panic!("{part} missing"))
        .read_to_string(&mut xml)
        .unwrap();
    xml.split("<c:f>")
        .skip(1)
        .map(|s| s.split("</c:f>").next().unwrap().to_string())
        .collect()
}

/// `差异系数!$B$13:$H$13` → 0-based row 12, after checking it spans B:H.
fn ref_row(r: &str) -> u32 {
    let cells = r.strip_prefix("差异系数!").unwrap_or_else(|| panic!("{r}"));
    let (a, b) = cells.split_once(':').unwrap();
    assert!(a.starts_with("$B$") && b.starts_with("$H$"), "{r}");
    let row: u32 = a[3..].parse().unwrap();
    assert_eq!(b[3..].parse::<u32>().unwrap(), row, "{r}");
    row - 1
}

#[test]
fn the_cv_sheet_charts_each_sections_cvs_from_their_cells_against_the_limit_and_last_year() {
    let dir = tempfile::tempdir().unwrap();
    let (bytes, json) = example(dir.path());
    // Same bytes twice.
    let again = dir.path().join("again.xlsx");
    let out = dudao(&[
        "evaluate",
        PLAN,
        "--format",
        "xlsx",
        "-o",
        again.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert_eq!(
        std::fs::read(&again).unwrap(),
        bytes,
        "same input, same bytes"
    );
    let cv = sheet(&bytes, "差异系数");
    let formulas = sheets(&bytes).worksheet_formula("差异系数").unwrap();
    for (k, (key, zh)) in SECTIONS.iter().enumerate() {
        let refs = chart_refs(&bytes, &format!("xl/charts/chart{}.xml", k + 1));
        // Per series: its categories, then its values: 本年, 上年, 限值.
        assert_eq!(refs.len(), 6, "{zh}: {refs:?}");
        let header = ref_row(&refs[0]);
        assert!(refs.iter().step_by(2).all(|r| ref_row(r) == header));
        assert_eq!(s(&cv, header, 0), "项目", "{zh}");
        assert!(s(&cv, header, 1).starts_with("L1"), "{zh}");
        let (now, last, limit) = (ref_row(&refs[1]), ref_row(&refs[3]), ref_row(&refs[5]));
        assert_eq!(s(&cv, now, 0), "差异系数", "{zh}");
        assert_eq!(s(&cv, last, 0), "上年差异系数", "{zh}");
        assert_eq!(s(&cv, limit, 0), "差异系数限值", "{zh}");
        for (c, id) in IDS.iter().enumerate() {
            let c = c as u32 + 1;
            // This year's CVs are the live formulas, cached as evaluated.
            let fx = formulas.get_value((now, c)).cloned().unwrap_or_default();
            assert!(fx.contains("SQRT") || fx.contains("/"), "{zh} {id}: {fx:?}");
            let want = json["resource"][key]["indicators"][id]["cv"].as_f64();
            assert_eq!(f(&cv, now, c).is_some(), want.is_some(), "{zh} {id}");
            if let (Some(got), Some(want)) = (f(&cv, now, c), want) {
                assert!(close(got, want), "{zh} {id}: {got} vs {want}");
            }
            let last_cv = json["previous"]["sections"][key]["indicators"][id]["cv"].as_f64();
            match (f(&cv, last, c), last_cv) {
                (Some(got), Some(want)) => assert!(close(got, want), "{zh} {id}"),
                (None, None) => {}
                other => panic!("{zh} {id}: last year {other:?}"),
            }
            let lim = json["resource"][key]["indicators"][id]["cv_limit"]
                .as_f64()
                .unwrap();
            assert!(close(f(&cv, limit, c).unwrap(), lim), "{zh} {id}");
        }
    }
}
