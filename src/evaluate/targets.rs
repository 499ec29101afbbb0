//! The plan's targets checked against the computed figures: 已达成 / 未达成
//! / 无数据, and whether the deadline has passed by the report date.

use super::{IndicatorResult, MetStatus, Recognition, SchoolResult};
use crate::model::{County, Section};
use crate::profile::{Op, ResourceIndicator, fmt_number};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    /// 任务编号, e.g. `一.4`
    pub task: String,
    pub task_title: String,
    pub indicator: String,
    pub section: Option<Section>,
    pub key: Option<String>,
    /// The promise as printed: `小学 ≥2000元`.
    pub target: String,
    /// The same promise as prose says it: `小学不低于2000元`; a full 100%
    /// reads `达到100%`.
    pub target_words: String,
    pub deadline: String,
    /// Computed figure as printed.
    pub actual: String,
    /// 已达成 / 未达成 / 无数据
    pub status: String,
    pub achieved: Option<bool>,
    /// The deadline is on or before the report date.
    pub due: bool,
}

pub fn check(
    county: &County,
    schools: &[SchoolResult],
    guarantee: &[IndicatorResult],
    quality: &[IndicatorResult],
    recognition: &Recognition,
) -> Vec<TargetResult> {
    let report_day = county.plan.report.date.value.0;
    let mut out = Vec::new();
    for g in &county.plan.tasks {
        for t in &g.items {
            for target in &t.targets {
                let id = target.indicator.value.as_str();
                let value = target.value.as_ref().and_then(|v| v.value.as_f64());
                let (text, words, actual, achieved) = if let Some(i) = ResourceIndicator::parse(id)
                {
                    resource_target(county, schools, i, target.section, value)
                } else {
                    let all = guarantee
                        .iter()
                        .chain(quality)
                        .chain(std::iter::once(&recognition.indicator));
                    match all.into_iter().find(|r| r.id == id) {
                        Some(r) => indicator_target(
                            county,
                            r,
                            target.key.as_ref().map(|k| k.value.as_str()),
                            value,
                        ),
                        None => (id.to_string(), id.to_string(), "无数据".into(), None),
                    }
                };
                let due = target.by.value.last_day <= report_day;
                out.push(TargetResult {
                    task: format!("{}.{}", g.number, t.number),
                    task_title: t.title.clone(),
                    indicator: id.to_string(),
                    section: target.section,
                    key: target.key.as_ref().map(|k| k.value.clone()),
                    target: text,
                    target_words: words,
                    deadline: target.by.value.text.clone(),
                    actual,
                    status: match achieved {
                        Some(true) => "已达成",
                        Some(false) => "未达成",
                        None => "无数据",
                    }
                    .into(),
                    achieved,
                    due,
                });
            }
        }
    }
    out
}

/// An L target means every counted school of the 学段 reaches the level.
fn resource_target(
    county: &County,
    schools: &[SchoolResult],
    i: ResourceIndicator,
    section: Option<Section>,
    value: Option<f64>,
) -> (String, String, String, Option<bool>) {
    let spec = county.profile.resource_spec(i);
    let sections: Vec<Section> = section.map(|s| vec![s]).unwrap_or(Section::ALL.to_vec());
    let mut texts = Vec::new();
    let mut words = Vec::new();
    let mut actuals = Vec::new();
    let mut achieved = Some(true);
    for s in sections {
        let level = value.unwrap_or(spec.standard(s));
        texts.push(format!("{} ≥{}{}", s.zh(), fmt_number(level), spec.unit));
        words.push(format!(
            "{}{}",
            s.zh(),
            level_words(Op::AtLeast, level, &spec.unit)
        ));
        let rows: Vec<&SchoolResult> = schools
            .iter()
            .filter(|r| r.section == s && r.included)
            .collect();
        let missing = rows
            .iter()
            .filter(|r| r.status.get(&i) == Some(&MetStatus::Missing))
            .count();
        let ok = rows
            .iter()
            .filter(|r| {
                r.values
                    .get(&i)
                    .copied()
                    .flatten()
                    .is_some_and(|v| v >= level)
            })
            .count();
        actuals.push(format!("{}{}/{} 所达到", s.zh(), ok, rows.len()));
        if rows.is_empty() || missing == rows.len() {
            achieved = None;
        } else if ok < rows.len() && achieved.is_some() {
            achieved = Some(false);
        }
    }
    (
        texts.join("，"),
        words.join("，"),
        actuals.join("，"),
        achieved,
    )
}

/// `不低于2000元`, `不超过45人`; a full 100% as `达到100%`.
fn level_words(op: Op, level: f64, unit: &str) -> String {
    let op = if op == Op::AtLeast && level == 100.0 && unit == "%" {
        "达到"
    } else {
        op.words()
    };
    format!("{op}{}{unit}", fmt_number(level))
}

fn indicator_target(
    county: &County,
    r: &IndicatorResult,
    key: Option<&str>,
    value: Option<f64>,
) -> (String, String, String, Option<bool>) {
    let spec = county.profile.indicators.get(&r.id);
    let crits: Vec<&super::CriterionResult> = r
        .criteria
        .iter()
        .filter(|c| key.is_none_or(|k| c.key == k))
        .collect();
    let mut texts = Vec::new();
    let mut words = Vec::new();
    let mut achieved = Some(true);
    for c in &crits {
        let op = spec
            .and_then(|s| s.criterion(&c.key))
            .map(|x| x.op)
            .unwrap_or(Op::Yes);
        let unit = spec
            .and_then(|s| s.criterion(&c.key))
            .map(|x| x.unit.clone())
            .unwrap_or_default();
        // A target value only applies to a single criterion.
        let level = if crits.len() == 1 {
            value.or(c.threshold)
        } else {
            c.threshold
        };
        let met = match (op, c.value, level, r.source.as_str()) {
            (_, _, _, "schools") => c.met,
            (Op::Yes, Some(v), _, _) => Some(v >= 1.0),
            (op, Some(v), Some(l), _) => Some(op.meets(v, l)),
            _ => None,
        };
        texts.push(match (op, level) {
            (Op::Yes, _) | (_, None) => c.label.clone(),
            (op, Some(l)) => format!("{}{}{}{}", c.label, op.zh(), fmt_number(l), unit),
        });
        words.push(match (op, level) {
            (Op::Yes, _) | (_, None) => c.label.clone(),
            (op, Some(l)) => format!("{}{}", c.label, level_words(op, l, &unit)),
        });
        match met {
            None => achieved = None,
            Some(false) if achieved.is_some() => achieved = Some(false),
            _ => {}
        }
    }
    if crits.is_empty() {
        achieved = None;
    }
    let actual = crits
        .iter()
        .map(|c| c.actual.clone())
        .collect::<Vec<_>>()
        .join("，");
    (texts.join("，"), words.join("，"), actual, achieved)
}
