//! The body as a reviewer reads it: every one of the 32 indicators of the
//! example county narrated with the figure `dudao evaluate` gives, no
//! internal ids or ≥/≤ in the prose, the scope sentences naming the actual
//! exclusions, and the wording coming from the templates a county edits.

mod common;

use common::*;
use dudao::model::{Measure, RowPart};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

const EXAMPLE: &str = "examples/sixian/plan.yaml";

fn dudao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
}

/// The laid-out text of a report's numbered pages (not the cover and the
/// 目录, which repeat the headings), page numbers left out so that a
/// sentence running over a page break reads as one.
fn body_text(plan: &Path) -> String {
    let (_, r) = render_plan(plan, &[], false);
    let is_number = |run: &Run| {
        run.text.contains('—')
            && run
                .text
                .chars()
                .all(|c| c == '—' || c.is_ascii_digit() || c.is_whitespace())
    };
    r.document
        .pages()
        .iter()
        .map(|p| runs(&p.frame))
        .filter(|page| page.iter().any(is_number))
        .flat_map(|page| page.into_iter().filter(|run| !is_number(run)))
        .map(|run| run.text)
        .collect()
}

fn example_text() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| body_text(Path::new(EXAMPLE)))
}

fn example_json() -> &'static Value {
    static J: OnceLock<Value> = OnceLock::new();
    J.get_or_init(|| {
        let out = dudao()
            .args(["evaluate", EXAMPLE, "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("evaluation JSON")
    })
}

/// The text from `from` up to (not including) `to`.
fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let a = text.find(from).unwrap_or_else(|| panic!("no “{from}”"));
    let rest = &text[a..];
    let b = rest
        .find(to)
        .unwrap_or_else(|| panic!("no “{to}” after “{from}”"));
    &rest[..b]
}

fn indicators_part() -> &'static str {
    between(example_text(), "三、指标达成情况", "四、存在的问题")
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[test]
fn binary_renders_the_example_without_school_pages() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("报告.pdf");
    let before = std::fs::read(EXAMPLE).unwrap();
    let out = dudao()
        .args(["render", EXAMPLE, "-o"])
        .arg(&pdf)
        .args(["--school-pages", "none"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    assert_eq!(std::fs::read(EXAMPLE).unwrap(), before, "plan unchanged");
}

#[test]
fn every_indicator_is_narrated_with_its_figure() {
    let e = example_json();
    let part = indicators_part();
    let mut narrated = Vec::new();
    let list: Vec<&Value> = e["guarantee"]
        .as_array()
        .unwrap()
        .iter()
        .chain(e["quality"].as_array().unwrap())
        .chain(std::iter::once(&e["recognition"]["indicator"]))
        .collect();
    for i in list {
        let id = str_of(i, "id");
        for c in i["criteria"].as_array().unwrap() {
            let actual = str_of(c, "actual");
            if let Some((total, ok)) = actual
                .strip_suffix("所达标")
                .and_then(|x| x.split_once("所中"))
            {
                // Counted from the workbooks: how many judged, how many met.
                assert!(part.contains(&format!("{total}所")), "{id}: {total}所");
                assert!(part.contains(&format!("中{ok}所")), "{id}: 中{ok}所");
            } else if c["threshold"].is_null() {
                // A yes/no fact: its evidence is what the reviewer checks.
                let ev: String = str_of(i, "evidence").chars().take(16).collect();
                assert!(part.contains(&ev), "{id}: evidence “{ev}”");
            } else {
                assert!(part.contains(actual), "{id}: figure “{actual}”");
            }
        }
        narrated.push(id.to_string());
    }
    // 社会认可度: every respondent group's sample and rate.
    for g in e["recognition"]["groups"].as_array().unwrap() {
        let group = str_of(g, "group");
        let sample = g["sample"].as_u64().unwrap();
        let rate = format!("{:.2}%", g["rate"].as_f64().unwrap());
        assert!(
            part.contains(&format!("{group}{sample}人")),
            "{group}{sample}人"
        );
        assert!(part.contains(&rate), "{group}: {rate}");
    }
    // 资源配置: each CV per 学段 in prose (3 decimals), before the table.
    let prose = between(part, "（一）资源配置", "资源配置指标校际差异系数");
    for section in ["primary", "junior"] {
        let inds = e["resource"][section]["indicators"].as_object().unwrap();
        for (id, x) in inds {
            let cv = format!("{:.3}", x["cv"].as_f64().unwrap());
            let name = str_of(x, "name");
            assert!(
                prose.contains(&format!("{name}为{cv}")),
                "{section} {id}: {name}为{cv}"
            );
            if section == "primary" {
                narrated.push(id.clone());
            }
        }
    }
    assert_eq!(narrated.len(), 32, "{narrated:?}");
}

#[test]
fn prose_has_no_internal_ids_or_symbols() {
    let text = example_text();
    for (from, to) in [
        ("一、基本情况", "二、主要做法和成效"),
        ("三、指标达成情况", "四、存在的问题"),
    ] {
        let part = between(text, from, to);
        for bad in ['≥', '≤', '＞', '＜'] {
            assert!(!part.contains(bad), "{from}: “{bad}”");
        }
        let chars: Vec<char> = part.chars().collect();
        for w in chars.windows(2) {
            assert!(
                !(matches!(w[0], 'G' | 'Q' | 'L' | 'S') && w[1].is_ascii_digit()),
                "{from}: id “{}{}”",
                w[0],
                w[1]
            );
        }
    }
}

#[test]
fn scope_sentences_name_the_actual_exclusions() {
    let e = example_json();
    let text = example_text();
    let basic = between(text, "一、基本情况", "二、主要做法和成效");
    let types = e["overview"]["schools_by_type"].as_array().unwrap();
    let points = types
        .iter()
        .find(|t| t[0] == "教学点")
        .map_or(0, |t| t[1].as_u64().unwrap());
    let total = e["overview"]["schools_total"].as_u64().unwrap();
    assert_eq!(points, 5, "the example has 教学点");
    assert!(basic.contains(&format!("学校{}所、教学点{points}个", total - points)));
    // The plan's own 统计时点 (self_evaluation.statistics_date), which is
    // not the report date.
    let county = dudao::input::load(Path::new(EXAMPLE), &[]).unwrap();
    let as_of = county
        .plan
        .self_evaluation
        .as_ref()
        .and_then(|s| s.statistics_date.as_ref())
        .expect("the example gives its statistics date")
        .value
        .zh();
    assert_ne!(as_of, str_of(e, "report_date"));
    assert!(basic.contains(&format!("统计时点为{as_of}")), "{basic}");

    // 高中部 rows of the workbook, stated and kept out.
    let (mut students, mut classes) = (0.0, 0.0);
    for s in &county.schools {
        for r in s.rows.iter().filter(|r| r.part == RowPart::HighSchool) {
            students += r.get(Measure::Students).unwrap().value;
            classes += r.get(Measure::Classes).unwrap().value;
            assert!(basic.contains(&s.name), "{}", s.name);
        }
    }
    assert!(students > 0.0);
    assert!(basic.contains(&format!("高中部学生{students}人、教学班{classes}个")));

    let resource = between(text, "（一）资源配置", "资源配置指标校际差异系数");
    let excluded = e["overview"]["excluded"].as_array().unwrap();
    assert!(!excluded.is_empty());
    for x in excluded {
        let name = str_of(x, "name");
        let students = x["students"].as_f64().unwrap();
        assert!(resource.contains(&format!("{name}（")), "{name}");
        assert!(
            resource.contains(&format!("学生{students}人")),
            "{name}: {students}"
        );
        assert!(resource.contains(str_of(x, "reason")), "{name}: reason");
    }
    assert!(resource.contains(&format!("{points}个教学点全部计入小学参评")));
    // Every apportioned school is named.
    for s in e["schools"].as_array().unwrap() {
        if !s["apportioned"].as_array().unwrap().is_empty() {
            assert!(resource.contains(str_of(s, "name")), "{}", s["name"]);
        }
    }
    // The teachers G12 counts differ from 基本情况 by the excluded rows.
    let guarantee = between(text, "（二）政府保障程度", "（三）教育质量");
    let counted: f64 = e["schools"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["included"] == true)
        .map(|s| s["teachers"].as_f64().unwrap_or(0.0))
        .sum();
    assert!(
        guarantee.contains(&format!("专任教师共{counted}人")),
        "{counted}"
    );
}

#[test]
fn wording_comes_from_the_county_templates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dudao()
        .args(["init", "--templates"])
        .arg(dir.path().join("模板"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = dir.path().join("模板/indicators.typ.j2");
    let words = std::fs::read_to_string(&t).expect("indicators template copied out");
    assert!(words.contains("佐证："));
    std::fs::write(&t, words.replace("佐证：", "佐证材料为")).unwrap();
    let example = std::fs::canonicalize("examples/sixian").unwrap();
    let plan = std::fs::read_to_string(EXAMPLE).unwrap();
    let plan = plan
        .replace(
            "school_pages: appendix",
            "school_pages: appendix\n  templates: 模板",
        )
        .replace(
            "    - 泗县学校统计表（示例数据）.xlsx",
            &format!(
                "    - {}",
                example.join("泗县学校统计表（示例数据）.xlsx").display()
            ),
        )
        .replace(
            "      - 泗县上年学校统计表（示例数据）.xlsx",
            &format!(
                "      - {}",
                example
                    .join("泗县上年学校统计表（示例数据）.xlsx")
                    .display()
            ),
        );
    let path = dir.path().join("plan.yaml");
    std::fs::write(&path, plan).unwrap();
    let text = body_text(&path);
    let part = between(&text, "三、指标达成情况", "四、存在的问题");
    assert!(part.contains("佐证材料为"));
    assert!(!part.contains("佐证："));
}
