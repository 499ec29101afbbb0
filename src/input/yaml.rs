//! YAML with Chinese errors at line:column, the profile built from the
//! national one plus the plan's overrides, and the plan's cross-checks
//! (indicator ids, criterion keys, counts) — each error at its place.

use super::plan::{Plan, Scalar};
use crate::error::Error;
use crate::profile::{Profile, ResourceIndicator, parse_profile};
use crate::source::YamlRef;
use serde::de::DeserializeOwned;
use serde_saphyr::{Location, MessageFormatter, Spanned, UserMessageFormatter};
use std::path::Path;
use std::sync::Arc;

/// Parse YAML, turning serde-saphyr's errors into ours at file:line:column.
pub fn from_str<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, Error> {
    serde_saphyr::from_str(text).map_err(|e| {
        let loc = e.location().unwrap_or(Location::UNKNOWN);
        let mut inner = &e;
        while let serde_saphyr::Error::WithSnippet { error, .. }
        | serde_saphyr::Error::AliasError { error, .. } = inner
        {
            inner = error;
        }
        let message = match inner {
            serde_saphyr::Error::SerdeUnknownField {
                field, expected, ..
            } => format!(
                "不认识的字段“{field}”（这里可以写：{}）",
                expected.join("、")
            ),
            serde_saphyr::Error::SerdeUnknownVariant {
                variant, expected, ..
            } => format!("不认识的取值“{variant}”（可选：{}）", expected.join("、")),
            serde_saphyr::Error::SerdeMissingField { field, .. } => {
                format!("缺少必填字段“{field}”")
            }
            _ => translate(&UserMessageFormatter.format_message(inner)),
        };
        Error::Yaml {
            at: yaml_ref(file, loc),
            message,
        }
    })
}

pub fn yaml_ref(file: &str, loc: Location) -> YamlRef {
    YamlRef {
        file: Arc::from(file),
        line: loc.line() as usize,
        column: loc.column() as usize,
    }
}

fn at<T>(file: &str, s: &Spanned<T>) -> YamlRef {
    yaml_ref(file, s.referenced)
}

/// serde's English messages, in the words a bureau clerk reads.
fn translate(msg: &str) -> String {
    let tick = |s: &str| -> Vec<String> {
        s.split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, p)| p.to_string())
            .collect()
    };
    let names = tick(msg);
    if msg.starts_with("missing field") {
        return format!(
            "缺少必填字段“{}”",
            names.first().cloned().unwrap_or_default()
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        return format!("类型不对：{}", rest.replace(", expected", "，应为"));
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let rest = rest
            .replace(", expected u32", "，应为非负整数")
            .replace(", expected", "，应为");
        return format!("取值无效：{rest}");
    }
    if msg.contains("invalid boolean") {
        return "应为 true 或 false（是或否）".into();
    }
    if msg.contains("duplicate") {
        return format!("键重复：{msg}");
    }
    if msg.is_ascii() {
        format!("YAML 格式错误，请检查这一处的缩进、冒号、引号和括号（解析器信息：{msg}）")
    } else {
        msg.to_string()
    }
}

/// The national profile, or the province's file the plan names, with the
/// plan's `standards.set` changes applied.
pub fn build_profile(
    plan: &Plan,
    project_dir: &Path,
    file: &str,
    access: &crate::access::Access,
) -> Result<Profile, Error> {
    let mut profile = match &plan.standards.profile {
        None => Profile::national(),
        Some(p) => {
            let path = project_dir.join(p);
            let granted = access.check_read(&path, crate::access::InputKind::Profile)?;
            let text = std::fs::read_to_string(&granted).map_err(|e| Error::io(&path, e))?;
            let shown = path.display().to_string();
            let p: Profile = from_str(&text, &shown)?;
            parse_profile(&text).map_err(|m| Error::File {
                file: shown,
                message: m,
            })?;
            p
        }
    };
    let mut errors = Vec::new();
    for (key, value) in &plan.standards.set {
        if let Err(m) = apply_override(&mut profile, key, &value.value) {
            errors.push(Error::Yaml {
                at: at(file, value),
                message: format!("standards.set.{key}：{m}"),
            });
        }
    }
    Error::from_list(errors)?;
    Ok(profile)
}

fn apply_override(p: &mut Profile, key: &str, v: &Scalar) -> Result<(), String> {
    let num = || -> Result<f64, String> {
        match v {
            Scalar::Number(n) if n.is_finite() && *n >= 0.0 => Ok(*n),
            _ => Err("应为非负数".into()),
        }
    };
    let flag = || -> Result<bool, String> {
        match v {
            Scalar::Bool(b) => Ok(*b),
            _ => Err("应为 true 或 false".into()),
        }
    };
    // (before, after) of a standard the evaluation judges by, to be stated.
    let mut adjusted: Option<(f64, f64)> = None;
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        [id, section @ ("primary" | "junior")] if ResourceIndicator::parse(id).is_some() => {
            let i = ResourceIndicator::parse(id).ok_or("")?;
            let spec = p
                .resource
                .indicators
                .get_mut(&i)
                .ok_or("标准中没有这个指标")?;
            let slot = if *section == "primary" {
                &mut spec.primary
            } else {
                &mut spec.junior
            };
            adjusted = Some((*slot, num()?));
            *slot = num()?;
        }
        ["resource", "min_met"] => {
            adjusted = Some((p.resource.min_met as f64, num()?.floor()));
            p.resource.min_met = num()? as u32;
        }
        ["resource", "floor_ratio"] => {
            adjusted = Some((p.resource.floor_ratio, num()?));
            p.resource.floor_ratio = num()?;
        }
        ["resource" | "cv_limit", ..] => {
            let s = parts.last().copied().unwrap_or("");
            let slot = match s {
                "primary" => &mut p.resource.cv_limit.primary,
                "junior" => &mut p.resource.cv_limit.junior,
                _ => {
                    return Err("应为 resource.cv_limit.primary 或 resource.cv_limit.junior".into());
                }
            };
            adjusted = Some((*slot, num()?));
            *slot = num()?;
        }
        ["apportion", "round_share"] => {
            // A number of decimals, or 精确 / exact for the exact share.
            p.apportion.round_share = match v {
                Scalar::Number(n) if n.fract() == 0.0 && (0.0..=9.0).contains(n) => Some(*n as u8),
                Scalar::Text(t) if matches!(t.trim(), "精确" | "exact") => None,
                _ => {
                    return Err(
                        "应为 0–9 的整数（分摊比例先四舍五入到几位小数），或“精确”（不取整）"
                            .into(),
                    );
                }
            };
        }
        ["apportion", w] => {
            let a = &mut p.apportion;
            let slot = match *w {
                "primary" => &mut a.primary,
                "junior" => &mut a.junior,
                "high" => &mut a.high,
                "complete_junior" => &mut a.complete_junior,
                "complete_high" => &mut a.complete_high,
                _ => {
                    return Err(
                        "分摊规则只有 primary、junior、high、complete_junior、complete_high、round_share".into(),
                    );
                }
            };
            *slot = num()?;
        }
        ["exclude", what] => match *what {
            "private" => p.exclude.private = flag()?,
            "special" => p.exclude.special = flag()?,
            "other_types" => p.exclude.other_types = flag()?,
            "teaching_point_below" => p.exclude.teaching_point_below = num()? as u32,
            _ => {
                return Err(
                    "排除规则只有 private、special、other_types、teaching_point_below".into(),
                );
            }
        },
        ["plausibility", key, bound @ ("min" | "max")] => {
            let keys: Vec<String> = p.plausibility.keys().cloned().collect();
            let r = p.plausibility.get_mut(*key).ok_or_else(|| {
                format!("没有名为“{key}”的数据核对范围（可选：{}）", keys.join("、"))
            })?;
            let v = Some(num()?);
            if *bound == "min" {
                r.min = v;
            } else {
                r.max = v;
            }
        }
        [id, crit] => {
            let spec = p
                .indicators
                .get_mut(*id)
                .ok_or_else(|| format!("未知指标“{id}”"))?;
            let keys: Vec<String> = spec.criteria.iter().map(|c| c.key.clone()).collect();
            let c = spec
                .criteria
                .iter_mut()
                .find(|c| c.key == *crit)
                .ok_or_else(|| {
                    format!("指标 {id} 没有“{crit}”一项（可选：{}）", keys.join("、"))
                })?;
            let Some(before) = c.value else {
                return Err(format!("{id}.{crit} 是“是/否”项，没有数值标准"));
            };
            adjusted = Some((before, num()?));
            c.value = Some(num()?);
        }
        _ => {
            return Err(
                "无法识别的标准路径（例如 Q1.rate、L1.primary、resource.cv_limit.junior、plausibility.equipment_per_student.min）".into(),
            );
        }
    }
    if let Some((base, applied)) = adjusted
        && base != applied
    {
        p.adjustments.retain(|a| a.key != key);
        p.adjustments.push(crate::profile::Adjustment {
            key: key.to_string(),
            base,
            applied,
        });
    }
    Ok(())
}

/// Checks that need the profile: ids, keys, survey counts.
pub fn check_plan(plan: &Plan, profile: &Profile, file: &str) -> Result<(), Error> {
    let mut errors = Vec::new();
    let mut err = |loc: YamlRef, message: String| errors.push(Error::Yaml { at: loc, message });
    for (id, entry) in &plan.figures {
        let Some(spec) = profile.indicators.get(id) else {
            err(
                at(file, entry),
                format!(
                    "figures 中的“{id}”不是已知的指标编号（政府保障 G1–G15、教育质量 Q1–Q9、社会认可度 S1）"
                ),
            );
            continue;
        };
        for (key, v) in &entry.value.values {
            match spec.criterion(key) {
                None => err(
                    at(file, v),
                    format!(
                        "指标 {id} 没有“{key}”一项（可选：{}）",
                        spec.criteria
                            .iter()
                            .map(|c| c.key.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ),
                Some(c) => {
                    let ok = match (&c.op, &v.value) {
                        (crate::profile::Op::Yes, Scalar::Bool(_)) => true,
                        (crate::profile::Op::Yes, _) => false,
                        (_, Scalar::Number(n)) => n.is_finite() && *n >= 0.0,
                        _ => false,
                    };
                    if !ok {
                        err(
                            at(file, v),
                            format!(
                                "{id}.{key}（{}）应为{}",
                                c.label,
                                if c.op == crate::profile::Op::Yes {
                                    "是/否（true/false）"
                                } else {
                                    "非负数值"
                                }
                            ),
                        );
                    }
                }
            }
        }
    }
    for group in &plan.tasks {
        for task in &group.items {
            for t in &task.targets {
                let id = t.indicator.value.as_str();
                if !profile.knows(id) {
                    err(
                        at(file, &t.indicator),
                        format!(
                            "任务 {}.{} 的目标指向未知指标“{id}”",
                            group.number, task.number
                        ),
                    );
                    continue;
                }
                if let (Some(key), Some(spec)) = (&t.key, profile.indicators.get(id))
                    && spec.criterion(&key.value).is_none()
                {
                    err(at(file, key), format!("指标 {id} 没有“{}”一项", key.value));
                }
                if let Some(v) = &t.value
                    && matches!(v.value, Scalar::Number(n) if !n.is_finite() || n < 0.0)
                {
                    err(at(file, v), "目标值不能为负数".into());
                }
            }
        }
    }
    if let Some(s) = &plan.survey {
        for g in &s.groups {
            if g.satisfied.value > g.sample.value {
                err(
                    at(file, &g.satisfied),
                    format!(
                        "{}：满意人数 {} 多于样本数 {}",
                        g.group, g.satisfied.value, g.sample.value
                    ),
                );
            }
            if let Some(w) = &g.weight
                && !(w.value.is_finite() && w.value >= 0.0)
            {
                err(at(file, w), "权重不能为负数".into());
            }
        }
    }
    for (name, v) in &plan.vetoes {
        if !profile.vetoes.contains(name) {
            err(
                at(file, v),
                format!(
                    "“{name}”不是一票否决事项（可选：{}）",
                    profile.vetoes.join("、")
                ),
            );
        }
    }
    Error::from_list(errors)
}
