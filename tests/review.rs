//! `dudao review` on real files: synthetic cities written by `dudao init
//! --sample-counties`, run through the real binary. CVs are recomputed here
//! from the workbook rows, independently of the crate's evaluation.

use calamine::{Data, DataType, Reader};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/office.rs"]
mod office;
#[path = "common/pdf.rs"]
mod pdf;
use office::{
    column_headed, edited, has_soffice, letters, number_at, poisoned, recalculated, text_at,
    with_number,
};
use pdf::pdf_pages;
#[path = "common/templates.rs"]
mod templates;
use templates::insert_after;
#[path = "common/city.rs"]
mod city;
use city::{city, dudao, review_json, text};

/// A city of `n` counties reviewed into 复核/, and its review.json.
fn packet(n: usize) -> (tempfile::TempDir, Value) {
    let (tmp, _dir) = city(n);
    let o = dudao(tmp.path(), &["review", "市/review.yaml", "-o", "复核"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let r = serde_json::from_slice(&std::fs::read(tmp.path().join("复核/review.json")).unwrap())
        .unwrap();
    (tmp, r)
}

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// CVs from the workbook rows, written here from the national method.
// ---------------------------------------------------------------------------

struct Row {
    name: String,
    kind: String,
    part: String,
    public: bool,
    m: BTreeMap<String, f64>,
}

fn workbook_rows(path: &Path) -> Vec<Row> {
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range("学校统计表").unwrap();
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .unwrap()
        .iter()
        .map(|c| {
            let t = c.to_string();
            t.split('（').next().unwrap().to_string()
        })
        .collect();
    rows.map(|r| {
        let cell = |h: &str| {
            let k = header.iter().position(|x| x == h).unwrap();
            r[k].clone()
        };
        let mut m = BTreeMap::new();
        for (k, h) in header.iter().enumerate().skip(6) {
            if let Data::Float(v) = r[k] {
                m.insert(h.clone(), v);
            }
        }
        Row {
            name: cell("学校名称").to_string(),
            kind: cell("学校类型").to_string(),
            part: cell("学段").to_string(),
            public: cell("办学性质") == "公办",
            m,
        }
    })
    .collect()
}

/// Per 学段 ("小学"/"初中") and indicator: (students, value) of each row
/// counted, shared resources apportioned 1 : 1.1 : 1.32 (完全中学 1 : 1.2).
fn points(rows: &[Row]) -> BTreeMap<(String, usize), Vec<(f64, f64)>> {
    let mut out: BTreeMap<(String, usize), Vec<(f64, f64)>> = BTreeMap::new();
    let shared = [
        "教学及辅助用房面积",
        "体育运动场馆面积",
        "教学仪器设备值",
        "网络多媒体教室数",
    ];
    for r in rows
        .iter()
        .filter(|r| r.public && (r.part == "小学" || r.part == "初中"))
    {
        let school: Vec<&Row> = rows.iter().filter(|x| x.name == r.name).collect();
        let whole = school.iter().find(|x| x.part == "全校");
        let weight = |part: &str| match (r.kind.as_str(), part) {
            ("完全中学", "初中") => 1.0,
            ("完全中学", _) => 1.2,
            (_, "小学") => 1.0,
            (_, "初中") => 1.1,
            _ => 1.32,
        };
        let p = r.m["学生数"];
        let share = whole.map(|_| {
            let total: f64 = school
                .iter()
                .filter(|x| x.part != "全校")
                .map(|x| x.m["学生数"] * weight(&x.part))
                .sum();
            p * weight(&r.part) / total
        });
        let get = |h: &str| -> f64 {
            match (share, shared.contains(&h)) {
                (Some(s), true) => whole.unwrap().m[h] * s,
                _ => r.m[h],
            }
        };
        let values = [
            get("高于规定学历教师数") / p * 100.0,
            get("县级以上骨干教师数") / p * 100.0,
            (get("体育专任教师数") + get("音乐专任教师数") + get("美术专任教师数")) / p * 100.0,
            get("教学及辅助用房面积") / p,
            get("体育运动场馆面积") / p,
            get("教学仪器设备值") / p,
            get("网络多媒体教室数") / p * 100.0,
        ];
        for (k, v) in values.into_iter().enumerate() {
            out.entry((r.part.clone(), k)).or_default().push((p, v));
        }
    }
    out
}

/// X̄ = ΣPX/ΣP, S = sqrt(Σ(P/ΣP)(X−X̄)²), CV = S/X̄.
fn weighted_cv(pts: &[(f64, f64)]) -> (f64, f64, f64) {
    let total: f64 = pts.iter().map(|(p, _)| p).sum();
    let mean = pts.iter().map(|(p, x)| p * x).sum::<f64>() / total;
    let var = pts
        .iter()
        .map(|(p, x)| p / total * (x - mean).powi(2))
        .sum::<f64>();
    (mean, var.sqrt(), var.sqrt() / mean)
}

#[test]
fn three_counties_cvs_match_a_computation_from_the_workbook_rows() {
    let (tmp, dir) = city(3);
    let r = review_json(tmp.path(), "市/review.yaml");
    let counties = r["counties"].as_array().unwrap();
    assert_eq!(counties.len(), 3);
    let mut over = 0;
    for c in counties {
        let name = c["county"].as_str().unwrap();
        let rows = workbook_rows(&dir.join(name).join("学校统计表.xlsx"));
        assert!(rows.len() >= 50, "{name}: {} rows", rows.len());
        for ((part, k), pts) in points(&rows) {
            let key = if part == "小学" {
                "primary"
            } else {
                "junior"
            };
            let id = format!("L{}", k + 1);
            let got = &c["resource"][key]["indicators"][&id];
            let (mean, sd, cv) = weighted_cv(&pts);
            for (f, want) in [("mean", mean), ("sd", sd), ("cv", cv)] {
                let v = got[f].as_f64().unwrap();
                assert!(
                    (v - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "{name} {part} {id} {f}: review {v}, workbook rows {want}"
                );
            }
            let limit = if part == "小学" { 0.50 } else { 0.45 };
            assert_eq!(
                got["cv_ok"].as_bool().unwrap(),
                cv <= limit,
                "{name} {part} {id}"
            );
            over += usize::from(cv > limit);
        }
    }
    // The third county is made to have a 小学 CV over its limit.
    assert!(over >= 1);
    let cv_table = &r["tables"]["cv"];
    assert_eq!(
        cv_table[2]["sections"][0]["indicators"][5]["over_limit"],
        true
    );
    assert_eq!(r["counties"][2]["verdict"]["passed"], false);
    assert_eq!(r["counties"][0]["verdict"]["passed"], true);
}

#[test]
fn a_cell_altered_in_the_reported_table_is_the_only_discrepancy() {
    let (tmp, dir) = city(5);
    let r = review_json(tmp.path(), "市/review.yaml");
    let d = r["discrepancies"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{d:#?}");
    let d = &d[0];
    // The one altered cell: 青山县's 差异系数表, 小学 标准差, 生均教学及辅助用房面积.
    let file = dir.join("青山县/上报/差异系数表.xlsx");
    let mut wb = calamine::open_workbook_auto(&file).unwrap();
    let range = wb.worksheet_range("差异系数表").unwrap();
    let cell = range.get_value((3, 5)).unwrap().as_f64().unwrap(); // F4
    assert_eq!(d["county"], "青山县");
    assert_eq!(d["section"], "primary");
    assert_eq!(d["indicator"], "L4");
    assert_eq!(d["figure"], "sd");
    assert_eq!(d["reported"].as_f64().unwrap(), cell);
    let recomputed = r["counties"][1]["resource"]["primary"]["indicators"]["L4"]["sd"]
        .as_f64()
        .unwrap();
    assert_eq!(d["recomputed"].as_f64().unwrap(), recomputed);
    assert!((cell - recomputed - 0.05).abs() < 1e-6);
    assert!(
        d["source"]
            .as_str()
            .unwrap()
            .ends_with("工作表“差异系数表”，单元格 F4"),
        "{d}"
    );
    assert_eq!(r["counties"][1]["discrepancies"], 1);
    assert!(r["list_checks"].as_array().unwrap().is_empty());
}

#[test]
fn a_school_value_changed_in_the_reported_json_is_named_with_its_school() {
    let (tmp, dir) = city(1);
    let path = dir.join("东湖县/上报/自评结果.json");
    let mut j: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let k = 3;
    let school = j["schools"][k]["name"].as_str().unwrap().to_string();
    let before = j["schools"][k]["values"]["L5"].as_f64().unwrap();
    j["schools"][k]["values"]["L5"] = Value::from(before + 0.5);
    // And a change within the printed precision, which is no discrepancy.
    let cv = j["resource"]["junior"]["indicators"]["L2"]["cv"]
        .as_f64()
        .unwrap();
    j["resource"]["junior"]["indicators"]["L2"]["cv"] = Value::from(cv + 4e-7);
    std::fs::write(&path, serde_json::to_vec_pretty(&j).unwrap()).unwrap();
    let r = review_json(tmp.path(), "市/review.yaml");
    let d = r["discrepancies"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0]["school"], school.as_str());
    assert_eq!(d[0]["indicator"], "L5");
    assert_eq!(d[0]["figure"], "value");
    assert_eq!(d[0]["reported"].as_f64().unwrap(), before + 0.5);
    assert!((d[0]["recomputed"].as_f64().unwrap() - before).abs() < 1e-12);
    assert_eq!(d[0]["decimals"], 2);
    assert!(
        d[0]["source"]
            .as_str()
            .unwrap()
            .ends_with(&format!("schools[{k}].values.L5"))
    );
}

#[test]
fn a_reported_list_in_another_order_is_flagged() {
    let (tmp, dir) = city(1);
    let path = dir.join("东湖县/上报/自评结果.json");
    let mut j: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let schools = j["schools"].as_array_mut().unwrap();
    schools.swap(1, 2);
    let dropped = schools.remove(5);
    std::fs::write(&path, serde_json::to_vec_pretty(&j).unwrap()).unwrap();
    let r = review_json(tmp.path(), "市/review.yaml");
    let l = &r["list_checks"][0];
    assert_eq!(l["county"], "东湖县");
    assert_eq!(l["first_out_of_order"]["position"], 2);
    let missing = l["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1);
    assert!(
        missing[0]
            .as_str()
            .unwrap()
            .starts_with(dropped["name"].as_str().unwrap())
    );
    assert!(l["extra"].as_array().unwrap().is_empty());
    // The figures of the rows it does list still agree.
    assert!(r["discrepancies"].as_array().unwrap().is_empty());
}

#[test]
fn another_countys_reported_file_is_refused() {
    let (tmp, dir) = city(3);
    let yaml = std::fs::read_to_string(dir.join("review.yaml"))
        .unwrap()
        .replace(
            "reported: 白水县/上报/自评结果.json",
            "reported: 东湖县/上报/自评结果.json",
        );
    std::fs::write(dir.join("review.yaml"), yaml).unwrap();
    let out = dudao(tmp.path(), &["review", "市/review.yaml", "-o", "复核"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("【白水县/plan.yaml】市/东湖县/上报/自评结果.json：这是“东湖县”的上报数据，不是“白水县”的"),
        "{err}"
    );
    assert!(!tmp.path().join("复核").exists());
}

fn set_seed(dir: &Path, seed: &str) {
    let p = dir.join("review.yaml");
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, t.replace("seed: 20240620", &format!("seed: {seed}"))).unwrap();
}

#[test]
fn the_sample_is_the_same_for_a_seed_and_differs_for_another() {
    let (tmp, dir) = city(3);
    let a = review_json(tmp.path(), "市/review.yaml");
    let b = review_json(tmp.path(), "市/review.yaml");
    assert_eq!(a["sample"], b["sample"]);
    // A county's draw depends on the seed and its name, not on where
    // REVIEW.yaml lists it.
    let yaml = std::fs::read_to_string(dir.join("review.yaml")).unwrap();
    let (head, list) = yaml.split_at(yaml.find("  - plan:").unwrap());
    let mut items: Vec<String> = list
        .split("  - plan:")
        .filter(|x| !x.is_empty())
        .map(|x| format!("  - plan:{x}"))
        .collect();
    items.reverse();
    std::fs::write(dir.join("倒序.yaml"), format!("{head}{}", items.concat())).unwrap();
    let reversed = review_json(tmp.path(), "市/倒序.yaml");
    for county in ["东湖县", "青山县", "白水县"] {
        let of = |r: &Value| -> Vec<Value> {
            r["sample"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["county"] == county)
                .cloned()
                .collect()
        };
        assert_eq!(of(&a), of(&reversed), "{county}");
    }
    set_seed(&dir, "7");
    let c = review_json(tmp.path(), "市/review.yaml");
    assert_ne!(a["sample"], c["sample"]);
    assert_eq!(c["sample_method"]["seed"], 7);
    for r in [&a, &c] {
        let sample = r["sample"].as_array().unwrap();
        assert_eq!(sample.len(), 30);
        for county in ["东湖县", "青山县", "白水县"] {
            let rows: Vec<&Value> = sample.iter().filter(|s| s["county"] == county).collect();
            assert_eq!(rows.len(), 10, "{county}");
            let types: Vec<&str> = rows
                .iter()
                .map(|s| s["school_type"].as_str().unwrap())
                .collect();
            assert!(types.contains(&"教学点"), "{county}: {types:?}");
            assert!(types.contains(&"九年一贯制学校"), "{county}: {types:?}");
            for l in ["城区", "镇区", "乡村"] {
                assert!(rows.iter().any(|s| s["locality"] == l), "{county}: no {l}");
            }
            let names: Vec<(&str, &str)> = rows
                .iter()
                .map(|s| (s["name"].as_str().unwrap(), s["section"].as_str().unwrap()))
                .collect();
            let mut distinct = names.clone();
            distinct.dedup();
            assert_eq!(distinct.len(), 10, "{county}: a row drawn twice");
            for s in &rows {
                for line in s["checks"].as_array().unwrap() {
                    let std = line["standard"].as_f64().unwrap();
                    assert!((line["floor"].as_f64().unwrap() - 0.85 * std).abs() < 1e-9);
                }
            }
        }
    }
}

#[test]
fn failing_schools_are_weighted_up_in_the_draw() {
    let (tmp, dir) = city(2);
    let yaml = std::fs::read_to_string(dir.join("review.yaml")).unwrap();
    // 青山县 has schools failing the per-school rule; how often are they drawn?
    let failing_drawn = |weight: &str, seed: u32| -> (usize, usize) {
        std::fs::write(
            dir.join("review.yaml"),
            yaml.replace(
                "seed: 20240620 }",
                &format!("seed: {seed}, fail_weight: {weight} }}"),
            ),
        )
        .unwrap();
        let r = review_json(tmp.path(), "市/review.yaml");
        let failing = r["tables"]["failing_schools"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["county"] == "青山县")
            .count();
        let drawn = r["sample"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["county"] == "青山县" && s["passes"] == false && s["included"] == true)
            .count();
        (drawn, failing)
    };
    let mut unweighted_missed = false;
    for seed in 1..=6 {
        let (drawn, failing) = failing_drawn("1000", seed);
        assert!(failing >= 2);
        assert_eq!(
            drawn, failing,
            "seed {seed}: weighted up, every failing row is drawn"
        );
        let (drawn, _) = failing_drawn("1", seed);
        unweighted_missed |= drawn < failing;
    }
    assert!(
        unweighted_missed,
        "unweighted, the failing rows are not always drawn"
    );
}

/// A city with one county's workbook gone and another's plan broken.
fn broken_city() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = city(3);
    std::fs::remove_file(dir.join("青山县/学校统计表.xlsx")).unwrap();
    let plan = dir.join("白水县/plan.yaml");
    let t = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(&plan, t.replacen("county: 白水县", "county: [白水县", 1)).unwrap();
    (tmp, dir)
}

#[test]
fn broken_counties_fail_the_review_listing_every_error_with_no_output() {
    let (tmp, dir) = broken_city();
    let before = snapshot(&dir);
    let out = dudao(tmp.path(), &["review", "市/review.yaml", "-o", "复核"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("【青山县/plan.yaml】")
            && err.contains("学校统计表.xlsx：找不到这个学校数据文件"),
        "{err}"
    );
    let line = std::fs::read_to_string(dir.join("白水县/plan.yaml"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("county: [白水县"))
        .unwrap()
        + 1;
    assert!(err.contains("【白水县/plan.yaml】"), "{err}");
    assert!(err.contains(&format!("plan.yaml:{line}:")), "{err}");
    assert!(err.contains("--keep-going"), "{err}");
    assert!(err.contains("共 2 处错误，未生成任何输出。"), "{err}");
    assert!(!err.contains("东湖县"), "{err}");
    assert!(!tmp.path().join("复核").exists());
    assert_eq!(snapshot(&dir), before, "inputs changed");
}

#[test]
fn keep_going_writes_the_packet_with_incomplete_counties_marked() {
    let (tmp, dir) = broken_city();
    let before = snapshot(&dir);
    let out = dudao(
        tmp.path(),
        &["review", "市/review.yaml", "-o", "复核", "--keep-going"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("青山县/plan.yaml：材料不全（1 处错误）"),
        "{stdout}"
    );
    assert!(stdout.contains("白水县/plan.yaml：材料不全"), "{stdout}");
    let r: Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("复核/review.json")).unwrap())
            .unwrap();
    let c = r["counties"].as_array().unwrap();
    assert_eq!(c[0]["complete"], true);
    for k in [1, 2] {
        assert_eq!(c[k]["complete"], false);
        assert_eq!(c[k]["verdict"]["passed"], false);
        assert!(c[k]["resource"].is_null());
        assert!(!c[k]["errors"].as_array().unwrap().is_empty());
        assert_eq!(r["tables"]["summary"][0]["rows"][k]["complete"], false);
    }
    assert!(
        c[1]["errors"][0]
            .as_str()
            .unwrap()
            .contains("找不到这个学校数据文件")
    );
    assert!(
        r["sample"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["county"] == "东湖县")
    );
    assert_eq!(snapshot(&dir), before, "inputs changed");
}

#[test]
fn an_output_folder_holding_inputs_is_refused() {
    let (tmp, dir) = city(1);
    let before = snapshot(&dir);
    for out in ["市", "市/东湖县", "市/东湖县/上报"] {
        let o = dudao(tmp.path(), &["review", "市/review.yaml", "-o", out]);
        assert_eq!(o.status.code(), Some(1), "{out}");
        let err = text(&o.stderr);
        assert!(err.contains("中有本次读取的"), "{out}: {err}");
    }
    assert_eq!(snapshot(&dir), before, "inputs changed");
}

#[test]
fn paths_are_relative_to_review_yaml() {
    let (tmp, dir) = city(1);
    // From inside the city folder, and from a review.yaml elsewhere.
    let here = review_json(&dir, "review.yaml");
    std::fs::create_dir(tmp.path().join("省")).unwrap();
    let t = std::fs::read_to_string(dir.join("review.yaml"))
        .unwrap()
        .replace("东湖县/", "../市/东湖县/");
    std::fs::write(tmp.path().join("省/复核.yaml"), t).unwrap();
    let there = review_json(
        Path::new("/"),
        tmp.path().join("省/复核.yaml").to_str().unwrap(),
    );
    assert_eq!(
        here["counties"][0]["resource"],
        there["counties"][0]["resource"]
    );
    assert_eq!(
        here["sample"].as_array().unwrap().len(),
        there["sample"].as_array().unwrap().len()
    );
}

#[test]
fn a_bad_review_yaml_is_a_located_chinese_error() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "body: 某市督导委员会\nlevel: 县级自评\ndate: 2024-06-20\nsample: { seed: 1 }\ncounties: [{ plan: a/plan.yaml }]\n",
            "review.yaml:2:8：不认识的取值“县级自评”（可选：市级复核、省级督导评估）",
        ),
        (
            "body: 某市督导委员会\nlevel: 市级复核\ndate: 2024-06-20\nsample: { seed: 1, per_county: 0 }\ncounties: [{ plan: a/plan.yaml }]\n",
            "review.yaml:4:32：sample.per_county（每县抽查学校数）应为正整数",
        ),
        (
            "body: 某市督导委员会\nlevel: 市级复核\ndate: 2024-06-20\nsample: { seed: 1 }\ncounties:\n  - plan: a/plan.yaml\n    reportd: x.json\n",
            "review.yaml:7:5：不认识的字段“reportd”",
        ),
        (
            "body: 某市督导委员会\nlevel: 市级复核\ndate: 2024-06-20\nsample: { seed: 1 }\ncounties:\n  - plan: 没有这个县/plan.yaml\n",
            "review.yaml:6:11：找不到计划文件“没有这个县/plan.yaml”",
        ),
        (
            "body: 某市督导委员会\nlevel: 市级复核\ndate: 2024-06-20\ncounties: []\n",
            "review.yaml:4:1：缺少必填字段“sample”",
        ),
    ];
    for (yaml, want) in cases {
        std::fs::write(tmp.path().join("review.yaml"), yaml).unwrap();
        let out = dudao(tmp.path(), &["review", "review.yaml", "-o", "复核"]);
        assert_eq!(out.status.code(), Some(1), "{yaml}");
        let err = text(&out.stderr);
        assert!(err.contains(want), "want {want}\ngot {err}");
        assert!(!tmp.path().join("复核").exists());
    }
}

#[test]
fn the_county_standards_are_reported_not_applied() {
    let (tmp, dir) = city(1);
    let plan = dir.join("东湖县/plan.yaml");
    let t = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(
        &plan,
        t.replace(
            "    G14.share: 80\n",
            "    G14.share: 80\n    L5.primary: 5.0\n",
        ),
    )
    .unwrap();
    let r = review_json(tmp.path(), "市/review.yaml");
    let c = &r["counties"][0];
    let own: Vec<&str> = c["own_standards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["key"].as_str().unwrap())
        .collect();
    assert_eq!(own, ["G14.share", "L5.primary", "Q1.rate"]);
    assert_eq!(
        c["resource"]["primary"]["indicators"]["L5"]["standard"],
        7.5
    );
    assert_eq!(r["profile"], "国家标准（教督〔2017〕6号）");
    for s in r["sample"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["section"] == "primary")
    {
        assert_eq!(s["checks"][4]["standard"], 7.5);
    }
}

#[test]
fn same_input_same_bytes() {
    let (tmp, _dir) = city(3);
    for out in ["a", "b"] {
        let o = dudao(tmp.path(), &["review", "市/review.yaml", "-o", out]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let a = std::fs::read(tmp.path().join("a/review.json")).unwrap();
    assert_eq!(a, std::fs::read(tmp.path().join("b/review.json")).unwrap());
    // And init itself: the same city twice.
    let other = tempfile::tempdir().unwrap();
    assert!(
        dudao(other.path(), &["init", "市", "--sample-counties", "3"])
            .status
            .success()
    );
    let strip = |m: BTreeMap<PathBuf, Vec<u8>>, root: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        m.into_iter()
            .map(|(p, b)| (p.strip_prefix(root).unwrap().to_path_buf(), b))
            .collect()
    };
    assert_eq!(
        strip(snapshot(&tmp.path().join("市")), tmp.path()),
        strip(snapshot(&other.path().join("市")), other.path())
    );
}

#[test]
fn a_published_cv_table_as_csv_is_compared_cell_by_cell() {
    let (tmp, dir) = city(2);
    let r = review_json(tmp.path(), "市/review.yaml");
    // 青山县's 差异系数表 typed out as csv, by indicator id, with one figure
    // changed: 初中, 差异系数, L7.
    let c = &r["counties"][1];
    let mut csv = String::from("学段,项目,L1,L2,L3,L4,L5,L6,L7\n");
    for (section, zh) in [("primary", "小学"), ("junior", "初中")] {
        for (f, label) in [("mean", "全县平均值"), ("sd", "标准差"), ("cv", "差异系数")]
        {
            csv.push_str(&format!("{zh},{label}"));
            for k in 1..=7 {
                let mut v = c["resource"][section]["indicators"][format!("L{k}")][f]
                    .as_f64()
                    .unwrap();
                if (section, f, k) == ("junior", "cv", 7) {
                    v += 0.001;
                }
                csv.push_str(&format!(",{v:.6}"));
            }
            csv.push('\n');
        }
    }
    std::fs::write(dir.join("青山县/上报/差异系数表.csv"), csv).unwrap();
    let yaml = std::fs::read_to_string(dir.join("review.yaml"))
        .unwrap()
        .replace("青山县/上报/差异系数表.xlsx", "青山县/上报/差异系数表.csv")
        // A province's review: the counties in two 设区市.
        .replacen("city: 示例市", "city: 甲市", 1);
    std::fs::write(dir.join("review.yaml"), yaml).unwrap();
    let r = review_json(tmp.path(), "市/review.yaml");
    let d = r["discrepancies"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0]["county"], "青山县");
    assert_eq!(d[0]["section"], "junior");
    assert_eq!(d[0]["indicator"], "L7");
    assert_eq!(d[0]["figure"], "cv");
    assert!(
        d[0]["source"].as_str().unwrap().ends_with("单元格 I7"),
        "{}",
        d[0]
    );
    let groups = r["tables"]["summary"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["city"], "甲市");
    assert_eq!(groups[0]["rows"][0]["county"], "东湖县");
    assert_eq!(groups[1]["rows"][0]["county"], "青山县");
}

// ---------------------------------------------------------------------------
// The packet's documents: 复核报告 PDF, cross-county workbook, --with-reports.
// ---------------------------------------------------------------------------

const PACKET: [&str; 3] = ["复核报告.pdf", "各县复核计算表.xlsx", "review.json"];

/// The files of an output folder, its list of them (.dudao-written) aside.
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    v.sort();
    v
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn tool(name: &str) -> bool {
    let ok = Command::new(name)
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty());
    if !ok {
        eprintln!("{name} not found: this check is skipped");
    }
    ok
}

/// The PDF's text with all white space and the page numbers (`— 3 —`)
/// taken out, so a sentence or cell broken over lines or pages reads whole.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s: String = text(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut clean = String::new();
    let mut rest = s.as_str();
    while let Some(k) = rest.find('—') {
        clean.push_str(&rest[..k]);
        let after = &rest[k + '—'.len_utf8()..];
        let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && after[digits..].starts_with('—') {
            rest = &after[digits + '—'.len_utf8()..];
        } else {
            clean.push('—');
            rest = after;
        }
    }
    clean.push_str(rest);
    clean
}

/// The sentence 四、复核结论 gives a county, from its JSON verdict.
fn verdict_sentence(c: &Value) -> String {
    let name = c["county"].as_str().unwrap();
    let v = &c["verdict"];
    if v["passed"] == true {
        return format!(
            "{name}资源配置、政府保障程度、教育质量、社会认可度四个方面均达到要求，无一票否决情形，复核结论为通过。"
        );
    }
    let missed: Vec<&str> = [
        ("资源配置", "resource"),
        ("政府保障程度", "guarantee"),
        ("教育质量", "quality"),
        ("社会认可度", "recognition"),
    ]
    .into_iter()
    .filter(|(_, k)| v[*k] != true)
    .map(|(n, _)| n)
    .collect();
    let mut s = format!("{name}{}未达到要求", missed.join("、"));
    if v["no_veto"] == false {
        s.push_str("，存在一票否决情形");
    }
    s.push_str("，复核结论为不通过。");
    s
}

#[test]
fn the_packet_holds_report_workbook_and_json_the_same_bytes_twice() {
    let (tmp, dir) = city(5);
    let before = snapshot(&dir);
    for out in ["复核", "复核2"] {
        let o = dudao(tmp.path(), &["review", "市/review.yaml", "-o", out]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(
            text(&o.stdout).contains("复核报告.pdf、各县复核计算表.xlsx、review.json"),
            "{}",
            text(&o.stdout)
        );
        assert_eq!(names_in(&tmp.path().join(out)), sorted(&PACKET));
    }
    for f in PACKET {
        let a = std::fs::read(tmp.path().join("复核").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("复核2").join(f)).unwrap();
        assert!(a == b, "{f} differs between two runs");
    }
    let pdf = std::fs::read(tmp.path().join("复核/复核报告.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(snapshot(&dir), before, "inputs changed");

    // An earlier packet is replaced; a folder with someone's file is not.
    let o = dudao(tmp.path(), &["review", "市/review.yaml", "-o", "复核"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    std::fs::write(tmp.path().join("复核/笔记.txt"), "mine").unwrap();
    let kept = snapshot(&tmp.path().join("复核"));
    let o = dudao(tmp.path(), &["review", "市/review.yaml", "-o", "复核"]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("中有不是本工具写出的文件（笔记.txt）"),
        "{err}"
    );
    assert_eq!(snapshot(&tmp.path().join("复核")), kept);
}

#[test]
fn the_review_report_states_each_verdict_the_discrepancy_and_the_sample() {
    if !tool("pdftotext") {
        return;
    }
    let (tmp, r) = packet(5);
    let t = pdf_text(&tmp.path().join("复核/复核报告.pdf"));
    let at = |s: &str| {
        t.find(s)
            .unwrap_or_else(|| panic!("not in the report: {s}"))
    };
    // The outline, in order, and the four areas of the conclusion.
    let mut last = 0;
    for h in [
        "一、复核（评估）基本情况",
        "二、主要成绩",
        "三、存在的问题及建议",
        "四、复核结论",
        "（一）资源配置",
        "（二）政府保障程度",
        "（三）教育质量",
        "（四）社会认可度",
        "（五）结论",
    ] {
        let k = at(h);
        assert!(k > last, "{h} out of order");
        last = k;
    }
    for c in r["counties"].as_array().unwrap() {
        at(&verdict_sentence(c));
    }
    // No internal ids or symbols in the body (before the attachments).
    let body = &t[..at("附件：1.")];
    for bad in ["≥", "≤", "G3", "Q1", "L4", "primary", "junior"] {
        assert!(!body.contains(bad), "{bad} in the body text");
    }
    // 数据核查差异表: the altered cell with both figures.
    let d = &r["discrepancies"][0];
    let diff = &t[at("附件6数据核查差异表")..at("附件7实地核查学校抽样名单")];
    assert!(diff.contains("青山县"), "{diff}");
    assert!(diff.contains("生均教学及辅助用房面积"), "{diff}");
    assert!(diff.contains("标准差"), "{diff}");
    assert!(diff.contains(&format!("{:.6}", d["reported"].as_f64().unwrap())));
    assert!(diff.contains(&format!("{:.6}", d["recomputed"].as_f64().unwrap())));
    assert!(diff.contains("单元格F4"), "{diff}");
    // The sample list names every sampled school, the seed is stated,
    // and each sampled row has its own 实地核查表.
    let list = &t[at("附件7实地核查学校抽样名单")..at("附件8实地核查表")];
    assert!(list.contains("种子为20240620与县名"), "{list}");
    let sample = r["sample"].as_array().unwrap();
    assert_eq!(sample.len(), 50);
    for s in sample {
        let name = s["name"].as_str().unwrap();
        assert!(list.contains(name), "{name} not in the sample list");
        let zh = if s["section"] == "primary" {
            "小学"
        } else {
            "初中"
        };
        let title = format!("{name}（{zh}）实地核查表");
        assert_eq!(t.matches(&title).count(), 1, "{title}");
    }
}

/// Every mean, SD and CV of the 各县差异系数 sheet against the JSON;
/// returns how many were compared.
fn cv_sheet_matches(bytes: &[u8], r: &Value) -> usize {
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range("各县差异系数").unwrap();
    let s = |row: u32, col: u32| match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    };
    let counties = r["counties"].as_array().unwrap();
    let mut n = 0;
    let (rows, _) = range.end().unwrap();
    for row in 0..=rows {
        let figure = match s(row, 2).as_str() {
            "全县平均值" => "mean",
            "标准差" => "sd",
            "差异系数" => "cv",
            _ => continue,
        };
        let c = counties
            .iter()
            .find(|c| c["county"] == s(row, 0).as_str())
            .unwrap_or_else(|| panic!("row {row}: no county {}", s(row, 0)));
        let section = match s(row, 1).as_str() {
            "小学" => "primary",
            "初中" => "junior",
            other => panic!("row {row}: section {other}"),
        };
        for (k, id) in ["L1", "L2", "L3", "L4", "L5", "L6", "L7"]
            .iter()
            .enumerate()
        {
            let want = c["resource"][section]["indicators"][id][figure]
                .as_f64()
                .unwrap();
            let got = range
                .get_value((row, 3 + k as u32))
                .and_then(|v| v.as_f64())
                .unwrap_or_else(|| panic!("row {row} {id}: not a number"));
            assert!(
                (got - want).abs() <= 1e-9,
                "{} {section} {id} {figure}: {got} against {want}",
                s(row, 0)
            );
            n += 1;
        }
    }
    n
}

#[test]
fn the_cross_county_workbook_recalculates_to_the_json() {
    let (tmp, r) = packet(3);
    let bytes = std::fs::read(tmp.path().join("复核/各县复核计算表.xlsx")).unwrap();
    // The cached values, as any reader shows them before recalculating.
    let all = 3 * 2 * 3 * 7;
    assert_eq!(cv_sheet_matches(&bytes, &r), all);
    // One school sheet per county and 学段, and numbers as numbers.
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    let names = wb.sheet_names();
    for c in r["counties"].as_array().unwrap() {
        for zh in ["小学", "初中"] {
            let want = format!("{}{zh}", c["county"].as_str().unwrap());
            assert!(names.contains(&want), "no sheet {want}: {names:?}");
        }
    }
    let summary = wb.worksheet_range("四个方面达标情况").unwrap();
    assert_eq!(
        summary.get_value((2, 3)).and_then(|v| v.as_f64()),
        r["tables"]["summary"][0]["rows"][0]["schools_total"].as_f64()
    );
    if !tool("soffice") {
        return;
    }
    let again = recalculated(&edited(&bytes, |_, xml| poisoned(xml)), tmp.path());
    assert_eq!(cv_sheet_matches(&again, &r), all);
}

#[test]
fn with_reports_writes_each_countys_report_into_the_packet() {
    let (tmp, dir) = city(2);
    // A county whose plan leaves the 一校一表 out gets its report without.
    let plan = dir.join("青山县/plan.yaml");
    let p = std::fs::read_to_string(&plan).unwrap();
    assert!(p.contains("school_pages: appendix"));
    std::fs::write(
        &plan,
        p.replace("school_pages: appendix", "school_pages: none"),
    )
    .unwrap();
    let before = snapshot(&dir);
    let o = dudao(
        tmp.path(),
        &["review", "市/review.yaml", "-o", "复核", "--with-reports"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("以及2个县（市、区）的自评报告"),
        "{}",
        text(&o.stdout)
    );
    let mut want = PACKET.to_vec();
    want.extend(["东湖县自评报告.pdf", "青山县自评报告.pdf"]);
    assert_eq!(names_in(&tmp.path().join("复核")), sorted(&want));
    for f in ["东湖县自评报告.pdf", "青山县自评报告.pdf"] {
        let b = std::fs::read(tmp.path().join("复核").join(f)).unwrap();
        assert!(b.starts_with(b"%PDF-"), "{f}");
        assert!(b.len() > 100_000, "{f}: {} bytes", b.len());
    }
    assert_eq!(snapshot(&dir), before, "inputs changed");
    // Each is the report `dudao render` makes of the county's plan.
    for c in ["东湖县", "青山县"] {
        let o = dudao(
            tmp.path(),
            &[
                "render",
                &format!("市/{c}/plan.yaml"),
                "-o",
                &format!("{c}.pdf"),
            ],
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(
            std::fs::read(tmp.path().join(format!("{c}.pdf"))).unwrap()
                == std::fs::read(tmp.path().join(format!("复核/{c}自评报告.pdf"))).unwrap(),
            "{c}: the packet's report differs from dudao render's"
        );
    }
    // 东湖县's carries a page per school-学段 row, 青山县's fewer pages in
    // all than it has rows.
    let r: Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("复核/review.json")).unwrap())
            .unwrap();
    for (k, c) in ["东湖县", "青山县"].into_iter().enumerate() {
        assert_eq!(r["counties"][k]["county"], c);
        let rows: u64 = ["primary", "junior"]
            .iter()
            .map(|s| r["counties"][k]["resource"][s]["schools"].as_u64().unwrap())
            .sum();
        let pages = pdf_pages(&std::fs::read(tmp.path().join(format!("{c}.pdf"))).unwrap());
        assert_eq!(
            pages as u64 > rows,
            k == 0,
            "{c}: {pages} pages, {rows} rows"
        );
    }
    // Without a folder to write into, the flag is refused.
    let o = dudao(tmp.path(), &["review", "市/review.yaml", "--with-reports"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_reviewing_body_rewords_the_report_in_its_own_templates() {
    if !tool("pdftotext") {
        return;
    }
    let (tmp, dir) = city(1);
    let o = dudao(&dir, &["init", "模板", "--templates"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let body = dir.join("模板/review-body.typ.j2");
    let t = std::fs::read_to_string(&body).unwrap();
    assert!(t.contains("= 二、主要成绩"));
    std::fs::write(&body, t.replace("= 二、主要成绩", "= 二、工作成效")).unwrap();
    let yaml = dir.join("review.yaml");
    let y = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{y}templates: 模板\n")).unwrap();
    let o = dudao(tmp.path(), &["review", "市/review.yaml", "-o", "复核"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let t = pdf_text(&tmp.path().join("复核/复核报告.pdf"));
    assert!(
        t.contains("二、工作成效") && !t.contains("二、主要成绩"),
        "{t}"
    );
    // A folder that is not there is an error at its line in REVIEW.yaml.
    std::fs::write(&yaml, format!("{y}templates: 没有\n")).unwrap();
    let o = dudao(tmp.path(), &["review", "市/review.yaml", "-o", "复核2"]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("review.yaml") && err.contains("模板文件夹“没有”不存在"),
        "{err}"
    );
    assert!(!tmp.path().join("复核2").exists());
}

#[test]
fn a_typst_mistake_in_a_review_template_is_named_at_its_line() {
    let (tmp, dir) = city(1);
    let o = dudao(&dir, &["init", "模板", "--templates"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let body = dir.join("模板/review-body.typ.j2");
    let line = insert_after(&body, "= 二、主要成绩", "#未定义的函数()");
    let yaml = dir.join("review.yaml");
    let y = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{y}templates: 模板\n")).unwrap();
    let o = dudao(tmp.path(), &["review", "市/review.yaml", "-o", "复核"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    // The reviewer's own file and line, not the generated source's.
    assert!(
        err.contains(&format!(
            "复核报告排版失败：模板/review-body.typ.j2:{line}："
        )),
        "{err}"
    );
    assert!(err.contains("未定义的函数"), "{err}");
    assert!(
        !tmp.path().join("复核").exists(),
        "a failed review left output"
    );
}

#[test]
fn one_school_figure_changed_in_the_cross_county_workbook_changes_that_countys_cv() {
    if !has_soffice() {
        return;
    }
    let (tmp, r) = packet(3);
    let bytes = std::fs::read(tmp.path().join("复核/各县复核计算表.xlsx")).unwrap();
    let open = |b: &[u8]| -> calamine::Xlsx<_> {
        calamine::open_workbook_from_rs(std::io::Cursor::new(b.to_vec())).unwrap()
    };
    // The second county's 小学 sheet; sheet parts are numbered in order.
    let county = r["counties"][1]["county"].as_str().unwrap().to_string();
    let name = format!("{county}小学");
    let index = open(&bytes)
        .sheet_names()
        .iter()
        .position(|n| *n == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        + 1;
    let sh = open(&bytes).worksheet_range(&name).unwrap();
    let l4 = column_headed(&sh, "L4指标值", 0);
    let figure = column_headed(&sh, "教学及辅助用房面积（平方米）", 0);
    // A counted school with its own area (no apportioned share).
    let row = (3..)
        .take_while(|r| !text_at(&sh, *r, 0).is_empty())
        .find(|r| {
            text_at(&sh, *r, 3) == "是"
                && number_at(&sh, *r, figure).is_some()
                && number_at(&sh, *r, 6).is_none()
        })
        .expect("a school with its own teaching area");
    let old = number_at(&sh, row, figure).unwrap();
    let new = (old * 3.0).round() + 1000.0;
    let changed = with_number(
        &bytes,
        &format!("xl/worksheets/sheet{index}.xml"),
        &format!("{}{}", letters(figure), row + 1),
        old,
        new,
    );
    let again = recalculated(&changed, tmp.path());
    let sh2 = open(&again).worksheet_range(&name).unwrap();
    assert_eq!(number_at(&sh2, row, figure), Some(new));
    // The CV this test computes from the recomputed rows.
    let pts: Vec<(f64, f64)> = (3..)
        .take_while(|r| !text_at(&sh2, *r, 0).is_empty())
        .filter(|r| text_at(&sh2, *r, 3) == "是")
        .filter_map(|r| Some((number_at(&sh2, r, 4)?, number_at(&sh2, r, l4)?)))
        .collect();
    let (_, _, expected) = weighted_cv(&pts);
    let cvs = open(&again).worksheet_range("各县差异系数").unwrap();
    let cv_of = |c: &str| {
        let (rows, _) = cvs.end().unwrap();
        (0..=rows)
            .find(|k| {
                text_at(&cvs, *k, 0) == c
                    && text_at(&cvs, *k, 1) == "小学"
                    && text_at(&cvs, *k, 2) == "差异系数"
            })
            .and_then(|k| number_at(&cvs, k, 3 + 3))
            .unwrap_or_else(|| panic!("no 小学 L4 CV of {c}"))
    };
    let json_cv = |k: usize| {
        r["counties"][k]["resource"]["primary"]["indicators"]["L4"]["cv"]
            .as_f64()
            .unwrap()
    };
    let got = cv_of(&county);
    assert!(
        (got - json_cv(1)).abs() > 1e-6,
        "the CV did not change: {got}"
    );
    assert!((got - expected).abs() <= 1e-9, "{got} ≠ {expected}");
    // The other counties' CVs stay as they were.
    for k in [0, 2] {
        let c = r["counties"][k]["county"].as_str().unwrap();
        assert!((cv_of(c) - json_cv(k)).abs() <= 1e-9, "{c}");
    }
}
