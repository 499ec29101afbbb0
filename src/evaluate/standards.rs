//! The standards a county was judged by, stated as they are: the profile,
//! and every value the plan's `standards.set` changed, with the value it
//! replaced. A report that says “国家标准” while judging Q1 at 96% misleads;
//! this is what lets every output name the standard actually applied.

use super::IndicatorResult;
use crate::profile::{Op, Profile, ResourceIndicator, fmt_number};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Standards {
    /// The profile's own name: `国家标准（教督〔2017〕6号）`.
    pub profile: String,
    /// The embedded national profile (not a province's file).
    pub national: bool,
    /// How the report names what it was judged by:
    /// `国家标准，并按本县方案提高2项`, or a province profile's name.
    pub label: String,
    /// What the profile is called where a changed value is marked:
    /// `国家标准` or `省级标准`.
    pub base_name: String,
    /// Every change the plan made, in the plan's order.
    pub adjustments: Vec<StandardChange>,
    /// 整改措施 wording per indicator, from the profile (`remedies`).
    pub remedies: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StandardChange {
    /// As written in the plan: `Q1.rate`.
    pub key: String,
    /// `Q1`, `L6`, or `resource` for the per-school rule and CV limits.
    pub indicator: String,
    /// `rate`, `primary`, `cv_limit.junior`.
    pub criterion: String,
    /// What it measures: `初中三年巩固率`.
    pub label: String,
    /// The profile's value and the one applied, with their unit.
    pub base: f64,
    pub applied: f64,
    pub unit: String,
    /// `95%`, `96%`.
    pub base_text: String,
    pub applied_text: String,
    /// The plan made it stricter (a higher 不低于, a lower 不超过).
    pub raised: bool,
    /// The comparison in words: `不低于`, `不超过`, `低于`.
    pub op_words: String,
}

/// How an adjusted key compares: its label, unit and direction.
fn describe(p: &Profile, key: &str) -> (String, String, String, String, Op) {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        [id, section] if ResourceIndicator::parse(id).is_some() => {
            let spec = ResourceIndicator::parse(id).map(|i| p.resource_spec(i));
            let zh = if *section == "primary" {
                "小学"
            } else {
                "初中"
            };
            (
                id.to_string(),
                section.to_string(),
                format!("{zh}{}", spec.map(|s| s.name.as_str()).unwrap_or("")),
                spec.map(|s| s.unit.clone()).unwrap_or_default(),
                Op::AtLeast,
            )
        }
        ["resource", "min_met"] => (
            "resource".into(),
            "min_met".into(),
            "每校须达到标准的资源配置指标项数".into(),
            "项".into(),
            Op::AtLeast,
        ),
        ["resource", "floor_ratio"] => (
            "resource".into(),
            "floor_ratio".into(),
            "其余指标不低于标准的比例".into(),
            String::new(),
            Op::AtLeast,
        ),
        [_, .., last] if parts.contains(&"cv_limit") => (
            "resource".into(),
            format!("cv_limit.{last}"),
            format!(
                "{}校际差异系数限值",
                if *last == "primary" {
                    "小学"
                } else {
                    "初中"
                }
            ),
            String::new(),
            Op::AtMost,
        ),
        [id, crit] => {
            let c = p.indicators.get(*id).and_then(|s| s.criterion(crit));
            (
                id.to_string(),
                crit.to_string(),
                c.map(|c| c.label.clone()).unwrap_or_default(),
                c.map(|c| c.unit.clone()).unwrap_or_default(),
                c.map(|c| c.op).unwrap_or(Op::AtLeast),
            )
        }
        _ => (
            key.into(),
            String::new(),
            key.into(),
            String::new(),
            Op::AtLeast,
        ),
    }
}

pub fn standards(p: &Profile) -> Standards {
    let adjustments: Vec<StandardChange> = p
        .adjustments
        .iter()
        .map(|a| {
            let (indicator, criterion, label, unit, op) = describe(p, &a.key);
            let raised = match op {
                Op::AtMost | Op::Below => a.applied < a.base,
                Op::AtLeast | Op::Yes => a.applied > a.base,
            };
            StandardChange {
                key: a.key.clone(),
                indicator,
                criterion,
                label,
                base: a.base,
                applied: a.applied,
                base_text: format!("{}{unit}", fmt_number(a.base)),
                applied_text: format!("{}{unit}", fmt_number(a.applied)),
                unit,
                raised,
                op_words: op.words().into(),
            }
        })
        .collect();
    let base = if p.national {
        "国家标准".to_string()
    } else {
        p.name.clone()
    };
    let label = match adjustments.len() {
        0 => base,
        n if adjustments.iter().all(|a| a.raised) => format!("{base}，并按本县方案提高{n}项"),
        n => format!("{base}，并按本县方案调整{n}项"),
    };
    Standards {
        profile: p.name.clone(),
        national: p.national,
        label,
        base_name: if p.national {
            "国家标准"
        } else {
            "省级标准"
        }
        .into(),
        adjustments,
        remedies: p.remedies.clone(),
    }
}

/// Word every criterion's standard for prose, and mark every one the plan
/// changed with the value it replaced.
pub fn mark(s: &Standards, p: &Profile, i: &mut IndicatorResult) {
    let spec = p.indicators.get(&i.id);
    for c in &mut i.criteria {
        if let Some(x) = spec.and_then(|x| x.criterion(&c.key))
            && let (Some(v), false) = (c.threshold.or(x.value), x.op == Op::Yes)
        {
            c.standard_words = format!("{}{}{}", x.op.words(), fmt_number(v), x.unit);
        }
        let key = format!("{}.{}", i.id, c.key);
        if let Some(a) = s.adjustments.iter().find(|a| a.key == key) {
            let note = format!("（本县方案标准，{}为{}）", s.base_name, a.base_text);
            c.base_threshold = Some(a.base);
            c.standard = format!("{}{note}", c.standard);
            c.standard_words = format!("{}{note}", c.standard_words);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Adjustment;

    fn adjusted(changes: &[(&str, f64, f64)]) -> Standards {
        let mut p = Profile::national();
        p.adjustments = changes
            .iter()
            .map(|(k, b, a)| Adjustment {
                key: k.to_string(),
                base: *b,
                applied: *a,
            })
            .collect();
        standards(&p)
    }

    #[test]
    fn label_names_what_was_applied() {
        assert_eq!(adjusted(&[]).label, "国家标准");
        let s = adjusted(&[("Q1.rate", 95.0, 96.0), ("G14.share", 50.0, 80.0)]);
        assert_eq!(s.label, "国家标准，并按本县方案提高2项");
        assert_eq!(s.adjustments[0].label, "初中三年巩固率");
        assert_eq!(
            (
                s.adjustments[0].base_text.as_str(),
                s.adjustments[0].applied_text.as_str()
            ),
            ("95%", "96%")
        );
        // A lower 不低于 or a higher 不超过 is a change, not a raise.
        let s = adjusted(&[("Q1.rate", 95.0, 96.0), ("G5.primary", 45.0, 50.0)]);
        assert_eq!(s.label, "国家标准，并按本县方案调整2项");
        assert!(!s.adjustments[1].raised);
        let s = adjusted(&[("resource.cv_limit.junior", 0.45, 0.40)]);
        assert_eq!(s.label, "国家标准，并按本县方案提高1项");
        assert_eq!(s.adjustments[0].criterion, "cv_limit.junior");
    }
}
