//! A reviewer's check, done independently of dudao's reader: the example
//! workbook read raw with calamine, the stated rule applied here (rows of
//! 小学/初中 and their 部, 民办 and non-compulsory schools left out, 教学点
//! kept, shared whole-school figures split by students × factor exactly,
//! 万元 to 元), the student-weighted CV computed, and every CV dudao prints
//! — in the JSON and in the report's text — matched to its last decimal.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::collections::BTreeMap;
use std::process::Command;

const PLAN: &str = "examples/sixian/plan.yaml";
const BOOK: &str = "examples/sixian/泗县学校统计表（示例数据）.xlsx";

/// A cell as a number: full-width digits, spaces and thousands commas as
/// offices type them; `—` and blanks are no figure.
fn number(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        Data::String(s) => {
            let t: String = s
                .chars()
                .filter_map(|c| match c {
                    '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
                    '．' => Some('.'),
                    ',' | '，' | ' ' | '\u{3000}' => None,
                    c => Some(c),
                })
                .collect();
            t.parse().ok()
        }
        _ => None,
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.trim().to_string(),
        _ => String::new(),
    }
}

/// One school-学段 point: (students, [L1..L7]).
type Point = (f64, [f64; 7]);

/// The stated rule applied to the raw rows: points per 学段 (0 小学, 1 初中).
fn points() -> [Vec<Point>; 2] {
    let mut wb: Xlsx<_> = open_workbook(BOOK).expect("example workbook opens");
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).expect("sheet reads");
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    // Columns as laid out in the example (header rows 3–4).
    let (name, kind, part, own, students) = (1, 2, 3, 4, 7);
    let (above, backbone, pe, music, art) = (11, 12, 13, 14, 15);
    let (area, sports, equip, media) = (17, 18, 19, 20);
    let mut out: [Vec<Point>; 2] = [Vec::new(), Vec::new()];
    let mut k = 0;
    while k < rows.len() {
        let r = &rows[k];
        let t = text(&r[kind]);
        if !matches!(
            t.as_str(),
            "小学" | "初级中学" | "九年一贯制学校" | "完全中学" | "教学点"
        ) || text(&r[name]).is_empty()
        {
            k += 1;
            continue;
        }
        // The school's rows: this one and the 部 rows under it (no name).
        let mut parts = vec![r.clone()];
        while k + 1 < rows.len()
            && text(&rows[k + 1][name]).is_empty()
            && !text(&rows[k + 1][part]).is_empty()
        {
            k += 1;
            parts.push(rows[k].clone());
        }
        k += 1;
        if text(&r[own]) == "民办" {
            continue;
        }
        let complete = t == "完全中学";
        let factor = |p: &str| match p {
            "小学" | "小学部" => 1.0,
            "初中" | "初中部" if complete => 1.0,
            "初中" | "初中部" => 1.1,
            "高中部" if complete => 1.2,
            _ => 1.32,
        };
        let weight: f64 = parts
            .iter()
            .map(|p| number(&p[students]).unwrap_or(0.0) * factor(&text(&p[part])))
            .sum();
        // Shared figures are on the first row, for the whole school.
        let shared = |c: usize, unit: f64| number(&r[c]).map(|v| v * unit);
        for p in &parts {
            let section = match text(&p[part]).as_str() {
                "小学" | "小学部" => 0,
                "初中" | "初中部" => 1,
                _ => continue,
            };
            let n = number(&p[students]).expect("students");
            let share = n * factor(&text(&p[part])) / weight;
            let own = |c: usize| number(&p[c]).expect("teachers per 部");
            let split = |c: usize, unit: f64| shared(c, unit).expect("shared figure") * share;
            out[section].push((
                n,
                [
                    own(above) * 100.0 / n,
                    own(backbone) * 100.0 / n,
                    (own(pe) + own(music) + own(art)) * 100.0 / n,
                    split(area, 1.0) / n,
                    split(sports, 1.0) / n,
                    split(equip, 10_000.0) / n,
                    split(media, 1.0) * 100.0 / n,
                ],
            ));
        }
    }
    out
}

fn weighted_cv(pts: &[Point], i: usize) -> f64 {
    let p: f64 = pts.iter().map(|x| x.0).sum();
    let mean = pts.iter().map(|x| x.0 * x.1[i]).sum::<f64>() / p;
    let var = pts
        .iter()
        .map(|x| x.0 / p * (x.1[i] - mean).powi(2))
        .sum::<f64>();
    var.sqrt() / mean
}

fn rebuilt() -> BTreeMap<(usize, usize), f64> {
    let pts = points();
    let mut m = BTreeMap::new();
    for (s, list) in pts.iter().enumerate() {
        for i in 0..7 {
            m.insert((s, i), weighted_cv(list, i));
        }
    }
    m
}

#[test]
fn every_cv_rebuilds_from_the_raw_cells() {
    let pts = points();
    // The scope as stated: 民办 育英小学 out, 教学点 in.
    assert_eq!((pts[0].len(), pts[1].len()), (121, 28));
    let mine = rebuilt();

    let out = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(["evaluate", PLAN, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["resource"]["apportion"]["method"], "exact");
    for (s, key) in ["primary", "junior"].iter().enumerate() {
        for i in 0..7 {
            let id = format!("L{}", i + 1);
            let printed = e["resource"][key]["indicators"][&id]["cv"]
                .as_f64()
                .unwrap();
            let want = mine[&(s, i)];
            assert!(
                (printed - want).abs() < 1e-12,
                "{key} {id}: JSON {printed}, rebuilt {want}"
            );
        }
    }

    // The report prints CVs with 6 decimals in its tables (the body's table
    // and 附件3): every one is found in the laid-out text.
    let (_, r) = common::render_plan(std::path::Path::new(PLAN), &[], false);
    let pages: Vec<String> = r
        .document
        .pages()
        .iter()
        .map(|p| {
            common::runs(&p.frame)
                .iter()
                .map(|x| x.text.clone())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let text = pages.join("\n");
    for ((s, i), cv) in &mine {
        let printed = format!("{cv:.6}");
        let n = text.matches(&printed).count();
        assert!(n >= 2, "学段{s} L{}: {printed} printed {n} times", i + 1);
    }
}
